/**
 * The resident's copy of their data (docs/data-rights.md: format `pass-data-export`, version 1):
 * the account, every person it holds (its own and household members), their verified facts and
 * proofing history, face enrollment metadata, linked card, registrations and consents, check-ins,
 * claim releases (who got which facts, when), grants to relying parties, sign-in history, staff
 * roles, the wallet credentials issued to it, and the audit entries about them.
 *
 * Never in it: the face template, the password hash, tokens, one-time codes, the linked card's key,
 * other people's account ids. Everything is read in one repeatable-read snapshot, so the copy is
 * consistent even while the resident keeps using PASS.
 *
 * Each section is its owner's (src/<owner>/data-rights.ts); this module fixes the format: which
 * sections there are and in what order.
 */
import type { Database } from '../db/database.ts';
import type { AccountSections, DataRightsHooks, PersonSections, SubjectPerson } from '../core/data-rights.ts';
import { NotFoundError } from '../core/errors.ts';
import { dataSubject } from './subject.ts';
import { complete, mergeOwned, ownerOrder } from './owner-hooks.ts';

export const EXPORT_FORMAT = 'pass-data-export';
export const EXPORT_VERSION = 1;

/** Every section the owners must answer for; export() below writes them in the format's order. */
const ACCOUNT_SECTIONS: Record<keyof AccountSections, true> = { account: true, household: true, claim_releases: true, grants: true, sign_in_history: true, staff_roles: true, wallet_credentials: true, audit: true };
const PERSON_SECTIONS: Record<keyof PersonSections, true> = { verified_identity: true, identity_history: true, face: true, my_number_card_link: true, registrations: true, check_ins: true };

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
  wallet_credentials: Array<Record<string, unknown>>;
  audit: Array<Record<string, unknown>>;
}

export class DataExporter {
  readonly #db: Database;
  readonly #issuer: string;
  readonly #hooks: () => readonly DataRightsHooks[];

  /** `hooks`: the owners of the resident's data, asked per export (capabilities may start after this one). */
  constructor(deps: { db: Database; issuer: string; hooks: () => readonly DataRightsHooks[] }) {
    this.#db = deps.db;
    this.#issuer = deps.issuer;
    this.#hooks = deps.hooks;
  }

  async export(accountId: string, now = new Date()): Promise<DataExport> {
    // Read-only and repeatable read: one consistent snapshot across every owner's tables.
    return this.#db.transaction(
      async (trx) => {
        const subject = await dataSubject(trx, accountId);
        if (!subject) throw new NotFoundError('account_not_found', 'the account no longer exists');
        const account: Partial<AccountSections> = {};
        const persons = new Map<string, Partial<PersonSections>>(subject.persons.map((p) => [p.id, {}]));
        for (const hook of ownerOrder(this.#hooks())) {
          if (!hook.exportFor) continue;
          const part = await hook.exportFor(trx, subject);
          mergeOwned(account, part.account, hook.owner, 'export section');
          for (const [personId, sections] of Object.entries(part.persons ?? {})) {
            const into = persons.get(personId);
            if (!into) throw new Error(`data rights: ${hook.owner} exported person ${personId}, who is not the account's`);
            mergeOwned(into, sections, hook.owner, 'export section');
          }
        }
        const sections = complete(account, ACCOUNT_SECTIONS, 'export section');
        return {
          format: EXPORT_FORMAT,
          version: EXPORT_VERSION,
          generated_at: now.toISOString(),
          issuer: this.#issuer,
          account: sections.account,
          persons: subject.persons.map((p) => personEntry(p, complete(persons.get(p.id)!, PERSON_SECTIONS, 'export section of a person'))),
          household: sections.household,
          claim_releases: sections.claim_releases,
          grants: sections.grants,
          sign_in_history: sections.sign_in_history,
          staff_roles: sections.staff_roles,
          wallet_credentials: sections.wallet_credentials,
          audit: sections.audit,
        };
      },
      { isolationLevel: 'repeatable read', readOnly: true },
    );
  }
}

function personEntry(person: SubjectPerson, sections: PersonSections): Record<string, unknown> {
  return {
    id: person.id,
    relation: person.relation,
    created_at: person.createdAt.toISOString(),
    verified_identity: sections.verified_identity,
    identity_history: sections.identity_history,
    face: sections.face,
    my_number_card_link: sections.my_number_card_link,
    registrations: sections.registrations,
    check_ins: sections.check_ins,
  };
}
