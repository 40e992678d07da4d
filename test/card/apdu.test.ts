// The byte-level pieces of the card library: command and response APDUs, status words, BER-TLV
// headers, the reason texts — and that the library's core stays free of Node-only APIs, so the
// kiosk page can run it.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readTlvHeader, readRecord } from '../../src/card/ber-tlv.ts';
import { fromHex, toHex } from '../../src/card/bytes.ts';
import { CARD_REASONS, CardError, describeCardError, encodeCommand, parseCommand, parseResponse, statusOf, type CommandApdu } from '../../src/card/index.ts';
import { parseSurfaceRecord } from '../../src/card/surface-record.ts';
import { reasonOf } from './card-fixtures.ts';

const hex = (bytes: Uint8Array) => toHex(bytes);

describe('command APDUs (ISO 7816-4 §5.1)', () => {
  test.each([
    ['case 1: VERIFY with no data (the retry query)', { cla: 0, ins: 0x20, p1: 0, p2: 0x80 }, '00200080'],
    ['case 2 short, Le 256 as 00', { cla: 0, ins: 0xb0, p1: 0, p2: 0, le: 256 }, '00B0000000'],
    ['case 3 short: SELECT the JPKI-AP (JPKI.md §1.1)', { cla: 0, ins: 0xa4, p1: 4, p2: 0x0c, data: fromHex('D392F000260100000001') }, '00A4040C0AD392F000260100000001'],
    ['case 4 short: sign with Le 00', { cla: 0x80, ins: 0x2a, p1: 0, p2: 0x80, data: new Uint8Array(51), le: 256 }, `802A008033${'00'.repeat(51)}00`],
    ['case 2 extended: Le 2000', { cla: 0, ins: 0xb0, p1: 0, p2: 8, le: 2000 }, '00B00008' + '0007D0'],
    ['case 2 extended: Le 65536 as 0000', { cla: 0, ins: 0xb0, p1: 0, p2: 0, le: 65536 }, '00B00000000000'],
    ['case 3 extended: 300 bytes of data', { cla: 0, ins: 0xd6, p1: 0, p2: 0, data: new Uint8Array(300) }, `00D6000000012C${'00'.repeat(300)}`],
    ['case 4 extended (forced)', { cla: 0x80, ins: 0x2a, p1: 0, p2: 0, data: Uint8Array.of(1, 2), le: 256, extended: true }, '802A00000000020102' + '0100'],
  ])('%s', (_name, command: CommandApdu, expected) => {
    const bytes = encodeCommand(command);
    expect(hex(bytes)).toBe(expected);
    const parsed = parseCommand(bytes)!;
    expect([parsed.cla, parsed.ins, parsed.p1, parsed.p2]).toEqual([command.cla, command.ins, command.p1, command.p2]);
    expect(hex(parsed.data)).toBe(hex(command.data ?? new Uint8Array(0)));
    expect(parsed.le).toBe(command.le);
  });

  test('lengths the card could misread are never built', async () => {
    expect(() => encodeCommand({ cla: 0, ins: 0xb0, p1: 0, p2: 0, le: 0 })).toThrow(CardError);
    expect(() => encodeCommand({ cla: 0, ins: 0xb0, p1: 0, p2: 0, le: 65537 })).toThrow(CardError);
    expect(() => encodeCommand({ cla: 0x100, ins: 0xb0, p1: 0, p2: 0 })).toThrow(CardError);
    expect(() => encodeCommand({ cla: 0, ins: 0xd6, p1: 0, p2: 0, data: new Uint8Array(65536) })).toThrow(CardError);
  });

  test('commands whose lengths do not add up are not parsed', () => {
    for (const h of ['00A4', '00A4040C0AD392', '00A4040C02000100FF', '00B000000000', '00B0000000000501']) expect(parseCommand(fromHex(h))).toBeUndefined();
  });
});

describe('responses and status words (JPKI.md §1.4)', () => {
  test('data and SW1 SW2', () => {
    expect(parseResponse(fromHex('01029000'), 10)).toEqual({ data: Uint8Array.of(1, 2), sw: 0x9000 });
    expect(() => parseResponse(fromHex('90'), 10)).toThrow(CardError);
    expect(() => parseResponse(new Uint8Array(13), 10)).toThrow(expect.objectContaining({ reason: 'response_too_large' }));
  });

  test.each([
    ['9000', 0x9000, { kind: 'ok' }],
    ['63C2', 0x63c2, { kind: 'tries_left', triesLeft: 2 }],
    ['63C0', 0x63c0, { kind: 'tries_left', triesLeft: 0 }],
    ['6984', 0x6984, { kind: 'locked' }],
    ['6983', 0x6983, { kind: 'locked' }],
    ['6982', 0x6982, { kind: 'security_not_satisfied' }],
    ['6A82', 0x6a82, { kind: 'not_found' }],
    ['6C10', 0x6c10, { kind: 'wrong_le', exact: 16 }],
    ['6C00', 0x6c00, { kind: 'wrong_le', exact: 256 }],
    ['6120', 0x6120, { kind: 'more_data', available: 32 }],
    ['6700', 0x6700, { kind: 'wrong_length' }],
    ['6282', 0x6282, { kind: 'end_of_file' }],
    ['6F00', 0x6f00, { kind: 'error', sw: 0x6f00 }],
  ])('%s', (_label, sw, status) => {
    expect(statusOf(sw)).toEqual(status);
  });
});

