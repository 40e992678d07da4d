/**
 * Kiosks: a tablet bound to one facility when a staff member of that facility approved its device
 * authorization. The kiosk is found by the grant of its tokens; revoking it stops it at once (the
 * kiosk API checks every request) and deletes the grant's tokens. A kiosk whose page closes says so
 * (`close`), so staff see it closed at once; its next request opens it again (`touch`).
 */
import { randomBytes } from 'node:crypto';
import type { Database } from '../db/database.ts';

export interface Kiosk {
  id: string;
  facilityId: string;
  name: string;
  clientId: string;
  grantId: string;
  jkt: string;
  approvedBy: string | undefined;
  createdAt: Date;
  lastContactAt: Date | undefined;
  /** Its page said it was closing, and nothing came from it since. */
  closedAt: Date | undefined;
  revokedAt: Date | undefined;
}

interface Row {
  id: string;
  facility_id: string;
  name: string;
  client_id: string;
  grant_id: string;
  jkt: string;
  approved_by_account_id: string | null;
  created_at: Date;
  last_contact_at: Date | null;
  closed_at: Date | null;
  revoked_at: Date | null;
}

function toKiosk(r: Row): Kiosk {
  return {
    id: r.id,
    facilityId: r.facility_id,
    name: r.name,
    clientId: r.client_id,
    grantId: r.grant_id,
    jkt: r.jkt,
    approvedBy: r.approved_by_account_id ?? undefined,
    createdAt: new Date(r.created_at),
    lastContactAt: r.last_contact_at ? new Date(r.last_contact_at) : undefined,
    closedAt: r.closed_at ? new Date(r.closed_at) : undefined,
    revokedAt: r.revoked_at ? new Date(r.revoked_at) : undefined,
  };
}

/** Last contact is written at most this often per kiosk and node. */
const CONTACT_EVERY_MS = 30_000;

export class KioskStore {
  readonly #db: Database;
  readonly #contacts = new Map<string, number>();

  constructor(db: Database) {
    this.#db = db;
  }

  async byGrant(grantId: string): Promise<Kiosk | undefined> {
    const row = (await this.#db('kiosks').where({ grant_id: grantId }).first()) as Row | undefined;
    return row ? toKiosk(row) : undefined;
  }

  async find(id: string): Promise<Kiosk | undefined> {
    const row = (await this.#db('kiosks').where({ id }).first()) as Row | undefined;
    return row ? toKiosk(row) : undefined;
  }

  async list(facilityId: string): Promise<Kiosk[]> {
    return ((await this.#db('kiosks').where({ facility_id: facilityId }).orderBy('created_at')) as Row[]).map(toKiosk);
  }

  /** Binds the grant's kiosk to the facility; the same grant activating again gets the same kiosk. */
  async activate(input: { facilityId: string; name: string; clientId: string; grantId: string; jkt: string; approvedBy: string }): Promise<Kiosk> {
    await this.#db('kiosks')
      .insert({
        id: `kiosk-${randomBytes(9).toString('base64url')}`,
        facility_id: input.facilityId,
        name: input.name,
        client_id: input.clientId,
        grant_id: input.grantId,
        jkt: input.jkt,
        approved_by_account_id: input.approvedBy,
        last_contact_at: new Date(),
      })
      .onConflict('grant_id')
      .ignore();
    return (await this.byGrant(input.grantId))!;
  }

  async revoke(id: string, accountId: string | undefined): Promise<Kiosk | undefined> {
    await this.#db('kiosks').where({ id }).whereNull('revoked_at').update({ revoked_at: new Date(), revoked_by_account_id: accountId ?? null });
    return this.find(id);
  }

  /** Staff give a kiosk the name its screens and the check-in history show. */
  async rename(id: string, name: string): Promise<Kiosk | undefined> {
    await this.#db('kiosks').where({ id }).update({ name });
    return this.find(id);
  }

  /** The kiosk's page is closing: shown closed from now until the kiosk is heard from again. */
  async close(id: string): Promise<void> {
    await this.#db('kiosks').where({ id }).whereNull('revoked_at').update({ closed_at: new Date() });
  }

  /**
   * Records that the kiosk was heard from; cheap enough for every request. A closed kiosk is
   * opened again at once (the row was just read, so every node sees the close), and only the
   * close it saw is cleared, so a close that comes in meanwhile stands.
   */
  touch(kiosk: Kiosk): void {
    const now = Date.now();
    if (kiosk.closedAt) {
      this.#contacts.set(kiosk.id, now);
      void this.#db('kiosks')
        .where({ id: kiosk.id, closed_at: kiosk.closedAt })
        .update({ last_contact_at: new Date(now), closed_at: null })
        .catch(() => this.#contacts.delete(kiosk.id));
      return;
    }
    if (now - (this.#contacts.get(kiosk.id) ?? 0) < CONTACT_EVERY_MS) return;
    this.#contacts.set(kiosk.id, now);
    void this.#db('kiosks').where({ id: kiosk.id }).update({ last_contact_at: new Date(now) }).catch(() => this.#contacts.delete(kiosk.id));
  }
}
