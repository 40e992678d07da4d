/**
 * /readyz tells the truth about proofing: a CRL that has gone stale (older than
 * JPKI_CRL_MAX_AGE_SECONDS) makes every proof fail closed, so JPKI reads `degraded` with the
 * reason while PASS stays ready; once a fresh CRL is loaded, JPKI reads `ok` again.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { DevJpkiCa } from '../../../src/jpki/dev-ca.ts';
import { createLogger } from '../../../src/core/logger.ts';
import { startServer, type PassServer } from '../../../src/server.ts';
import { jpkiProofingCapabilityAt } from '../../../src/identity/proofing/capability.ts';
import { configFor, createStorage, freePort, type TestStorage } from '../../helpers/pass.ts';
import { tempDir } from '../../helpers/services.ts';

const HOUR = 3600_000;

interface Readiness {
  status: string;
  checks: Record<string, { status: string; detail?: string }>;
}

describe('JPKI readiness follows the freshness of the CRLs', () => {
  const files = tempDir('pass-crl-');
  const signCa = DevJpkiCa.create({ kind: 'signature' });
  const authCa = DevJpkiCa.create({ kind: 'user_authentication' });
  const signCrl = path.join(files.path, 'sign.crl');
  const authCrl = path.join(files.path, 'auth.crl');
  const start = new Date();
  const clock = { value: start };
  let storage: TestStorage;
  let pass: PassServer;

  /** What the CAs would publish at `at`: valid a week, so only the age limit can make them stale. */
  const publishCrls = (at: Date) => {
    for (const [ca, file] of [[signCa, signCrl], [authCa, authCrl]] as const) {
      writeFileSync(file, ca.issueCrl({ thisUpdate: at, nextUpdate: new Date(at.getTime() + 7 * 24 * HOUR) }));
    }
  };

  const readyz = async (): Promise<{ httpStatus: number; body: Readiness }> => {
    const response = await fetch(new URL('/readyz', pass.url));
    return { httpStatus: response.status, body: (await response.json()) as Readiness };
  };

  beforeAll(async () => {
    const anchors = [signCa, authCa].map((ca, i) => {
      const file = path.join(files.path, `anchor-${i}.pem`);
      writeFileSync(file, ca.toPem().certificatePem);
      return file;
    });
    publishCrls(new Date(start.getTime() - HOUR));
    storage = await createStorage('embedded');
    const port = await freePort();
    const config = configFor({
      ...storage.env,
      ISSUER: `http://127.0.0.1:${port}`,
      PORT: String(port),
      JPKI_TRUST_ANCHORS: anchors.join(','),
      JPKI_CRL_SOURCES: `${signCrl},${authCrl}`,
      JPKI_CRL_MAX_AGE_SECONDS: String(24 * 3600),
    });
    pass = await startServer(config, createLogger(config.logLevel), { capabilities: [jpkiProofingCapabilityAt(() => clock.value)] });
  }, 60_000);

  afterAll(async () => {
    await pass?.close();
    await storage?.cleanup();
    files.remove();
  });

  test('fresh CRLs: JPKI ok', async () => {
    const { httpStatus, body } = await readyz();
    expect(httpStatus).toBe(200);
    expect(body.checks.jpki).toEqual({ status: 'ok', detail: expect.stringContaining('CRLs fresh 2/2') });
  });

  test('the CRLs go stale: JPKI degraded with the source, its thisUpdate, age and limit; PASS still ready', async () => {
    // 26 hours after the CRLs were issued; the files were never replaced (the reload finds the same CRLs).
    clock.value = new Date(start.getTime() + 25 * HOUR);
    const { httpStatus, body } = await readyz();
    expect(httpStatus).toBe(200);
    expect(body.status).toBe('ready');
    expect(body.checks.database?.status).toBe('ok');
    const jpki = body.checks.jpki!;
    expect(jpki.status).toBe('degraded');
    const issued = new Date(start.getTime() - HOUR).toISOString().replace(/\.\d{3}Z$/, '');
    for (const file of [signCrl, authCrl]) {
      expect(jpki.detail).toContain(`${file}: CRL is older than the allowed maximum age (thisUpdate ${issued}`);
    }
    expect(jpki.detail).toContain('age 26 h, limit 24 h');
    expect(jpki.detail).toContain('JPKI_CRL_MAX_AGE_SECONDS=86400');
    expect(jpki.detail).toContain('CRLs usable 0/2');
  });

  test('a fresh CRL is published and loaded: JPKI ok again', async () => {
    publishCrls(clock.value);
    // The sources are reloaded when due (hourly), as a proof would reload them: no operator action.
    clock.value = new Date(clock.value.getTime() + HOUR);
    const { httpStatus, body } = await readyz();
    expect(httpStatus).toBe(200);
    expect(body.checks.jpki).toEqual({ status: 'ok', detail: expect.stringContaining('CRLs fresh 2/2') });
  });
});
