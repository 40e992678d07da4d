/**
 * `POST /api/wallet/offers`: a resident's PASS app asks for a credential offer (OpenID4VCI §4.1)
 * for themselves or for a household member they represent; the app hands the offer to the phone,
 * which redeems its pre-authorized code at the wallet's token endpoint within 5 minutes. Who may
 * act for whom is the households capability's rule (canActFor); only proofed persons get offers.
 */
import Router from '@koa/router';
import type { Middleware } from 'koa';
import type { Knex } from 'knex';
import { z } from 'zod';
import { apiEdge } from '../http/api-edge.ts';
import { jsonBody } from '../http/request-body.ts';
import { validate } from '../http/validate.ts';
import { canActFor } from '../households/directory.ts';
import { selfPersonOf } from '../identity/persons.ts';
import { appendAudit } from '../audit/audit-log.ts';
import { CONFIGURATION_IDS, isConfigurationId } from './credential-types.ts';
import type { WalletGrants } from './grants.ts';
import type { CredentialIssuer } from './issuance.ts';
import { PRE_AUTHORIZED_GRANT } from './metadata.ts';
import { WALLET_REASONS } from './reasons.ts';

export const OFFERS_PATH = '/api/wallet/offers';

export interface OfferDeps {
  db: Knex;
  issuer: string;
  auth: Middleware;
  grants: WalletGrants;
  credentials: CredentialIssuer;
}

const offerBody = z
  .object({
    credential_configuration_id: z.string().min(1).max(64),
    personId: z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i).optional(),
  })
  .strict();

export function offerRoutes(deps: OfferDeps): Router {
  const router = new Router();
  router.use(OFFERS_PATH, apiEdge({ reasons: [WALLET_REASONS], logMessage: 'wallet offer refused' }), deps.auth);

  router.post(OFFERS_PATH, jsonBody, validate({ body: offerBody }), async (ctx) => {
    const accountId = ctx.state.principal?.accountId;
    if (!accountId) throw WALLET_REASONS.refuse('account_required');
    const body = ctx.state.input.body as z.output<typeof offerBody>;
    if (!isConfigurationId(body.credential_configuration_id)) {
      throw WALLET_REASONS.refuse('unknown_credential_configuration', `credential_configuration_id must be one of ${CONFIGURATION_IDS.join(', ')}`);
    }
    const personId = body.personId?.toLowerCase() ?? (await selfPersonOf(deps.db, accountId));
    if (!personId) throw WALLET_REASONS.refuse('person_not_proofed');
    if (!(await canActFor(deps.db, accountId, personId))) throw WALLET_REASONS.refuse('not_represented');
    // Refused now rather than at the phone's credential request: the app can say why.
    await deps.credentials.content(personId, body.credential_configuration_id, new Date());
    const code = await deps.grants.newPreAuthorizedCode({ personId, configurationId: body.credential_configuration_id, accountId });
    await appendAudit(deps.db, { actorAccountId: accountId, action: 'wallet.credential_offered', personId, details: { configurationId: body.credential_configuration_id } });
    ctx.set('Cache-Control', 'no-store');
    ctx.body = {
      credential_offer: {
        credential_issuer: deps.issuer,
        credential_configuration_ids: [body.credential_configuration_id],
        grants: { [PRE_AUTHORIZED_GRANT]: { 'pre-authorized_code': code } },
      },
    };
  });

  return router;
}
