import { createStorage, startPass, type TestStorage } from '../helpers/pass.ts';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from '../helpers/services.ts';
import type { FaceService } from '../../src/face/service/face-service.ts';
import type { ResidentFacts } from '../../src/jpki/dev-ca.ts';
import { proofedResident } from '../households/family-helpers.ts';
import { APP_REDIRECT, HANAKO, TARO } from '../jpki/proofing-helpers.ts';
import { faceEnv, photo, type Pass, until } from './platform.ts';

// Two PASS nodes sharing PostgreSQL and Redis: a gallery change on one reaches the other's memory.
const shared = TEST_DATABASE_URL && TEST_REDIS_URL ? describe : describe.skip;

shared('face galleries across two PASS nodes (postgres+redis)', () => {
  let storage: TestStorage;
  let a: Pass;
  let b: Pass;
  let fa: FaceService;
  let fb: FaceService;

  beforeAll(async () => {
    storage = await createStorage('postgres+redis');
    [a, b] = await Promise.all([startPass(faceEnv(storage.env)), startPass(faceEnv(storage.env))]);
    fa = a.provided.face!;
    fb = b.provided.face!;
    await a.oidc.clients.create({ clientId: 'pass-app-test', name: 'PASS app (test)', redirectUris: [APP_REDIRECT], tokenEndpointAuthMethod: 'none' });
  }, 60_000);

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await storage?.cleanup();
  });

  /** Faces are enrolled for proofed persons only: each resident proves themselves with a virtual card. */
  async function newPerson(email: string, facts: ResidentFacts): Promise<string> {
    const cardId = email.split('@')[0]!;
    const { accountId } = await proofedResident({ storage, pass: a, cards: a.provided.proofing!.pki.dev! }, email, facts, cardId);
    return fa.store.selfPerson(accountId);
  }

  test('enrollment, membership, replacement and deletion on one node reach the other', async () => {
    const gallery = 'facility:library-1';
    const guido = await newPerson('guido@example.jp', TARO);
    await fa.enroll(guido, await photo('guido_van_rossum', 1));
    await fa.addToGallery(gallery, guido);
    await until(() => fb.galleryHas(gallery, guido));
    const seen = await fb.identify(gallery, await photo('guido_van_rossum', 2));
    expect(seen).toMatchObject({ matched: true, best: { personId: guido } });

    // A replacement on B is what A then matches against.
    await fb.enroll(guido, await photo('kit_harington', 1));
    await until(async () => (await fa.identify(gallery, await photo('kit_harington', 2))).matched);

    await fa.removeFromGallery(gallery, guido);
    await until(() => !fb.galleryHas(gallery, guido));
    await fa.addToGallery(gallery, guido);
    await until(() => fb.galleryHas(gallery, guido));

    // Deleting the person (cascade) and announcing it empties both nodes' galleries.
    await a.platform.db('persons').where({ id: guido }).delete();
    await fa.personRemoved(guido);
    await until(() => !fb.galleryHas(gallery, guido) && !fa.galleryHas(gallery, guido));
    expect(await b.platform.db('face_templates').where({ person_id: guido })).toHaveLength(0);
  });

  test('reconciliation catches a change that was never announced', async () => {
    const gallery = 'facility:pool';
    const rose = await newPerson('rose@example.jp', HANAKO);
    await fa.enroll(rose, await photo('rose_leslie', 1));
    await fa.addToGallery(gallery, rose);
    // A node started after those announcements loads them from the database and has none still in flight,
    // so the only thing that can change its memory below is reconciliation.
    const c = await startPass(faceEnv(storage.env));
    try {
      const fc = c.provided.face!;
      expect(fc.galleryHas(gallery, rose)).toBe(true);
      // Straight in the database, as a bulk import or a missed pub/sub message would leave it.
      await a.platform.db('persons').where({ id: rose }).delete();
      expect(fc.galleryHas(gallery, rose)).toBe(true);
      expect(await fc.reconcile()).toBe(1);
      expect(fc.galleryHas(gallery, rose)).toBe(false);
    } finally {
      await c.close();
    }
  });

  test('a node started later loads the galleries from the database', async () => {
    const gallery = 'municipality:172065';
    const steve = await newPerson('woz@example.jp', { ...TARO, name: '加賀　三郎', birthdate: '1990-04-01' });
    await fa.enroll(steve, await photo('steve_wozniak', 1));
    await fa.addToGallery(gallery, steve);
    const c = await startPass(faceEnv(storage.env));
    try {
      const fc = c.provided.face!;
      expect(fc.gallerySize(gallery)).toBe(1);
      expect(await fc.identify(gallery, await photo('steve_wozniak', 2))).toMatchObject({ matched: true, best: { personId: steve } });
    } finally {
      await c.close();
    }
  });
});
