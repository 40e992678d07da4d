/**
 * Demo data of the kiosk (development only, idempotent): staff@pass.localhost is staff of
 * かがにこにこパーク, admin@pass.localhost municipal admin of 加賀市, and the demo resident's development
 * card (kaga-taro) is linked to the resident, so a card check-in finds them.
 */
import type { Platform } from '../platform.ts';
import type { StaffService } from '../staff/staff-service.ts';
import type { CardCheckins } from '../checkins/card-checkins.ts';
import type { DevCardStore } from '../identity/proofing/dev-cards.ts';
import { selfPersonOf } from '../identity/persons.ts';

export async function seedKioskDemo(platform: Platform, staff: StaffService, cards: CardCheckins, dev: DevCardStore | undefined): Promise<void> {
  const { db } = platform;
  const account = async (email: string) => (await platform.accounts.findByEmail(email))?.id;
  const staffId = await account('staff@pass.localhost');
  if (staffId) await staff.assign({ accountId: staffId, role: 'facility_staff', facilityId: 'kaga-niconico-park' });
  const adminId = await account('admin@pass.localhost');
  if (adminId) await staff.assign({ accountId: adminId, role: 'municipal_admin', municipalityCode: '172065' });
  const residentId = await account('resident@pass.localhost');
  if (residentId && dev && (await dev.exists('kaga-taro'))) {
    const personId = await selfPersonOf(db, residentId);
    const { card } = await dev.open('kaga-taro');
    if (personId) await cards.link(personId, card.readAuthenticationCertificate());
  }
}
