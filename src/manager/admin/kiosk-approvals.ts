/**
 * Kiosks in PASS Manager: staff of a facility see its kiosks, their last contact and whether each
 * is running (online, offline, closed: src/kiosk/kiosk-health.ts); an admin renames one; staff approve
 * a kiosk waiting on its device authorization by typing the code shown on its screen (the same
 * rules as PASS's own device confirmation page: the code exists, has not expired and was not used
 * or cancelled — and here, it must be a PASS Face kiosk's code); an admin revokes a kiosk, which
 * ends its grant and tokens at once.
 *
 * Approving here does what the confirmation page and the consent do together: a grant of the
 * kiosk scope (and offline_access for its refresh token) to the kiosk client for the approving
 * account, recorded on the device code, which the kiosk then exchanges for DPoP-bound tokens.
 * Only `kiosk` is granted, whatever else the device asked for.
 *
 * Staff of the facility also connect a kiosk's card reader: PASS shows a one-time code for that
 * kiosk, typed on the kiosk's screen (src/kiosk/card-reader-pairing.ts, docs/card.md "Pairing").
 */
import type Provider from 'oidc-provider';
import type { Database } from '../../db/database.ts';
import { appendAudit } from '../../audit/audit-log.ts';
import { KIOSK_CLIENT_ID, KIOSK_SCOPE } from '../../kiosk/kiosk-auth.ts';
import type { Kiosk, KioskStore } from '../../kiosk/kiosk-store.ts';
import { kioskState, type KioskState } from '../../kiosk/kiosk-health.ts';
import type { CardReaderPairing } from '../../kiosk/card-reader-pairing.ts';
import { facilityOf, type StaffPrincipal } from '../staff-scope.ts';
import { administered } from './facility-policies.ts';
import { ManagerRefusal } from './refusals.ts';

/** oidc-provider's device flow settings in PASS (provider-config.ts): base-20 letters, `****-****`. */
const USER_CODE_CHARS = /^[BCDFGHJKLMNPQRSTVWXZ]{8}$/;

export interface KioskView {
  id: string;
  name: string;
  facilityId: string;
  createdAt: string;
  lastContactAt: string | null;
  closedAt: string | null;
  revokedAt: string | null;
  state: KioskState;
}

export interface PendingDevice {
  userCode: string;
  clientName: string;
  expiresAt: string;
}

export function kioskView(k: Kiosk, now: number): KioskView {
  return {
    id: k.id,
    name: k.name,
    facilityId: k.facilityId,
    createdAt: k.createdAt.toISOString(),
    lastContactAt: k.lastContactAt?.toISOString() ?? null,
    closedAt: k.closedAt?.toISOString() ?? null,
    revokedAt: k.revokedAt?.toISOString() ?? null,
    state: kioskState(k, now),
  };
}

/** What people type: lower case, spaces or a hyphen are fine (as on the confirmation page). */
export function normalizeUserCode(input: string): string {
  return input.toUpperCase().replace(/[^A-Z]/g, '');
}

