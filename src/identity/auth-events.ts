import type { Database } from '../db/database.ts';
import type { AuthMethod } from './assurance.ts';

export type AuthEventKind = 'sign_in' | 'sign_in_failed' | 'sign_in_locked' | 'sign_up' | 'password_reset';

export interface AuthEvent {
  accountId: string;
  event: AuthEventKind;
  amr?: AuthMethod[];
  acr?: string;
  clientId?: string | undefined;
  ip?: string | undefined;
}

export interface StoredAuthEvent extends Required<Omit<AuthEvent, 'clientId' | 'ip' | 'amr' | 'acr'>> {
  amr: AuthMethod[];
  acr: string | null;
  clientId: string | null;
  createdAt: Date;
}

/** The record of how each authentication happened (amr/acr), for the resident's history and audits. */
export class AuthEvents {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  async record(event: AuthEvent): Promise<void> {
    await this.#db('authentication_events').insert({
      account_id: event.accountId,
      event: event.event,
      amr: event.amr?.join(' ') ?? null,
      acr: event.acr ?? null,
      client_id: event.clientId ?? null,
      ip: event.ip?.slice(0, 45) ?? null,
    });
  }

  async recent(accountId: string, limit = 20): Promise<StoredAuthEvent[]> {
    const rows = (await this.#db('authentication_events').where({ account_id: accountId }).orderBy('id', 'desc').limit(limit)) as Array<{
      account_id: string;
      event: AuthEventKind;
      amr: string | null;
      acr: string | null;
      client_id: string | null;
      created_at: Date;
    }>;
    return rows.map((r) => ({
      accountId: r.account_id,
      event: r.event,
      amr: (r.amr ? r.amr.split(' ') : []) as AuthMethod[],
      acr: r.acr,
      clientId: r.client_id,
      createdAt: r.created_at,
    }));
  }
}
