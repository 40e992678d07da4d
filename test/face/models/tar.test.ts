// The strict tar reader on archives written byte by byte here: the well-formed ones it reads, and
// each kind of odd archive it must refuse. (fetch.test.ts reads tarballs GNU tar wrote.)
import { extractTarMember, TarFormatError } from '../../../src/face/models/tar.ts';

interface Entry {
  name: string;
  data?: Buffer;
  type?: string;
  prefix?: string;
  /** Overrides the size field's text (e.g. a non-octal or base-256 value). */
  sizeField?: Buffer;
  breakChecksum?: boolean;
  /** 8 bytes at offset 257; POSIX ustar by default. */
  magic?: string;
}

function header(entry: Entry): Buffer {
  const block = Buffer.alloc(512);
  block.write(entry.name, 0, 100, 'utf8');
  block.write('0000644\0', 100, 'latin1');
  block.write('0000000\0', 108, 'latin1');
  block.write('0000000\0', 116, 'latin1');
  if (entry.sizeField) entry.sizeField.copy(block, 124);
  else block.write(`${(entry.data?.length ?? 0).toString(8).padStart(11, '0')}\0`, 124, 'latin1');
  block.write('00000000000\0', 136, 'latin1');
  block.write(entry.type ?? '0', 156, 'latin1');
  block.write(entry.magic ?? 'ustar\u000000', 257, 'latin1');
  if (entry.prefix) block.write(entry.prefix, 345, 155, 'utf8');
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of block) sum += b;
  if (entry.breakChecksum) sum += 1;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return block;
}

function archive(entries: Entry[], { end = 2, trailer = Buffer.alloc(0) } = {}): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    parts.push(header(entry));
    const data = entry.data ?? Buffer.alloc(0);
    parts.push(data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(512 * end), trailer);
  return Buffer.concat(parts);
}

function pax(records: Record<string, string>): Buffer {
  let body = '';
  for (const [key, value] of Object.entries(records)) {
    const rest = ` ${key}=${value}\n`;
    let length = rest.length + 1;
    while (String(length).length + rest.length !== length) length = String(length).length + rest.length;
    body += `${length}${rest}`;
  }
  return Buffer.from(body);
}

/** The archive in small, uneven chunks, as a gunzip stream hands them out. */
async function* chunks(bytes: Buffer): AsyncGenerator<Buffer> {
  for (let at = 0, step = 1; at < bytes.length; at += step, step = (step * 7 + 3) % 1000 || 1) yield bytes.subarray(at, at + step);
}

async function read(bytes: Buffer, member: string, limits?: { maxEntries: number; maxTotalBytes: number }): Promise<Buffer> {
  const out: Buffer[] = [];
  const size = await extractTarMember(chunks(bytes), member, (c) => void out.push(Buffer.from(c)), limits);
  const data = Buffer.concat(out);
  expect(data.length).toBe(size);
  return data;
}

const model = Buffer.from(Array.from({ length: 1300 }, (_, i) => i % 251));

describe('reads', () => {
  test('one member among directories and other files, its bytes exact across 512-byte padding', async () => {
    const tar = archive([
      { name: 'package/', type: '5' },
      { name: 'package/package.json', data: Buffer.from('{}') },
      { name: 'package/model/fr_feature.onnx', data: model },
      { name: 'package/model/other.onnx', data: Buffer.alloc(700, 9) },
    ]);
    expect(await read(tar, 'package/model/fr_feature.onnx')).toEqual(model);
  });

  test('a ustar prefix, a pax path and a GNU long name', async () => {
    const long = `package/${'d'.repeat(120)}/fr_feature.onnx`;
    expect(await read(archive([{ prefix: 'package/model', name: 'fr_feature.onnx', data: model }]), 'package/model/fr_feature.onnx')).toEqual(model);
    expect(await read(archive([{ name: 'PaxHeader', type: 'x', data: pax({ path: long, mtime: '499162500' }) }, { name: 'truncated-name', data: model }]), long)).toEqual(model);
    expect(await read(archive([{ name: '././@LongLink', type: 'L', data: Buffer.from(`${long}\0`) }, { name: 'truncated-name', data: model }]), long)).toEqual(model);
  });

  test('trailing zero blocks past the two end blocks (a padded last record)', async () => {
    const tar = archive([{ name: 'package/m.onnx', data: model }], { end: 20 });
    expect(await read(tar, 'package/m.onnx')).toEqual(model);
  });
});

