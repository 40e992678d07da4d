/**
 * A facility's presentation-attack detection (PAD) policy for face check-ins at its kiosks:
 * - `off`: the detector's result is neither kept nor used (a facility that has decided it needs none);
 * - `record` (default): kept with each check-in and shown to staff, never changes the outcome;
 * - `required`: a face judged an attack is refused, and so is any face the detector could not check,
 *   so a facility that asked for PAD never silently runs without it.
 * Facilities own the column; check-ins apply it (src/checkins/pad.ts) and PASS Manager's admins set it.
 */
import type { Knex } from 'knex';

export const PAD_POLICIES = ['off', 'record', 'required'] as const;
export type PadPolicy = (typeof PAD_POLICIES)[number];
export const DEFAULT_PAD_POLICY: PadPolicy = 'record';

export function isPadPolicy(value: unknown): value is PadPolicy {
  return typeof value === 'string' && (PAD_POLICIES as readonly string[]).includes(value);
}

/**
 * The facility's policy; undefined for an unknown facility. A value this version does not know
 * (written by a later one) reads as `required`: when unsure, the stricter rule protects residents.
 */
export async function facilityPadPolicy(db: Knex, facilityId: string): Promise<PadPolicy | undefined> {
  const row = (await db('facilities').where({ id: facilityId }).first('pad_policy')) as { pad_policy: string | null } | undefined;
  if (!row) return undefined;
  if (row.pad_policy === null) return DEFAULT_PAD_POLICY;
  return isPadPolicy(row.pad_policy) ? row.pad_policy : 'required';
}

/** Sets it; false when there is no such facility. */
export async function setFacilityPadPolicy(db: Knex, facilityId: string, policy: PadPolicy): Promise<boolean> {
  if (!isPadPolicy(policy)) throw new TypeError(`not a PAD policy: ${String(policy)}`);
  const changed = await db('facilities').where({ id: facilityId }).update({ pad_policy: policy });
  return changed > 0;
}
