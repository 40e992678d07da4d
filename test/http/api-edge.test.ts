// Every JSON API of PASS answers a body it cannot take the same way: a malformed body 400, an
// oversized one 413, one of the wrong type 415, each as { error, reason, error_description,
// message: { ja, en }, request_id } (src/http/api-edge.ts, src/http/request-body.ts). The
// requests carry a valid token of the kind each API wants, so the body is what is refused.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { createStorage, REPO_ROOT, startPass, type TestStorage } from '../helpers/pass.ts';
import { faceEnv } from '../face/platform.ts';
import { apiToken, PASSWORD, provisionKiosk, staffAccount, withFacilities, type Pass, type TestKiosk } from '../kiosk/helpers.ts';
import { adminToken, managerToken } from '../manager/helpers.ts';
import { givePasskey } from '../helpers/sign-in-factors.ts';
import { proveAndConfirm, TARO } from '../jpki/proofing-helpers.ts';
import { registeredCatalogues } from '../../src/core/reasons.ts';

type Holder = 'resident' | 'staff' | 'manager' | 'admin' | 'kiosk';

interface Route {
  method: 'POST' | 'PUT';
  path: string;
  holder: Holder;
  /** The router that declares it (every router file with a JSON body route must be here). */
  file: string;
}

const FACILITY = 'kaga-niconico-park';
const STAFF = 'staff@edge.example.jp';
const RESIDENT = 'resident@edge.example.jp';
const ADMIN = 'admin@edge.example.jp';
const UPLOAD_LIMIT = 256 * 1024;

