/**
 * What a registration changes outside its own tables, and what a withdrawal undoes at once:
 *   - the facility's face gallery (`facility:<id>`), through the face service so every node's
 *     in-memory gallery follows (straight to the face store when the face capability is off);
 *   - for an account holder's own person: every grant of the facility's clients is destroyed with
 *     its tokens (oidc-provider's revokeByGrantId on each token model), and each client with a
 *     back-channel logout URI is told (OpenID Connect Back-Channel Logout, src/oidc/logout).
 * The claims engine also checks the registration on every release, so a token that escaped
 * revocation (a JWT access token already handed out) yields no further claims from PASS.
 */
import type Provider from 'oidc-provider';
import type { Database } from '../db/database.ts';
import type { Logger } from '../core/logger.ts';
import { FaceStore } from '../face/service/template-store.ts';
import { grantIdsOf } from '../oidc/adapter/grant-lookup.ts';
import { facilityClientIds } from '../oidc/clients/facility-clients.ts';

export function facilityGallery(facilityId: string): string {
  return `facility:${facilityId}`;
}

export interface GalleryPort {
  addToGallery(galleryId: string, personId: string): Promise<void>;
  removeFromGallery(galleryId: string, personId: string): Promise<boolean>;
}

export interface EffectsDeps {
  db: Database;
  log: Logger;
  /** The running face service, when the face capability is up. */
  gallery: () => GalleryPort | undefined;
  provider: () => Provider;
  backchannelLogout: (clientId: string, accountId: string) => Promise<string>;
}

const TOKEN_MODELS = ['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest'] as const;

interface ModelWithAdapter {
  adapter: { revokeByGrantId(grantId: string): Promise<void>; destroy(id: string): Promise<void> };
}

export interface WithdrawalOutcome {
  grantsRevoked: number;
  logout: Record<string, string>;
}

export class RegistrationEffects {
  readonly #d: EffectsDeps;
  readonly #faces: FaceStore;

  constructor(deps: EffectsDeps) {
    this.#d = deps;
    this.#faces = new FaceStore(deps.db);
  }

  async joinGallery(facilityId: string, personId: string): Promise<void> {
    const gallery = this.#d.gallery();
    if (gallery) return gallery.addToGallery(facilityGallery(facilityId), personId);
    await this.#faces.addMember(facilityGallery(facilityId), personId);
  }

  async leaveGallery(facilityId: string, personId: string): Promise<void> {
    const gallery = this.#d.gallery();
    if (gallery) {
      await gallery.removeFromGallery(facilityGallery(facilityId), personId);
      return;
    }
    await this.#faces.removeMember(facilityGallery(facilityId), personId);
  }

  /** Destroys the account's grants at the facility's clients with their tokens, then notifies the clients. */
  async revokeAccess(facilityId: string, accountId: string): Promise<WithdrawalOutcome> {
    const clients = await facilityClientIds(this.#d.db, facilityId);
    if (clients.length === 0) return { grantsRevoked: 0, logout: {} };
    const grants = await grantIdsOf(this.#d.db, accountId, clients);
    const provider = this.#d.provider() as unknown as Record<string, ModelWithAdapter>;
    for (const id of grants) {
      await Promise.all(TOKEN_MODELS.map((model) => provider[model]!.adapter.revokeByGrantId(id)));
      await provider.Grant!.adapter.destroy(id);
    }
    const logout: Record<string, string> = {};
    for (const clientId of clients) logout[clientId] = await this.#d.backchannelLogout(clientId, accountId);
    this.#d.log.info({ facilityId, grants: grants.length, logout }, 'facility access revoked after consent withdrawal');
    return { grantsRevoked: grants.length, logout };
  }
}
