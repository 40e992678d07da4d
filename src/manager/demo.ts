/**
 * Demo data of PASS Manager (development only, idempotent): staff@pass.localhost is facility staff
 * of かがにこにこパーク and admin@pass.localhost municipal admin of 加賀市 (the kiosk demo makes the
 * same assignments; both are upserts), and かがにこにこパーク has a few check-ins — the demo resident
 * by card, a refused QR code and an unrecognised face — so the history and alerts are not empty.
 */
import type { Platform } from '../platform.ts';
import { StaffService } from '../staff/staff-service.ts';
import { facilityExists } from '../facilities/facility-store.ts';
import { selfPersonOf } from '../identity/persons.ts';
import { recordDemoCheckin } from '../checkins/demo-checkins.ts';

const FACILITY = 'kaga-niconico-park';
const DEMO_CHECKINS = [
  { id: '00000000-0000-4000-8000-00000000d001', method: 'card', result: 'accepted', reason: null, minutesAgo: 95 },
  { id: '00000000-0000-4000-8000-00000000d002', method: 'qr', result: 'rejected', reason: 'qr_expired', minutesAgo: 40 },
  { id: '00000000-0000-4000-8000-00000000d003', method: 'face', result: 'rejected', reason: 'no_match', minutesAgo: 12 },
] as const;

export async function seedManagerDemo(platform: Platform): Promise<void> {
  const { db, accounts } = platform;
  const account = async (email: string) => (await accounts.findByEmail(email))?.id;
  if (!(await facilityExists(db, FACILITY))) return;
  const staff = new StaffService(db);
  const staffId = await account('staff@pass.localhost');
  if (staffId) await staff.assign({ accountId: staffId, role: 'facility_staff', facilityId: FACILITY });
  const adminId = await account('admin@pass.localhost');
  if (adminId) await staff.assign({ accountId: adminId, role: 'municipal_admin', municipalityCode: '172065' });

  const residentId = await account('resident@pass.localhost');
  const personId = residentId ? await selfPersonOf(db, residentId) : undefined;
  const now = Date.now();
  for (const c of DEMO_CHECKINS) {
    const accepted = c.result === 'accepted';
    if (accepted && !personId) continue;
    await recordDemoCheckin(db, {
      id: c.id,
      facilityId: FACILITY,
      method: c.method,
      result: c.result,
      reason: c.reason,
      personId: accepted ? (personId ?? null) : null,
      shown: accepted ? { name: '加賀　太郎', resident: true } : null,
      at: new Date(now - c.minutesAgo * 60_000),
    });
  }
}
