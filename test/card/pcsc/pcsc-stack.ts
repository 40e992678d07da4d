/**
 * The real PC/SC stack for the card tests: Debian's pcscd with the vsmartcard-vpcd virtual
 * reader (started by .ci/services.sh), the pcsclite binding, and the APDU simulator put into the
 * reader through vpcd. Where a piece is missing the tests skip and say which — except in CI,
 * which must have all of them (like Chromium in test/browser/browser.ts).
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PcscReaders, type ReaderState } from '../../../src/card/pcsc/pcsc-transport.ts';
import type { SimulatedCard } from '../../../src/card/simulator/index.ts';
import type { VpcdSlot } from '../../../src/card/simulator/vpcd-card.ts';

/** vpcd's first slot, as pcscd names it. */
export const VIRTUAL_READER = 'Virtual PCD 00 00';
/** Its second slot (VpcdSlot port VPCD_PORT + 1). */
export const SECOND_READER = 'Virtual PCD 00 01';

/**
 * vpcd has two slots and jest runs test files side by side: a file holds a slot for its whole run.
 * The lock is a file made exclusively, naming its process; one left by a process that is gone is taken over.
 */
export async function holdSlot(slot: 0 | 1, waitMs = 240_000): Promise<() => void> {
  const file = path.join(os.tmpdir(), `pass-vpcd-slot-${slot}.lock`);
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      return () => rmSync(file, { force: true });
    } catch {
      const holder = Number(readFileSync(file, 'utf8').trim() || 0);
      let alive = holder > 0;
      try {
        if (alive) process.kill(holder, 0);
      } catch {
        alive = false;
      }
      if (!alive) rmSync(file, { force: true });
      else if (Date.now() > deadline) throw new Error(`vpcd slot ${slot} is held by process ${holder}`);
      else await sleep(250);
    }
  }
}

const PIECES: Array<[what: string, present: () => boolean]> = [
  ['pcscd (Debian package pcscd)', () => existsSync('/usr/sbin/pcscd')],
  ['the vpcd reader driver (Debian package vsmartcard-vpcd)', () => existsSync('/etc/reader.conf.d/vpcd')],
  ['a running pcscd (source <(bash .ci/services.sh))', () => existsSync('/run/pcscd/pcscd.comm')],
  [
    'the pcsclite binding (optional dependency; needs libpcsclite-dev at npm ci)',
    () => {
      try {
        createRequire(import.meta.url)('pcsclite');
        return true;
      } catch {
        return false;
      }
    },
  ],
];

/** Whether the PC/SC tests can run here; prints why not, and throws in CI. */
export function pcscStackAvailable(): boolean {
  const missing = PIECES.filter(([, present]) => !present()).map(([what]) => what);
  if (missing.length === 0) return true;
  const why = `the PC/SC stack is incomplete: missing ${missing.join(', ')}`;
  if (process.env.CI) throw new Error(`CI must provide it: ${why}`);
  console.warn(`Skipping the PC/SC tests: ${why}`);
  return false;
}

/** Waits until pcscd reports the virtual reader in the wanted state (it polls vpcd every 400 ms). */
export function readerState(readers: PcscReaders, cardPresent: boolean, reader = VIRTUAL_READER): Promise<ReaderState> {
  return readers.waitFor((s) => s.name === reader && s.cardPresent === cardPresent, 5000);
}

/** Takes any card off, waits until pcscd has seen that, then puts `card` on and waits for pcscd to see it. */
export async function putCard(slot: VpcdSlot, readers: PcscReaders, card: SimulatedCard, reader = VIRTUAL_READER): Promise<void> {
  await pullCard(slot, readers, reader);
  await slot.insert(card);
  await readerState(readers, true, reader);
}

export async function pullCard(slot: VpcdSlot, readers: PcscReaders, reader = VIRTUAL_READER): Promise<void> {
  await slot.remove();
  await readerState(readers, false, reader);
}
