// Seeing a face on the kiosk itself, so a resident who walks up is checked in without a button.
// The page runs the same YuNet detector as PASS (onnxruntime-web, WebAssembly, one thread) on a
// few frames a second and only decides *when* to send one frame: PASS detects again, matches and
// decides. Served by clients/kiosk/detector-files.ts; when the model or WebAssembly is missing the
// page keeps to its buttons.

const PREFIX = '/kiosk/detector/';
/** About 6 frames a second: YuNet takes ~60 ms a frame on one core; the rest stays free for the page. */
const FRAME_MS = 160;
/** Consecutive frames with one steady, near face before a frame is sent (~0.5 s). */
const STEADY_FRAMES = 3;
/** The face's shorter side, as a share of the frame's width: PASS refuses faces under 64 px of 640. */
const MIN_FACE = 0.125;
/** A second face at least this share of the first's area is a second person at the kiosk, not the background. */
const RIVAL_AREA = 0.5;
/** How far the face's centre may move between frames, as a share of its width, and still be steady. */
const MAX_MOVE = 0.12;
/** Frames without a near face before the next arrival may check in: the last person has left. */
const LEAVE_FRAMES = 4;
const NMS_IOU = 0.4;

let ort;
let session;
let spec;
let canvas;
let context;
let input;

