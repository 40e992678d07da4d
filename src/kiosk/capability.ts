/**
 * PASS Face kiosks and check-ins as a PASS capability: the kiosk API
 * (/api/kiosk, DPoP-bound `kiosk` tokens from the device authorization grant, proofs with PASS's
 * nonces), the staff API (/api/kiosk/admin), the resident's QR code and card link
 * (/api/checkins/...) and the device-code check-in pages (/checkin). The two built-in clients it
 * needs (pass-kiosk, pass-checkin) are made at start. Its purger deletes used QR codes and
 * check-ins past their facility's retention. The server never plays the card: the kiosk page reads
 * it through the kiosk machine's card bridge; in development PASS runs such a bridge itself with
 * the card simulator (dev-card-bridge.ts, KIOSK_CARD_SIMULATOR, refused in production).
 */
import type { Middleware } from 'koa';
import { defineCapability } from '../capability.ts';
import type { ClientService } from '../oidc/clients/client-service.ts';
import { requireApiToken } from '../oidc/api-auth.ts';
import { createIdentityClaimsSource } from '../identity/proofing/claims-source.ts';
import { createTransientStore } from '../identity/proofing/transient-store.ts';
import { StaffService, type StaffFacility } from '../staff/staff-service.ts';
import { CheckinStore } from '../checkins/checkin-store.ts';
import { CheckinService } from '../checkins/checkin-service.ts';
import { CheckinCodes } from '../checkins/checkin-codes.ts';
import { CardCheckins } from '../checkins/card-checkins.ts';
import { CardBinding } from '../identity/proofing/card-binding.ts';
import { cardCertificateRevoked } from '../identity/proofing/pki.ts';
import { Emergencies } from '../checkins/emergencies.ts';
import { QrTokens } from '../checkins/qr-tokens.ts';
import { createRegistrationLookup } from '../checkins/registration-lookup.ts';
import { checkinMetrics } from '../checkins/metrics.ts';
import type { MunicipalityName } from '../claims/derive.ts';
import { municipalityNames } from '../facilities/municipalities.ts';
import { MemoryReplayCache, RedisReplayCache } from './dpop.ts';
import { kioskApiNonces } from './dpop-nonce.ts';
import { purgeExpiredCheckins } from '../checkins/retention.ts';
import { KIOSK_CLIENT_ID, kioskToken, requireKiosk } from './kiosk-auth.ts';
import { KioskStore } from './kiosk-store.ts';
import { kioskRoutes } from './routes.ts';
import { adminRoutes } from './admin-routes.ts';
import { residentRoutes } from './resident-routes.ts';
import { kioskEnrollmentRoutes } from './enrollment-routes.ts';
import { cardReaderPairing, type CardReaderPairing } from './card-reader-pairing.ts';
import type { DevCardBridge } from './dev-card-bridge.ts';
import { CHECKIN_CLIENT_ID, entryRoutes } from './entry-routes.ts';
import { seedKioskDemo } from './demo.ts';
import { kioskDataRights } from './data-rights.ts';
import { checkinsDataRights } from '../checkins/data-rights.ts';
import { staffDataRights } from '../staff/data-rights.ts';
import type { Knex } from 'knex';
import { CredentialCheckins } from '../checkins/credential-checkins.ts';
import { allStatusListIds } from '../wallet/credential-store.ts';
import { statusListUri } from '../wallet/status-lists.ts';

export interface KioskRuntime {
  staff: StaffService;
  kiosks: KioskStore;
  checkins: CheckinService;
  codes: CheckinCodes;
  cards: CardCheckins;
  /** Connecting kiosks' card bridges: codes for PASS Manager, PASS's signed answer for the kiosk page. */
  readers: CardReaderPairing;
  qr: QrTokens;
  emergencies: Emergencies;
}

