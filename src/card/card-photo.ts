/**
 * The card photo with nothing but the 4-digit PIN (the kiosk-assisted enrollment of issue 16):
 * the text AP's PIN opens EF 0001, whose My Number is 照合番号A of the 券面AP, which then gives the
 * surface record with the photo — the way phone apps do it (JPKI.md §1.3). The My Number stays in
 * this function as bytes, goes only to the card, and is wiped once sent; it is never returned.
 *
 *   text AP:    select · PIN counter · VERIFY PIN · read EF 0001
 *   券面AP:     select · code A counter · VERIFY 照合番号A · read EF 0002
 */
import type { ApduChannel } from './apdu-channel.ts';
import { wipe } from './bytes.ts';
import { SurfaceAp } from './surface-ap.ts';
import type { SurfaceRecord } from './surface-record.ts';
import { TextAp } from './text-ap.ts';

export async function readSurfaceWithTextPin(channel: ApduChannel, pin: string): Promise<SurfaceRecord> {
  const text = await TextAp.select(channel);
  await text.verifyPin(pin);
  const myNumber = await text.readMyNumberForSurfaceAp();
  try {
    const surface = await SurfaceAp.select(channel);
    await surface.verifyCodeA(myNumber);
    return await surface.readSurface();
  } finally {
    wipe(myNumber);
  }
}

/** With 照合番号B typed from the card's face (no PIN at all). */
export async function readSurfaceWithCodeB(channel: ApduChannel, codeB: string): Promise<SurfaceRecord> {
  const surface = await SurfaceAp.select(channel);
  await surface.verifyCodeB(codeB);
  return surface.readSurface();
}
