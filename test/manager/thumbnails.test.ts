/**
 * Alert thumbnails, with the face models: off unless a facility or municipal admin turns them on;
 * then a refused face check-in (the real kiosk API, a stranger's photo) keeps a 160×160 JPEG,
 * sealed, for the configured minutes only; the alert says a thumbnail exists (never carries it);
 * reading it is audited and limited to the facility's staff; once expired it is gone and purged.
 */
import '../face/realm.ts';
import { randomUUID } from 'node:crypto';
import sharp from 'sharp';
import { createStorage, startPass, type TestStorage } from '../helpers/pass.ts';
import { storageModes } from '../helpers/services.ts';
import { faceEnv, photo } from '../face/platform.ts';
import { provisionKiosk, type Pass, type TestKiosk } from '../kiosk/helpers.ts';
import { AlertSettingsStore } from '../../src/manager/alerts/alert-settings.ts';
import { ThumbnailStore } from '../../src/manager/alerts/thumbnails.ts';
import { api, staffTokens, staffWorld, STAFF } from './helpers.ts';
import { SseClient } from './sse.ts';

const mode = storageModes()[0]!;

describe(`alert thumbnails (${mode})`, () => {
  let storage: TestStorage;
  let pass: Pass;
  let kiosk: TestKiosk;
  let stream: SseClient;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    storage = await createStorage(mode);
    pass = await startPass(faceEnv(storage.env));
    await staffWorld(pass);
    kiosk = await provisionKiosk(pass, STAFF.niconico.email, 'kaga-niconico-park');
    Object.assign(tokens, await staffTokens(pass));
    stream = await SseClient.open(`${pass.issuer}/api/manager/alerts/stream`, { authorization: `Bearer ${tokens.niconico}` });
  }, 120_000);

  afterAll(async () => {
    stream?.close();
    await pass?.close();
    await storage?.cleanup();
  });

  async function strangerAtTheDoor(): Promise<string> {
    const id = randomUUID();
    const answer = await kiosk.call('POST', `/api/kiosk/checkins/face?id=${id}`, { body: await photo('paul_allen', 1), contentType: 'image/jpeg' });
    expect(answer).toMatchObject({ status: 201, body: { result: 'rejected', method: 'face' } });
    return id;
  }

  const settings = (who: string, body?: unknown) =>
    api(pass, tokens[who]!, '/api/manager/facilities/kaga-niconico-park/alert-settings', body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  test('off by default: the alert comes without a thumbnail and nothing is kept', async () => {
    expect((await settings('niconico')).body).toEqual({ facilityId: 'kaga-niconico-park', thumbnails: false, ttlSeconds: 600 });
    const id = await strangerAtTheDoor();
    const event = await stream.waitFor((e) => e.data.id === id, 2000);
    expect(event.data.thumbnail).toBe(false);
    expect(await pass.platform.db('manager_alert_thumbnails').where({ checkin_id: id }).first()).toBeUndefined();
  });

  test('only an admin turns them on, within 1 to 60 minutes', async () => {
    expect(await settings('niconico', { thumbnails: true, ttlSeconds: 120 })).toMatchObject({ status: 403, body: { reason: 'not_permitted' } });
    expect(await settings('sakai', { thumbnails: true, ttlSeconds: 120 })).toMatchObject({ status: 403, body: { reason: 'facility_not_permitted' } });
    expect(await settings('kagaAdmin', { thumbnails: true, ttlSeconds: 7 * 86400 })).toMatchObject({ status: 400, body: { reason: 'invalid_request', fields: ['ttlSeconds'] } });
    expect((await settings('kagaAdmin', { thumbnails: true, ttlSeconds: 120 })).body).toEqual({ facilityId: 'kaga-niconico-park', thumbnails: true, ttlSeconds: 120 });
  });

  test('a refused face check-in keeps a small sealed thumbnail for the set time; staff see it, audited', async () => {
    const before = Date.now();
    const id = await strangerAtTheDoor();
    const event = await stream.waitFor((e) => e.data.id === id, 2000);
    expect(event.data.thumbnail).toBe(true);
    // The event says a thumbnail exists; the picture itself is never on the bus.
    expect(JSON.stringify(event.data).length).toBeLessThan(400);

    const row = await pass.platform.db('manager_alert_thumbnails').where({ checkin_id: id }).first();
    const expires = new Date(row.expires_at).getTime();
    expect(expires).toBeGreaterThanOrEqual(before + 119_000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 121_000);
    expect(row.image_sealed).not.toContain('/9j/'); // no base64 JPEG in the clear

    const image = await fetch(new URL(`/api/manager/alerts/${id}/thumbnail`, pass.issuer), { headers: { authorization: `Bearer ${tokens.niconico}` } });
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/jpeg');
    expect(image.headers.get('cache-control')).toBe('no-store');
    const meta = await sharp(Buffer.from(await image.arrayBuffer())).metadata();
    expect({ format: meta.format, width: meta.width, height: meta.height }).toEqual({ format: 'jpeg', width: 160, height: 160 });
    const audited = await pass.platform.db('audit_log').where({ action: 'manager.alert_thumbnail_read' });
    expect(audited).toHaveLength(1);
    expect(audited[0]).toMatchObject({ facility_id: 'kaga-niconico-park' });

    expect((await api(pass, tokens.sakai!, `/api/manager/alerts/${id}/thumbnail`)).status).toBe(403);
    const listed = await api(pass, tokens.niconico!, '/api/manager/alerts');
    expect(listed.body.alerts.find((a: any) => a.id === id)).toMatchObject({ thumbnail: true, method: 'face' });

    // Time passes: expired is gone at once, and the purge deletes it.
    await pass.platform.db('manager_alert_thumbnails').where({ checkin_id: id }).update({ expires_at: new Date(Date.now() - 1000) });
    expect(await api(pass, tokens.niconico!, `/api/manager/alerts/${id}/thumbnail`)).toMatchObject({ status: 404, body: { reason: 'thumbnail_not_found' } });
    expect((await api(pass, tokens.niconico!, '/api/manager/alerts')).body.alerts.find((a: any) => a.id === id).thumbnail).toBe(false);
    const store = new ThumbnailStore(pass.platform.db, pass.platform.box, new AlertSettingsStore(pass.platform.db));
    expect(await store.purge()).toBe(1);
    expect(await pass.platform.db('manager_alert_thumbnails').where({ checkin_id: id }).first()).toBeUndefined();
  });
});