describe('refuses', () => {
  const cases: Array<[string, Buffer, RegExp]> = [
    ['a symbolic link', archive([{ name: 'package/link', type: '2' }, { name: 'package/m.onnx', data: model }]), /type "2"/],
    ['a hard link', archive([{ name: 'package/link', type: '1' }, { name: 'package/m.onnx', data: model }]), /type "1"/],
    ['a device', archive([{ name: 'package/dev', type: '3' }, { name: 'package/m.onnx', data: model }]), /type "3"/],
    ['a path that climbs out', archive([{ name: 'package/../../etc/x', data: Buffer.from('x') }, { name: 'package/m.onnx', data: model }]), /leaves the archive/],
    ['an absolute path', archive([{ name: '/etc/passwd', data: Buffer.from('x') }, { name: 'package/m.onnx', data: model }]), /absolute/],
    ['a pax path that climbs out', archive([{ name: 'PaxHeader', type: 'x', data: pax({ path: '../m.onnx' }) }, { name: 'package/m.onnx', data: model }]), /leaves the archive/],
    ['a bad header checksum', archive([{ name: 'package/m.onnx', data: model, breakChecksum: true }]), /checksum mismatch/],
    ['a size that is not octal', archive([{ name: 'package/m.onnx', data: model, sizeField: Buffer.from('00000002x14\0') }]), /not an octal number/],
    ['a base-256 size', archive([{ name: 'package/m.onnx', data: model, sizeField: Buffer.from([0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 20]) }]), /base-256/],
    ['the member twice', archive([{ name: 'package/m.onnx', data: model }, { name: 'package/m.onnx', data: Buffer.from('evil') }]), /twice/],
    ['garbage after the end blocks', archive([{ name: 'package/m.onnx', data: model }], { trailer: Buffer.from('more') }), /after the end-of-archive/],
    ['a missing end block', archive([{ name: 'package/m.onnx', data: model }], { end: 1 }), /second end-of-archive block/],
    ['no end blocks at all', archive([{ name: 'package/m.onnx', data: model }], { end: 0 }), /without its end-of-archive blocks/],
    ['a truncated entry', archive([{ name: 'package/m.onnx', data: model }]).subarray(0, 512 + 700), /truncated/],
    ['a directory with data', archive([{ name: 'package/', type: '5', data: Buffer.from('x') }, { name: 'package/m.onnx', data: model }]), /has data/],
    ['a pax record that overruns', archive([{ name: 'PaxHeader', type: 'x', data: Buffer.from('99 path=x\n') }, { name: 'package/m.onnx', data: model }]), /overruns/],
    ['an archive without the member', archive([{ name: 'package/other.onnx', data: model }]), /package\/m\.onnx is not in the archive/],
    ['a v7 header (no ustar magic)', archive([{ name: 'package/m.onnx', data: model, magic: '\0\0\0\0\0\0\0\0' }]), /not a ustar archive/],
  ];

  test.each(cases)('%s', async (_what, tar, message) => {
    const refused = read(tar, 'package/m.onnx');
    await expect(refused).rejects.toThrow(TarFormatError);
    await expect(read(tar, 'package/m.onnx')).rejects.toThrow(message);
  });

  test('more entries or more data than the limits allow', async () => {
    const many = archive(Array.from({ length: 5 }, (_, i) => ({ name: `package/f${i}`, data: Buffer.from('x') })));
    await expect(read(many, 'package/f4', { maxEntries: 4, maxTotalBytes: 1e6 })).rejects.toThrow(/more than 4 entries/);
    const big = archive([{ name: 'package/m.onnx', data: model }]);
    await expect(read(big, 'package/m.onnx', { maxEntries: 10, maxTotalBytes: 1000 })).rejects.toThrow(/more than 1000 bytes/);
  });
});
