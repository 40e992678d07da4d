/**
 * The reason catalogue: every reason PASS refuses with, registered once by the capability that
 * owns it, with the HTTP status it is answered with and the words a person reads, Japanese first.
 *
 *   export const FACE_REASONS = defineReasons('face', {
 *     image_too_large: { status: 413, ja: '画像が大きすぎます。…', en: 'The image is too large. …' },
 *   });
 *   throw FACE_REASONS.refuse('image_too_large', `the image is larger than ${max} bytes`, { maxBytes: max });
 *
 * A refusal made from the catalogue takes its code and status from its entry; an API edge
 * (src/http/api-edge.ts) looks its text up in the catalogues it is given, and pages use t().
 * The same reason may read differently in two capabilities (the kiosk and the app speak to
 * different people), so texts are looked up in the catalogues of the API at hand, in order.
 */
import { codeForStatus, PassError, type ErrorCode } from './errors.ts';

export type Lang = 'ja' | 'en';

/** What a person reads for a reason, in Japanese and English. */
export interface ReasonText {
  ja: string;
  en: string;
}

export interface ReasonEntry extends ReasonText {
  /** The HTTP status a refusal with this reason is answered with. */
  status: number;
}

export class ReasonCatalogue<R extends string = string> {
  readonly capability: string;
  readonly #entries: Readonly<Record<R, ReasonEntry>>;

  constructor(capability: string, entries: Record<R, ReasonEntry>) {
    this.capability = capability;
    this.#entries = entries;
  }

  has(reason: string): reason is R {
    return Object.hasOwn(this.#entries, reason);
  }

  get reasons(): R[] {
    return Object.keys(this.#entries) as R[];
  }

  entry(reason: R): ReasonEntry {
    return this.#entries[reason];
  }

  status(reason: R): number {
    return this.#entries[reason].status;
  }

  code(reason: R): ErrorCode {
    return codeForStatus(this.#entries[reason].status);
  }

  /** The words for a reason, or undefined when this capability has none for it. */
  text(reason: string): ReasonText | undefined {
    if (!this.has(reason)) return undefined;
    const { ja, en } = this.#entries[reason];
    return { ja, en };
  }

  /** Every reason's words: what a `…/messages` endpoint serves and a client bundles. */
  texts(): Record<R, ReasonText> {
    return Object.fromEntries(this.reasons.map((reason) => [reason, this.text(reason)!])) as Record<R, ReasonText>;
  }

  /** A typed refusal with this reason: code and status from its entry, the English text unless a description is given. */
  refuse(reason: R, description?: string, details?: Record<string, unknown>): PassError {
    const { status, en } = this.#entries[reason];
    // A check-in's outcome (201 with its reason) is words to show, not a refusal.
    if (status < 400) throw new Error(`"${this.capability}.${reason}" is an outcome, not a refusal`);
    return new PassError(this.code(reason), reason, description ?? en, details, status);
  }
}

const registry = new Map<string, ReasonCatalogue>();

/** Registers a capability's reasons; a capability registers once. */
export function defineReasons<const E extends Record<string, ReasonEntry>>(capability: string, entries: E): ReasonCatalogue<keyof E & string> {
  if (registry.has(capability)) throw new Error(`the reasons of "${capability}" are registered twice`);
  for (const [reason, entry] of Object.entries(entries)) {
    if (!Number.isInteger(entry.status) || entry.status < 200 || entry.status > 599) throw new Error(`reason "${capability}.${reason}" has no HTTP status`);
  }
  const catalogue = new ReasonCatalogue<keyof E & string>(capability, entries);
  registry.set(capability, catalogue);
  return catalogue;
}

/** Every catalogue registered so far (each capability's, once its module is loaded). */
export function registeredCatalogues(): ReasonCatalogue[] {
  return [...registry.values()];
}

/** The words for a reason from the first of these catalogues that has them. */
export function textOf(reason: string, catalogues: readonly ReasonCatalogue[]): ReasonText | undefined {
  for (const catalogue of catalogues) {
    const text = catalogue.text(reason);
    if (text) return text;
  }
  return undefined;
}

/** A page's lookup: the words for a key in its language, or the key itself when none has it. */
export type Translate = (key: string) => string;

/** Page texts keyed by name, as the page message files hold them. */
export type Messages = Record<string, ReasonText>;

/**
 * The one lookup for pages: `t(lang, MESSAGES, FACE_REASONS)('face_too_small')`. Sources are
 * page message tables or reason catalogues, searched in order.
 */
export function t(lang: Lang, ...sources: ReadonlyArray<Messages | ReasonCatalogue>): Translate {
  return (key) => {
    for (const source of sources) {
      const text = source instanceof ReasonCatalogue ? source.text(key) : Object.hasOwn(source, key) ? source[key] : undefined;
      if (text?.[lang] !== undefined) return text[lang];
    }
    return key;
  };
}
