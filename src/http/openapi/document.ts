/**
 * PASS's OpenAPI document (openapi.yaml beside this file) and the copy a server serves. The file is
 * written by hand beside the routes rather than generated: the routes declare their input (zod)
 * but not their answers, security or words for integrators, and test/http/openapi.test.ts holds
 * the file to the routers (every route, each request body's fields, the reason catalogue).
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export const OPENAPI_FILE = new URL('./openapi.yaml', import.meta.url);

/** Marks an operation of a route that only a development PASS mounts (virtual cards, the outbox). */
export const DEVELOPMENT_ONLY = 'x-pass-development-only';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

export type OpenApiDocument = {
  openapi: string;
  servers?: Array<{ url: string; description?: string }>;
  paths: Record<string, Record<string, unknown>>;
  tags?: Array<{ name: string }>;
} & Record<string, unknown>;

export function readOpenApiDocument(): OpenApiDocument {
  const document = parse(readFileSync(OPENAPI_FILE, 'utf8')) as OpenApiDocument;
  if (!document || typeof document !== 'object' || typeof document.paths !== 'object') throw new Error(`${OPENAPI_FILE.pathname} is not an OpenAPI document`);
  return document;
}

function developmentOnly(operation: unknown): boolean {
  return typeof operation === 'object' && operation !== null && (operation as Record<string, unknown>)[DEVELOPMENT_ONLY] === true;
}

/**
 * The document as one PASS serves it: that PASS as its server, and in production without the
 * operations of routes production never mounts (so an integrator is not shown what is not there).
 */
export function servedDocument(document: OpenApiDocument, options: { issuer: string; production: boolean }): OpenApiDocument {
  const served: OpenApiDocument = structuredClone(document);
  served.servers = [{ url: options.issuer }];
  if (!options.production) return served;
  for (const [path, item] of Object.entries(served.paths)) {
    for (const method of METHODS) if (developmentOnly(item[method])) delete item[method];
    if (!METHODS.some((method) => method in item)) delete served.paths[path];
  }
  served.tags = served.tags?.filter((tag) => tag.name !== 'development');
  return served;
}
