import path from 'node:path';
import sharp from 'sharp';
import { attackJpeg } from '../../../bench/face/attacks/index.ts';
import { storageModes } from '../../helpers/services.ts';
import { proofedResident } from '../../households/family-helpers.ts';
import { HANAKO, startEnv, stopEnv, TARO, type Env } from '../../jpki/proofing-helpers.ts';
import { faceEnv, photo, type Pass } from '../platform.ts';

// The active liveness challenge end to end: PASS draws the turns, the "camera" sends a burst, the
// face workers read each frame's face, embedding and head pose (the real fr_pose model), and only
// a burst that turns as asked enrolls its first frame. Turned heads come from ../shared/faces:
// obama/2 is turned 17° to his right (measured yaw +17; obama/1 faces the camera at −3), and its
// mirror image is the same head turned to his left.
const REPO_MODELS = path.resolve('models');
const mode = storageModes().at(-1)!;

/** A 640×480 camera frame of a photo (letterboxed: the portraits keep their faces); `mirror` turns the head the other way. */
async function frame(person: string, n: number, mirror = false): Promise<string> {
  let image = sharp(await photo(person, n)).rotate();
  if (mirror) image = image.flop();
  return (await image.resize(640, 480, { fit: 'contain', background: { r: 60, g: 60, b: 60 } }).jpeg({ quality: 88 }).toBuffer()).toString('base64');
}

describe(`active liveness challenge: head turns judged on the server (${mode})`, () => {
  let env: Env;
  let pass: Pass;
  let token: string;
  let other: string;
  const shots: Record<'front' | 'right' | 'left' | 'stranger', string> = { front: '', right: '', left: '', stranger: '' };

  beforeAll(async () => {
    env = await startEnv(mode, faceEnv({}, { PASS_MODELS_DIR: REPO_MODELS }));
    pass = env.pass;
    ({ token } = await proofedResident(env, 'turn@example.jp', TARO, 'turn'));
    ({ token: other } = await proofedResident(env, 'other@example.jp', HANAKO, 'other'));
    [shots.front, shots.right, shots.left, shots.stranger] = await Promise.all([frame('obama', 1), frame('obama', 2), frame('obama', 2, true), frame('kit_harington', 2)]);
  }, 120_000);

  afterAll(async () => stopEnv(env));

  async function api(method: string, where: string, bearer: string, body?: unknown): Promise<{ status: number; body: Record<string, any> }> {
    const response = await fetch(new URL(where, pass.issuer), {
      method,
      headers: { authorization: `Bearer ${bearer}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json().catch(() => ({}))) as Record<string, any> };
  }

  const challenge = async (bearer = token) => {
    const issued = await api('POST', '/api/face/liveness/challenges', bearer);
    expect(issued.status).toBe(201);
    expect(issued.body.steps.length).toBeGreaterThanOrEqual(2);
    return issued.body as { challenge_id: string; steps: Array<'left' | 'right'> };
  };
  /** The burst of a resident who follows the prompts: facing the camera, then each turn, back to the middle between them. */
  const following = (steps: Array<'left' | 'right'>) => [shots.front, ...steps.flatMap((s) => [shots[s], shots.front])];
  const templates = () => pass.platform.db('face_templates').count<{ count: string }[]>({ count: '*' }).first();

  test('a burst that turns as asked enrolls its first frame, recorded as live by the active check', async () => {
    const before = Number((await templates())!.count);
    const { challenge_id, steps } = await challenge();
    const enrolled = await api('POST', '/api/face/enrollment/live', token, { challenge_id, frames: following(steps) });
    expect(enrolled.status).toBe(201);
    expect(enrolled.body).toMatchObject({ enrolled: true, liveness: { status: 'live', method: 'active_head_turn', score: 1, model: expect.stringMatching(/^fr_pose@/) } });
    expect(Number((await templates())!.count)).toBe(before + 1);
    // Used up: the same burst cannot answer it again.
    const again = await api('POST', '/api/face/enrollment/live', token, { challenge_id, frames: following(steps) });
    expect(again).toMatchObject({ status: 409, body: { reason: 'liveness_challenge_unknown' } });
  }, 60_000);

  test('a still photo, the wrong turns, another face mid-burst, a printed photo: each refused, nothing stored', async () => {
    const before = Number((await templates())!.count);
    const refusedWith = async (frames: (steps: Array<'left' | 'right'>) => string[], failure: string) => {
      const { challenge_id, steps } = await challenge();
      const answer = await api('POST', '/api/face/enrollment/live', token, { challenge_id, frames: frames(steps) });
      expect({ failure, status: answer.status, reason: answer.body.reason, got: answer.body.details?.failure }).toEqual({ failure, status: 422, reason: 'liveness_failed', got: failure });
      expect(answer.body.message.ja).toMatch(/顔の向き/);
    };
    await refusedWith(() => [shots.front, shots.front, shots.front, shots.front], 'no_turn');
    const flipped = (s: 'left' | 'right') => (s === 'left' ? 'right' : 'left');
    await refusedWith((steps) => following(steps.map(flipped)), 'wrong_turns');
    await refusedWith((steps) => following(steps).map((f) => (f === shots[steps[0]!] ? shots.stranger : f)), 'person_changed');
    // A print of the resident, bent to the side: the turns are there, the paper is too.
    const print = async (bytes: string, seed: number) => (await attackJpeg('print', Buffer.from(bytes, 'base64'), seed)).jpeg.toString('base64');
    const printed = { front: await print(shots.front, 1), right: await print(shots.right, 2), left: await print(shots.left, 3) };
    await refusedWith((steps) => [printed.front, ...steps.flatMap((s) => [printed[s], printed.front])], 'presentation_attack');
    expect(Number((await templates())!.count)).toBe(before);
  }, 120_000);

  test("another resident's challenge, a made-up one, a burst of the wrong size or not base64: refused", async () => {
    const { challenge_id, steps } = await challenge(other);
    expect(await api('POST', '/api/face/enrollment/live', token, { challenge_id, frames: following(steps) })).toMatchObject({ status: 409, body: { reason: 'liveness_challenge_unknown' } });
    expect(await api('POST', '/api/face/enrollment/live', token, { challenge_id: 'A'.repeat(22), frames: following(steps) })).toMatchObject({ status: 409 });
    const mine = await challenge();
    expect(await api('POST', '/api/face/enrollment/live', token, { challenge_id: mine.challenge_id, frames: [shots.front, shots.front] })).toMatchObject({ status: 400, body: { reason: 'invalid_request' } });
    expect(await api('POST', '/api/face/enrollment/live', token, { challenge_id: mine.challenge_id, frames: ['not base64!', shots.front, shots.front] })).toMatchObject({ status: 400 });
    expect(await api('POST', '/api/face/liveness/challenges', 'not-a-token')).toMatchObject({ status: 401 });
  }, 60_000);
});
