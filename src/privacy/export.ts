/**
 * The resident's copy of their data (docs/data-rights.md: format `pass-data-export`, version 1):
 * the account, every person it holds (its own and household members), their verified facts and
 * proofing history, face enrollment metadata, linked card, registrations and consents, check-ins,
 * claim releases (who got which facts, when), grants to relying parties, sign-in history, staff
 * roles and the audit entries about them.
 *
 * Never in it: the face template, the password hash, tokens, one-time codes, the linked card's key,
 * other people's account ids. Everything is read in one repeatable-read snapshot, so the copy is
 * consistent even while the resident keeps using PASS.
 */
import type { Knex } from 'knex';
import type { Database } from '../db/database.ts';
import type { SecretBox } from '../core/secret-box.ts';
import { NotFoundError } from '../core/errors.ts';
import { dataSubject, personIds, type DataSubject } from './subject.ts';

export const EXPORT_FORMAT = 'pass-data-export';
export const EXPORT_VERSION = 1;

type Row = Record<string, any>;

const iso = (value: unknown): string | null => (value ? new Date(value as string).toISOString() : null);
const json = <T>(value: unknown): T => (typeof value === 'string' ? (JSON.parse(value) as T) : (value as T));

export interface DataExport {
  format: typeof EXPORT_FORMAT;
  version: typeof EXPORT_VERSION;
  generated_at: string;
  issuer: string;
  account: Record<string, unknown>;
  persons: Array<Record<string, unknown>>;
  household: Record<string, unknown> | null;
  claim_releases: Array<Record<string, unknown>>;
  grants: Array<Record<string, unknown>>;
  sign_in_history: Array<Record<string, unknown>>;
  staff_roles: Array<Record<string, unknown>>;
  audit: Array<Record<string, unknown>>;
}

export class DataExporter {
  readonly #db: Database;
  readonly #box: SecretBox;
  readonly #issuer: string;

  constructor(deps: { db: Database; box: SecretBox; issuer: string }) {
    this.#db = deps.db;
    this.#box = deps.box;
    this.#issuer = deps.issuer;
  }

