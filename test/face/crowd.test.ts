import './realm.ts';
import sharp from 'sharp';
import type { FaceEngine } from '../../src/face/engine.ts';
import { FaceQualityError } from '../../src/face/errors.ts';
import { faceMessage } from '../../src/face/messages.ts';
import { DEFAULT_GEOMETRY_BOUNDS, implausibleGeometry, landmarkGeometry } from '../../src/face/quality/geometry.ts';
import { decodeImage } from '../../src/face/image/decode.ts';
import type { Detection } from '../../src/face/detect/types.ts';
import { createEngine, readPhoto } from './helpers.ts';
import { collage, drawnFace, sceneWithSecondFace } from './images.ts';
import type { FaceBox } from './images.ts';

// The kiosk (policy `dominant`) checks in the person in front and ignores a smaller face behind
// them; two comparable faces are refused with the step-back message; enrollment (`single`) stays
// strict; a non-face the fast detector likes is no face.
let engine: FaceEngine;

beforeAll(async () => {
  engine = await createEngine();
}, 60_000);

afterAll(async () => {
  await engine?.close();
});

const cosine = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + v * b[i]!, 0);

async function faceBox(photo: Buffer): Promise<FaceBox> {
  return (await engine.analyse(photo)).face;
}

/** obama/1 in front, biden/2 behind with 1/areaRatio of the front face's area. */
async function scene(areaRatio: number): Promise<Buffer> {
  const obama = await readPhoto('obama', 1);
  const biden = await readPhoto('biden', 2);
  return sceneWithSecondFace(obama, await faceBox(obama), biden, await faceBox(biden), areaRatio);
}

async function refusal(work: Promise<unknown>): Promise<FaceQualityError> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FaceQualityError);
  return error as FaceQualityError;
}

test('a small face behind the resident: the kiosk checks in the front person; enrollment refuses the photo', async () => {
  const obama = await readPhoto('obama', 1);
  const photo = await scene(4);
  const front = await engine.analyse(obama);

  const atKiosk = await engine.analyse(photo, { faces: 'dominant' });
  expect(atKiosk.ignored.background).toBe(1);
  expect(cosine(atKiosk.embedding, front.embedding)).toBeGreaterThan(0.85);

  // The background face is a real, usable face (not merely too small): only the policy differs.
  const faces = await engine.detector.detect(await decodeImage(photo));
  expect(faces.filter((f) => Math.min(f.x2 - f.x1, f.y2 - f.y1) >= 64)).toHaveLength(2);
  expect((await refusal(engine.analyse(photo))).reason).toBe('multiple_faces');
});

test('two comparable faces are refused at the kiosk, with the message asking the other person to step back', async () => {
  const error = await refusal(engine.analyse(await scene(1.2), { faces: 'dominant' }));
  expect(error.reason).toBe('multiple_faces');
  const text = faceMessage(error.reason)!;
  expect(text.ja).toContain('一歩下がって');
  expect(text.en).toContain('step back');
});

test('the area ratio decides: a face with 1/1.6 of the front area is comparable, 1/2.6 is not', async () => {
  expect((await refusal(engine.analyse(await scene(1.6), { faces: 'dominant' }))).reason).toBe('multiple_faces');
  const behind = await scene(2.6);
  await expect(engine.analyse(behind, { faces: 'dominant' })).resolves.toMatchObject({ ignored: { background: 1 } });
  // A stricter ratio turns the same photo into a refusal: the ratio is what is tested, not luck.
  expect((await refusal(engine.analyse(behind, { faces: 'dominant', dominantAreaRatio: 4 }))).reason).toBe('multiple_faces');
});

test('a drawn face that the fast detector scores above its minScore is no face', async () => {
  const drawing = await drawnFace(4);
  const found = await engine.detector.detect(await decodeImage(drawing));
  expect(found[0]!.score).toBeGreaterThanOrEqual(engine.detector.entry.minScore);
  expect((await refusal(engine.analyse(drawing, { faces: 'dominant' }))).reason).toBe('no_face');
  expect((await refusal(engine.analyse(drawing))).reason).toBe('no_face');
});

test('a drawn face beside the resident does not make the photo multiple_faces', async () => {
  const obama = await sharp(await readPhoto('obama', 1)).resize({ height: 600 }).toBuffer();
  const scene = await collage(obama, await sharp(await drawnFace(4)).resize({ height: 600 }).jpeg().toBuffer());
  const found = await engine.detector.detect(await decodeImage(scene));
  expect(found.length).toBeGreaterThanOrEqual(2);
  const result = await engine.analyse(scene, { faces: 'dominant' });
  expect(result.ignored.nonFaces).toBeGreaterThanOrEqual(1);
  expect(cosine(result.embedding, (await engine.analyse(obama)).embedding)).toBeGreaterThan(0.85);
});

describe('landmark geometry', () => {
  const face = (landmarks: number[], box = [0, 0, 100, 120]): Detection => ({
    score: 0.9,
    x1: box[0]!,
    y1: box[1]!,
    x2: box[2]!,
    y2: box[3]!,
    landmarks: Float64Array.from(landmarks),
  });
  // A frontal face in a 100×120 box: eyes 44 apart, nose 26 below them, mouth 46 below.
  const frontal = [28, 50, 72, 50, 50, 76, 33, 96, 67, 96];

  test('a frontal face, and the same face rolled by 30°, are plausible', () => {
    expect(implausibleGeometry(landmarkGeometry(face(frontal)))).toBeUndefined();
    const a = (30 * Math.PI) / 180;
    const rolled = frontal.map((_, i) => {
      const x = frontal[i - (i % 2)]! - 50, y = frontal[i - (i % 2) + 1]! - 60;
      return i % 2 === 0 ? 50 + x * Math.cos(a) - y * Math.sin(a) : 60 + x * Math.sin(a) + y * Math.cos(a);
    });
    expect(implausibleGeometry(landmarkGeometry(face(rolled)))).toBeUndefined();
  });

  test.each([
    ['upside down (eyes below the mouth)', [67, 96, 33, 96, 50, 76, 72, 50, 28, 50], 'roll'],
    ['mouth above the nose', [28, 50, 72, 50, 50, 90, 33, 70, 67, 70], 'mouth_drop'],
    ['eyes far too close for the box', [47, 50, 53, 50, 50, 53, 48, 56, 52, 56], 'eyes_to_box'],
    ['nose far outside the eyes', [28, 50, 72, 50, 110, 76, 33, 96, 67, 96], 'nose_offset'],
    ['a mouth three eye-distances wide', [28, 50, 72, 50, 50, 76, -16, 96, 116, 96], 'mouth_width'],
  ])('%s is refused (%s)', (_name, landmarks, bound) => {
    expect(implausibleGeometry(landmarkGeometry(face(landmarks as number[])), DEFAULT_GEOMETRY_BOUNDS)).toBe(bound);
  });
});
