/**
 * Demo data for identity proofing (development only): development (simulated) My Number Cards of the synthetic
 * demo residents, issued by this installation's development CA, one revoked card (a lost card,
 * for the revocation demo), and the demo resident account proofed as 加賀　太郎 the same way the
 * app does it (challenge, card signature, verification, confirmation).
 */
import type { Platform } from '../../platform.ts';
import { DEMO_RESIDENTS } from '../../jpki/demo-residents.ts';
import { createProofingPki } from './pki.ts';
import { ProofingService } from './proofing-service.ts';
import type { TransientStore } from './transient-store.ts';

export const DEMO_PROOFED_ACCOUNT = { email: 'resident@pass.localhost', card: 'kaga-taro' };
const REVOKED_DEMO_CARD = {
  id: 'kaga-jiro-lost',
  facts: { name: '加賀　次郎', birthdate: '1988-10-10', sex: '1' as const, address: '石川県加賀市作見町ル２５番地１', prefecture: 'Ishikawa-ken', municipality: 'Kaga-shi' },
};

export interface JpkiSeedReport {
  cardsCreated: string[];
  proofed: string[];
  skipped?: string;
}

class MemoryStore implements TransientStore {
  readonly #values = new Map<string, string>();
  async put(key: string, value: string): Promise<void> {
    this.#values.set(key, value);
  }
  async take(key: string): Promise<string | undefined> {
    const value = this.#values.get(key);
    this.#values.delete(key);
    return value;
  }
  async peek(key: string): Promise<string | undefined> {
    return this.#values.get(key);
  }
  async claim(key: string): Promise<boolean> {
    if (this.#values.has(key)) return false;
    this.#values.set(key, '1');
    return true;
  }
}

/** Idempotent, like seedDemoData: existing cards and bindings are left alone. */
export async function seedJpkiDemo(platform: Platform): Promise<JpkiSeedReport> {
  const { config, db, box, log } = platform;
  if (config.production || config.jpki.trustAnchors?.length) {
    return { cardsCreated: [], proofed: [], skipped: 'JPKI_TRUST_ANCHORS is set: no development CA' };
  }
  const pki = await createProofingPki({ config, db, box, log });
  const cards = pki.dev!;
  const cardsCreated: string[] = [];
  for (const resident of DEMO_RESIDENTS) {
    if (await cards.exists(resident.id)) continue;
    await cards.issue(resident, { id: resident.id, label: resident.name });
    cardsCreated.push(resident.id);
  }
  if (!(await cards.exists(REVOKED_DEMO_CARD.id))) {
    await cards.issue(REVOKED_DEMO_CARD.facts, { id: REVOKED_DEMO_CARD.id, label: `${REVOKED_DEMO_CARD.facts.name}（紛失・失効）` });
    await cards.revoke(REVOKED_DEMO_CARD.id, 'keyCompromise');
    cardsCreated.push(REVOKED_DEMO_CARD.id);
  }

  const proofed: string[] = [];
  const account = (await db('accounts').where({ email: DEMO_PROOFED_ACCOUNT.email }).first('id')) as { id: string } | undefined;
  const service = new ProofingService({
    db,
    box,
    store: new MemoryStore(),
    verifier: pki.verifier,
    identityHashKey: config.identityHashKey,
    challengeTtlSeconds: 60,
    log,
  });
  if (account && !(await service.records.currentForAccount(account.id))) {
    const principal = { accountId: account.id, clientId: 'pass-app' };
    try {
      const challenge = await service.issueChallenge(principal);
      // Both keys of the card in one session, as the app reads it (over APDUs, against the
      // simulated card): the card becomes the resident's check-in card.
      const { signPin, authPin } = await cards.open(DEMO_PROOFED_ACCOUNT.card);
      const read = await cards.readCard(DEMO_PROOFED_ACCOUNT.card, { signPin, authPin }, challenge.challenge);
      const pending = await service.verify(principal, {
        challengeId: challenge.id,
        certificate: read.signature.certificate,
        signature: read.signature.signature,
        ...(read.authentication ? { authentication: read.authentication } : {}),
      });
      await service.confirm(principal, pending.verificationId);
      proofed.push(DEMO_PROOFED_ACCOUNT.email);
    } catch (error) {
      // E.g. the demo card was used by another demo sign-up: demo data must never stop start-up.
      log.warn({ reason: (error as { reason?: string }).reason ?? (error as Error).message }, 'demo resident not proofed');
    }
  }
  if (cardsCreated.length || proofed.length) log.info({ cardsCreated, proofed }, 'JPKI demo data seeded');
  return { cardsCreated, proofed };
}
