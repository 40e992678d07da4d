import { FaceGallery } from '../match/gallery.ts';
import { GalleryRegistry } from '../match/registry.ts';
import type { SearchMethod } from '../match/gallery.ts';

export interface CachedTemplate {
  embedding: Float32Array;
  /** updated_at of the row, in ms: tells reconciliation whether the row changed. */
  version: number;
}

/**
 * What one node holds in memory: galleries (by id) of decrypted templates, the galleries each
 * person belongs to, and every enrolled person in one more gallery of its own (`enrolled`, outside
 * the registry, so no gallery id can name it) that new enrollments are searched against — persons
 * in no gallery yet included, since they join galleries later without another check. setPerson()
 * replaces everything known about a person, so applying the same change twice is harmless.
 */
export class GalleryCache {
  readonly registry: GalleryRegistry;
  readonly enrolled: FaceGallery;
  readonly #memberships = new Map<string, Set<string>>();
  readonly #versions = new Map<string, number>();

  constructor(options: { dimension: number; modelId: string; search?: SearchMethod }) {
    this.registry = new GalleryRegistry(options);
    this.enrolled = new FaceGallery(options);
  }

  /** Persons in at least one gallery. */
  get persons(): number {
    return this.#memberships.size;
  }

  setPerson(personId: string, template: CachedTemplate | undefined, galleries: readonly string[]): void {
    const before = this.#memberships.get(personId) ?? new Set<string>();
    const after = new Set(galleries);
    for (const g of before) if (!after.has(g) || !template) this.registry.remove(g, personId);
    if (template) for (const g of after) this.registry.upsert(g, personId, template.embedding);
    if (after.size > 0) this.#memberships.set(personId, after);
    else this.#memberships.delete(personId);
    if (template) {
      this.enrolled.upsert(personId, template.embedding);
      this.#versions.set(personId, template.version);
    } else {
      this.enrolled.remove(personId);
      this.#versions.delete(personId);
    }
  }

  /**
   * Persons whose memory differs from the database: different galleries, a template changed or
   * gone, or a template that appeared. `versions` covers the recognizer's templates, `members` all pairs.
   */
  differences(versions: Map<string, number>, members: { gallery_id: string; person_id: string }[]): Set<string> {
    const desired = new Map<string, Set<string>>();
    for (const { gallery_id: g, person_id: p } of members) {
      const set = desired.get(p) ?? new Set<string>();
      set.add(g);
      desired.set(p, set);
    }
    const changed = new Set<string>();
    for (const [person, galleries] of desired) {
      const held = this.#memberships.get(person);
      if (!held || held.size !== galleries.size || [...galleries].some((g) => !held.has(g))) changed.add(person);
    }
    for (const person of this.#memberships.keys()) if (!desired.has(person)) changed.add(person);
    for (const [person, version] of versions) if (this.#versions.get(person) !== version) changed.add(person);
    for (const person of this.#versions.keys()) if (!versions.has(person)) changed.add(person);
    return changed;
  }
}
