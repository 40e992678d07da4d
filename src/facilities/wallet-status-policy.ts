/**
 * A facility's policy for wallet presentations at its kiosks: how old (since the kiosk fetched it) a
 * credential status list may be and still be relied on. A kiosk cut off from PASS keeps verifying
 * with the list it holds; this bound is the longest a credential revoked meanwhile can still pass
 * there. Past it the kiosk refuses (`status_list_stale`) until staff reconnect it. Facilities own
 * the column; the kiosk API hands it to the kiosk page, and PASS Manager's admins set it.
 */
import type { Knex } from 'knex';

/** Five minutes to a week: below that a kiosk on a flaky line refuses constantly; above, a revocation means little. */
export const STATUS_LIST_MAX_AGE_RANGE = { min: 300, max: 604_800 } as const;
export const DEFAULT_STATUS_LIST_MAX_AGE_SECONDS = 86_400;

export function isStatusListMaxAge(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= STATUS_LIST_MAX_AGE_RANGE.min && value <= STATUS_LIST_MAX_AGE_RANGE.max;
}

/** The facility's bound in seconds; undefined for an unknown facility. A value out of range (hand-edited) reads as the nearest bound. */
export async function facilityStatusListMaxAge(db: Knex, facilityId: string): Promise<number | undefined> {
  const row = (await db('facilities').where({ id: facilityId }).first('wallet_status_max_age_seconds')) as { wallet_status_max_age_seconds: number | null } | undefined;
  if (!row) return undefined;
  const value = row.wallet_status_max_age_seconds ?? DEFAULT_STATUS_LIST_MAX_AGE_SECONDS;
  return Math.min(STATUS_LIST_MAX_AGE_RANGE.max, Math.max(STATUS_LIST_MAX_AGE_RANGE.min, value));
}

/** Sets it; false when there is no such facility. */
export async function setFacilityStatusListMaxAge(db: Knex, facilityId: string, seconds: number): Promise<boolean> {
  if (!isStatusListMaxAge(seconds)) throw new TypeError(`not a status list age: ${String(seconds)}`);
  return (await db('facilities').where({ id: facilityId }).update({ wallet_status_max_age_seconds: seconds })) > 0;
}
