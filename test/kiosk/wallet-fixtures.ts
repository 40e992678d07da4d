// Wallet presentations for the kiosk tests: a credential PASS issues over OpenID4VCI to a holder
// key made here (test/wallet/issuer-helpers.ts), presented with the SD-JWT core's own holder code —
// what the PASS app's page runs — and bent for the attacks.
import { randomBytes } from 'node:crypto';
import { presentCredential } from '../../src/wallet/sd-jwt/index.ts';
import { newHolder, receive, type Holder } from '../wallet/issuer-helpers.ts';
import type { Pass } from './helpers.ts';

export { newHolder, type Holder };

/** A credential of this configuration for the account behind `token` (a PASS API token), bound to `holder`. */
export async function issuedCredential(pass: Pass, token: string, configurationId: string, holder: Holder): Promise<string> {
  const response = await fetch(`${pass.issuer}/api/wallet/offers`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ credential_configuration_id: configurationId }),
  });
  const body = (await response.json()) as Record<string, any>;
  if (response.status !== 200) throw new Error(`offer: ${response.status} ${JSON.stringify(body)}`);
  return receive(pass.issuer, body.credential_offer, holder);
}

export const freshNonce = (): string => randomBytes(18).toString('base64url');

/** What the phone shows the kiosk: only `disclose`, bound to the kiosk's audience and nonce. */
export function present(sdJwt: string, holder: Holder, options: { aud: string; nonce: string; disclose: string[]; now?: Date }): Promise<string> {
  return presentCredential(sdJwt, { disclose: options.disclose, aud: options.aud, nonce: options.nonce, key: holder.privateKey, now: options.now ?? new Date() });
}

/** The presentation with its first disclosure's value changed (and re-encoded): the issuer never signed that digest. */
export function tamperedDisclosure(presentation: string): string {
  const parts = presentation.split('~');
  const [salt, name, value] = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as [string, string, unknown];
  parts[1] = Buffer.from(JSON.stringify([salt, name, typeof value === 'string' ? `${value}0` : 'changed'])).toString('base64url');
  return parts.join('~');
}

/** The credential's status entry. */
export function statusOf(sdJwt: string): { uri: string; idx: number } {
  const payload = JSON.parse(Buffer.from(sdJwt.split('~')[0]!.split('.')[1]!, 'base64url').toString('utf8')) as { status: { status_list: { uri: string; idx: number } } };
  return payload.status.status_list;
}
