// Reading the PASS app's QR code from the camera. The decoder is pluggable: the browser's
// BarcodeDetector when it has one, else jsQR (served as /kiosk/static/jsqr.js, global `jsQR`);
// a USB/Bluetooth scanner that types the code into the text field works with neither.
import { grabCanvas } from './camera.js';

const decoders = [];

export function addDecoder(decoder) {
  decoders.unshift(decoder);
}

if ('BarcodeDetector' in globalThis) {
  const detector = new globalThis.BarcodeDetector({ formats: ['qr_code'] });
  decoders.push(async (canvas) => (await detector.detect(canvas))[0]?.rawValue);
}
decoders.push(async (canvas) => {
  if (typeof globalThis.jsQR !== 'function') return undefined;
  const image = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
  return globalThis.jsQR(image.data, image.width, image.height, { inversionAttempts: 'dontInvert' })?.data;
});

/** Scans frames until a decoder reads a code or the signal aborts. */
export async function scan(video, signal) {
  while (!signal.aborted) {
    if (video.videoWidth) {
      const canvas = grabCanvas(video);
      for (const decode of decoders) {
        const value = await decode(canvas).catch(() => undefined);
        if (value) return value;
      }
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return undefined;
}