describe('BER-TLV headers', () => {
  test('a DER certificate header, a two-byte tag, and what is refused', () => {
    expect(readTlvHeader(fromHex('308206A0'))).toEqual({ tag: 0x30, headerLength: 4, valueLength: 0x6a0 });
    expect(readTlvHeader(fromHex('FF208201F4'))).toEqual({ tag: 0xff20, headerLength: 5, valueLength: 500 });
    expect(readTlvHeader(fromHex('7F2181'))).toBeUndefined(); // truncated: more must be read
    expect(() => readTlvHeader(fromHex('3080'))).toThrow(CardError); // indefinite
    expect(() => readTlvHeader(fromHex('30840000000100'))).toThrow(CardError); // 4-byte length
    expect(() => readTlvHeader(fromHex('FFFFFFFF01'))).toThrow(CardError); // 4-byte tag (an erased file)
  });

  test('records refuse duplicates, overruns and the wrong outer tag', () => {
    expect(() => readRecord(fromHex('FF2008DF2201AADF2201BB'), 0xff20)).toThrow(/twice/);
    expect(() => readRecord(fromHex('FF2004DF2205AA'), 0xff20)).toThrow(/past the end/);
    expect(() => readRecord(fromHex('FF3000'), 0xff20)).toThrow(/expected tag FF20/);
  });

  test('a surface record without a JPEG 2000 photo is refused', () => {
    const field = (tag: number, text: string) => [...fromHex(tag.toString(16)), text.length, ...new TextEncoder().encode(text)];
    const body = [
      ...field(0xdf22, '19800217'), ...field(0xdf23, '1'), ...field(0xdf24, 'k'), ...field(0xdf25, 'n'), ...field(0xdf26, 'a'),
      ...field(0xdf27, 'GIF89a'), ...field(0xdf28, 's'), ...field(0xdf29, '20360217'), ...field(0xdf2a, 'c'),
    ];
    const record = Uint8Array.from([0xff, 0x20, 0x81, body.length, ...body]);
    expect(() => parseSurfaceRecord(record)).toThrow(/not JPEG 2000/);
  });
});

describe('reasons', () => {
  test('every reason has Japanese and English words; tries left are added where they count', async () => {
    for (const reason of CARD_REASONS.reasons) {
      const text = CARD_REASONS.text(reason)!;
      expect(text.ja.length).toBeGreaterThan(3);
      expect(text.en.length).toBeGreaterThan(3);
    }
    const one = new CardError('wrong_pin', undefined, { triesLeft: 1, sw: 0x63c1 });
    expect(describeCardError(one, 'ja')).toBe('暗証番号が違います。あと 1 回間違えるとロックされます。');
    expect(describeCardError(one, 'en')).toBe('Wrong PIN. 1 more wrong try locks it.');
    expect(one.details).toEqual({ attempts_left: 1, sw: '63C1' });
    expect(describeCardError(new CardError('card_removed'), 'en')).toBe('The card left the reader. Place it on the reader again.');
    expect(await reasonOf(Promise.reject(new CardError('pin_locked')))).toBe('pin_locked');
  });
});

describe('portability', () => {
  const CARD_DIR = path.resolve(fileURLToPath(new URL('../../src/card', import.meta.url)));
  const core = readdirSync(CARD_DIR).filter((f) => f.endsWith('.ts'));

  test('the core (everything but simulator/) uses no Node-only API and imports nothing that does', () => {
    const offending: string[] = [];
    for (const file of core) {
      const code = readFileSync(path.join(CARD_DIR, file), 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      if (/\bfrom\s+['"]node:|\brequire\(|\bBuffer\b|\bprocess\.|\b__dirname\b/.test(code)) offending.push(file);
      for (const [, spec] of code.matchAll(/from\s+['"]([^'"]+)['"]/g)) {
        const allowed = spec!.startsWith('./') || spec === '../core/errors.ts' || spec === '../core/reasons.ts';
        if (!allowed) offending.push(`${file} → ${spec}`);
      }
    }
    expect(offending).toEqual([]);
    expect(core.length).toBeGreaterThan(10);
  });

  test('what the core borrows from src/core is itself free of Node-only APIs', () => {
    for (const file of ['errors.ts', 'reasons.ts']) {
      const code = readFileSync(path.resolve(CARD_DIR, '../core', file), 'utf8');
      expect(code).not.toMatch(/from\s+['"]node:|\bBuffer\b/);
    }
  });
});