/** The kiosk's device-grant client and the device-code check-in client; concurrent nodes make them once. */
async function ensureClients(clients: ClientService, issuer: string): Promise<void> {
  const wanted = [
    { clientId: KIOSK_CLIENT_ID, name: 'PASS Face キオスク', grantTypes: ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token'], tokenEndpointAuthMethod: 'none', redirectUris: [] },
    { clientId: CHECKIN_CLIENT_ID, name: 'PASS チェックイン', grantTypes: ['authorization_code'], tokenEndpointAuthMethod: 'none', redirectUris: [`${issuer}/checkin/callback`] },
  ];
  for (const input of wanted) {
    if (await clients.find(input.clientId)) continue;
    await clients.create(input).catch(async (error: unknown) => {
      if (!(await clients.find(input.clientId))) throw error;
    });
  }
}

function cached<T>(load: (key: string) => Promise<T>, ms: number): (key: string) => Promise<T> {
  const entries = new Map<string, { value: Promise<T>; at: number }>();
  return (key) => {
    const hit = entries.get(key);
    if (hit && Date.now() - hit.at < ms) return hit.value;
    const value = load(key);
    entries.set(key, { value, at: Date.now() });
    value.catch(() => entries.delete(key));
    return value;
  };
}

/** PASS's published status lists, for the kiosk page to keep (the wallet's store, read-only). */
async function liveStatusLists(db: Knex, issuer: string): Promise<string[]> {
  return (await allStatusListIds(db)).map((id) => statusListUri(issuer, id));
}

export const kioskCapability = defineCapability({
  name: 'kiosk',
  needs: ['proofing', 'face', 'failure-evidence', 'kiosk-display', 'households'],
  provides: ['kiosk'],
  async start({ platform, oidc, needs: { proofing, face, 'failure-evidence': evidence, 'kiosk-display': display, households } }) {
    const { config, db, box, bus, redis, log } = platform;
    const issuer = config.issuer;
    await ensureClients(oidc.clients, issuer);
    const provider = () => oidc.host.provider;
    const staff = new StaffService(db);
    const kiosks = new KioskStore(db);
    const store = new CheckinStore(db);
    const codes = new CheckinCodes(db);
    const emergencies = new Emergencies(db, bus);
    await emergencies.start();
    const qr = new QrTokens({ keys: platform.keys, db, issuer });
    const readers = cardReaderPairing(platform);
    const cards = new CardCheckins({ db, store: createTransientStore(db, redis), verifier: () => proofing.pki.verifier, hashKey: config.identityHashKey });
    // A resident links a card only with proof that it is their own: the same card's signature key, or its text-input-support AP.
    const binding = new CardBinding({
      db,
      store: createTransientStore(db, redis),
      verifier: () => proofing.pki.verifier,
      identityHashKey: config.identityHashKey,
      textAp: (read, challenge) => households.proofing.textApBasicFour(read, challenge),
      revoked: (issuer, serialNumber) => cardCertificateRevoked(proofing.pki, issuer, serialNumber),
      log,
    });
    const credentials = new CredentialCheckins({ db, issuer });
    const facility = cached(async (id: string): Promise<StaffFacility | undefined> => staff.facility(id), 60_000);
    const municipalities = cached(async (): Promise<MunicipalityName[]> => municipalityNames(db), 60_000);
    const checkins = new CheckinService({
      store,
      lookup: await createRegistrationLookup(db),
      face: () => face,
      identity: createIdentityClaimsSource(platform),
      qr,
      cards,
      credentials,
      emergencies,
      municipalities: () => municipalities('all'),
      evidence,
      display,
      // Read at each face check-in, uncached, so a policy changed in PASS Manager holds from the next one on every node.
      padPolicy: (facilityId) => platform.facilities.padPolicy(facilityId),
      bus,
      box,
      log,
      metrics: checkinMetrics(platform.metrics),
    });

    const replay = redis ? new RedisReplayCache(redis) : new MemoryReplayCache();
    const tokenGuard = kioskToken({ provider, issuer, kiosks, replay, nonces: kioskApiNonces(config) });
    const kioskGuard = requireKiosk(kiosks);
    const apiAuth = requireApiToken(provider, issuer, ['pass:api']);
    const revokeGrant = async (grantId: string): Promise<void> => {
      const op = provider();
      for (const model of [op.AccessToken, op.RefreshToken, op.DeviceCode]) {
        await (model as unknown as { adapter: { revokeByGrantId(id: string): Promise<void> } }).adapter.revokeByGrantId(grantId);
      }
      await (await op.Grant.find(grantId))?.destroy();
    };

    const routers = [
      kioskRoutes({ issuer, kioskToken: tokenGuard, requireKiosk: kioskGuard, closingKiosk: requireKiosk(kiosks, { contact: false }), kiosks, staff, checkins, codes, cards, readers, emergencies, facility, maxUploadBytes: config.face.maxUploadBytes, wallet: {
        issuerMetadataUrl: credentials.issuerMetadataUrl,
        statusLists: () => liveStatusLists(db, issuer),
        // Read at each request, uncached: a policy changed in PASS Manager reaches the kiosk at its next refresh.
        statusListMaxAge: (facilityId) => platform.facilities.statusListMaxAge(facilityId),
      } }),
      kioskEnrollmentRoutes({ kioskToken: tokenGuard, requireKiosk: kioskGuard, enrollment: () => households.kioskEnrollment, maxFrameBytes: config.face.maxUploadBytes }),
      adminRoutes({ issuer, auth: apiAuth, staff, kiosks, store, codes, emergencies, revokeGrant }),
      residentRoutes({ db, auth: apiAuth, qr, binding }),
      entryRoutes({ issuer, provider, box, db, codes, checkins, facility, secureCookies: issuer.startsWith('https://') }),
    ];
    // @koa/router's middleware types are narrower than Koa's; at run time they are plain middleware.
    const middleware = routers.flatMap((r) => [r.routes(), r.allowedMethods()]) as unknown as Middleware[];

    if (config.demoData) await seedKioskDemo(platform, staff, cards, proofing.pki.dev).catch((error: unknown) => log.warn({ err: error }, 'kiosk demo data not seeded'));
    let devBridge: DevCardBridge | undefined;
    // loadConfig refuses the simulator in production; this guard keeps it out even if a config were built by hand.
    if (config.kiosk.cardSimulator && !config.production) {
      const dev = proofing.pki.dev;
      if (!dev) log.info('development card bridge not started: no development JPKI CA (JPKI_TRUST_ANCHORS is set)');
      else {
        const { startDevCardBridge } = await import('./dev-card-bridge.ts');
        devBridge = await startDevCardBridge({ issuer, url: config.kiosk.cardBridgeUrl, cards: dev, keys: platform.keys, log: log.child({ component: 'card-bridge' }), logLevel: config.logLevel });
      }
    }
    const timer = setInterval(() => {
      qr.purge().catch((error: unknown) => log.warn({ err: error }, 'QR code use purge failed'));
      purgeExpiredCheckins(db, config.checkinRetentionDays)
        .then((checkins) => {
          if (checkins) log.info({ checkins }, 'check-ins past their retention purged');
        })
        .catch((error: unknown) => log.warn({ err: error }, 'check-in retention purge failed'));
    }, config.purgeIntervalSeconds * 1000);
    timer.unref();

    return {
      provided: { kiosk: { staff, kiosks, checkins, codes, cards, readers, qr, emergencies } },
      dataRights: [checkinsDataRights, kioskDataRights, staffDataRights],
      middleware,
      async stop() {
        clearInterval(timer);
        await devBridge?.stop();
      },
    };
  },
});
