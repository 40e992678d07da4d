/**
 * The PC/SC binding, loaded only when a reader is wanted. `pcsclite` (node-gyp over
 * libpcsclite, Debian's pcscd) is an optional dependency: PASS's server never needs it, and a
 * machine without libpcsclite-dev and a compiler (the server image) installs without it. The types
 * are declared here rather than imported, so the project typechecks where it is not installed.
 */
import { createRequire } from 'node:module';
import { CardError } from '../errors.ts';

/** The constants and calls of pcsclite's CardReader that PASS uses (its index.d.ts, narrowed). */
export interface BindingReader {
  readonly name: string;
  readonly connected: boolean;
  readonly SCARD_SHARE_SHARED: number;
  readonly SCARD_SHARE_EXCLUSIVE: number;
  readonly SCARD_PROTOCOL_T0: number;
  readonly SCARD_PROTOCOL_T1: number;
  readonly SCARD_STATE_PRESENT: number;
  readonly SCARD_STATE_MUTE: number;
  readonly SCARD_LEAVE_CARD: number;
  readonly SCARD_RESET_CARD: number;
  readonly SCARD_UNPOWER_CARD: number;
  on(event: 'status', listener: (status: { state: number; atr?: Buffer }) => void): this;
  on(event: 'end', listener: () => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
  connect(options: { share_mode: number; protocol: number }, callback: (error: Error | null | undefined, protocol: number) => void): void;
  disconnect(disposition: number, callback: (error: Error | null | undefined) => void): void;
  transmit(data: Buffer, responseLength: number, protocol: number, callback: (error: Error | null | undefined, response: Buffer) => void): void;
  close(): void;
}

export interface BindingContext {
  on(event: 'reader', listener: (reader: BindingReader) => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
  close(): void;
}

export type PcscBinding = () => BindingContext;

/** pcsclite's factory, or a `transport_error` saying how to get it. */
export function loadPcscBinding(): PcscBinding {
  try {
    return createRequire(import.meta.url)('pcsclite') as PcscBinding;
  } catch (error) {
    throw new CardError(
      'transport_error',
      'the PC/SC binding (the optional dependency pcsclite) is not installed or did not build: install libpcsclite-dev and a C++ compiler, then run npm ci',
      {},
      { cause: error },
    );
  }
}
