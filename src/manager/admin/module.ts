/** /api/manager/admin as a Manager API module: facilities and claim policies, kiosks, relying parties, staff and roles. */
import { passApiResource } from '../../oidc/provider-config.ts';
import { cardReaderPairing } from '../../kiosk/card-reader-pairing.ts';
import type { ManagerApiModule } from '../api-modules.ts';
import { FacilityPolicies } from './facility-policies.ts';
import { KioskApprovals } from './kiosk-approvals.ts';
import { KioskDisplayAdmin } from './kiosk-display.ts';
import { PadPolicyAdmin } from './pad-policy.ts';
import { WalletPolicyAdmin } from './wallet-policy.ts';
import { RelyingParties } from './relying-parties.ts';
import { StaffRoles } from './staff-roles.ts';
import { adminApiRoutes } from './routes.ts';

export const adminApi: ManagerApiModule = {
  name: 'admin',
  async start({ platform, oidc, staff, guard, kiosks }) {
    const { db, config, accounts, facilities } = platform;
    const provider = () => oidc.host.provider;
    const router = adminApiRoutes({
      guard,
      facilities: new FacilityPolicies(db, facilities),
      kiosks: new KioskApprovals({ db, provider, kiosks: () => kiosks, readers: cardReaderPairing(platform), apiResource: passApiResource(config.issuer) }),
      kioskDisplay: new KioskDisplayAdmin(db),
      padPolicy: new PadPolicyAdmin(db, facilities),
      walletPolicy: new WalletPolicyAdmin(db, facilities),
      clients: new RelyingParties(db, () => oidc.clients, facilities),
      staff: new StaffRoles(db, staff, accounts),
    });
    return { routers: [router] };
  },
};
