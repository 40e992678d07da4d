// PASS's OpenAPI document (src/http/openapi/openapi.yaml, served at GET /api/openapi.json) held to
// the code: it is valid OpenAPI 3.1; the routes a running PASS registers are exactly the documented
// operations; each documented request body and query has the fields of the zod schema its route
// declares; the Reason enum is the reason catalogue; and real answers, refusals included, fit the
// documented response schemas.
import { randomUUID } from 'node:crypto';
import { compileErrors, dereference, validate as validateOpenApi } from '@readme/openapi-parser';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { z } from 'zod';
import type { Middleware } from 'koa';
import { createLogger } from '../../src/core/logger.ts';
import { registeredCatalogues } from '../../src/core/reasons.ts';
import { startServer } from '../../src/server.ts';
import { CAPABILITIES } from '../../src/capabilities.ts';
import type { CapabilityFactory, StartedCapability } from '../../src/capability.ts';
import { healthRoutes } from '../../src/http/health.ts';
import { METRICS_PATH } from '../../src/http/metrics.ts';
import { declaredInput, type InputSchemas } from '../../src/http/validate.ts';
import { DEVELOPMENT_ONLY, readOpenApiDocument, servedDocument, type OpenApiDocument } from '../../src/http/openapi/document.ts';
import { OPENAPI_PATH, openApiRoutes } from '../../src/http/openapi/routes.ts';
import { historyFilterSchema } from '../../src/manager/history/history-query.ts';
import { alertSettingsSchema } from '../../src/manager/alerts/alert-settings.ts';
import { ALL_IN_ONE } from '../../clients/capabilities.ts';
import { configFor, createStorage, freePort, type TestStorage } from '../helpers/pass.ts';
import { givePasskey } from '../helpers/sign-in-factors.ts';
import { apiToken, PASSWORD, provisionKiosk, staffAccount, withFacilities, type Pass, type TestKiosk } from '../kiosk/helpers.ts';
import { adminToken, managerToken } from '../manager/helpers.ts';

type Json = Record<string, any>;

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;
const FACILITY = 'kaga-niconico-park';
const STAFF = 'staff@openapi.example.jp';
const RESIDENT = 'resident@openapi.example.jp';
const ADMIN = 'admin@openapi.example.jp';

/**
 * The provider's pages (HTML for a browser, not APIs): sign-in interactions, password reset, the
 * device-code check-in on a phone, the development outbox page. Any other route of the provider,
 * and any route of anyone under /api/, must be in the document.
 */
const PAGE_PREFIXES = ['/interaction/', '/password/', '/checkin/'];
const PAGES = new Set(['GET /dev/outbox']);

const document = readOpenApiDocument();

interface Operation {
  key: string;
  method: (typeof METHODS)[number];
  path: string;
  operation: Json;
}

function operationsOf(doc: OpenApiDocument): Operation[] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    METHODS.filter((method) => item[method]).map((method) => ({ key: `${method.toUpperCase()} ${path}`, method, path, operation: item[method] as Json })),
  );
}

/** `/a/:id/b` as OpenAPI writes it: `/a/{id}/b`. */
const openApiPath = (koaPath: string) => koaPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

interface RegisteredRoute {
  key: string;
  path: string;
  owner: string;
  stack: Middleware[];
}

/** The routes of a router as @koa/router holds them (router.use() layers have no method; HEAD comes with GET). */
function routesOf(router: { stack: Array<{ path: string; methods: string[]; stack: Middleware[] }> }, owner: string): RegisteredRoute[] {
  return router.stack.flatMap((layer) =>
    layer.methods.filter((m) => m !== 'HEAD').map((m) => ({ key: `${m} ${openApiPath(layer.path)}`, path: openApiPath(layer.path), owner, stack: layer.stack })),
  );
}

function routersOf(capability: StartedCapability): Array<{ stack: Array<{ path: string; methods: string[]; stack: Middleware[] }> }> {
  return (capability.middleware ?? []).flatMap((m) => ((m as unknown as { router?: unknown }).router ? [(m as unknown as { router: any }).router] : []));
}

