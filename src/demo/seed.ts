import { TotpAuthenticators } from '../identity/factors/totp.ts';
import type { Platform } from '../platform.ts';
import type { ClientService, CreateClientInput } from '../oidc/clients/client-service.ts';
import { readCatalog } from '../facilities/facility-service.ts';
import { seedJpkiDemo } from '../identity/proofing/seed.ts';
import { seedFamilyDemo } from '../households/seed.ts';

export const DEMO_PASSWORD = 'pass-demo-2026';

/** The relying parties that `npm start` serves itself, plus the demo booking site of 豊岡市. */
export function demoClients(issuer: string): CreateClientInput[] {
  return [
    {
      clientId: 'pass-app',
      name: 'PASS アプリ',
      redirectUris: [`${issuer}/app/callback`],
      postLogoutRedirectUris: [`${issuer}/app/`],
      grantTypes: ['authorization_code', 'refresh_token'],
      tokenEndpointAuthMethod: 'none',
    },
    {
      clientId: 'pass-manager',
      name: 'PASS Manager',
      redirectUris: [`${issuer}/manager/callback`],
      postLogoutRedirectUris: [`${issuer}/manager/`],
      grantTypes: ['authorization_code', 'refresh_token'],
    },
    {
      clientId: 'pass-kiosk',
      name: 'PASS Face キオスク',
      grantTypes: ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token'],
      tokenEndpointAuthMethod: 'none',
    },
    {
      clientId: 'toyooka-booking',
      name: '豊岡市 公共施設予約システム',
      facilityId: 'toyooka-booking',
      redirectUris: [`${issuer}/demo/booking/callback`],
      postLogoutRedirectUris: [`${issuer}/demo/booking/`],
      grantTypes: ['authorization_code', 'refresh_token'],
      backchannelLogoutUri: `${issuer}/demo/booking/backchannel-logout`,
    },
  ];
}

export interface SeedReport {
  municipalities: number;
  facilities: number;
  clientsCreated: string[];
  accountsCreated: string[];
}

/** The demo staff's authenticator app secret (development only; README.md prints it). */
export const DEMO_TOTP_SECRET = 'PASSDEMOTOTPKAGACITYSTAFFQ';

/** Idempotent: what exists is left alone, so seeding on every development start is safe. */
export async function seedDemoData(platform: Platform, clients: ClientService): Promise<SeedReport> {
  const catalog = await platform.facilities.importCatalog(readCatalog());
  const clientsCreated: string[] = [];
  for (const input of demoClients(platform.config.issuer)) {
    if (await clients.find(input.clientId!)) continue;
    await clients.create(input);
    clientsCreated.push(input.clientId!);
  }
  const accountsCreated: string[] = [];
  const people = [
    { email: 'resident@pass.localhost', phone: '09012345678', role: 'resident' as const },
    { email: 'staff@pass.localhost', phone: undefined, role: 'staff' as const },
    { email: 'admin@pass.localhost', phone: undefined, role: 'admin' as const },
  ];
  for (const person of people) {
    if (await platform.accounts.emailTaken(person.email)) continue;
    await platform.accounts.create({ ...person, password: DEMO_PASSWORD, verified: true });
    accountsCreated.push(person.email);
  }
  // PASS Manager needs a passkey or an authenticator app: the demo staff share one known app secret.
  const totp = new TotpAuthenticators(platform.db, platform.box);
  for (const email of ['staff@pass.localhost', 'admin@pass.localhost']) {
    const account = await platform.accounts.findByEmail(email);
    if (account) await totp.adoptDemoSecret(account.id, DEMO_TOTP_SECRET);
  }
  await seedJpkiDemo(platform); // demo residents' virtual My Number Cards; resident@ proofed as 加賀　太郎
  await seedFamilyDemo(platform); // a child's text-AP card; resident@ registered for the booking demo (issue #6)
  return { ...catalog, clientsCreated, accountsCreated };
}
