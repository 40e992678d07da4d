/**
 * The digital ID wallet (issue 19): credential issuance per second and offline presentation
 * verification per second on one core, beside JWT ID token signing in the same run (goals:
 * issuance ≥ 200/s, verification ≥ 1,000/s per core).
 *
 *   issuance     — PASS's CredentialIssuer.issue() for an age credential, in a PASS running in this
 *                  process on PostgreSQL: the claims engine's facts, a random status-list entry and
 *                  the credential's row, the audit entry, the SD-JWT VC signed with the issuer's key.
 *                  Per CPU-second of this process (PostgreSQL's own CPU is not counted; per
 *                  wall-second, sequential, is shown beside it).
 *   verification — bench/wallet/verify.ts: what the kiosk does offline with one presentation.
 *   baseline     — an ID token as oidc-provider signs one (jose, ES256, the usual claims), per CPU-second.
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import type { BenchContext, Scenario, ScenarioResult } from '../types.ts';
import { createDatabase, migrate } from '../../src/db/database.ts';
import { CredentialIssuer } from '../../src/wallet/issuance.ts';
import { WalletKeys } from '../../src/wallet/issuer-keys.ts';
import { validitySeconds } from '../../src/wallet/credential-types.ts';
import { configFor, startPass } from '../../test/helpers/pass.ts';
import { proofedResident } from '../../test/kiosk/fixtures.ts';
import { measureWalletVerification } from '../wallet/verify.ts';
import { measureRate as rate, percentile } from '../lib/cpu-rate.ts';

const ISSUE_GOAL_PER_SECOND = 200;

async function holderKey(): Promise<{ jwk: JWK; thumbprint: string }> {
  const { publicKey } = await generateKeyPair('ES256');
  const jwk = await exportJWK(publicKey);
  return { jwk, thumbprint: await calculateJwkThumbprint(jwk) };
}

const scenario: Scenario = {
  name: 'wallet',
  description: 'wallet: SD-JWT VC issuance and offline presentation verification per core-second, beside ID token signing',
  async run(ctx: BenchContext): Promise<ScenarioResult> {
    const env = { DATABASE_URL: ctx.databaseUrl, REDIS_URL: ctx.redisUrl, LOG_LEVEL: 'warn' };
    const db = createDatabase(configFor(env));
    await migrate(db);
    await db.destroy();
    const pass = await startPass(env);
    try {
      const { platform, oidc } = pass;
      const { config } = platform;
      const resident = await proofedResident(pass);
      const keys = new WalletKeys(platform.db, platform.box, config.keyRefreshSeconds);
      await keys.ensure();
      const issuer = new CredentialIssuer({
        db: platform.db,
        issuer: config.issuer,
        keys,
        facts: oidc.claims.facts,
        engine: oidc.claims.engine,
        basisKey: config.identityHashKey,
        production: false,
        validitySeconds: (id) => validitySeconds(config, id),
      });
      const holders = await Promise.all(Array.from({ length: 16 }, () => holderKey()));
      let i = 0;
      const issueOne = () => {
        const holder = holders[i++ % holders.length]!;
        return issuer.issue({ personId: resident.personId, holderAccountId: resident.accountId, configurationId: 'pass_age', holderJwk: holder.jwk, holderKeyThumbprint: holder.thumbprint });
      };
      const sample = await issueOne();
      if (!sample.includes('~')) throw new Error('the issuer did not answer an SD-JWT');
      for (let w = 0; w < 50; w++) await issueOne();
      const issuance = await rate(ctx, 'issuance', issueOne);

      const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const idTokenKid = randomUUID();
      const signIdToken = () =>
        new SignJWT({ sub: randomUUID(), nonce: randomUUID(), auth_time: Math.floor(Date.now() / 1000), acr: 'urn:pass:acr:aal2', amr: ['pwd', 'otp'], at_hash: 'x'.repeat(22), sid: randomUUID() })
          .setProtectedHeader({ alg: 'ES256', kid: idTokenKid, typ: 'JWT' })
          .setIssuer(config.issuer)
          .setAudience('pass-app')
          .setIssuedAt()
          .setExpirationTime('1h')
          .sign(privateKey);
      for (let w = 0; w < 200; w++) await signIdToken();
      const idTokens = await rate(ctx, 'ID token signing', signIdToken);

      const verification = await measureWalletVerification(ctx);
      return {
        name: 'wallet',
        measurements: [
          { label: 'age credential issuance, one core (per CPU-second of PASS, PostgreSQL not counted)', throughput: issuance.perCpuSecond, p50Ms: percentile(issuance.latencies, 50), p99Ms: percentile(issuance.latencies, 99), cpuMsPerOp: 1000 / issuance.perCpuSecond },
          { label: 'age credential issuance, sequential (per wall-second)', throughput: issuance.perWallSecond },
          ...verification.measurements,
          { label: 'baseline: ID token signing, ES256, one core (per CPU-second)', throughput: idTokens.perCpuSecond, p50Ms: percentile(idTokens.latencies, 50), cpuMsPerOp: 1000 / idTokens.perCpuSecond },
        ],
        ratios: [
          { label: `credential issuances per core-second / ${ISSUE_GOAL_PER_SECOND}`, value: issuance.perCpuSecond / ISSUE_GOAL_PER_SECOND, goal: 1, higherIsBetter: true },
          ...verification.ratios,
          { label: 'credential issuance / ID token signing (per core-second)', value: issuance.perCpuSecond / idTokens.perCpuSecond, higherIsBetter: true },
          { label: 'presentation verification / ID token signing (per core-second)', value: verification.measurements[0]!.throughput / idTokens.perCpuSecond, higherIsBetter: true },
        ],
        notes: [
          `issuance: ${sample.split('~').length - 2} disclosures per age credential, a status-list entry and an audit entry each, ${(sample.length / 1024).toFixed(1)} KiB`,
          ...verification.notes,
        ],
      };
    } finally {
      await pass.close();
    }
  },
};

export default scenario;
