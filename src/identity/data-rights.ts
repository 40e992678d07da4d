/**
 * Identity's part of a resident's data rights (docs/data-rights.md): the account, its persons,
 * their verified facts and proofing history, sign-in history; and, deleting, the persons and the
 * account themselves (their face, facts, registrations, card link and household go by cascade),
 * one-time codes, pending sign-ups with the address and the JPKI flow's records.
 */
import type { Redis } from 'ioredis';
import type { Knex } from 'knex';
import type { SecretBox } from '../core/secret-box.ts';
import { exportTime as iso, jsonColumn as json, personIdsOf, type DataRightsHooks, type DataSubject, type PersonSections } from '../core/data-rights.ts';
import { forgetTransientsNaming } from './proofing/transient-store.ts';
import { cardsOf } from './proofing/card-links.ts';

type Row = Record<string, any>;

/** The account and every person it holds, oldest first; undefined when the account is gone. */
export async function accountHolder(db: Knex, accountId: string): Promise<Omit<DataSubject, 'householdId'> | undefined> {
  const account = (await db('accounts').where({ id: accountId }).first('id', 'email', 'phone_e164')) as { id: string; email: string; phone_e164: string | null } | undefined;
  if (!account) return undefined;
  const persons = (await db('persons').where({ account_id: accountId }).orderBy('created_at').select('id', 'relation', 'created_at')) as Array<{ id: string; relation: string; created_at: Date }>;
  return {
    accountId,
    email: account.email,
    phoneE164: account.phone_e164,
    persons: persons.map((p) => ({ id: p.id, relation: p.relation, createdAt: new Date(p.created_at) })),
  };
}

/** The account's password hash, for a resident confirming a deletion with their password. */
export async function passwordHashOf(db: Knex, accountId: string): Promise<string | undefined> {
  const row = (await db('accounts').where({ id: accountId }).first('password_hash')) as { password_hash: string } | undefined;
  return row?.password_hash;
}

async function accountSection(trx: Knex, accountId: string): Promise<Record<string, unknown>> {
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

async function signIns(trx: Knex, accountId: string): Promise<Array<Record<string, unknown>>> {
  const rows = (await trx('authentication_events').where({ account_id: accountId }).orderBy('id')) as Row[];
  return rows.map((e) => ({ event: e.event, amr: e.amr, acr: e.acr, client_id: e.client_id, ip: e.ip, at: iso(e.created_at) }));
}

/** Every proof of the person with the facts it read (an older card may carry an older address), and the current one. */
async function verifiedIdentity(trx: Knex, box: SecretBox, personId: string): Promise<Pick<PersonSections, 'verified_identity' | 'identity_history'>> {
  const current = (await trx('person_identities').where({ person_id: personId }).first('current_verification_id', 'bound_at')) as Row | undefined;
  const verifications = (await trx('identity_verifications').where({ person_id: personId }).orderBy('verified_at')) as Row[];
  const history = verifications.map((v) => ({
    id: v.id,
    method: v.method,
    verified_at: iso(v.verified_at),
    claims: json<Record<string, unknown>>(box.openText(v.claims_sealed, `identity-verification:${v.id}`)),
    certificate: { issuer: v.issuer, serial_number: v.serial_number, not_after: iso(v.certificate_not_after), environment: v.anchor_environment },
    revocation: { status: v.revocation_status, method: v.revocation_method, checked_at: iso(v.revocation_checked_at) },
    substitute_characters: { name: Boolean(v.name_substituted), address: Boolean(v.address_substituted) },
    current: v.id === current?.current_verification_id,
  }));
  const identity = history.find((h) => h.current);
  return {
    verified_identity: identity ? { method: identity.method, verified_at: identity.verified_at, bound_at: iso(current?.bound_at), claims: identity.claims } : null,
    identity_history: history,
  };
}

/** The person's My Number Cards for check-in: the current one and those it replaced. */
async function cardLink(trx: Knex, personId: string): Promise<Pick<PersonSections, 'my_number_card_link'>> {
  const cards = await cardsOf(trx, personId);
  const current = cards.find((c) => c.status === 'current');
  return {
    my_number_card_link: {
      linked: Boolean(current),
      ...(current ? { linked_at: iso(current.linkedAt) } : {}),
      cards: cards.map((c) => ({
        status: c.status,
        linked_via: c.via,
        linked_at: iso(c.linkedAt),
        ...(c.replacedAt ? { replaced_at: iso(c.replacedAt) } : {}),
        ...(c.issuer ? { issuer: c.issuer, serial_number: c.serialNumber, fingerprint_sha256: c.fingerprint, not_before: iso(c.notBefore), not_after: iso(c.notAfter) } : {}),
      })),
    },
  };
}

export function identityDataRights(deps: { box: SecretBox; redis: Redis | undefined }): DataRightsHooks {
  return {
    owner: 'identity',
    removesSubject: true,

    async exportFor(trx, subject) {
      const persons: Record<string, Partial<PersonSections>> = {};
      for (const p of subject.persons) persons[p.id] = { ...(await verifiedIdentity(trx, deps.box, p.id)), ...(await cardLink(trx, p.id)) };
      return { account: { account: await accountSection(trx, subject.accountId), sign_in_history: await signIns(trx, subject.accountId) }, persons };
    },

    async forget(trx, subject) {
      const { accountId } = subject;
      await trx('verification_codes').where({ subject: accountId }).delete();
      await trx('signups').where({ email: subject.email }).delete();
      // Redis keeps no transaction: its JPKI records go after the commit (afterForget).
      await forgetTransientsNaming(trx, undefined, accountId);
      // The persons take their face, facts, registrations, card link and household with them (ON DELETE CASCADE).
      const ids = personIdsOf(subject);
      if (ids.length) await trx('persons').whereIn('id', ids).delete();
      await trx('accounts').where({ id: accountId }).delete();
    },

    async afterForget(db, subject) {
      await forgetTransientsNaming(db, deps.redis, subject.accountId);
    },
  };
}
