/**
 * A fake camera for Chromium: a still photo as a Y4M (YUV 4:2:0) file, which Chromium plays in a
 * loop with --use-file-for-fake-video-capture, so getUserMedia sees a real face.
 */
import { writeFile } from 'node:fs/promises';
import sharp from 'sharp';

const WIDTH = 640;
const HEIGHT = 480;

/** BT.601 full-range RGB → I420, two frames (Chromium loops them). */
export async function photoToY4m(photoPath: string, outPath: string): Promise<string[]> {
  const frame = await photoFrame(photoPath);
  await writeFile(outPath, Buffer.concat([Buffer.from(`YUV4MPEG2 W${WIDTH} H${HEIGHT} F30:1 Ip A1:1 C420jpeg\n`), frame, frame]));
  return cameraFlags(outPath);
}

/** One scene of a fake video: a photo (or an empty grey room when none) for some frames. */
export interface Scene {
  photo?: string;
  frames: number;
}

/**
 * A fake video of scenes played one after another and looped by Chromium, at `fps` frames a
 * second: e.g. an empty lobby, then a resident standing at the kiosk, then empty again — someone
 * walking up, and leaving, over and over.
 */
export async function scenesToY4m(scenes: Scene[], outPath: string, fps: number): Promise<string[]> {
  const frames = await Promise.all(scenes.map(async (scene) => ({ frame: scene.photo ? await photoFrame(scene.photo) : emptyFrame(), count: scene.frames })));
  const parts: Buffer[] = [Buffer.from(`YUV4MPEG2 W${WIDTH} H${HEIGHT} F${fps}:1 Ip A1:1 C420jpeg\n`)];
  for (const { frame, count } of frames) for (let i = 0; i < count; i++) parts.push(frame);
  await writeFile(outPath, Buffer.concat(parts));
  return cameraFlags(outPath);
}

function cameraFlags(outPath: string): string[] {
  return ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${outPath}`];
}

/** A mid-grey frame: no face, nothing to read. */
function emptyFrame(): Buffer {
  const chroma = (WIDTH / 2) * (HEIGHT / 2);
  return Buffer.concat([Buffer.from('FRAME\n'), Buffer.alloc(WIDTH * HEIGHT, 150), Buffer.alloc(chroma, 128), Buffer.alloc(chroma, 128)]);
}

async function photoFrame(photoPath: string): Promise<Buffer> {
  const { data } = await sharp(photoPath).rotate().resize(WIDTH, HEIGHT, { fit: 'contain', background: { r: 128, g: 128, b: 128 } })
    .removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const y = Buffer.alloc(WIDTH * HEIGHT);
  const u = Buffer.alloc((WIDTH / 2) * (HEIGHT / 2));
  const v = Buffer.alloc((WIDTH / 2) * (HEIGHT / 2));
  for (let row = 0; row < HEIGHT; row++) {
    for (let col = 0; col < WIDTH; col++) {
      const i = (row * WIDTH + col) * 3;
      const r = data[i]!, g = data[i + 1]!, b = data[i + 2]!;
      y[row * WIDTH + col] = Math.max(0, Math.min(255, Math.round(0.299 * r + 0.587 * g + 0.114 * b)));
      if (row % 2 === 0 && col % 2 === 0) {
        const c = (row / 2) * (WIDTH / 2) + col / 2;
        u[c] = Math.max(0, Math.min(255, Math.round(128 - 0.168736 * r - 0.331264 * g + 0.5 * b)));
        v[c] = Math.max(0, Math.min(255, Math.round(128 + 0.5 * r - 0.418688 * g - 0.081312 * b)));
      }
    }
  }
  return Buffer.concat([Buffer.from('FRAME\n'), y, u, v]);
}
