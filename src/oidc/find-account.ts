import type { FindAccount } from 'oidc-provider';
import type { AccountService } from '../identity/accounts.ts';

/**
 * What oidc-provider learns about an account: its id and the contact claims of the account
 * itself. Identity claims (name, birthdate, address…) come from the claims engine later, and only
 * with consent.
 */
export function createFindAccount(accounts: AccountService): FindAccount {
  return async (_ctx, id) => {
    const account = await accounts.findById(id);
    if (!account) return undefined;
    return {
      accountId: account.id,
      async claims() {
        return {
          sub: account.id,
          email: account.email,
          email_verified: account.emailVerified,
          ...(account.phoneE164 ? { phone_number: account.phoneE164, phone_number_verified: account.phoneVerified } : {}),
        };
      },
    };
  };
}
