// The kiosk's side of the card bridge on its own machine (docs/card.md, "Readers"): pairing it
// through PASS, waiting for a card, and the My Number Card's APDU sequence. The card library runs
// here — /kiosk/lib is PASS's own src/card, types stripped — and the bridge only carries APDUs. A
// PIN goes from the PIN pad to the card through the bridge and nowhere else: never to PASS, never
// into storage or a log, and it is never sent again by itself.
import { ApduChannel } from '/kiosk/lib/card/apdu-channel.ts';
import { JpkiAp } from '/kiosk/lib/card/jpki-ap.ts';
import { readAuthenticationProof } from '/kiosk/lib/card/jpki-proofs.ts';
import { readTextApProof } from '/kiosk/lib/card/text-ap.ts';
import { readSurfaceWithTextPin } from '/kiosk/lib/card/card-photo.ts';
import { CardError, describeCardError } from '/kiosk/lib/card/errors.ts';
import { CARD_REASONS } from '/kiosk/lib/card/reasons.ts';
import { BRIDGE_REASONS } from '/kiosk/lib/card/bridge/reasons.ts';
import { BridgeTransport, pairWithBridge, requestPairingNonce } from '/kiosk/lib/card/bridge/bridge-transport.ts';
import { del, get, put } from './store.js';

const bridgeUrl = document.body.dataset.cardBridge;
const TOKEN_KEY = 'card-bridge-token';
/** pcscd itself looks at a reader about this often. */
const POLL_MS = 400;
let transport;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const channel = () => new ApduChannel(transport, { timeoutMs: 10_000 });

/** Whether this kiosk holds a token of its bridge (the bridge may still have forgotten it: `not_paired`). */
export async function paired() {
  const token = await get(TOKEN_KEY);
  transport = token ? new BridgeTransport({ baseUrl: bridgeUrl, token }) : undefined;
  return Boolean(transport);
}

export async function forget() {
  transport = undefined;
  await del(TOKEN_KEY);
}

/**
 * Pairing (pairing.ts): the bridge's nonce, PASS's signed answer for this kiosk (`askPass` makes
 * the kiosk API call with the code staff typed), the bridge's token. Resolves with PASS's refusal, if any.
 */
export async function pair(code, askPass) {
  const nonce = await requestPairingNonce(bridgeUrl);
  const answer = await askPass(code, nonce);
  if (answer.status !== 201) return answer.body;
  await put(TOKEN_KEY, await pairWithBridge(bridgeUrl, answer.body.assertion));
  await paired();
  return undefined;
}

/** Resolves when a card is on the reader; rejects when the bridge cannot say. */
export async function waitForCard(signal) {
  while (!signal.aborted) {
    if ((await transport.status()).card_present) return true;
    await sleep(POLL_MS);
  }
  return false;
}

/** The user-authentication PIN's counter, read with the empty VERIFY: no try is spent. */
export async function pinStatus() {
  const ap = await JpkiAp.select(channel());
  return ap.authenticationPinStatus();
}

/** The card's proof for PASS's challenge: the certificate of EF 000A and its key's signature after the PIN. */
export function proof(pin, challenge) {
  return readAuthenticationProof(channel(), { pin, challenge });
}

/**
 * Enrollment at the kiosk (enroll.js), one card session and the PIN typed once: the
 * user-authentication proof and the text AP over PASS's challenge, then the 券面AP's surface record
 * with the photo (the text AP's PIN opens it, card-photo.ts). A wrong PIN stops at the first AP.
 */
export async function enrollmentRead(pin, challenge) {
  const ch = channel();
  const authentication = await readAuthenticationProof(ch, { pin, challenge });
  const textAp = await readTextApProof(ch, { pin, challenge });
  const surface = await readSurfaceWithTextPin(ch, pin);
  return { authentication, textAp, surface };
}

/** Ends the card session with a reset: a PIN verified in it is gone before the next resident. */
export async function release() {
  await transport?.release().catch(() => {});
}

/** The developer's hand on the simulator's reader (PASS's development start only). */
export async function simulator(method, path, json) {
  const headers = { Authorization: `Bearer ${await get(TOKEN_KEY)}` };
  if (json !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(`${bridgeUrl}${path}`, { method, headers, ...(json !== undefined ? { body: JSON.stringify(json) } : {}) });
  return response.status === 204 ? {} : response.json();
}

/** A bridge's own refusal, wherever the card channel wrapped it. */
export function bridgeReason(error) {
  const candidate = error?.reason === 'transport_error' ? error.cause : error;
  return typeof candidate?.reason === 'string' && BRIDGE_REASONS.has(candidate.reason) ? candidate.reason : undefined;
}

/** What the resident reads for a failure: the card's words (tries left included) or the bridge's. */
export function words(error) {
  if (error instanceof CardError) return { ja: describeCardError(error, 'ja'), en: describeCardError(error, 'en') };
  const reason = bridgeReason(error);
  return reason ? BRIDGE_REASONS.text(reason) : undefined;
}

/** The card catalogue's words for a reason. */
export function cardWords(reason) {
  return CARD_REASONS.text(reason);
}