/** Every route of PASS that takes a JSON body, by API prefix. */
const JSON_ROUTES: Route[] = [
  { method: 'POST', path: '/api/identity/jpki/verify', holder: 'resident', file: 'src/identity/proofing/routes.ts' },
  { method: 'POST', path: '/api/identity/jpki/confirm', holder: 'resident', file: 'src/identity/proofing/routes.ts' },
  { method: 'POST', path: '/api/identity/digital-agency/callback', holder: 'resident', file: 'src/identity/proofing/digital-agency/routes.ts' },
  { method: 'POST', path: '/api/identity/digital-agency/confirm', holder: 'resident', file: 'src/identity/proofing/digital-agency/routes.ts' },
  { method: 'POST', path: '/api/identity/jpki/dev/cards/demo/sign', holder: 'resident', file: 'src/identity/proofing/dev-routes.ts' },
  { method: 'POST', path: '/api/kiosk/activation', holder: 'kiosk', file: 'src/kiosk/routes.ts' },
  { method: 'POST', path: '/api/kiosk/checkins/qr', holder: 'kiosk', file: 'src/kiosk/routes.ts' },
  { method: 'POST', path: '/api/kiosk/checkins/card', holder: 'kiosk', file: 'src/kiosk/routes.ts' },
  { method: 'POST', path: '/api/kiosk/checkins/credential', holder: 'kiosk', file: 'src/kiosk/routes.ts' },
  { method: 'POST', path: '/api/kiosk/checkin-codes', holder: 'kiosk', file: 'src/kiosk/routes.ts' },
  { method: 'POST', path: '/api/kiosk/card-reader/pairing', holder: 'kiosk', file: 'src/kiosk/routes.ts' },
  { method: 'POST', path: `/api/kiosk/admin/facilities/${FACILITY}/checkin-codes`, holder: 'staff', file: 'src/kiosk/admin-routes.ts' },
  { method: 'POST', path: '/api/checkins/card-link', holder: 'resident', file: 'src/kiosk/resident-routes.ts' },
  { method: 'POST', path: `/api/manager/facilities/${FACILITY}/alert-settings`, holder: 'manager', file: 'src/manager/alerts/routes.ts' },
  { method: 'POST', path: `/api/manager/admin/facilities/${FACILITY}/claim-policy`, holder: 'manager', file: 'src/manager/admin/routes.ts' },
  { method: 'POST', path: `/api/manager/admin/facilities/${FACILITY}/kiosks/preview`, holder: 'manager', file: 'src/manager/admin/routes.ts' },
  { method: 'POST', path: `/api/manager/admin/facilities/${FACILITY}/kiosks/approve`, holder: 'manager', file: 'src/manager/admin/routes.ts' },
  { method: 'POST', path: `/api/manager/admin/facilities/${FACILITY}/kiosks/deny`, holder: 'manager', file: 'src/manager/admin/routes.ts' },
  { method: 'POST', path: `/api/manager/admin/facilities/${FACILITY}/clients`, holder: 'manager', file: 'src/manager/admin/routes.ts' },
  { method: 'POST', path: '/api/manager/admin/clients/some-client/claims', holder: 'manager', file: 'src/manager/admin/routes.ts' },
  { method: 'POST', path: '/api/manager/admin/clients/some-client/keys', holder: 'manager', file: 'src/manager/admin/routes.ts' },
  { method: 'POST', path: `/api/manager/admin/facilities/${FACILITY}/staff`, holder: 'manager', file: 'src/manager/admin/routes.ts' },
  { method: 'POST', path: '/api/manager/admin/municipalities/172065/admins', holder: 'manager', file: 'src/manager/admin/routes.ts' },
  { method: 'POST', path: '/api/privacy/deletion', holder: 'resident', file: 'src/privacy/routes.ts' },
  { method: 'POST', path: '/api/admin/clients', holder: 'admin', file: 'src/oidc/admin/admin-routes.ts' },
  { method: 'POST', path: '/api/admin/initial-access-tokens', holder: 'admin', file: 'src/oidc/admin/admin-routes.ts' },
  { method: 'POST', path: '/api/admin/resource-servers', holder: 'admin', file: 'src/oidc/admin/admin-routes.ts' },
  { method: 'POST', path: '/api/face/liveness/challenges', holder: 'resident', file: 'src/face/http/routes.ts' },
  { method: 'POST', path: '/api/households/members/challenge', holder: 'resident', file: 'src/households/routes.ts' },
  { method: 'POST', path: '/api/households/members/verify', holder: 'resident', file: 'src/households/routes.ts' },
  { method: 'POST', path: '/api/households/members/confirm', holder: 'resident', file: 'src/households/routes.ts' },
  { method: 'POST', path: '/api/households/claim/verify', holder: 'resident', file: 'src/households/routes.ts' },
  { method: 'POST', path: '/api/households/claim/confirm', holder: 'resident', file: 'src/households/routes.ts' },
  { method: 'POST', path: '/api/households/dev/text-cards/demo/read', holder: 'resident', file: 'src/households/routes.ts' },
  { method: 'POST', path: `/api/facilities/${FACILITY}/review`, holder: 'resident', file: 'src/registrations/routes.ts' },
  { method: 'POST', path: '/api/registrations', holder: 'resident', file: 'src/registrations/routes.ts' },
  { method: 'POST', path: '/api/account/security/passkeys', holder: 'resident', file: 'src/identity/factors/security-routes.ts' },
  { method: 'POST', path: '/api/account/security/totp/confirm', holder: 'resident', file: 'src/identity/factors/security-routes.ts' },
  { method: 'POST', path: '/api/account/email', holder: 'resident', file: 'src/identity/account-changes/routes.ts' },
  { method: 'POST', path: '/api/account/email/confirm', holder: 'resident', file: 'src/identity/account-changes/routes.ts' },
  { method: 'POST', path: '/api/account/phone', holder: 'resident', file: 'src/identity/account-changes/routes.ts' },
  { method: 'POST', path: '/api/account/phone/confirm', holder: 'resident', file: 'src/identity/account-changes/routes.ts' },
  { method: 'POST', path: '/api/account/password', holder: 'resident', file: 'src/identity/account-changes/routes.ts' },
  { method: 'POST', path: '/api/wallet/offers', holder: 'resident', file: 'src/wallet/offer-routes.ts' },
  // The wallet's credential endpoint reads the body before the (wallet's own) access token, so any token will do here.
  { method: 'POST', path: '/wallet/credential', holder: 'resident', file: 'src/wallet/protocol-routes.ts' },
];

interface BodyCase {
  name: string;
  contentType: string;
  body: Uint8Array;
  status: number;
  reason: string;
}

const JSON_CASES: BodyCase[] = [
  { name: 'malformed JSON', contentType: 'application/json', body: Buffer.from('{"id": "'), status: 400, reason: 'invalid_body' },
  { name: 'a body over 64 kB', contentType: 'application/json', body: Buffer.from(JSON.stringify({ pad: 'x'.repeat(70 * 1024) })), status: 413, reason: 'body_too_large' },
  { name: 'not JSON', contentType: 'text/plain', body: Buffer.from('id=1'), status: 415, reason: 'not_json' },
];

/** The face API takes the photo itself as the body: the same three mistakes, in its own words. */
const IMAGE_ROUTES: Route[] = [{ method: 'POST', path: '/api/face/enrollment', holder: 'resident', file: 'src/face/http/routes.ts' }];
const IMAGE_CASES: BodyCase[] = [
  { name: 'a corrupt JPEG', contentType: 'image/jpeg', body: Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(2000, 7)]), status: 400, reason: 'corrupt_image' },
  { name: 'an image over the upload limit', contentType: 'image/jpeg', body: Buffer.alloc(UPLOAD_LIMIT + 1, 0xff), status: 413, reason: 'image_too_large' },
  { name: 'JSON instead of an image', contentType: 'application/json', body: Buffer.from('{}'), status: 415, reason: 'unsupported_media_type' },
];