// ── comparing a documented schema with a zod schema: the object fields, the required ones, closed or not ──

interface Shape {
  properties: string[];
  required: string[];
  closed: boolean;
  of: Record<string, unknown>;
}

/** The object structure of a JSON Schema (OpenAPI's, dereferenced, or zod's), for comparison; null when it is no object with named fields. */
function shapeOf(schema: Json | undefined): unknown {
  if (!schema || typeof schema !== 'object') return null;
  const variants = schema.oneOf ?? schema.anyOf;
  if (variants) {
    const shapes = (variants as Json[]).map(shapeOf).filter((s) => s !== null);
    if (shapes.length <= 1) return shapes[0] ?? null;
    return { variants: shapes.map((s) => JSON.stringify(s)).sort() };
  }
  if (schema.allOf) {
    const parts = (schema.allOf as Json[]).map(shapeOf).filter((s): s is Shape => s !== null && typeof s === 'object' && 'properties' in s);
    return parts.length ? { properties: [...new Set(parts.flatMap((p) => p.properties))].sort(), required: [...new Set(parts.flatMap((p) => p.required))].sort(), closed: parts.some((p) => p.closed), of: Object.assign({}, ...parts.map((p) => p.of)) } : null;
  }
  if (schema.type === 'array' || schema.items) return schema.items ? (shapeOf(schema.items) === null ? null : { items: shapeOf(schema.items) }) : null;
  const properties = schema.properties as Record<string, Json> | undefined;
  if (!properties || Object.keys(properties).length === 0) return null;
  const of: Record<string, unknown> = {};
  for (const [name, sub] of Object.entries(properties)) {
    const shape = shapeOf(sub);
    if (shape !== null) of[name] = shape;
  }
  return { properties: Object.keys(properties).sort(), required: [...((schema.required as string[] | undefined) ?? [])].sort(), closed: schema.additionalProperties === false, of };
}

/** What a client sends: defaults make a field optional, so the input side of the schema. */
const zodSchema = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Json;

function queryShape(parameters: Json[] | undefined): { properties: string[]; required: string[] } {
  const query = (parameters ?? []).filter((p) => p.in === 'query');
  return { properties: query.map((p) => p.name as string).sort(), required: query.filter((p) => p.required).map((p) => p.name as string).sort() };
}

function zodQueryShape(schema: z.ZodType): { properties: string[]; required: string[] } {
  const json = zodSchema(schema);
  return { properties: Object.keys(json.properties ?? {}).sort(), required: [...((json.required as string[] | undefined) ?? [])].sort() };
}

