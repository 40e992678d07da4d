/**
 * The card the stand-in's "phone app" reads: a simulated My Number Card per demo resident, issued
 * by this installation's development JPKI CA (src/card/simulator), read over the real APDU sequence
 * — the user-authentication PIN verified by the card with its retry counter (3 tries, then locked),
 * the certificate read, the key's signature over a fresh challenge — and the proof verified like
 * the Digital Agency's server has J-LIS check it: chain to the development CA, validity, CRL.
 *
 * Development and tests only. The cards live in this process's memory: a wrong PIN counts until
 * PASS restarts, and each node of a cluster holds its own (a listed deviation, docs/jpki.md).
 */
import { randomBytes, generateKeyPairSync } from 'node:crypto';
import { ApduChannel } from '../../../../card/apdu-channel.ts';
import { readAuthenticationProof } from '../../../../card/jpki-proofs.ts';
import { issueSimulatedCard, type IssuedSimulatedCard } from '../../../../card/simulator/issue-simulated-card.ts';
import type { ResidentFacts } from '../../../../jpki/dev-ca.ts';
import type { JpkiVerifier } from '../../../../jpki/index.ts';
import type { DevelopmentCas } from '../../dev-pki.ts';

export type DemoResident = ResidentFacts & { id: string };

/** The 券面AP is never read here; the simulator only needs some JPEG 2000 bytes (SOC, EOC). */
const NO_PHOTO = new Uint8Array([0xff, 0x4f, 0xff, 0xd9]);

export class PhoneCards {
  readonly #cas: DevelopmentCas;
  readonly #verifier: JpkiVerifier;
  readonly #residents: ReadonlyMap<string, DemoResident>;
  readonly #cards = new Map<string, Promise<IssuedSimulatedCard>>();
  readonly #sessions = new Map<string, Promise<unknown>>();
  /** The stand-in reads no text AP: a throwaway issuer key satisfies the simulator. */
  readonly #textApKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;

  constructor(cas: DevelopmentCas, verifier: JpkiVerifier, residents: readonly DemoResident[]) {
    this.#cas = cas;
    this.#verifier = verifier;
    this.#residents = new Map(residents.map((r) => [r.id, r]));
  }

  residents(): DemoResident[] {
    return [...this.#residents.values()];
  }

  resident(id: string): DemoResident | undefined {
    return this.#residents.get(id);
  }

  /**
   * The app's card session: the card checks the PIN (CardError `wrong_pin` with the tries left,
   * `pin_locked`), signs a fresh challenge, and the proof is verified (a JPKI refusal such as
   * `certificate_revoked` is thrown as it is).
   */
  async authenticate(residentId: string, pin: string): Promise<DemoResident> {
    const resident = this.#residents.get(residentId);
    if (!resident) throw new Error(`no demo resident ${residentId}`);
    const issued = await this.#cardOf(resident);
    const challenge = new Uint8Array(randomBytes(32));
    // One session at a time per card, each a fresh one (nothing selected, no PIN verified).
    const session = (this.#sessions.get(resident.id) ?? Promise.resolve()).then(() => {
      issued.card.insert();
      return readAuthenticationProof(new ApduChannel(issued.card), { pin, challenge });
    });
    this.#sessions.set(resident.id, session.catch(() => undefined));
    const proof = await session;
    await this.#verifier.verifyAuthenticationProof({ certificate: proof.certificate, signature: proof.signature, challenge });
    return resident;
  }

  #cardOf(resident: DemoResident): Promise<IssuedSimulatedCard> {
    let card = this.#cards.get(resident.id);
    if (!card) {
      // Issued on first use: each card costs a few RSA key pairs.
      card = Promise.resolve().then(() =>
        issueSimulatedCard(
          { cas: this.#cas, textAp: { keyId: 'PASS-DA-STAND-IN', privateKey: this.#textApKey } },
          { resident, photo: NO_PHOTO, withoutSignatureCertificate: true },
        ),
      );
      this.#cards.set(resident.id, card);
    }
    return card;
  }
}
