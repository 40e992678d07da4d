/**
 * Demo data of the kiosk (development only, idempotent): staff@pass.localhost is staff of
 * かがにこにこパーク, admin@pass.localhost municipal admin of 加賀市, and the demo resident's virtual
 * card (kaga-taro) is linked to the resident, so a card check-in finds them.
 */
import type { Platform } from '../platform.ts';
import type { StaffService } from '../staff/staff-service.ts';
import type { CardCheckins } from '../checkins/card-checkins.ts';
import { proofingRuntimeOf } from '../identity/proofing/capability.ts';

export async function seedKioskDemo(platform: Platform, staff: StaffService, cards: CardCheckins): Promise<void> {
  const { db } = platform;
  const account = async (email: string) => ((await db('accounts').where({ email }).first('id')) as { id: string } | undefined)?.id;
  const staffId = await account('staff@pass.localhost');
  if (staffId) await staff.assign({ accountId: staffId, role: 'facility_staff', facilityId: 'kaga-niconico-park' });
  const adminId = await account('admin@pass.localhost');
  if (adminId) await staff.assign({ accountId: adminId, role: 'municipal_admin', municipalityCode: '172065' });
  const residentId = await account('resident@pass.localhost');
  const dev = proofingRuntimeOf(platform)?.pki.dev;
  if (residentId && dev && (await dev.exists('kaga-taro'))) {
    const person = (await db('persons').where({ account_id: residentId, relation: 'self' }).first('id')) as { id: string } | undefined;
    const { card } = await dev.open('kaga-taro');
    if (person) await cards.link(person.id, card.readAuthenticationCertificate());
  }
}
