/**
 * The configuration of proofing through the Digital Agency's app: the three settings go together;
 * production takes only the Digital Agency's own issuers over https, never the stand-in (nor any
 * http:// issuer), and never serves the stand-in; development with nothing set uses the stand-in.
 * The relying party's key is checked at start: only ES256 and RS256 keys are taken.
 */
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../../src/config/load-config.ts';
import { DIGITAL_AGENCY_ISSUERS, STAND_IN_PATH } from '../../../src/config/digital-agency.ts';
import { loadConfiguredKey, signingKeyOf } from '../../../src/identity/proofing/digital-agency/keys.ts';
import { standInRoutes } from '../../../src/identity/proofing/digital-agency/stand-in/authorization-server.ts';
import { REPO_ROOT } from '../../helpers/pass.ts';
import { tempDir } from '../../helpers/services.ts';
import { configProblems, PRODUCTION } from '../../helpers/production-config.ts';

const keys = tempDir('pass-da-config-');
const ecPem = path.join(keys.path, 'rp-ec.pem');
const rsaJwk = path.join(keys.path, 'rp-rsa.jwk');
const weakPem = path.join(keys.path, 'rp-weak.pem');
writeFileSync(ecPem, generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
writeFileSync(rsaJwk, JSON.stringify({ ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }), kid: 'pass-rp-1' }));
writeFileSync(weakPem, generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey.export({ type: 'pkcs8', format: 'pem' }));

afterAll(() => keys.remove());

const registered = { DIGITAL_AGENCY_CLIENT_ID: 'RP00000001', DIGITAL_AGENCY_SIGNING_KEY: ecPem };

describe('configuration of the Digital Agency relying party', () => {
  test('development with nothing set uses the stand-in PASS serves under its own issuer', () => {
    const config = loadConfig({ PORT: '3100' }, REPO_ROOT);
    expect(config.digitalAgency).toEqual({
      issuer: `http://localhost:3100${STAND_IN_PATH}`,
      clientId: 'PASSDEV0001',
      signingKey: undefined,
      redirectUri: 'http://localhost:3100/app/identity/digital-agency/callback',
      environment: 'development',
      standIn: true,
    });
  });

  test('production with nothing set has no phone path, and no stand-in', () => {
    expect(configProblems(PRODUCTION)).toEqual([]);
    expect(loadConfig(PRODUCTION, REPO_ROOT).digitalAgency).toBeUndefined();
  });

  test('production takes the Digital Agency\'s production or sandbox issuer', () => {
    const production = loadConfig({ ...PRODUCTION, ...registered, DIGITAL_AGENCY_ISSUER: DIGITAL_AGENCY_ISSUERS.production }, REPO_ROOT).digitalAgency;
    expect(production).toMatchObject({ issuer: 'https://auth-and-sign.go.jp/api/realms/main', environment: 'production', standIn: false, signingKey: ecPem });
    expect(production!.redirectUri).toBe('https://pass.city.example.jp/app/identity/digital-agency/callback');
    const sandbox = loadConfig({ ...PRODUCTION, ...registered, DIGITAL_AGENCY_ISSUER: `${DIGITAL_AGENCY_ISSUERS.sandbox}/` }, REPO_ROOT).digitalAgency;
    expect(sandbox).toMatchObject({ issuer: 'https://sb-auth-and-sign.go.jp/api/realms/main', environment: 'test' });
  });

  test('production refuses the stand-in\'s issuer, any other development issuer, and http://', () => {
    const standIn = configProblems({ ...PRODUCTION, ...registered, DIGITAL_AGENCY_ISSUER: `https://pass.city.example.jp${STAND_IN_PATH}` });
    expect(standIn).toEqual([expect.stringMatching(/^DIGITAL_AGENCY_ISSUER: development issuers \(the stand-in\) are refused in production/)]);
    expect(configProblems({ ...PRODUCTION, ...registered, DIGITAL_AGENCY_ISSUER: 'https://idp.example.jp/realms/main' })).toHaveLength(1);
    expect(configProblems({ ...PRODUCTION, ...registered, DIGITAL_AGENCY_ISSUER: 'http://auth-and-sign.go.jp/api/realms/main' })).toEqual([
      'DIGITAL_AGENCY_ISSUER: must be an https:// URL in production',
    ]);
    expect(configProblems({ ...PRODUCTION, ...registered, DIGITAL_AGENCY_ISSUER: DIGITAL_AGENCY_ISSUERS.production, DIGITAL_AGENCY_REDIRECT: 'http://pass.city.example.jp/cb' })).toEqual([
      'DIGITAL_AGENCY_REDIRECT: must be an https:// URL in production',
    ]);
  });

  test('the three settings go together, and each is checked', () => {
    expect(configProblems({ DIGITAL_AGENCY_ISSUER: DIGITAL_AGENCY_ISSUERS.sandbox })).toEqual([
      'DIGITAL_AGENCY_ISSUER: set DIGITAL_AGENCY_ISSUER, DIGITAL_AGENCY_CLIENT_ID and DIGITAL_AGENCY_SIGNING_KEY together',
    ]);
    expect(configProblems({ ...registered, DIGITAL_AGENCY_ISSUER: DIGITAL_AGENCY_ISSUERS.sandbox, DIGITAL_AGENCY_CLIENT_ID: 'RP-0001' })).toEqual([
      'DIGITAL_AGENCY_CLIENT_ID: must be 1–255 letters and digits, as the Digital Agency issues it',
    ]);
    expect(configProblems({ ...registered, DIGITAL_AGENCY_ISSUER: DIGITAL_AGENCY_ISSUERS.sandbox, DIGITAL_AGENCY_SIGNING_KEY: '/no/such/key.pem' })).toEqual([
      'DIGITAL_AGENCY_SIGNING_KEY: /no/such/key.pem does not exist (a private JWK, or the path of a PEM or JWK file)',
    ]);
    expect(configProblems({ DIGITAL_AGENCY_REDIRECT: 'https://app.example.jp/cb' })).toEqual([
      'DIGITAL_AGENCY_REDIRECT: only with DIGITAL_AGENCY_ISSUER (the stand-in answers the PASS app itself)',
    ]);
  });

  test('the stand-in refuses to be made for production', async () => {
    const key = await signingKeyOf(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey);
    expect(() =>
      standInRoutes({ issuer: 'https://pass.example.jp/dev/digital-agency/realms/main', client: { clientId: 'X', redirectUris: [], publicJwk: key.publicJwk }, signingKey: key, subjectSecret: new Uint8Array(32), cards: {} as never, store: {} as never, production: true }),
    ).toThrow(/production never serves it/);
  });

  test('the key: a P-256 PEM (ES256), an RSA JWK keeping its kid (RS256), an inline JWK; nothing else', async () => {
    expect(await loadConfiguredKey(ecPem)).toMatchObject({ alg: 'ES256', publicJwk: { kty: 'EC', crv: 'P-256', use: 'sig', alg: 'ES256' } });
    expect((await loadConfiguredKey(ecPem)).publicJwk).not.toHaveProperty('d');
    expect(await loadConfiguredKey(rsaJwk)).toMatchObject({ alg: 'RS256', kid: 'pass-rp-1' });
    const inline = JSON.stringify(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' }));
    expect((await loadConfiguredKey(inline)).alg).toBe('ES256');
    await expect(loadConfiguredKey(weakPem)).rejects.toThrow(/EC P-256 key \(ES256\) or an RSA key/);
    const publicOnly = JSON.stringify(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' }));
    await expect(loadConfiguredKey(publicOnly)).rejects.toThrow(/no private key/);
  });
});
