/**
 * What the three applications share: they are selected by AID on one channel, their EFs are
 * selected then read whole, and their PINs are checked the careful way — the retry counter first
 * (an empty VERIFY spends no try), so a locked PIN is reported without sending the secret.
 * Selecting another application resets the card's PIN state, so each call first checks that its
 * application is still the selected one.
 */
import type { ApduChannel } from './apdu-channel.ts';
import { toHex, wipe } from './bytes.ts';
import { CardError } from './errors.ts';
import { readFile, type ReadFileOptions } from './file-reading.ts';
import { readPinStatus, selectApplication, selectFile, verifySecret, type PinStatus } from './iso-commands.ts';
import type { CardReason } from './reasons.ts';

export abstract class CardApplication {
  protected readonly channel: ApduChannel;
  readonly #aid: string;

  protected constructor(channel: ApduChannel, aid: Uint8Array) {
    this.channel = channel;
    this.#aid = toHex(aid);
  }

  protected static async selectOn(channel: ApduChannel, aid: Uint8Array): Promise<void> {
    // 6A 82 for an application means this is not a My Number Card (or not one we can read).
    await selectApplication(channel, aid, 'not_my_number_card');
  }

  protected assertSelected(): void {
    if (this.channel.selectedApplication !== this.#aid) throw new CardError('card_state', 'another application was selected since this one');
  }

  protected async readEf(fid: number, options: ReadFileOptions, notFound: CardReason = 'file_not_found'): Promise<Uint8Array> {
    this.assertSelected();
    await selectFile(this.channel, fid, notFound);
    return readFile(this.channel, options);
  }

  protected async pinStatusOf(pinFid: number, notFound: CardReason = 'file_not_found'): Promise<PinStatus> {
    this.assertSelected();
    await selectFile(this.channel, pinFid, notFound);
    return readPinStatus(this.channel);
  }

  /** Selects the PIN EF, reads its counter, and sends the secret only if it is not locked. */
  protected async verifyAt(pinFid: number, secret: Uint8Array, wrong: 'wrong_pin' | 'wrong_verification_code', notFound?: CardReason): Promise<void> {
    let status: PinStatus;
    try {
      status = await this.pinStatusOf(pinFid, notFound);
    } catch (error) {
      wipe(secret);
      throw error;
    }
    if (status.locked) {
      wipe(secret);
      throw new CardError('pin_locked', 'the card reports the PIN locked; nothing was sent', { triesLeft: 0 });
    }
    await verifySecret(this.channel, secret, wrong);
  }
}
