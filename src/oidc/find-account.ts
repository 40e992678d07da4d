import type { FindAccount } from 'oidc-provider';
import type { AccountService } from '../identity/accounts.ts';
import type { IdentityClaimsSource } from '../identity/proofing/claims-source.ts';
import type { ClaimsPlugin } from '../claims/oidc-plugin.ts';

/**
 * What oidc-provider learns about an account: its id and the contact claims of the account
 * itself. Identity claims (name, birthdate, address…) come from the claims engine later, and only
 * with consent.
 */
export function createFindAccount(accounts: AccountService, identity?: IdentityClaimsSource, engine?: ClaimsPlugin): FindAccount {
  return async (ctx, id) => {
    const found = await accounts.findWithSelfPerson(id);
    if (!found) return undefined;
    const { account, selfPersonId } = found;
    return {
      accountId: account.id,
      async claims(use, scope, claims, rejected) {
        // A facility's client gets the claims engine's answer: its consent only (src/claims, issue #6).
        const args = { use, scope, claims: claims ?? {}, rejected: rejected ?? [] };
        const facility = engine ? await engine.facilityClaims(ctx, account.id, args) : undefined;
        if (facility) return { ...facility, sub: account.id };
        // Verified identity (JPKI): the basic four and verified_claims; oidc-provider keeps only what was granted.
        const verified = identity ? await identity.claimsForPerson(selfPersonId, { use, scope, claims: claims ?? {}, rejected: rejected ?? [] }) : {};
        const all = {
          ...verified,
          sub: account.id,
          email: account.email,
          email_verified: account.emailVerified,
          ...(account.phoneE164 ? { phone_number: account.phoneE164, phone_number_verified: account.phoneVerified } : {}),
        };
        await engine?.recordOther(ctx, account.id, selfPersonId, args, all);
        return all;
      },
    };
  };
}
