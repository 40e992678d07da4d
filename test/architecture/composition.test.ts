import { createLogger } from '../../src/core/logger.ts';
import { startServer } from '../../src/server.ts';
import { checkOrder } from '../../src/composition.ts';
import { CAPABILITIES } from '../../src/capabilities.ts';
import { defineCapability, type CapabilityFactory, type Provisions } from '../../src/capability.ts';
import { faceCapability } from '../../src/face/capability.ts';
import { kioskCapability } from '../../src/kiosk/capability.ts';
import { ALL_IN_ONE } from '../../clients/capabilities.ts';
import { configFor, createStorage, freePort, type TestStorage } from '../helpers/pass.ts';

/** The provider's capabilities with `moved` taken out and put back just before `before`. */
function movedBefore(moved: CapabilityFactory, before: CapabilityFactory): CapabilityFactory[] {
  const rest = CAPABILITIES.filter((c) => c !== moved);
  rest.splice(rest.indexOf(before), 0, moved);
  return rest;
}

describe('the composition root', () => {
  test('a capability started before what it needs stops start-up, naming the missing dependency', async () => {
    const kioskBeforeFace = movedBefore(kioskCapability, faceCapability);
    const message = "capability kiosk needs 'face', which no earlier capability provides (face provides it: start it first)";
    expect(() => checkOrder(kioskBeforeFace)).toThrow(message);
    // At start, before the database is opened (nothing to clean up).
    const config = configFor({ PASS_DATA_DIR: '/nonexistent/pass-composition-test' });
    await expect(startServer(config, createLogger('silent'), { capabilities: kioskBeforeFace })).rejects.toThrow(message);
  });

  test('a need no capability provides, and a name provided twice, are refused', () => {
    const reader = defineCapability({ name: 'reader', needs: ['kiosk'], start: async () => ({}) });
    expect(() => checkOrder([reader])).toThrow("capability reader needs 'kiosk', which no earlier capability provides");
    expect(() => checkOrder([...CAPABILITIES, faceCapability])).toThrow("capability face provides 'face', which face already provides");
  });

  describe('in the real order', () => {
    let storage: TestStorage;
    beforeAll(async () => {
      storage = await createStorage('embedded');
    });
    afterAll(async () => {
      await storage.cleanup();
    });

    test('PASS starts, and each capability receives exactly what it declared it needs', async () => {
      expect(() => checkOrder(ALL_IN_ONE)).not.toThrow();
      let seen: Partial<Provisions> | undefined;
      const probe = defineCapability({
        name: 'probe',
        needs: ['face', 'kiosk'],
        async start({ needs }) {
          seen = needs;
          return {};
        },
      });
      const port = await freePort();
      const config = configFor({ ...storage.env, ISSUER: `http://127.0.0.1:${port}`, PORT: String(port) });
      const pass = await startServer(config, createLogger(config.logLevel), { capabilities: [...ALL_IN_ONE, probe] });
      try {
        const provided: Array<keyof Provisions> = ['proofing', 'face', 'households', 'failure-evidence', 'alert-thumbnails', 'kiosk-display', 'kiosk'];
        expect(Object.keys(pass.provided).sort()).toEqual([...provided].sort());
        expect(Object.keys(seen ?? {}).sort()).toEqual(['face', 'kiosk']);
        expect(seen?.face).toBe(pass.provided.face);
        expect(seen?.kiosk).toBe(pass.provided.kiosk);
        expect((await fetch(`${pass.url}/readyz`)).status).toBe(200);
      } finally {
        await pass.close();
      }
    });
  });
});
