/**
 * Revoking credentials: the status bit is set, the revocation audited, and every node's published
 * list made afresh. The triggers (issue 19):
 *   card revoked      — the CRL lists the signature certificate of the person's current proof;
 *   account deleted   — privacy's deletion calls this capability's data-rights hook (data-rights.ts);
 *   moved away        — the verified address now lies in another municipality (residency credentials);
 *   guardian changed  — the account that received a member's credential no longer represents them
 *                       (the member left the household, claimed an account, or was removed with
 *                       their person record).
 * Only the account deletion reaches this capability directly; the others are found by the review,
 * which compares every live credential with the facts as their owners tell them now. It runs every
 * WALLET_REVIEW_SECONDS (on one node at a time), at once when a development card is revoked, and on demand.
 */
import type { Knex } from 'knex';
import type { Logger } from '../core/logger.ts';
import { appendAudit } from '../audit/audit-log.ts';
import type { FactsReader } from '../claims/facts.ts';
import { personExists } from '../identity/persons.ts';
import { canActFor } from '../households/directory.ts';
import type { ProofingPki } from '../identity/proofing/pki.ts';
import { PassError } from '../core/errors.ts';
import { liveCredentials, revokeWhere, type LiveCredential, type RevocationReason, type RevokedCredential } from './credential-store.ts';
import type { CredentialIssuer } from './issuance.ts';
import type { StatusLists } from './status-lists.ts';

export interface RevocationDeps {
  db: Knex;
  log: Logger;
  facts: FactsReader;
  issuer: CredentialIssuer;
  lists: StatusLists;
  /** The JPKI trust anchors and CRLs proofing uses. */
  pki: () => ProofingPki;
  onRevoked?: (reason: RevocationReason, count: number) => void;
  /**
   * Several nodes share one PostgreSQL: the periodic review runs on one of them at a time (an advisory
   * lock held by a transaction for its length), not on every node. Off for the embedded database,
   * which is one node with one connection.
   */
  oneNodeAtATime?: boolean;
}

/** The lock the review takes on a shared database. */
const REVIEW_LOCK = "select pg_try_advisory_xact_lock(hashtext('pass:wallet-review')) as locked";

/** Whether the loaded CRLs list a signature certificate; false when no CRL of its issuer is loaded (nothing is claimed then). */
export async function signatureCertificateRevoked(pki: ProofingPki, issuer: string, serialNumber: string, now: Date): Promise<boolean> {
  const anchor = pki.anchors.find((a) => a.kind === 'signature' && a.name === issuer);
  if (!anchor) return false;
  const loaded = await pki.crl.crlsFor(anchor.certificate, now);
  return loaded.some((l) => l.crl.revoked.has(serialNumber.toUpperCase()));
}

export class Revocations {
  readonly #d: RevocationDeps;
  #running: Promise<number> | undefined;

  constructor(deps: RevocationDeps) {
    this.#d = deps;
  }

  /** Revokes what `where` picks, audits each credential, and refreshes the lists. Runs in `db` (a caller's transaction, or PASS's pool). */
  async revoke(
    db: Knex,
    where: (query: Knex.QueryBuilder) => Knex.QueryBuilder,
    reason: RevocationReason,
    options: { actorAccountId?: string | undefined; anonymise?: boolean; now?: Date } = {},
  ): Promise<RevokedCredential[]> {
    const revoked = await revokeWhere(db, where, reason, options.now ?? new Date(), options.anonymise);
    for (const credential of revoked) {
      await appendAudit(db, {
        actorAccountId: options.actorAccountId,
        action: 'wallet.credential_revoked',
        personId: credential.personId ?? undefined,
        details: { credentialId: credential.id, configurationId: credential.configurationId, reason },
      });
    }
    if (revoked.length) this.#d.onRevoked?.(reason, revoked.length);
    return revoked;
  }

