/**
 * /manager/clients: the relying parties of a facility. An admin of the facility registers one
 * (only the claims its facility's policy allows can be chosen), changes what it may receive,
 * issues a new secret (shown once, on the page that answers the request, never again) and
 * registers its public keys. Secrets are never put in a URL or a redirect.
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import type { RelyingPartyView } from '../../../src/manager/admin/relying-parties.ts';
import { withQuery } from '../manager-api.ts';
import type { ManagerSection } from '../sections.ts';
import { ADMIN_MESSAGES } from './messages.ts';
import { STYLES, chooseFacility, field, fields, lines, noticeOf, refusal } from './page-kit.ts';

interface FacilityJson {
  id: string;
  name: { ja: string; en: string };
  administer: boolean;
  policy: { required: string[]; optional: string[] } | null;
}

const API = '/api/manager/admin';
const CLIENT_ID = /^[A-Za-z0-9._~-]{3,100}$/;
const DONE = ['clients.claims.saved', 'clients.keys.saved'];

export const clientsSection: ManagerSection = {
  id: 'clients',
  navKey: 'clients.nav',
  path: '/clients',
  roles: ['facility_admin', 'municipal_admin'],
  messages: ADMIN_MESSAGES,
  routes(env) {
    const router = new Router();

    async function facilityWithLabels(ctx: Context, id: string) {
      const staff = env.staff(ctx);
      const answer = await staff.api.get<{ facility: FacilityJson; catalog: Array<{ unit: string; label: { ja: string; en: string } }> }>(`${API}/facilities/${id}`);
      if (!answer.ok) return { answer, facility: undefined, labels: {} as Record<string, string> };
      return { answer, facility: answer.body.facility, labels: Object.fromEntries(answer.body.catalog.map((c) => [c.unit, c.label[staff.lang]])) };
    }

    router.get('/', async (ctx) => {
      const staff = env.staff(ctx);
      const facility = chooseFacility(staff.principal, ctx.query.facility, (f) => f.administer);
      if (!facility) return env.refuse(ctx, 403, 'refused.role');
      const [answer, info] = await Promise.all([staff.api.get<{ clients: RelyingPartyView[] }>(`${API}/facilities/${facility.id}/clients`), facilityWithLabels(ctx, facility.id)]);
      if (!answer.ok) return env.refuse(ctx, answer.status, refusal(staff, answer));
      await env.render(ctx, 'admin/clients', {
        title: staff.t('clients.title'),
        styles: STYLES,
        section: 'clients',
        facility,
        facilities: staff.principal.facilities.filter((f) => f.administer),
        clients: answer.body.clients,
        labels: info.labels,
      });
    });

    async function newForm(ctx: Context, facilityId: unknown, extra: { error?: string; status?: number; draft?: Record<string, unknown> } = {}): Promise<void> {
      const staff = env.staff(ctx);
      const facility = chooseFacility(staff.principal, facilityId, (f) => f.administer);
      if (!facility) return env.refuse(ctx, 403, 'refused.role');
      const info = await facilityWithLabels(ctx, facility.id);
      if (!info.facility) return env.refuse(ctx, info.answer.status, refusal(staff, info.answer));
      const policy = info.facility.policy;
      await env.render(ctx, 'admin/client-new', {
        title: staff.t('clients.new.title'),
        styles: STYLES,
        section: 'clients',
        facility,
        allowed: policy ? [...policy.required, ...policy.optional] : [],
        labels: info.labels,
        draft: extra.draft ?? { authMethod: 'client_secret_basic', refreshTokens: true, claims: policy?.required ?? [] },
        error: extra.error ?? null,
        here: withQuery('/manager/clients/new', { facility: facility.id }),
      });
      if (extra.status) ctx.status = extra.status;
    }

    router.get('/new', async (ctx) => newForm(ctx, ctx.query.facility));

    async function secretPage(ctx: Context, client: RelyingPartyView, secret: string | undefined, noticeKey: string): Promise<void> {
      const staff = env.staff(ctx);
      ctx.set('Cache-Control', 'no-store');
      await env.render(ctx, 'admin/client-secret', {
        title: staff.t('clients.secret.title'),
        styles: STYLES,
        section: 'clients',
        client,
        secret: secret ?? null,
        notice: staff.t(noticeKey),
        here: `/manager/clients/${encodeURIComponent(client.clientId)}`,
      });
    }

    router.post('/new', env.form, async (ctx) => {
      if (!env.csrfOk(ctx)) return env.refuse(ctx, 403, 'error.csrf');
      const staff = env.staff(ctx);
      const facilityId = field(ctx, 'facility');
      let jwks: unknown;
      if (field(ctx, 'jwks')) {
        try {
          jwks = JSON.parse(field(ctx, 'jwks'));
        } catch {
          return newForm(ctx, facilityId, { error: staff.t('clients.keys.badjson'), status: 400, draft: draftOf(ctx) });
        }
      }
      const draft = draftOf(ctx);
      const answer = await staff.api.post<{ client: RelyingPartyView; clientSecret?: string }>(`${API}/facilities/${encodeURIComponent(facilityId)}/clients`, {
        name: draft.name,
        ...(draft.clientId ? { clientId: draft.clientId } : {}),
        redirectUris: lines(String(draft.redirectUris)),
        postLogoutRedirectUris: lines(String(draft.postLogoutRedirectUris)),
        authMethod: draft.authMethod,
        ...(draft.jwksUri ? { jwksUri: draft.jwksUri } : {}),
        ...(jwks !== undefined ? { jwks } : {}),
        refreshTokens: draft.refreshTokens,
        fapi: draft.fapi,
        claims: draft.claims,
      });
      if (!answer.ok) return newForm(ctx, facilityId, { error: refusal(staff, answer), status: answer.status, draft });
      await secretPage(ctx, answer.body.client, answer.body.clientSecret, 'clients.secret.registered');
      ctx.status = 201;
    });

    async function detail(ctx: Context, clientId: string, extra: { error?: string; status?: number } = {}): Promise<void> {
      const staff = env.staff(ctx);
      const answer = await staff.api.get<{ client: RelyingPartyView }>(`${API}/clients/${encodeURIComponent(clientId)}`);
      if (!answer.ok) return env.refuse(ctx, answer.status, refusal(staff, answer));
      const client = answer.body.client;
      const info = await facilityWithLabels(ctx, client.facilityId);
      if (!info.facility) return env.refuse(ctx, info.answer.status, refusal(staff, info.answer));
      const policy = info.facility.policy;
      await env.render(ctx, 'admin/client', {
        title: client.name,
        styles: STYLES,
        section: 'clients',
        client,
        facility: info.facility,
        allowed: policy ? [...policy.required, ...policy.optional] : [],
        labels: info.labels,
        notice: noticeOf(ctx, staff, DONE),
        error: extra.error ?? null,
        here: `/manager/clients/${encodeURIComponent(clientId)}`,
      });
      if (extra.status) ctx.status = extra.status;
    }

    router.get('/:clientId', async (ctx) => {
      const id = String(ctx.params.clientId);
      if (!CLIENT_ID.test(id)) return env.refuse(ctx, 404, 'error.notfound');
      await detail(ctx, id);
    });

    router.post('/:clientId/claims', env.form, async (ctx) => {
      const id = String(ctx.params.clientId);
      if (!CLIENT_ID.test(id)) return env.refuse(ctx, 404, 'error.notfound');
      if (!env.csrfOk(ctx)) return env.refuse(ctx, 403, 'error.csrf');
      const staff = env.staff(ctx);
      const answer = await staff.api.post(`${API}/clients/${encodeURIComponent(id)}/claims`, { claims: fields(ctx, 'claims') });
      if (!answer.ok) return detail(ctx, id, { error: refusal(staff, answer), status: answer.status });
      env.seeOther(ctx, withQuery(`/manager/clients/${encodeURIComponent(id)}`, { done: 'clients.claims.saved' }));
    });

    router.post('/:clientId/keys', env.form, async (ctx) => {
      const id = String(ctx.params.clientId);
      if (!CLIENT_ID.test(id)) return env.refuse(ctx, 404, 'error.notfound');
      if (!env.csrfOk(ctx)) return env.refuse(ctx, 403, 'error.csrf');
      const staff = env.staff(ctx);
      let body: Record<string, unknown> = {};
      if (field(ctx, 'jwksUri')) body = { jwksUri: field(ctx, 'jwksUri') };
      if (field(ctx, 'jwks')) {
        try {
          body = { ...body, jwks: JSON.parse(field(ctx, 'jwks')) };
        } catch {
          return detail(ctx, id, { error: staff.t('clients.keys.badjson'), status: 400 });
        }
      }
      const answer = await staff.api.post(`${API}/clients/${encodeURIComponent(id)}/keys`, body);
      if (!answer.ok) return detail(ctx, id, { error: refusal(staff, answer), status: answer.status });
      env.seeOther(ctx, withQuery(`/manager/clients/${encodeURIComponent(id)}`, { done: 'clients.keys.saved' }));
    });

    router.post('/:clientId/secret', env.form, async (ctx) => {
      const id = String(ctx.params.clientId);
      if (!CLIENT_ID.test(id)) return env.refuse(ctx, 404, 'error.notfound');
      if (!env.csrfOk(ctx)) return env.refuse(ctx, 403, 'error.csrf');
      const staff = env.staff(ctx);
      const answer = await staff.api.post<{ client: RelyingPartyView; clientSecret?: string }>(`${API}/clients/${encodeURIComponent(id)}/secret`);
      if (!answer.ok) return detail(ctx, id, { error: refusal(staff, answer), status: answer.status });
      await secretPage(ctx, answer.body.client, answer.body.clientSecret, 'clients.secret.rotated');
    });

    return router;
  },
};

function draftOf(ctx: Context): Record<string, unknown> {
  return {
    name: field(ctx, 'name'),
    clientId: field(ctx, 'clientId'),
    redirectUris: field(ctx, 'redirectUris'),
    postLogoutRedirectUris: field(ctx, 'postLogoutRedirectUris'),
    authMethod: field(ctx, 'authMethod') || 'client_secret_basic',
    jwksUri: field(ctx, 'jwksUri'),
    jwks: field(ctx, 'jwks'),
    refreshTokens: field(ctx, 'refreshTokens') === 'yes',
    fapi: field(ctx, 'fapi') === 'yes',
    claims: fields(ctx, 'claims'),
  };
}