const table = [
  ...JSON_ROUTES.flatMap((route) => JSON_CASES.map((c) => [`${route.method} ${route.path}: ${c.name}`, route, c] as const)),
  ...IMAGE_ROUTES.flatMap((route) => IMAGE_CASES.map((c) => [`${route.method} ${route.path}: ${c.name}`, route, c] as const)),
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? sourceFiles(full) : full.endsWith('.ts') ? [full] : [];
  });
}

test('the table lists every router that takes a JSON body', () => {
  const declaring = sourceFiles(path.join(REPO_ROOT, 'src'))
    .filter((file) => {
      const source = readFileSync(file, 'utf8');
      return source.includes('new Router(') && /router\.(post|put|patch)\([^\n]*\bjsonBody\b/.test(source);
    })
    .map((file) => path.relative(REPO_ROOT, file))
    .sort();
  expect(declaring.length).toBeGreaterThan(0);
  expect([...new Set(JSON_ROUTES.map((r) => r.file))].sort()).toEqual(declaring);
});

describe('malformed, oversized and mistyped bodies at every API (embedded)', () => {
  let storage: TestStorage;
  let pass: Pass;
  let kiosk: TestKiosk;
  const bearer = {} as Record<Exclude<Holder, 'kiosk'>, string>;

  beforeAll(async () => {
    storage = await createStorage('embedded');
    pass = await startPass(faceEnv(storage.env, { FACE_MAX_UPLOAD_BYTES: String(UPLOAD_LIMIT) }));
    await withFacilities(pass);
    // Staff sign in to PASS Manager with a passkey (urn:pass:acr:mfa-strong).
    await givePasskey(pass, await staffAccount(pass, STAFF, 'facility_admin', { facilityId: FACILITY }), STAFF);
    await pass.platform.accounts.create({ email: RESIDENT, password: PASSWORD, verified: true });
    await pass.platform.accounts.create({ email: ADMIN, password: PASSWORD, role: 'admin', verified: true });
    kiosk = await provisionKiosk(pass, STAFF);
    bearer.resident = await apiToken(pass, RESIDENT);
    // Faces are enrolled for proofed persons only: the resident proves themselves, so photos reach the decoder.
    const cards = pass.provided.proofing!.pki.dev!;
    await cards.issue(TARO, { id: 'edge-resident' });
    const proofed = await proveAndConfirm({ storage, pass, cards }, bearer.resident, 'edge-resident');
    if (proofed.status !== 200) throw new Error(`proofing: ${JSON.stringify(proofed.body)}`);
    bearer.staff = await apiToken(pass, STAFF);
    bearer.manager = await managerToken(pass, STAFF);
    bearer.admin = await adminToken(pass, ADMIN);
  }, 120_000);

  afterAll(async () => {
    await pass?.close();
    await storage?.cleanup();
  });

  test('every capability registered its reasons once, each with a status and words in both languages', () => {
    const catalogues = registeredCatalogues();
    expect(catalogues.map((c) => c.capability).sort()).toEqual(expect.arrayContaining(['checkins', 'face', 'households', 'http-body', 'identity-account', 'manager', 'oidc-admin', 'privacy', 'proofing']));
    for (const catalogue of catalogues) {
      for (const reason of catalogue.reasons) {
        const { status, ja, en } = catalogue.entry(reason);
        expect({ reason: `${catalogue.capability}.${reason}`, status: status >= 200 && status < 600, ja: ja.length > 0, en: en.length > 0 }).toEqual({ reason: `${catalogue.capability}.${reason}`, status: true, ja: true, en: true });
      }
    }
  });

  test.each(table)('%s', async (_name, route, bodyCase) => {
    const answer = await send(route, bodyCase);
    expect({ path: route.path, status: answer.status }).toEqual({ path: route.path, status: bodyCase.status });
    expect(answer.body).toEqual(
      expect.objectContaining({
        error: expect.any(String),
        reason: bodyCase.reason,
        error_description: expect.any(String),
        message: { ja: expect.any(String), en: expect.any(String) },
      }),
    );
  });

  async function send(route: Route, bodyCase: BodyCase): Promise<{ status: number; body: Record<string, any> }> {
    if (route.holder === 'kiosk') return kiosk.call(route.method, route.path, { body: bodyCase.body, contentType: bodyCase.contentType });
    const response = await fetch(new URL(route.path, pass.issuer), {
      method: route.method,
      headers: { authorization: `Bearer ${bearer[route.holder]}`, 'content-type': bodyCase.contentType },
      body: bodyCase.body,
    });
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  }
});
