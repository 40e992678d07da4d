import sharp from 'sharp';
import { storageModes } from '../helpers/services.ts';
import { proofedResident } from '../households/family-helpers.ts';
import { HANAKO, startEnv, stopEnv, TARO, type Env } from '../jpki/proofing-helpers.ts';
import { faceKeyringFrom, templateContext } from '../../src/face/service/keys.ts';
import { openTemplate } from '../../src/face/template/template.ts';
import { createKeyring } from '../../src/face/template/keyring.ts';
import { FACE_MESSAGES } from '../../src/face/messages.ts';
import { TemplateError } from '../../src/face/errors.ts';
import { faceApi, faceEnv, photo, type Pass } from './platform.ts';
import { bilevelPng, collage, fiftyMegapixelPng } from './images.ts';

// The resident's face API end to end, with the real models in worker threads, on every storage mode.
// Faces are enrolled for proofed persons only: the residents prove themselves with a virtual card first.
describe.each(storageModes())('face API on %s', (mode) => {
  let env: Env;
  let pass: Pass;
  let token: string;
  let accountId: string;

  beforeAll(async () => {
    env = await startEnv(mode, faceEnv({}, { FACE_MAX_UPLOAD_BYTES: String(1024 * 1024) }));
    pass = env.pass;
    ({ token, accountId } = await proofedResident(env, 'kao@example.jp', TARO, 'kao'));
  }, 60_000);

  afterAll(async () => stopEnv(env));

  const templates = () => pass.platform.db('face_templates').select('*');

  test('the reason texts are public, in Japanese and English', async () => {
    const response = await fetch(new URL('/api/face/messages', pass.issuer));
    const body = (await response.json()) as Record<string, { ja: string; en: string }>;
    expect(response.status).toBe(200);
    expect(body.face_too_small?.ja).toMatch(/カメラに近づいて/);
    for (const [reason, text] of Object.entries(FACE_MESSAGES)) expect(body[reason]).toEqual(text);
  });

  test('the API needs a resident token for the PASS API', async () => {
    expect((await faceApi(pass, 'GET', undefined)).status).toBe(401);
    expect((await faceApi(pass, 'GET', 'not-a-token')).status).toBe(401);
    // A client-only token (a service, a kiosk) has no resident behind it.
    const client = await pass.oidc.clients.create({ name: 'face service', grantTypes: ['client_credentials'], redirectUris: [] });
    const response = await fetch(new URL('/token', pass.issuer), {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'pass:api', resource: `${pass.issuer}/api` }),
    });
    const { access_token: serviceToken } = (await response.json()) as { access_token: string };
    const refused = await faceApi(pass, 'GET', serviceToken);
    expect(refused.status).toBe(403);
    expect(refused.body.reason).toBe('account_required');
  });

  test('refused uploads give their reason code and a message, and store nothing', async () => {
    const blank = await sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 128, g: 128, b: 128 } } }).png().toBuffer();
    const cases: Array<[string, Uint8Array, string, number, string]> = [
      ['wrong content type', await photo('obama', 1), 'text/plain', 415, 'unsupported_media_type'],
      ['content type lies', Buffer.from('GIF89a not really'), 'image/png', 400, 'unsupported_image'],
      ['corrupt JPEG', Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(2000, 7)]), 'image/jpeg', 400, 'corrupt_image'],
      ['no face', blank, 'image/png', 400, 'no_face'],
      ['two faces', await collage(await photo('obama', 1), await photo('biden', 1)), 'image/jpeg', 400, 'multiple_faces'],
      ['a tiny face', await sharp(await photo('obama', 1)).resize(180).jpeg().toBuffer(), 'image/jpeg', 400, 'face_too_small'],
      ['50 megapixels', await fiftyMegapixelPng(), 'image/png', 413, 'image_too_large'],
      ['decompression bomb (400 MP in a small PNG)', bilevelPng(20000, 20000), 'image/png', 413, 'image_too_large'],
      ['over the upload limit', Buffer.alloc(1024 * 1024 + 1, 0xff), 'image/jpeg', 413, 'image_too_large'],
      ['empty body', new Uint8Array(0), 'image/jpeg', 400, 'empty_body'],
    ];
    for (const [name, bytes, type, status, reason] of cases) {
      const answer = await faceApi(pass, 'POST', token, bytes, type);
      expect({ name, status: answer.status, reason: answer.body.reason }).toEqual({ name, status, reason });
      expect(answer.body.message).toEqual(FACE_MESSAGES[reason as keyof typeof FACE_MESSAGES]);
    }
    expect(await templates()).toHaveLength(0);
    expect((await faceApi(pass, 'GET', token)).body).toEqual({ available: true, enrolled: false });
  });

  test('enroll, replace, status and delete; templates are sealed and never returned', async () => {
    const created = await faceApi(pass, 'POST', token, await photo('obama', 1));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ enrolled: true, current: true, replaced: false, presentationAttack: { status: 'not_checked' } });
    expect(Object.keys(created.body).sort()).toEqual(['current', 'enrolled', 'enrolledAt', 'modelId', 'presentationAttack', 'quality', 'replaced']);

    const replaced = await faceApi(pass, 'POST', token, await photo('obama', 2));
    expect(replaced.status).toBe(200);
    expect(replaced.body.replaced).toBe(true);

    const status = await faceApi(pass, 'GET', token);
    expect(status.body).toEqual({ available: true, enrolled: true, current: true, modelId: created.body.modelId, enrolledAt: expect.any(String) });

    // The database holds one sealed template for the account's own person, created on first use.
    const person = await pass.platform.db('persons').where({ account_id: accountId, relation: 'self' }).first();
    const rows = await templates();
    expect(rows).toHaveLength(1);
    const row = rows[0] as { person_id: string; key_id: string; model_id: string; template: Uint8Array };
    expect(row.person_id).toBe(person.id);
    expect(row.key_id).toBe(pass.platform.config.encryptionKeys[0]!.id);
    const keyring = faceKeyringFrom(pass.platform.config.encryptionKeys);
    const { embedding } = openTemplate(row.template, { keyring, context: templateContext(person.id) });
    expect(embedding).toHaveLength(512);
    const plain = Buffer.from(embedding.buffer, embedding.byteOffset, embedding.byteLength);
    for (let at = 0; at < plain.length; at += 256) expect(Buffer.from(row.template).includes(plain.subarray(at, at + 16))).toBe(false);
    // Only the platform's (derived) key opens it, and only for its own person.
    const raw = createKeyring({ active: row.key_id, keys: { [row.key_id]: pass.platform.config.encryptionKeys[0]!.key } });
    expect(() => openTemplate(row.template, { keyring: raw, context: templateContext(person.id) })).toThrow(TemplateError);
    expect(() => openTemplate(row.template, { keyring, context: templateContext(accountId) })).toThrow(TemplateError);
    // No answer carried the embedding.
    for (const answer of [created, replaced, status]) expect(answer.text).not.toMatch(/embedding|template|\[(-?\d\.\d+,){8}/);

    // 1:1 on the service: the same person matches, another does not.
    const service = pass.provided.face!;
    expect((await service.verify(person.id, await photo('obama', 3))).matched).toBe(true);
    expect((await service.verify(person.id, await photo('biden', 1))).matched).toBe(false);

    const deleted = await faceApi(pass, 'DELETE', token);
    expect(deleted.status).toBe(204);
    expect(await templates()).toHaveLength(0);
    expect((await faceApi(pass, 'GET', token)).body).toEqual({ available: true, enrolled: false });
    expect((await faceApi(pass, 'DELETE', token)).status).toBe(204);
  });

  test('deleting a person removes their template and takes them out of every gallery', async () => {
    const service = pass.provided.face!;
    const { accountId: other } = await proofedResident(env, 'biden@example.jp', HANAKO, 'biden');
    const personId = await service.store.selfPerson(other);
    await service.enroll(personId, await photo('biden', 1));
    await service.addToGallery('facility:gym', personId);
    await service.addToGallery('municipality:172065', personId);
    expect(service.gallerySize('facility:gym')).toBe(1);
    const found = await service.identify('facility:gym', await photo('biden', 2));
    expect(found).toMatchObject({ matched: true, best: { personId } });
    expect((await service.identify('facility:gym', await photo('obama', 1))).matched).toBe(false);

    await pass.platform.db('persons').where({ id: personId }).delete();
    await service.personRemoved(personId);
    expect(await pass.platform.db('face_templates').where({ person_id: personId })).toHaveLength(0);
    expect(await pass.platform.db('face_gallery_members').where({ person_id: personId })).toHaveLength(0);
    expect(service.gallerySize('facility:gym')).toBe(0);
    expect(service.gallerySize('municipality:172065')).toBe(0);
  });
});