/** Loads the runtime and the model; false when this kiosk cannot detect on its own (buttons still work). */
export async function loadDetector() {
  try {
    const answer = await fetch(`${PREFIX}detector.json`);
    if (!answer.ok) return false;
    spec = await answer.json();
    ort = await import(`${PREFIX}ort.mjs`);
    ort.env.wasm.numThreads = 1;
    ort.env.wasm.proxy = false;
    ort.env.wasm.wasmPaths = { wasm: new URL(`${PREFIX}ort-wasm-simd-threaded.wasm`, location.href).href };
    const model = new Uint8Array(await (await fetch(spec.model)).arrayBuffer());
    session = await ort.InferenceSession.create(model, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
    canvas = document.createElement('canvas');
    canvas.width = spec.input.width;
    canvas.height = spec.input.height;
    context = canvas.getContext('2d', { willReadFrequently: true });
    input = new Float32Array(3 * spec.input.width * spec.input.height);
    return true;
  } catch (error) {
    console.warn(`the kiosk detects no faces by itself: ${error?.message ?? error}`);
    session = undefined;
    return false;
  }
}

/** The frame into the model's square input, scaled to fit, top-left, black around (as PASS letterboxes). */
function toTensor(video) {
  const { width: W, height: H } = spec.input;
  const scale = Math.min(W / video.videoWidth, H / video.videoHeight);
  context.fillStyle = '#000';
  context.fillRect(0, 0, W, H);
  context.drawImage(video, 0, 0, video.videoWidth * scale, video.videoHeight * scale);
  const pixels = context.getImageData(0, 0, W, H).data;
  const plane = W * H;
  const [c0, c1, c2] = spec.channelOrder === 'BGR' ? [2, 1, 0] : [0, 1, 2];
  const [m0, m1, m2] = spec.mean;
  const [s0, s1, s2] = spec.std;
  for (let i = 0, p = 0; i < plane; i++, p += 4) {
    input[i] = (pixels[p + c0] - m0) / s0;
    input[plane + i] = (pixels[p + c1] - m1) / s1;
    input[2 * plane + i] = (pixels[p + c2] - m2) / s2;
  }
  return { tensor: new ort.Tensor('float32', input, [1, 3, H, W]), scale };
}

/** YuNet's outputs per stride: a score per cell and a box around the cell (src/face/detect/decoders.ts). */
function decode(outputs) {
  const { width: W, height: H } = spec.input;
  const out = spec.output;
  const min = spec.minScore * spec.minScore;
  const found = [];
  out.strides.forEach((s, level) => {
    const cls = outputs[out.cls[level]].data;
    const obj = outputs[out.obj[level]].data;
    const box = outputs[out.bbox[level]].data;
    const cols = Math.ceil(W / s);
    const cells = cols * Math.ceil(H / s);
    for (let i = 0; i < cells; i++) {
      const score = Math.min(1, Math.max(0, cls[i])) * Math.min(1, Math.max(0, obj[i]));
      if (score < min) continue;
      const cx = ((i % cols) + box[i * 4]) * s;
      const cy = (Math.floor(i / cols) + box[i * 4 + 1]) * s;
      const w = Math.exp(box[i * 4 + 2]) * s;
      const h = Math.exp(box[i * 4 + 3]) * s;
      found.push({ score: Math.sqrt(score), x1: cx - w / 2, y1: cy - h / 2, x2: cx + w / 2, y2: cy + h / 2 });
    }
  });
  return found;
}

const area = (b) => Math.max(0, b.x2 - b.x1) * Math.max(0, b.y2 - b.y1);

function iou(a, b) {
  const overlap = area({ x1: Math.max(a.x1, b.x1), y1: Math.max(a.y1, b.y1), x2: Math.min(a.x2, b.x2), y2: Math.min(a.y2, b.y2) });
  return overlap / (area(a) + area(b) - overlap || 1);
}

function nms(boxes) {
  const kept = [];
  for (const box of boxes.sort((a, b) => b.score - a.score)) if (kept.every((k) => iou(k, box) <= NMS_IOU)) kept.push(box);
  return kept;
}

/** The faces in the video's current frame, in video pixels, largest first. */
export async function detectFaces(video) {
  const { tensor, scale } = toTensor(video);
  const outputs = await session.run({ [spec.input.name]: tensor });
  return nms(decode(outputs))
    .map((b) => ({ score: b.score, x1: b.x1 / scale, y1: b.y1 / scale, x2: b.x2 / scale, y2: b.y2 / scale }))
    .sort((a, b) => area(b) - area(a));
}

/**
 * What the camera sees now: 'none' (no face near enough), 'several' (two people at the kiosk),
 * or 'one' with the face.
 */
function scene(faces, frameWidth) {
  const near = faces.filter((f) => Math.min(f.x2 - f.x1, f.y2 - f.y1) >= MIN_FACE * frameWidth);
  if (near.length === 0) return { kind: faces.length ? 'far' : 'none' };
  if (near.length > 1 && area(near[1]) >= RIVAL_AREA * area(near[0])) return { kind: 'several' };
  return { kind: 'one', face: near[0] };
}

function steady(a, b) {
  if (!a || !b) return false;
  const width = a.x2 - a.x1;
  const moved = Math.hypot((a.x1 + a.x2 - b.x1 - b.x2) / 2, (a.y1 + a.y2 - b.y1 - b.y2) / 2);
  return moved <= MAX_MOVE * width && Math.abs(area(a) - area(b)) <= 0.25 * area(a);
}

/**
 * Watches the camera while `looking()` holds, and calls `arrived()` once for each person who
 * steps up and holds still. After that nothing more is sent until the face has left the camera
 * (`disarm()` does the same for a check-in made with the button), so one visit is one check-in.
 * `state(kind, progress)` tells the screen what it sees; `seen()` marks when a face first came
 * into view (for the time to result).
 */
export function watchFaces(video, { looking, arrived, state = () => {}, seen = () => {} }) {
  let armed = true;
  let streak = 0;
  let absent = 0;
  let last;
  let stopped = false;
  const tick = async () => {
    if (stopped) return;
    const start = performance.now();
    try {
      if (session && video.videoWidth && !document.hidden) {
        const found = scene(await detectFaces(video), video.videoWidth);
        if (found.kind !== 'one') {
          absent += 1;
          if (absent >= LEAVE_FRAMES) armed = true;
          streak = 0;
          last = undefined;
        } else {
          if (absent > 0 || !last) seen();
          absent = 0;
          streak = steady(found.face, last) ? streak + 1 : 1;
          last = found.face;
        }
        const watching = looking();
        if (watching && armed && found.kind === 'one' && streak >= STEADY_FRAMES) {
          armed = false;
          streak = 0;
          state('sending', 1);
          await arrived();
        } else if (watching) {
          state(armed ? found.kind : 'done', Math.min(1, streak / STEADY_FRAMES));
        }
      }
    } catch (error) {
      console.warn(`face watch: ${error?.message ?? error}`);
    }
    setTimeout(tick, Math.max(0, FRAME_MS - (performance.now() - start)));
  };
  tick();
  return {
    disarm() {
      armed = false;
    },
    stop() {
      stopped = true;
    },
  };
}