  async export(accountId: string, now = new Date()): Promise<DataExport> {
    // Read-only and repeatable read: one consistent snapshot across all the tables below.
    return this.#db.transaction(
      async (trx) => {
        const subject = await dataSubject(trx, accountId);
        if (!subject) throw new NotFoundError('account_not_found', 'the account no longer exists');
        const ids = personIds(subject);
        const facilities = await this.#facilityNames(trx);
        return {
          format: EXPORT_FORMAT,
          version: EXPORT_VERSION,
          generated_at: now.toISOString(),
          issuer: this.#issuer,
          account: await this.#account(trx, accountId),
          persons: await this.#persons(trx, subject, facilities),
          household: await this.#household(trx, subject),
          claim_releases: await this.#releases(trx, ids, accountId),
          grants: await this.#grants(trx, accountId),
          sign_in_history: await this.#signIns(trx, accountId),
          staff_roles: await this.#staffRoles(trx, accountId),
          audit: await this.#audit(trx, subject),
        };
      },
      { isolationLevel: 'repeatable read', readOnly: true },
    );
  }

  async #facilityNames(trx: Knex.Transaction): Promise<Map<string, { ja: string; en: string }>> {
    const rows = (await trx('facilities').select('id', 'name_ja', 'name_en')) as Row[];
    return new Map(rows.map((r) => [r.id as string, { ja: r.name_ja as string, en: r.name_en as string }]));
  }

  async #account(trx: Knex.Transaction, accountId: string): Promise<Record<string, unknown>> {
    const a = (await trx('accounts').where({ id: accountId }).first('id', 'email', 'phone_e164', 'role', 'email_verified_at', 'phone_verified_at', 'created_at', 'updated_at')) as Row;
    return {
      id: a.id,
      email: a.email,
      email_verified: a.email_verified_at !== null,
      phone_number: a.phone_e164,
      phone_number_verified: a.phone_verified_at !== null,
      role: a.role,
      created_at: iso(a.created_at),
      updated_at: iso(a.updated_at),
    };
  }

  async #persons(trx: Knex.Transaction, subject: DataSubject, facilities: Map<string, { ja: string; en: string }>): Promise<Array<Record<string, unknown>>> {
    const out: Array<Record<string, unknown>> = [];
    for (const p of subject.persons) out.push(await this.#person(trx, p.id, p.relation, p.createdAt, facilities));
    return out;
  }

  async #person(trx: Knex.Transaction, personId: string, relation: string, createdAt: Date, facilities: Map<string, { ja: string; en: string }>): Promise<Record<string, unknown>> {
    const current = (await trx('person_identities').where({ person_id: personId }).first('current_verification_id', 'bound_at')) as Row | undefined;
    const verifications = (await trx('identity_verifications').where({ person_id: personId }).orderBy('verified_at')) as Row[];
    const history = verifications.map((v) => ({
      id: v.id,
      method: v.method,
      verified_at: iso(v.verified_at),
      // The facts as that proof read them (an older card may carry an older address).
      claims: json<Record<string, unknown>>(this.#box.openText(v.claims_sealed, `identity-verification:${v.id}`)),
      certificate: { issuer: v.issuer, serial_number: v.serial_number, not_after: iso(v.certificate_not_after), environment: v.anchor_environment },
      revocation: { status: v.revocation_status, method: v.revocation_method, checked_at: iso(v.revocation_checked_at) },
      substitute_characters: { name: Boolean(v.name_substituted), address: Boolean(v.address_substituted) },
      current: v.id === current?.current_verification_id,
    }));
    const identity = history.find((h) => h.current);
    const face = (await trx('face_templates').where({ person_id: personId }).first('model_id', 'key_id', 'created_at', 'updated_at')) as Row | undefined;
    const galleries = ((await trx('face_gallery_members').where({ person_id: personId }).orderBy('gallery_id').select('gallery_id', 'created_at')) as Row[]).map((g) => ({
      gallery: g.gallery_id,
      since: iso(g.created_at),
    }));
    const card = (await trx('card_links').where({ person_id: personId }).orderBy('created_at', 'desc').first('created_at')) as Row | undefined;
    const registrations = (await trx('registrations').where({ person_id: personId }).orderBy('created_at')) as Row[];
    const events = registrations.length
      ? ((await trx('registration_events').whereIn('registration_id', registrations.map((r) => r.id)).orderBy('id')) as Row[])
      : [];
    const checkins = (await trx('checkins').where({ person_id: personId }).orderBy('occurred_at')) as Row[];
    return {
      id: personId,
      relation,
      created_at: createdAt.toISOString(),
      verified_identity: identity ? { method: identity.method, verified_at: identity.verified_at, bound_at: iso(current?.bound_at), claims: identity.claims } : null,
      identity_history: history,
      // Metadata only: the template itself (sealed embedding) never leaves PASS.
      face: face
        ? { enrolled: true, model: face.model_id, enrolled_at: iso(face.created_at), updated_at: iso(face.updated_at), galleries }
        : { enrolled: false, galleries },
      my_number_card_link: card ? { linked: true, linked_at: iso(card.created_at) } : { linked: false },
      registrations: registrations.map((r) => ({
        id: r.id,
        facility_id: r.facility_id,
        facility_name: facilities.get(r.facility_id) ?? null,
        status: r.status,
        consented_claims: json<string[]>(r.claims),
        created_at: iso(r.created_at),
        withdrawn_at: iso(r.withdrawn_at),
        history: events.filter((e) => e.registration_id === r.id).map((e) => ({ event: e.event, claims: json<string[]>(e.claims), at: iso(e.created_at) })),
      })),
      check_ins: checkins.map((c) => ({
        id: c.id,
        facility_id: c.facility_id,
        facility_name: facilities.get(c.facility_id) ?? null,
        method: c.method,
        result: c.result,
        ...(c.reason ? { reason: c.reason } : {}),
        direction: c.direction,
        shown_to_facility: c.shown ? json<Record<string, unknown>>(c.shown) : null,
        occurred_at: iso(c.occurred_at),
        recorded_at: iso(c.recorded_at),
      })),
    };
  }

  async #household(trx: Knex.Transaction, subject: DataSubject): Promise<Record<string, unknown> | null> {
    if (subject.householdId) {
      const rows = (await trx('household_members').where({ household_id: subject.householdId }).orderBy('created_at').select('person_id', 'relation', 'created_at')) as Row[];
      return { id: subject.householdId, representative: true, members: rows.map((m) => ({ person_id: m.person_id, relation: m.relation, added_at: iso(m.created_at) })) };
    }
    return null;
  }

  async #releases(trx: Knex.Transaction, ids: string[], accountId: string): Promise<Array<Record<string, unknown>>> {
    const rows = (await trx('claim_releases')
      .where((q) => {
        q.where({ account_id: accountId });
        if (ids.length) q.orWhereIn('person_id', ids);
      })
      .orderBy('id')) as Row[];
    const names = await this.#clientNames(trx, [...new Set(rows.map((r) => r.client_id as string))]);
    return rows.map((r) => ({
      person_id: r.person_id,
      client_id: r.client_id,
      client_name: names.get(r.client_id) ?? null,
      facility_id: r.facility_id,
      use: r.use,
      claims: json<string[]>(r.claims),
      at: iso(r.created_at),
    }));
  }

  async #clientNames(trx: Knex.Transaction, clientIds: string[]): Promise<Map<string, string>> {
    if (clientIds.length === 0) return new Map();
    const rows = (await trx('oidc_clients').whereIn('client_id', clientIds).select('client_id', 'metadata')) as Row[];
    return new Map(rows.map((r) => [r.client_id as string, String(json<Row>(r.metadata).client_name ?? r.client_id)]));
  }

  /** What each relying party was allowed (oidc-provider's Grant records): scopes, claims, APIs, when. */
  async #grants(trx: Knex.Transaction, accountId: string): Promise<Array<Record<string, unknown>>> {
    const rows = (await trx('oidc_payloads')
      .where({ model: 'Grant' })
      .whereRaw("payload->>'accountId' = ?", [accountId])
      .andWhere((q) => q.whereNull('expires_at').orWhere('expires_at', '>', new Date()))
      .select('payload', 'expires_at')) as Array<{ payload: Row | string; expires_at: Date | null }>;
    const grants = rows.map((r) => ({ payload: json<Row>(r.payload), expiresAt: r.expires_at }));
    const names = await this.#clientNames(trx, [...new Set(grants.map((g) => String(g.payload.clientId)))]);
    return grants
      .map(({ payload, expiresAt }) => ({
        client_id: payload.clientId,
        client_name: names.get(String(payload.clientId)) ?? null,
        scope: payload.openid?.scope ?? null,
        claims: payload.openid?.claims ?? [],
        resources: payload.resources ?? {},
        granted_at: payload.iat ? new Date(Number(payload.iat) * 1000).toISOString() : null,
        expires_at: iso(expiresAt),
      }))
      .sort((a, b) => String(a.granted_at).localeCompare(String(b.granted_at)));
  }

  async #signIns(trx: Knex.Transaction, accountId: string): Promise<Array<Record<string, unknown>>> {
    const rows = (await trx('authentication_events').where({ account_id: accountId }).orderBy('id')) as Row[];
    return rows.map((e) => ({ event: e.event, amr: e.amr, acr: e.acr, client_id: e.client_id, ip: e.ip, at: iso(e.created_at) }));
  }

  async #staffRoles(trx: Knex.Transaction, accountId: string): Promise<Array<Record<string, unknown>>> {
    const rows = (await trx('staff_assignments').where({ account_id: accountId }).orderBy('created_at')) as Row[];
    return rows.map((s) => ({ scope: s.scope, role: s.role, facility_id: s.facility_id, municipality_code: s.municipality_code, since: iso(s.created_at) }));
  }

  /**
   * Entries about the account or its persons, or done by it. Who acted is `self` or `other`:
   * another account's id (a staff member, an administrator) is not the resident's data.
   */
  async #audit(trx: Knex.Transaction, subject: DataSubject): Promise<Array<Record<string, unknown>>> {
    const ids = personIds(subject);
    const rows = (await trx('audit_log')
      .where((q) => {
        q.where({ actor_account_id: subject.accountId });
        if (ids.length) q.orWhereIn('person_id', ids);
        if (subject.householdId) q.orWhere({ household_id: subject.householdId });
      })
      .orderBy('id')) as Row[];
    return rows.map((r) => ({
      ...(r.seq !== undefined ? { seq: String(r.seq) } : {}),
      at: iso(r.created_at),
      action: r.action,
      actor: r.actor_account_id === subject.accountId ? 'self' : r.actor_account_id ? 'other' : null,
      person_id: r.person_id,
      household_id: r.household_id,
      facility_id: r.facility_id,
      registration_id: r.registration_id,
      details: json<Row>(r.details),
    }));
  }
}