function display(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

interface DeviceCodeLike {
  clientId: string;
  isExpired: boolean;
  exp?: number;
  error?: string;
  errorDescription?: string;
  accountId?: string;
  inFlight?: boolean;
  params?: Record<string, unknown>;
  grantId?: string;
  scope?: string;
  resource?: string | string[];
  authTime?: number;
  save(): Promise<unknown>;
}

export interface KioskApprovalsDeps {
  db: Database;
  provider: () => Provider;
  kiosks: () => KioskStore | undefined;
  /** The kiosk capability's card-reader pairing (its codes live in the shared transient store); without it, no codes. */
  readers?: CardReaderPairing;
  apiResource: string;
  /** The clock a kiosk's state is judged by (tests move it). */
  now?: () => number;
}

export class KioskApprovals {
  readonly #d: KioskApprovalsDeps;

  constructor(deps: KioskApprovalsDeps) {
    this.#d = deps;
  }

  #store(): KioskStore {
    const store = this.#d.kiosks();
    if (!store) throw new ManagerRefusal('kiosk_unavailable');
    return store;
  }

  #now(): number {
    return (this.#d.now ?? Date.now)();
  }

  async list(principal: StaffPrincipal, facilityId: string): Promise<KioskView[]> {
    facilityOf(principal, facilityId);
    const now = this.#now();
    return (await this.#store().list(facilityId)).map((k) => kioskView(k, now));
  }

  /** An admin of the kiosk's facility names it (the name its screens and the history show). */
  async rename(principal: StaffPrincipal, kioskId: string, name: string): Promise<KioskView> {
    const store = this.#store();
    const kiosk = await store.find(kioskId);
    if (!kiosk) throw new ManagerRefusal('kiosk_not_found');
    administered(principal, kiosk.facilityId);
    const renamed = (await store.rename(kiosk.id, name))!;
    if (renamed.name !== kiosk.name) {
      await appendAudit(this.#d.db, { actorAccountId: principal.accountId, action: 'manager.kiosk_renamed', facilityId: kiosk.facilityId, details: { kioskId, from: kiosk.name, to: renamed.name } });
    }
    return kioskView(renamed, this.#now());
  }

  /** The device code a user code names, with every rule of the confirmation page checked. */
  async #pending(userCode: string): Promise<{ code: DeviceCodeLike; normalized: string }> {
    const normalized = normalizeUserCode(userCode);
    if (!USER_CODE_CHARS.test(normalized)) throw new ManagerRefusal('device_code_invalid');
    const model = this.#d.provider().DeviceCode as unknown as { findByUserCode(code: string, options: { ignoreExpiration: boolean }): Promise<DeviceCodeLike | undefined> };
    const code = await model.findByUserCode(normalized, { ignoreExpiration: true });
    if (!code || code.isExpired) throw new ManagerRefusal('device_code_invalid');
    if (code.error || code.accountId || code.inFlight) throw new ManagerRefusal('device_code_used');
    if (code.clientId !== KIOSK_CLIENT_ID) throw new ManagerRefusal('not_a_kiosk_code');
    return { code, normalized };
  }

  /** The confirmation step: what the staff member is about to connect. */
  async preview(principal: StaffPrincipal, facilityId: string, userCode: string): Promise<PendingDevice> {
    facilityOf(principal, facilityId);
    const { code, normalized } = await this.#pending(userCode);
    const client = await this.#d.provider().Client.find(code.clientId);
    return { userCode: display(normalized), clientName: String(client?.clientName ?? code.clientId), expiresAt: new Date((code.exp ?? 0) * 1000).toISOString() };
  }

  /**
   * Approves the kiosk for the staff member; the kiosk binds itself to one of their facilities
   * when it activates (it asks which one when they have several).
   */
  async approve(principal: StaffPrincipal, facilityId: string, userCode: string): Promise<{ userCode: string }> {
    facilityOf(principal, facilityId);
    const { code, normalized } = await this.#pending(userCode);
    // Claimed first, so two approvals of one code cannot both succeed (as the confirmation page does).
    code.inFlight = true;
    await code.save();
    const op = this.#d.provider();
    const requested = new Set(String(code.params?.scope ?? '').split(' '));
    const grant = new op.Grant({ accountId: principal.accountId, clientId: code.clientId });
    if (requested.has('offline_access')) grant.addOIDCScope('offline_access');
    grant.addResourceScope(this.#d.apiResource, KIOSK_SCOPE);
    const grantId = await grant.save();
    Object.assign(code, {
      accountId: principal.accountId,
      grantId,
      scope: [...(requested.has('offline_access') ? ['offline_access'] : []), KIOSK_SCOPE].join(' '),
      resource: this.#d.apiResource,
      authTime: Math.floor(Date.now() / 1000),
    });
    await code.save();
    await appendAudit(this.#d.db, { actorAccountId: principal.accountId, action: 'manager.kiosk_approved', facilityId, details: { grantId } });
    return { userCode: display(normalized) };
  }

  /** "Cancel" on the confirmation step: the kiosk is told access_denied and must start again. */
  async deny(principal: StaffPrincipal, facilityId: string, userCode: string): Promise<void> {
    facilityOf(principal, facilityId);
    const { code } = await this.#pending(userCode);
    Object.assign(code, { error: 'access_denied', errorDescription: 'End-User aborted interaction' });
    await code.save();
    await appendAudit(this.#d.db, { actorAccountId: principal.accountId, action: 'manager.kiosk_denied', facilityId });
  }

  /** A one-time code that connects the kiosk's card reader, for staff of its facility; audited. */
  async cardReaderCode(principal: StaffPrincipal, kioskId: string): Promise<{ code: string; expiresAt: string; kiosk: KioskView }> {
    const kiosk = await this.#store().find(kioskId);
    if (!kiosk || kiosk.revokedAt) throw new ManagerRefusal('kiosk_not_found');
    facilityOf(principal, kiosk.facilityId);
    if (!this.#d.readers) throw new ManagerRefusal('kiosk_unavailable');
    const issued = await this.#d.readers.issue(kiosk, principal.accountId);
    return { code: issued.code, expiresAt: issued.expiresAt.toISOString(), kiosk: kioskView(kiosk, this.#now()) };
  }

  async revoke(principal: StaffPrincipal, kioskId: string): Promise<KioskView> {
    const store = this.#store();
    const kiosk = await store.find(kioskId);
    if (!kiosk) throw new ManagerRefusal('kiosk_not_found');
    administered(principal, kiosk.facilityId);
    const revoked = (await store.revoke(kiosk.id, principal.accountId))!;
    await this.#endGrant(kiosk.grantId);
    await appendAudit(this.#d.db, { actorAccountId: principal.accountId, action: 'manager.kiosk_revoked', facilityId: kiosk.facilityId, details: { kioskId } });
    return kioskView(revoked, this.#now());
  }

  /** The kiosk's tokens and grant end now: the kiosk API refuses it on its next request. */
  async #endGrant(grantId: string): Promise<void> {
    const op = this.#d.provider();
    for (const model of [op.AccessToken, op.RefreshToken, op.DeviceCode]) {
      await (model as unknown as { adapter: { revokeByGrantId(id: string): Promise<void> } }).adapter.revokeByGrantId(grantId);
    }
    await (await op.Grant.find(grantId))?.destroy();
  }
}
