/**
 * A person's My Number Cards for card-only check-in (card_links): the user-authentication
 * certificate of each card shown to be theirs — its issuer, serial number, SHA-256 fingerprint and
 * validity — and how that was shown (card-binding.ts, proofing-service.ts). Identity owns the table
 * because its rule decides who a card belongs to: the same proof of the person that binds their
 * verified facts (and, at proofing, in the same transaction). Check-ins only ask who holds a card.
 *
 * A card is known by a keyed hash of its certificate's issuer and serial number (cardKeyOf), which
 * is also what a check-in keeps. A person has one current card: linking another replaces it, and
 * the replaced one stays listed but never matches.
 */
import { createHmac } from 'node:crypto';
import type { Knex } from 'knex';

const TABLE = 'card_links';

/** How a card was shown to be the person's own. 'seed': development data and tests, no proof. */
export type CardLinkVia = 'proofing' | 'signature' | 'text_ap' | 'seed';

/** The user-authentication certificate's facts, as the verifier read them. */
export interface CardCertificate {
  /** RFC 4514 issuer DN. */
  issuer: string;
  serialNumber: string;
  /** Lowercase hex SHA-256 of the certificate's DER. */
  fingerprint: string;
  notBefore: Date;
  notAfter: Date;
}

/** 'revoked': the current card's certificate is on its CRL (known when listed with revocation data). */
export type CardStatus = 'current' | 'revoked' | 'replaced' | 'unproven';

export interface LinkedCard extends Partial<CardCertificate> {
  cardKey: string;
  linkedAt: Date;
  via: CardLinkVia | 'unproven';
  status: CardStatus;
  replacedAt: Date | undefined;
}

interface Row {
  card_key: string;
  person_id: string;
  created_at: Date;
  issuer: string | null;
  serial_number: string | null;
  fingerprint: string | null;
  not_before: Date | null;
  not_after: Date | null;
  linked_via: string;
  replaced_at: Date | null;
}

/** The card's key: HMAC of issuer and serial with the identity hash key, never the serial itself. */
export function cardKeyOf(identityHashKey: string, issuer: string, serialNumber: string): string {
  return createHmac('sha256', identityHashKey).update(`jpki-auth-card\0${issuer}\0${serialNumber.toLowerCase()}`).digest('hex');
}

/**
 * Makes the card the person's current one, in the caller's transaction: their other current card
 * is replaced. A card held by someone else moves to the person proven to own it (a link made before
 * the ownership rule could have been wrong).
 */
export async function bindCard(trx: Knex.Transaction, personId: string, cardKey: string, card: CardCertificate, via: CardLinkVia): Promise<void> {
  const now = new Date();
  await trx(TABLE).where({ person_id: personId }).whereNull('replaced_at').whereNot({ card_key: cardKey }).update({ replaced_at: now });
  await trx(TABLE)
    .insert({
      card_key: cardKey,
      person_id: personId,
      created_at: now,
      issuer: card.issuer,
      serial_number: card.serialNumber,
      fingerprint: card.fingerprint,
      not_before: card.notBefore,
      not_after: card.notAfter,
      linked_via: via,
      replaced_at: null,
    })
    .onConflict('card_key')
    .merge(['person_id', 'created_at', 'issuer', 'serial_number', 'fingerprint', 'not_before', 'not_after', 'linked_via', 'replaced_at']);
}

/** Who holds the card now; undefined for a card nobody holds, or one replaced. */
export async function cardHolder(db: Knex, cardKey: string): Promise<string | undefined> {
  const row = (await db(TABLE).where({ card_key: cardKey }).whereNull('replaced_at').first('person_id')) as { person_id: string } | undefined;
  return row?.person_id;
}

/** The person's cards, the current one first, then the replaced ones newest first. */
export async function cardsOf(db: Knex, personId: string): Promise<LinkedCard[]> {
  const rows = (await db(TABLE)
    .where({ person_id: personId })
    .orderByRaw('replaced_at is not null, coalesce(replaced_at, created_at) desc')) as Row[];
  return rows.map((r) => {
    const via = r.linked_via as LinkedCard['via'];
    return {
      cardKey: r.card_key,
      linkedAt: new Date(r.created_at),
      via,
      status: via === 'unproven' ? 'unproven' : r.replaced_at ? 'replaced' : 'current',
      replacedAt: r.replaced_at ? new Date(r.replaced_at) : undefined,
      ...(r.issuer ? { issuer: r.issuer } : {}),
      ...(r.serial_number ? { serialNumber: r.serial_number } : {}),
      ...(r.fingerprint ? { fingerprint: r.fingerprint } : {}),
      ...(r.not_before ? { notBefore: new Date(r.not_before) } : {}),
      ...(r.not_after ? { notAfter: new Date(r.not_after) } : {}),
    };
  });
}

/** The resident unlinks: every card of the person is forgotten. */
export async function forgetCards(db: Knex, personId: string): Promise<number> {
  return db(TABLE).where({ person_id: personId }).delete();
}

/** The keys of every card the persons ever linked (a deletion anonymises the check-ins made with them). */
export async function cardKeysOf(db: Knex, personIds: readonly string[]): Promise<string[]> {
  return personIds.length ? ((await db(TABLE).whereIn('person_id', personIds).pluck('card_key')) as string[]) : [];
}
