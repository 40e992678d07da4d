import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

const verified = new Map<string, { mtimeMs: number; size: number; sha256: string }>();

/**
 * Hashes a file once per (path, size, mtime): /readyz may call this on every probe and the
 * models are megabytes, so repeated probes must not re-read them.
 */
export async function cachedSha256(path: string): Promise<{ size: number; sha256: string } | undefined> {
  let info;
  try {
    info = await stat(path);
  } catch {
    return undefined;
  }
  if (!info.isFile()) return undefined;
  const hit = verified.get(path);
  if (hit && hit.mtimeMs === info.mtimeMs && hit.size === info.size) return { size: hit.size, sha256: hit.sha256 };
  const sha256 = await sha256File(path);
  verified.set(path, { mtimeMs: info.mtimeMs, size: info.size, sha256 });
  return { size: info.size, sha256 };
}
