import type { Middleware } from 'koa';
import { defineCapability } from '../../src/capability.ts';
import { PassIssuerTrust } from './issuer-trust.ts';
import { PendingRequests } from './pending-requests.ts';
import type { Verdict } from './response-check.ts';
import { BUS_PREFIX, busRoutes } from './routes.ts';
import { VerifierLog } from './verifier-log.ts';

/**
 * The demo verifier 加賀市コミュニティバス (/demo/bus), served by PASS for the demo: a bus operator
 * that needs only "aged 65 or over" for its senior discount and asks the resident's wallet for it
 * over OpenID4VP. It talks to PASS only over HTTP (issuer keys, status lists), as any verifier.
 */
export const busVerifierCapability = defineCapability({
  name: 'demo-bus',
  async start({ platform }) {
    const { config } = platform;
    // A demo: never served in production.
    if (config.production) return {};
    const router = busRoutes({
      base: `${config.issuer}${BUS_PREFIX}`,
      walletEndpoint: `${config.issuer}/app/wallet/present`,
      trust: new PassIssuerTrust(config.issuer),
      requests: new PendingRequests<Verdict>(),
      log: new VerifierLog(),
      secureCookies: config.issuer.startsWith('https://'),
    });
    // @koa/router's middleware types are narrower than Koa's; at run time they are plain middleware.
    return { middleware: [router.routes(), router.allowedMethods()] as unknown as Middleware[] };
  },
});
