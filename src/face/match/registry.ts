import { FaceGallery } from './gallery.ts';
import type { IdentifyResult, SearchMethod, VerifyResult } from './gallery.ts';

/**
 * Galleries by id (a facility's registrants, a municipality's consenting residents), all of one
 * recognizer. A person may be in several galleries; deleting a person removes them from all.
 */
export class GalleryRegistry {
  readonly dimension: number;
  readonly modelId: string | undefined;
  readonly search: SearchMethod;
  private readonly galleries = new Map<string, FaceGallery>();

  constructor(options: { dimension: number; modelId?: string; search?: SearchMethod }) {
    this.dimension = options.dimension;
    this.modelId = options.modelId;
    this.search = options.search ?? 'auto';
  }

  /** Templates across all galleries (a person in two galleries counts twice). */
  get rows(): number {
    let n = 0;
    for (const g of this.galleries.values()) n += g.size;
    return n;
  }

  gallery(galleryId: string): FaceGallery | undefined {
    return this.galleries.get(galleryId);
  }

  galleryIds(): string[] {
    return [...this.galleries.keys()];
  }

  upsert(galleryId: string, personId: string, embedding: Float32Array): void {
    let g = this.galleries.get(galleryId);
    if (!g) {
      g = new FaceGallery({ dimension: this.dimension, modelId: this.modelId, search: this.search });
      this.galleries.set(galleryId, g);
    }
    g.upsert(personId, embedding);
  }

  remove(galleryId: string, personId: string): boolean {
    const g = this.galleries.get(galleryId);
    if (!g) return false;
    const removed = g.remove(personId);
    if (g.size === 0) this.galleries.delete(galleryId);
    return removed;
  }

  /** Returns how many galleries the person was removed from. */
  removePerson(personId: string): number {
    let count = 0;
    for (const id of [...this.galleries.keys()]) if (this.remove(id, personId)) count++;
    return count;
  }

  dropGallery(galleryId: string): boolean {
    return this.galleries.delete(galleryId);
  }

  identify(galleryId: string, probe: Float32Array, threshold: number, topK = 1): IdentifyResult {
    const g = this.galleries.get(galleryId);
    if (!g) return { best: undefined, matched: false, threshold, candidates: [] };
    return g.identify(probe, threshold, topK);
  }

  verify(galleryId: string, personId: string, probe: Float32Array, threshold: number): VerifyResult | undefined {
    return this.galleries.get(galleryId)?.verify(personId, probe, threshold);
  }
}