  /** Tells every node that these lists changed; after the revoking transaction has committed. */
  async published(revoked: readonly RevokedCredential[]): Promise<void> {
    await this.#d.lists.changed(revoked.map((r) => r.statusListId));
  }

  /** Runs the review once (a second call while one runs joins it); returns how many credentials were revoked. */
  review(now: Date = new Date()): Promise<number> {
    this.#running ??= this.#review(now).finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #reviewOnOneNode(): Promise<number> {
    if (!this.#d.oneNodeAtATime) return this.review();
    // The lock's transaction only holds the lock; the review itself reads and revokes through the pool.
    return this.#d.db.transaction(async (trx) => {
      const result = (await trx.raw(REVIEW_LOCK)) as { rows: Array<{ locked: boolean }> };
      return result.rows[0]?.locked ? this.review() : 0;
    });
  }

  async #review(now: Date): Promise<number> {
    const byPerson = new Map<string, LiveCredential[]>();
    for (const credential of await liveCredentials(this.#d.db, now)) {
      if (!credential.personId) continue;
      byPerson.set(credential.personId, [...(byPerson.get(credential.personId) ?? []), credential]);
    }
    const revoked: RevokedCredential[] = [];
    for (const [personId, credentials] of byPerson) {
      for (const [reason, picked, anonymise] of await this.#verdicts(personId, credentials, now)) {
        const ids = picked.map((c) => c.id);
        revoked.push(...(await this.revoke(this.#d.db, (q) => q.whereIn('id', ids), reason, { anonymise, now })));
      }
    }
    await this.published(revoked);
    return revoked.length;
  }

  /** Which of one person's live credentials must go, and why. */
  async #verdicts(personId: string, credentials: LiveCredential[], now: Date): Promise<Array<[RevocationReason, LiveCredential[], boolean]>> {
    if (!(await personExists(this.#d.db, personId))) return [['person_removed', credentials, true]];
    const out: Array<[RevocationReason, LiveCredential[], boolean]> = [];
    const stillHeld: LiveCredential[] = [];
    const formerGuardian: LiveCredential[] = [];
    for (const credential of credentials) {
      const held = credential.holderAccountId ? await canActFor(this.#d.db, credential.holderAccountId, personId) : undefined;
      (held ? stillHeld : formerGuardian).push(credential);
    }
    if (formerGuardian.length) out.push(['guardian_changed', formerGuardian, false]);
    if (!stillHeld.length) return out;

    const identity = await this.#d.facts.identity(personId);
    if (identity?.method === 'jpki_signature' && (await signatureCertificateRevoked(this.#d.pki(), identity.issuer, identity.serialNumber, now))) {
      out.push(['card_revoked', stillHeld, false]);
      return out;
    }
    const moved: LiveCredential[] = [];
    const changed: LiveCredential[] = [];
    for (const credential of stillHeld) {
      const digest = await this.#d.issuer
        .content(personId, credential.configurationId, now)
        .then((content) => this.#d.issuer.basisDigest(credential.configurationId, content.basis))
        .catch((error: unknown) => {
          // No longer proofed, or the fact cannot be made any more (an address outside the municipalities PASS serves).
          if (error instanceof PassError) return undefined;
          throw error;
        });
      if (digest === credential.basisDigest) continue;
      (credential.configurationId === 'pass_residency' ? moved : changed).push(credential);
    }
    if (moved.length) out.push(['moved_away', moved, false]);
    if (changed.length) out.push(['facts_changed', changed, false]);
    return out;
  }

  /** Every WALLET_REVIEW_SECONDS, on this node unless another is reviewing already; returns the stop. */
  every(seconds: number): () => void {
    const timer = setInterval(() => {
      this.#reviewOnOneNode().catch((error: unknown) => this.#d.log.warn({ err: error }, 'wallet revocation review failed'));
    }, seconds * 1000);
    timer.unref();
    return () => clearInterval(timer);
  }
}
