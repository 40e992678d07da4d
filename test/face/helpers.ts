// Shared fixtures for the face tests: the real models and photos in ../shared, never copied into the repo.
import './realm.ts';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { FaceEngine, FaceEngineOptions } from '../../src/face/engine.ts';

export const MODELS_DIR = path.resolve('../shared/models');
export const FACES_DIR = path.resolve('../shared/faces');

export interface Photo {
  person: string;
  file: string;
  path: string;
}

/** All labelled photos, sorted by person then file, so "first photo" is stable. */
export async function listPhotos(): Promise<Photo[]> {
  const photos: Photo[] = [];
  for (const entry of (await readdir(FACES_DIR, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    if (!entry.isDirectory()) continue;
    for (const file of (await readdir(path.join(FACES_DIR, entry.name))).sort()) {
      if (/\.(jpe?g|png|webp)$/i.test(file)) photos.push({ person: entry.name, file, path: path.join(FACES_DIR, entry.name, file) });
    }
  }
  return photos;
}

export function readPhoto(person: string, n: number): Promise<Buffer> {
  return readFile(path.join(FACES_DIR, person, `${n}.jpg`));
}

/**
 * Modules that load onnxruntime-node are imported dynamically, after ./realm.ts has run: jest
 * evaluates CommonJS dependencies of static imports while linking, before any test code runs.
 */
export async function createEngine(options: Partial<FaceEngineOptions> = {}): Promise<FaceEngine> {
  const { FaceEngine: Engine } = await import('../../src/face/engine.ts');
  return Engine.create({ modelDir: MODELS_DIR, threads: 2, ...options });
}

export interface PairScores {
  genuine: number[];
  impostor: number[];
}

export function allPairScores(items: { person: string; embedding: Float32Array }[]): PairScores {
  const genuine: number[] = [];
  const impostor: number[] = [];
  for (let i = 0; i < items.length; i++) {
    for (let j = i + 1; j < items.length; j++) {
      let s = 0;
      const a = items[i]!.embedding;
      const b = items[j]!.embedding;
      for (let k = 0; k < a.length; k++) s += a[k]! * b[k]!;
      (items[i]!.person === items[j]!.person ? genuine : impostor).push(s);
    }
  }
  return { genuine, impostor };
}
