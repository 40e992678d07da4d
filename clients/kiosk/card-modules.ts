/**
 * The card library and the SD-JWT core for the kiosk page, without a bundler: GET /kiosk/lib/<path>
 * serves the modules of src/card, src/wallet/sd-jwt and src/core the page needs
 * (clients/shared/browser-modules.ts; the card core's rule, docs/architecture.md), and the `qrcode`
 * package's encoder wrapped as one module.
 */
import type { Middleware } from 'koa';
import { buildPageModules, pageModulesRoute, type ServedModule } from '../shared/browser-modules.ts';
import { QR_ENCODER_MODULE, qrEncoderModule } from '../shared/qr-encoder-module.ts';

export { QR_ENCODER_MODULE, qrEncoderModule };

export const CARD_MODULES_PREFIX = '/kiosk/lib/';

/**
 * What the kiosk page imports: the channel, the JPKI-AP, its proofs and errors, the bridge's fetch
 * transport, for enrollment the text AP and the card photo, and for wallet presentations the SD-JWT core.
 */
export const CARD_MODULE_ENTRIES = ['card/apdu-channel.ts', 'card/jpki-ap.ts', 'card/jpki-proofs.ts', 'card/errors.ts', 'card/bridge/bridge-transport.ts', 'card/text-ap.ts', 'card/card-photo.ts', 'wallet/sd-jwt/index.ts'];

const KIOSK_PAGE = {
  page: 'the kiosk page',
  allowed: [/^card\/(?!simulator\/|pcsc\/)[a-z0-9/-]+\.ts$/, /^wallet\/sd-jwt\/[a-z0-9-]+\.ts$/, /^core\/(errors|reasons)\.ts$/],
  allowedInWords: 'src/card (not its simulator or PC/SC), src/wallet/sd-jwt and src/core/errors|reasons',
};

/** The stripped closure of the entries, by path under src; throws on anything that must not reach a browser. */
export function buildCardModules(entries: readonly string[] = CARD_MODULE_ENTRIES): Map<string, ServedModule> {
  return buildPageModules(entries, KIOSK_PAGE);
}

/** The route itself; the modules are built at the first request and kept. */
export function cardModules(): Middleware {
  let modules: Map<string, ServedModule> | undefined;
  return pageModulesRoute(CARD_MODULES_PREFIX, () => (modules ??= new Map([...buildCardModules(), [QR_ENCODER_MODULE, qrEncoderModule()]])));
}
