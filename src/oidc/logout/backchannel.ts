import type Provider from 'oidc-provider';
import type { Logger } from '../../core/logger.ts';

export type BackchannelOutcome = 'sent' | 'no_uri' | 'unknown_client' | 'failed';

interface LogoutCapableClient {
  clientId: string;
  backchannelLogoutUri?: string;
  backchannelLogout(sub: string, sid?: string): Promise<void>;
}

/**
 * Tells a relying party, server to server, that a resident's sessions there must end (OpenID
 * Connect Back-Channel Logout 1.0): a signed logout token (sub — pairwise where the client uses
 * pairwise subjects — and sid when known) POSTed to the client's backchannel_logout_uri.
 *
 * oidc-provider sends these itself when a resident signs out of PASS. Call this for the other
 * reasons a relying party's session must end: consent to the facility withdrawn, an account
 * suspended or deleted. Without `sid` the logout token carries only `sub`, which tells the
 * relying party to end every session of that resident. Never throws: the outcome says what
 * happened, and failures are logged without the token.
 */
export async function notifyBackchannelLogout(
  provider: Provider,
  log: Logger,
  clientId: string,
  accountId: string,
  sid?: string,
): Promise<BackchannelOutcome> {
  const client = (await provider.Client.find(clientId).catch(() => undefined)) as LogoutCapableClient | undefined;
  if (!client) return 'unknown_client';
  if (!client.backchannelLogoutUri) return 'no_uri';
  try {
    await client.backchannelLogout(accountId, sid);
    return 'sent';
  } catch (error) {
    log.warn({ clientId, err: { message: (error as Error).message } }, 'back-channel logout not delivered');
    return 'failed';
  }
}