describe('the OpenAPI document', () => {
  test('is valid OpenAPI 3.1', async () => {
    expect(document.openapi).toMatch(/^3\.1\./);
    const result = await validateOpenApi(structuredClone(document) as never);
    expect(result.valid ? 'valid' : compileErrors(result)).toBe('valid');
  });

  test('names every operation, with a tag, an English summary, its security, and refusals in the Refusal shape', () => {
    const tags = new Set((document.tags ?? []).map((t) => t.name));
    const problems: string[] = [];
    for (const { key, path, operation } of operationsOf(document)) {
      if (!operation.operationId) problems.push(`${key}: no operationId`);
      if (!operation.tags?.length || operation.tags.some((t: string) => !tags.has(t))) problems.push(`${key}: tags ${JSON.stringify(operation.tags)} not all declared`);
      if (!operation.summary || /[\u3000-\u9fff\uff00-\uffef]/.test(operation.summary)) problems.push(`${key}: the summary is missing or not English`);
      if (!Array.isArray(operation.security)) problems.push(`${key}: no security (say [] for none)`);
      if (!path.startsWith('/api/')) continue;
      for (const [status, response] of Object.entries(operation.responses as Record<string, Json>)) {
        if (Number(status) < 400) continue;
        const schema = response.$ref ? (document as Json).components.responses[response.$ref.split('/').pop()].content?.['application/json']?.schema : response.content?.['application/json']?.schema;
        if (schema?.$ref !== '#/components/schemas/Refusal') problems.push(`${key}: ${status} is not a Refusal`);
      }
    }
    expect(problems).toEqual([]);
  });

  test('its Reason enum is the reason catalogue, every reason of every capability', () => {
    // The card library's catalogue is the kiosk page's (APDU errors); no HTTP API answers with it.
    const catalogue = new Set(registeredCatalogues().filter((c) => c.capability !== 'card').flatMap((c) => c.reasons));
    const documented = new Set<string>((document as Json).components.schemas.Reason.enum);
    expect({
      missingFromTheDocument: [...catalogue].filter((r) => !documented.has(r)).sort(),
      notInTheCatalogue: [...documented].filter((r) => !catalogue.has(r)).sort(),
    }).toEqual({ missingFromTheDocument: [], notInTheCatalogue: [] });
  });

  test('a production PASS serves it without the operations of development-only routes, and names itself as the server', () => {
    const all = operationsOf(document);
    const development = all.filter((o) => o.operation[DEVELOPMENT_ONLY]).map((o) => o.key);
    expect(development.length).toBeGreaterThan(0);
    const production = servedDocument(document, { issuer: 'https://pass.example.jp', production: true });
    expect(production.servers).toEqual([{ url: 'https://pass.example.jp' }]);
    expect(operationsOf(production).map((o) => o.key)).toEqual(all.map((o) => o.key).filter((k) => !development.includes(k)));
    expect(operationsOf(servedDocument(document, { issuer: 'http://localhost:3000', production: false })).map((o) => o.key)).toEqual(all.map((o) => o.key));
  });
});

