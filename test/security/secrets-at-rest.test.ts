// Secrets at rest: after a real sign-up of a confidential client, signing keys and a face
// enrollment, every row of every table is read raw (as an insider with the database would) and
// searched for the private key material, the client secret, the password and the face embedding,
// in every encoding they could take. None may be there in clear.
import type { JWK } from 'jose';
import { createStorage, startPass, type TestStorage } from '../helpers/pass.ts';
import { storageModes } from '../helpers/services.ts';
import { faceApi, faceEnv, photo, residentToken, PASSWORD, type Pass } from '../face/platform.ts';
import { faceKeyringFrom, templateContext } from '../../src/face/service/keys.ts';
import { openTemplate } from '../../src/face/template/template.ts';
import { proofedResident } from '../kiosk/fixtures.ts';
import { HANAKO, proveAndConfirm } from '../jpki/proofing-helpers.ts';

const modes = storageModes().filter((m) => m !== 'postgres+redis');

interface Needle {
  what: string;
  bytes: Buffer;
}

/** Every encoding a value could be stored in: raw bytes, UTF-8 text, hex, base64 and base64url. */
function needles(what: string, value: Buffer | string): Needle[] {
  const raw = typeof value === 'string' ? Buffer.from(value) : value;
  return [
    { what: `${what} (raw)`, bytes: raw },
    { what: `${what} (hex)`, bytes: Buffer.from(raw.toString('hex')) },
    { what: `${what} (base64)`, bytes: Buffer.from(raw.toString('base64').replace(/=+$/, '')) },
    { what: `${what} (base64url)`, bytes: Buffer.from(raw.toString('base64url')) },
  ];
}

/** Development-only tables (virtual cards and their labels, the dev CA): refused in production. */
const DEVELOPMENT_TABLES = /^(jpki_dev_|text_ap_dev_)/;

/** The whole database as bytes per row: text as UTF-8, bytea as itself, JSON as its text. */
async function dumpRows(pass: Pass): Promise<Array<{ table: string; bytes: Buffer }>> {
  const { db } = pass.platform;
  const tables = ((await db('information_schema.tables').where({ table_schema: 'public', table_type: 'BASE TABLE' }).select('table_name')) as Array<{ table_name: string }>).map((t) => t.table_name);
  const out: Array<{ table: string; bytes: Buffer }> = [];
  for (const table of tables.filter((t) => !DEVELOPMENT_TABLES.test(t))) {
    for (const row of (await db(table).select('*')) as Array<Record<string, unknown>>) {
      const parts = Object.values(row).map((v) => (Buffer.isBuffer(v) || v instanceof Uint8Array ? Buffer.from(v) : Buffer.from(typeof v === 'string' ? v : (JSON.stringify(v) ?? ''))));
      out.push({ table, bytes: Buffer.concat(parts.flatMap((p) => [p, Buffer.from('\u0001')])) });
    }
  }
  return out;
}

describe.each(modes)('secrets at rest (%s)', (mode) => {
  let storage: TestStorage;
  let pass: Pass;

  beforeAll(async () => {
    storage = await createStorage(mode);
    pass = await startPass(faceEnv(storage.env));
  }, 90_000);

  afterAll(async () => {
    await pass?.close();
    await storage?.cleanup();
  });

  test('signing keys, client secrets, passwords, face templates and verified identity facts are nowhere in clear', async () => {
    // 加賀　太郎, proofed with the development card (the verified basic four are stored sealed).
    await proofedResident(pass);
    const client = await pass.oidc.clients.create({ name: 'at-rest RP', redirectUris: ['https://rp.example/cb'] });
    const resident = await residentToken(pass, 'at-rest@pass.localhost');
    // Only a proofed person enrolls a face: this resident proves themselves with a virtual card too.
    const cards = pass.provided.proofing!.pki.dev!;
    await cards.issue(HANAKO, { id: 'at-rest' });
    const proofed = await proveAndConfirm({ storage, pass, cards }, resident.token, 'at-rest');
    if (proofed.status !== 200) throw new Error(`proofing: ${JSON.stringify(proofed.body)}`);
    const enrolled = await faceApi(pass, 'POST', resident.token, await photo('obama', 1));
    expect([200, 201]).toContain(enrolled.status);

    const search: Needle[] = [];
    // Private halves of every signing key (RSA: d, p, q, dp, dq, qi; EC: d).
    const { keys } = await pass.platform.keys.providerJwks();
    expect(keys.length).toBeGreaterThanOrEqual(2);
    for (const jwk of keys as Array<JWK & Record<string, string>>) {
      for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi'].filter((m) => jwk[m])) {
        search.push(...needles(`signing key ${jwk.kid} ${member}`, Buffer.from(jwk[member]!, 'base64url')));
        search.push({ what: `signing key ${jwk.kid} ${member} (as JWK text)`, bytes: Buffer.from(jwk[member]!) });
      }
    }
    search.push(...needles('client secret', client.clientSecret!));
    search.push(...needles('password', PASSWORD));
    for (const fact of ['加賀　太郎', '石川県加賀市作見町', '1980-02-17', '19800217']) search.push({ what: `identity fact ${fact}`, bytes: Buffer.from(fact) });
    // The embedding, as the face service sees it once opened with the platform's keys.
    const person = (await pass.platform.db('face_templates').first()) as { person_id: string; template: Uint8Array };
    const { embedding } = openTemplate(new Uint8Array(person.template), { keyring: faceKeyringFrom(pass.platform.config.encryptionKeys), context: templateContext(person.person_id) });
    const floats = Buffer.from(embedding.buffer, embedding.byteOffset, embedding.byteLength);
    // Any 32 consecutive bytes (8 floats) of it, from a few places, in every encoding; and as numbers in text.
    for (const at of [0, 512, 1024, floats.length - 32]) search.push(...needles(`embedding bytes @${at}`, floats.subarray(at, at + 32)));
    search.push({ what: 'embedding as decimal text', bytes: Buffer.from(Array.from(embedding.subarray(0, 4), (f) => String(f)).join(',')) });
    const element = String(embedding[7]);
    if (element.length >= 8) search.push({ what: 'embedding element as decimal text', bytes: Buffer.from(element) });

    const rows = await dumpRows(pass);
    expect(rows.length).toBeGreaterThan(20);
    const found = search.flatMap((needle) => rows.filter((r) => r.bytes.includes(needle.bytes)).map((r) => `${needle.what} in ${r.table}`));
    expect(found).toEqual([]);

    // And the stored forms are what the code says: sealed (v1.<key id>…) and argon2id.
    const keyRows = (await pass.platform.db('oidc_signing_keys').select('jwk_sealed')) as Array<{ jwk_sealed: string }>;
    for (const row of keyRows) expect(row.jwk_sealed).toMatch(/^v1\.dev\./);
    const clientRow = (await pass.platform.db('oidc_clients').where({ client_id: client.clientId }).first()) as { client_secret_sealed: string; metadata: Record<string, unknown> };
    expect(clientRow.client_secret_sealed).toMatch(/^v1\.dev\./);
    expect(clientRow.metadata).not.toHaveProperty('client_secret');
    const account = (await pass.platform.db('accounts').where({ id: resident.accountId }).first()) as { password_hash: string };
    expect(account.password_hash).toMatch(/^\$argon2id\$/);
  }, 90_000);
});
