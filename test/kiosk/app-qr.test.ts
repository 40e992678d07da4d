// The PASS app's check-in QR screen: signed in, /app/qr shows a QR image (renewed by the page);
// decoded with jsQR (the kiosk's decoder), it checks the resident in once at a kiosk.
import { randomUUID } from 'node:crypto';
import sharp from 'sharp';
import { createRequire } from 'node:module';
import { createStorage, startPass, type TestStorage } from '../helpers/pass.ts';
import { storageModes } from '../helpers/services.ts';
import { CookieJar, request, signInStep } from '../helpers/browserless.ts';
import { PASSWORD, provisionKiosk, staffAccount, withFacilities, type Pass } from './helpers.ts';
import { plainResident, register } from './fixtures.ts';

const mode = storageModes()[0]!;
/** jsQR, the kiosk's camera decoder (CommonJS). */
const jsQR = createRequire(import.meta.url)('jsqr') as (data: Uint8ClampedArray, width: number, height: number) => { data: string } | null;

describe(`the PASS app's check-in QR code (${mode})`, () => {
  let storage: TestStorage;
  let pass: Pass;

  beforeAll(async () => {
    storage = await createStorage(mode);
    pass = await startPass(storage.env);
    await withFacilities(pass);
  }, 60_000);

  afterAll(async () => {
    await pass?.close();
    await storage?.cleanup();
  });

  async function signedInApp(email: string): Promise<CookieJar> {
    const jar = new CookieJar();
    let next = `${pass.issuer}/app/login`;
    let init: RequestInit = {};
    for (let step = 0; step < 12; step += 1) {
      const response = await request(jar, next, init);
      init = {};
      const location = response.headers.get('location');
      if (location) {
        next = new URL(location, next).toString();
        if (new URL(next).pathname === '/app/') return jar;
        continue;
      }
      const html = await response.text();
      // PASS's sign-in: the password, then the code from the outbox.
      const then = await signInStep(jar, pass.issuer, html, { login: email, password: PASSWORD });
      if (!then) throw new Error(`unexpected page: ${html.slice(0, 200)}`);
      ({ url: next, init } = then);
    }
    throw new Error('sign-in did not finish');
  }

  test('/app/qr shows a code the kiosk accepts once', async () => {
    await staffAccount(pass, 'staff@niconico.example.jp', 'facility_staff', { facilityId: 'kaga-niconico-park' });
    const resident = await plainResident(pass, 'qr.resident@example.jp');
    await register(pass, resident.personId, 'kaga-niconico-park', ['name']);
    const jar = await signedInApp('qr.resident@example.jp');
    const page = await request(jar, `${pass.issuer}/app/qr`);
    expect(page.status).toBe(200);
    expect(Number(page.headers.get('refresh'))).toBeGreaterThan(0);
    const html = await page.text();
    expect(html).toContain('チェックイン用QRコード');
    const dataUrl = /src="(data:image\/png;base64,[^"]+)"/.exec(html)![1]!;
    const { data, info } = await sharp(Buffer.from(dataUrl.split(',')[1]!, 'base64')).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    const decoded = jsQR(new Uint8ClampedArray(data), info.width, info.height)!.data;
    expect(decoded.split('.')).toHaveLength(3);

    const kiosk = await provisionKiosk(pass, 'staff@niconico.example.jp');
    const first = await kiosk.call('POST', '/api/kiosk/checkins/qr', { json: { id: randomUUID(), token: decoded } });
    expect(first.body).toMatchObject({ result: 'accepted', method: 'qr' });
    const again = await kiosk.call('POST', '/api/kiosk/checkins/qr', { json: { id: randomUUID(), token: decoded } });
    expect(again.body).toMatchObject({ result: 'rejected', reason: 'qr_replayed' });
  });
});