describe('the document and a running PASS (embedded)', () => {
  let storage: TestStorage;
  let pass: Pass;
  let kiosk: TestKiosk;
  let dereferenced: OpenApiDocument;
  const started: Array<{ factory: CapabilityFactory; capability: StartedCapability }> = [];
  const bearer = {} as Record<'resident' | 'staff' | 'manager' | 'admin', string>;
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
  /** Every reason a refusal carried in these calls. */
  const reasonsSeen = new Set<string>();

  beforeAll(async () => {
    storage = await createStorage('embedded');
    // What `npm start` runs, each capability's started parts kept to walk their routers.
    const recording = ALL_IN_ONE.map(
      (factory): CapabilityFactory => ({
        ...factory,
        start: async (context) => {
          const capability = await factory.start(context);
          started.push({ factory, capability });
          return capability;
        },
      }),
    );
    const port = await freePort();
    const config = configFor({ ...storage.env, ISSUER: `http://127.0.0.1:${port}`, PORT: String(port) });
    pass = Object.assign(await startServer(config, createLogger(config.logLevel), { capabilities: recording }), { issuer: config.issuer });
    dereferenced = await dereference(structuredClone(document) as never);

    await withFacilities(pass);
    await givePasskey(pass, await staffAccount(pass, STAFF, 'facility_admin', { facilityId: FACILITY }), STAFF);
    await pass.platform.accounts.create({ email: RESIDENT, password: PASSWORD, verified: true });
    await pass.platform.accounts.create({ email: ADMIN, password: PASSWORD, role: 'admin', verified: true });
    kiosk = await provisionKiosk(pass, STAFF);
    bearer.resident = await apiToken(pass, RESIDENT);
    bearer.staff = await apiToken(pass, STAFF);
    bearer.manager = await managerToken(pass, STAFF);
    bearer.admin = await adminToken(pass, ADMIN);
  }, 180_000);

  afterAll(async () => {
    await pass?.close();
    await storage?.cleanup();
  });

  /** Every route of the running PASS that is not a page: the capabilities' routers, health and this document's. */
  function registeredRoutes(): RegisteredRoute[] {
    const provider = new Set<CapabilityFactory>(CAPABILITIES);
    const routes = [
      ...routesOf(healthRoutes([]) as never, 'platform (src/http/health.ts)'),
      ...routesOf(openApiRoutes({ issuer: pass.issuer, production: false }) as never, 'platform (src/http/openapi/routes.ts)'),
      // /metrics is a middleware of its own (src/http/metrics.ts); the call below shows it is served.
      { key: `GET ${METRICS_PATH}`, path: METRICS_PATH, owner: 'platform (src/http/metrics.ts)', stack: [] },
      ...started.flatMap(({ factory, capability }) =>
        routersOf(capability)
          .flatMap((router) => routesOf(router, factory.name))
          // A first-party client's pages are its own; only an /api route of a client would be PASS's API.
          .filter((route) => provider.has(factory) || route.path.startsWith('/api/')),
      ),
    ];
    return routes.filter((route) => !PAGES.has(route.key) && (route.path.startsWith('/api/') || !PAGE_PREFIXES.some((prefix) => route.path.startsWith(prefix))));
  }

  test('documents every route a PASS serves, and no route it does not', () => {
    const registered = registeredRoutes();
    const documented = new Set(operationsOf(document).map((o) => o.key));
    const served = new Set(registered.map((r) => r.key));
    expect({
      undocumented: registered.filter((r) => !documented.has(r.key)).map((r) => `${r.key} (${r.owner})`),
      documentedButNotServed: [...documented].filter((key) => !served.has(key)),
    }).toEqual({ undocumented: [], documentedButNotServed: [] });
  });

  test('documents, for each route that declares a zod schema, the same body fields, required fields and query parameters', () => {
    const operations = new Map(operationsOf(dereferenced).map((o) => [o.key, o.operation]));
    const declared: Array<{ key: string; schemas: InputSchemas }> = registeredRoutes().flatMap((route) => {
      const schemas = route.stack.map(declaredInput).find((s) => s !== undefined);
      return schemas ? [{ key: route.key, schemas }] : [];
    });
    // Routes that check their input inside the handler (parse()) with an exported schema.
    declared.push({ key: 'GET /api/manager/checkins', schemas: { query: historyFilterSchema } });
    declared.push({ key: 'POST /api/manager/facilities/{id}/alert-settings', schemas: { body: alertSettingsSchema } });
    expect(declared.length).toBeGreaterThan(60);

    const mismatches: unknown[] = [];
    for (const { key, schemas } of declared) {
      const operation = operations.get(key);
      // An undocumented route is the test above's to name.
      if (!operation) continue;
      if (schemas.body) {
        const documented = shapeOf(operation.requestBody?.content?.['application/json']?.schema);
        const declaredShape = shapeOf(zodSchema(schemas.body));
        if (JSON.stringify(documented) !== JSON.stringify(declaredShape)) mismatches.push({ route: key, part: 'body', documented, declared: declaredShape });
      }
      if (schemas.query) {
        const documented = queryShape(operation.parameters);
        const declaredShape = zodQueryShape(schemas.query);
        if (JSON.stringify(documented) !== JSON.stringify(declaredShape)) mismatches.push({ route: key, part: 'query', documented, declared: declaredShape });
      }
      if (schemas.params) {
        const documented = (operation.parameters ?? []).filter((p: Json) => p.in === 'path').map((p: Json) => p.name).sort();
        const declaredNames = Object.keys(zodSchema(schemas.params).properties ?? {}).sort();
        if (JSON.stringify(documented) !== JSON.stringify(declaredNames)) mismatches.push({ route: key, part: 'params', documented, declared: declaredNames });
      }
    }
    expect(mismatches).toEqual([]);
  });

  /** Checks an answer against what the document says of that status; returns the problem, if any. */
  async function check(key: string, operation: Json, response: Response, fromPass = true): Promise<string | undefined> {
    const documented = operation.responses?.[String(response.status)];
    const text = await response.text();
    if (!documented) return `${key}: answered ${response.status}, which is not documented (${text.slice(0, 200)})`;
    const type = (response.headers.get('content-type') ?? '').split(';')[0]!.trim();
    const content = documented.content as Record<string, { schema?: Json }> | undefined;
    if (!content) return text === '' ? undefined : `${key}: ${response.status} is documented without a body, but one came`;
    if (!content[type]) return `${key}: ${response.status} came as ${type}, documented as ${Object.keys(content).join(', ')}`;
    if (type !== 'application/json') return undefined;
    const body = JSON.parse(text) as unknown;
    if (fromPass && response.status >= 400 && typeof (body as Json).reason === 'string') reasonsSeen.add((body as Json).reason);
    const schema = content[type]!.schema;
    if (schema && !ajv.validate(schema, body)) return `${key}: ${response.status} does not fit its schema: ${ajv.errorsText(ajv.errors)} in ${text.slice(0, 300)}`;
    return undefined;
  }

  /** A value for a path parameter that the route accepts the form of (the thing named may not exist). */
  function sampleOf(path: string, parameter: Json): string {
    const schema = (parameter.schema ?? {}) as Json;
    if (path.startsWith('/api/admin/clients/')) return 'pass-manager';
    if (path === '/api/manager/shelters/{facilityId}/roster') return 'kaga-kinjo-shelter';
    if (schema.pattern === '^[a-z0-9-]{3,64}$') return FACILITY;
    if (schema.pattern === '^\\d{6}$') return '172065';
    if (schema.format === 'uuid') return randomUUID();
    if (typeof schema.pattern === 'string' && schema.pattern.startsWith('^kiosk-')) return 'kiosk-unknown';
    return 'unknown';
  }

  function urlOf(path: string, operation: Json): string {
    const filled = path.replace(/\{([^}]+)\}/g, (_all, name: string) => sampleOf(path, (operation.parameters ?? []).find((p: Json) => p.in === 'path' && p.name === name) ?? {}));
    return `${pass.issuer}${filled}`;
  }

  test('the answer check refuses an answer that does not fit, an undocumented status, and a body of another type', async () => {
    const operation = (dereferenced.paths['/api/account'] as Json).get as Json;
    const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
    const refusal = { error: 'unauthorized', reason: 'invalid_token', error_description: 'x', message: { ja: 'x', en: 'x' }, request_id: 'r' };
    const checked = (response: Response) => check('GET /api/account', operation, response, false);
    expect(await checked(json(401, refusal))).toBeUndefined();
    expect(await checked(json(401, { error: 'unauthorized', reason: 'invalid_token' }))).toMatch(/does not fit its schema/);
    expect(await checked(json(401, { ...refusal, reason: 'Invalid Token' }))).toMatch(/does not fit its schema/);
    expect(await checked(json(418, refusal))).toMatch(/not documented/);
    expect(await checked(new Response('<html></html>', { status: 200, headers: { 'content-type': 'text/html' } }))).toMatch(/came as text\/html/);
  });

  test('answers every operation called without credentials as documented: 401 Refusals where a token is needed', async () => {
    const problems: string[] = [];
    for (const { key, path, method, operation } of operationsOf(dereferenced)) {
      const needsCredentials = operation.security.length > 0 && !operation.security.some((requirement: Json) => Object.keys(requirement).length === 0);
      const response = await fetch(urlOf(path, operation), { method: method.toUpperCase() });
      if (needsCredentials && response.status !== 401) problems.push(`${key}: ${response.status} without a token`);
      const problem = await check(key, operation, response);
      if (problem) problems.push(problem);
    }
    expect(problems).toEqual([]);
  });

  test('answers every GET with the credentials it documents as documented (streams left out)', async () => {
    const problems: string[] = [];
    const answered: string[] = [];
    for (const { key, path, method, operation } of operationsOf(dereferenced)) {
      if (method !== 'get' || operation.responses['200']?.content?.['text/event-stream']) continue;
      const scheme = Object.entries((operation.security[0] ?? {}) as Record<string, string[]>)[0];
      if (!scheme) continue;
      const [name, scopes] = scheme;
      let response: Response;
      if (name === 'kioskDpop') {
        const url = urlOf(path, operation);
        const answer = await kiosk.call('GET', url.slice(pass.issuer.length));
        response = new Response(JSON.stringify(answer.body), { status: answer.status, headers: { 'content-type': 'application/json' } });
      } else {
        const holder = name === 'metricsToken' ? undefined : scopes.includes('admin') ? 'admin' : scopes.includes('manager') ? 'manager' : path.startsWith('/api/kiosk/admin/') ? 'staff' : 'resident';
        if (!holder) continue;
        response = await fetch(urlOf(path, operation), { headers: { authorization: `Bearer ${bearer[holder]}` } });
      }
      if (response.status >= 500) problems.push(`${key}: ${response.status}`);
      if (response.status === 200) answered.push(key);
      const problem = await check(key, operation, response);
      if (problem) problems.push(problem);
    }
    expect(problems).toEqual([]);
    // Most answers are real data, not refusals: the response schemas were put to the test.
    expect(answered.length).toBeGreaterThan(35);
  });

  describe('the admin API, as the document says', () => {
    const operation = (path: string, method: string) => (dereferenced.paths[path] as Json)[method] as Json;
    const admin = (path: string, init: RequestInit) => fetch(`${pass.issuer}${path}`, { ...init, headers: { authorization: `Bearer ${bearer.admin}`, ...(init.headers as Record<string, string>) } });

    test('refuses a body that does not fit, naming the fields in its description, in the Refusal shape', async () => {
      const response = await admin('/api/admin/clients', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ client_name: 5, colour: 'red' }) });
      expect(response.status).toBe(400);
      const body = (await response.clone().json()) as Json;
      expect(body).toEqual(expect.objectContaining({ error: 'invalid_input', reason: 'invalid_request', message: { ja: expect.any(String), en: expect.any(String) } }));
      expect(body.error_description).toContain('client_name');
      expect(await check('POST /api/admin/clients', operation('/api/admin/clients', 'post'), response)).toBeUndefined();
    });

    test('refuses a body that is not JSON (415) and one too large (413) in the Refusal shape', async () => {
      const notJson = await admin('/api/admin/resource-servers', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'identifier=x' });
      expect(notJson.status).toBe(415);
      expect(await check('POST /api/admin/resource-servers', operation('/api/admin/resource-servers', 'post'), notJson)).toBeUndefined();
      const tooLarge = await admin('/api/admin/resource-servers', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ pad: 'x'.repeat(70 * 1024) }) });
      expect(tooLarge.status).toBe(413);
      expect(await check('POST /api/admin/resource-servers', operation('/api/admin/resource-servers', 'post'), tooLarge)).toBeUndefined();
    });

    test('registers a client and a resource server with answers in the documented shape', async () => {
      const client = await admin('/api/admin/clients', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ client_name: 'OpenAPI test', redirect_uris: ['https://rp.example.jp/cb'], facility_id: FACILITY }),
      });
      expect(client.status).toBe(201);
      const created = (await client.clone().json()) as Json;
      expect(created.client_secret).toEqual(expect.any(String));
      expect(await check('POST /api/admin/clients', operation('/api/admin/clients', 'post'), client)).toBeUndefined();
      const changed = await admin(`/api/admin/clients/${created.client_id}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ client_name: 'OpenAPI test, renamed' }) });
      expect(changed.status).toBe(200);
      expect(await check('PATCH /api/admin/clients/{clientId}', operation('/api/admin/clients/{clientId}', 'patch'), changed)).toBeUndefined();
      const server = await admin('/api/admin/resource-servers', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ identifier: 'https://api.openapi.example.jp', name: 'OpenAPI test API', scopes: ['read'] }),
      });
      expect(server.status).toBe(201);
      expect(await check('POST /api/admin/resource-servers', operation('/api/admin/resource-servers', 'post'), server)).toBeUndefined();
    });
  });

  test('serves the document at /api/openapi.json, naming itself as the server', async () => {
    const response = await fetch(`${pass.issuer}${OPENAPI_PATH}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(servedDocument(document, { issuer: pass.issuer, production: false }));
  });

  test('every reason the calls above were refused with is in the catalogue (or is the outage reason)', () => {
    const catalogue = new Set<string>((document as Json).components.schemas.Reason.enum);
    expect(reasonsSeen.size).toBeGreaterThan(5);
    expect([...reasonsSeen].filter((r) => !catalogue.has(r) && r !== 'service_unavailable')).toEqual([]);
  });
});
