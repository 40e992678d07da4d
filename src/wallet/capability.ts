/**
 * The digital ID wallet's credential issuer as a PASS capability (issue 19): its keys, status
 * lists, the OpenID4VCI endpoints, the offers API, and the revocation review. It needs JPKI
 * proofing's CRLs (a revoked card revokes the credentials made from it); households and identity it
 * reads through their exported functions.
 */
import type { Middleware } from 'koa';
import { defineCapability } from '../capability.ts';
import { requireApiToken } from '../oidc/api-auth.ts';
import { createTransientStore } from '../identity/proofing/transient-store.ts';
import { DEV_CRL_CHANNEL } from '../identity/proofing/capability.ts';
import { validitySeconds } from './credential-types.ts';
import { WalletGrants } from './grants.ts';
import { CredentialIssuer } from './issuance.ts';
import { WalletKeys, WALLET_KEYS_CHANNEL } from './issuer-keys.ts';
import { offerRoutes } from './offer-routes.ts';
import { protocolCors, protocolRoutes } from './protocol-routes.ts';
import { Revocations } from './revocation.ts';
import { StatusLists } from './status-lists.ts';
import { walletDataRights } from './data-rights.ts';
import { walletMetrics } from './metrics.ts';

/** The PASS app (clients/app/client.ts): the client the wallet's tokens are handed to. */
const PASS_APP_CLIENT_ID = 'pass-app';

export const walletCapability = defineCapability({
  name: 'wallet',
  needs: ['proofing'],
  async start({ platform, oidc, needs: { proofing } }) {
    const { config, db, box, redis, bus, log } = platform;
    const keys = new WalletKeys(db, box, config.keyRefreshSeconds);
    await keys.ensure();
    await bus.subscribe(WALLET_KEYS_CHANNEL, () => keys.forget());
    const lists = new StatusLists({ db, keys, bus, issuer: config.issuer, ttlSeconds: config.wallet.statusListTtlSeconds, expirySeconds: config.wallet.statusListExpirySeconds });
    await lists.start();
    const metrics = walletMetrics(platform.metrics);
    const credentials = new CredentialIssuer({
      db,
      issuer: config.issuer,
      keys,
      facts: oidc.claims.facts,
      engine: oidc.claims.engine,
      basisKey: config.identityHashKey,
      production: config.production,
      validitySeconds: (id) => validitySeconds(config, id),
      onIssued: metrics.issued,
    });
    const grants = new WalletGrants(createTransientStore(db, redis), { nonceKey: `${config.identityHashKey}:wallet-c-nonce` });
    const revocations = new Revocations({
      db,
      log,
      facts: oidc.claims.facts,
      issuer: credentials,
      lists,
      pki: () => proofing.pki,
      onRevoked: metrics.revoked,
      oneNodeAtATime: platform.dbInfo.kind === 'postgres',
    });
    const review = () => revocations.review().catch((error: unknown) => log.warn({ err: error }, 'wallet revocation review failed'));
    // A revoked development card reaches every node's CRL through this channel; review once it has.
    await bus.subscribe(DEV_CRL_CHANNEL, () => {
      proofing.pki.crl.refresh().then(review, (error: unknown) => log.warn({ err: error }, 'CRL refresh for the wallet review failed'));
    });
    const stopReview = revocations.every(config.wallet.reviewSeconds);

    const protocol = protocolRoutes({ db, issuer: config.issuer, appClientId: PASS_APP_CLIENT_ID, keys, grants, credentials, lists });
    const offers = offerRoutes({ db, issuer: config.issuer, auth: requireApiToken(() => oidc.host.provider, config.issuer, ['pass:api']), grants, credentials });
    return {
      dataRights: [walletDataRights(revocations, lists)],
      // @koa/router's middleware types are narrower than Koa's; at run time they are plain middleware.
      middleware: [protocolCors(), protocol.routes(), protocol.allowedMethods(), offers.routes(), offers.allowedMethods()] as unknown as Middleware[],
      async stop() {
        stopReview();
      },
    };
  },
});
