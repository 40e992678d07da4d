// The camera: a live preview, and still frames as JPEG for the kiosk API.
let stream;

export async function startCamera(video) {
  if (!navigator.mediaDevices?.getUserMedia) throw new Error('no camera API');
  stream ??= await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'user', width: { ideal: 640 }, height: { ideal: 480 } }, audio: false });
  video.srcObject = stream;
  await video.play().catch(() => {});
  while (!video.videoWidth || video.readyState < 2) await new Promise((resolve) => setTimeout(resolve, 50));
}

export function grabCanvas(video) {
  const canvas = document.createElement('canvas');
  canvas.width = video.videoWidth;
  canvas.height = video.videoHeight;
  canvas.getContext('2d').drawImage(video, 0, 0);
  return canvas;
}

export function grabJpeg(video) {
  return new Promise((resolve, reject) => grabCanvas(video).toBlob((b) => (b ? resolve(b) : reject(new Error('no frame'))), 'image/jpeg', 0.9));
}
