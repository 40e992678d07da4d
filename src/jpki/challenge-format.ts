/**
 * The to-be-signed challenge (JPKI.md §4 step 1). A domain-separation prefix stops a signature
 * made for PASS from being replayed as a signature over some other document, and binding the
 * purpose, client and account stops one proof being moved to another session. The server stores
 * the exact bytes it issued and verifies against those; parsing exists for logs and tests.
 *
 * Format (UTF-8, LF-separated, no trailing LF):
 *   PASS-JPKI-CHALLENGE/1
 *   purpose=<identity_proofing|user_authentication>
 *   nonce=<32 random bytes, base64url>
 *   client=<OAuth client_id or kiosk id>
 *   account=<account id, empty for card-only check-in>
 *   issued_at=<ISO 8601 UTC, millisecond precision>
 */
import { randomBytes } from 'node:crypto';
import { JpkiInputError } from './errors.ts';

export const CHALLENGE_PREFIX = 'PASS-JPKI-CHALLENGE/1';

export type ChallengePurpose = 'identity_proofing' | 'user_authentication';

export interface ChallengeFields {
  purpose: ChallengePurpose;
  nonce: string;
  client: string;
  account: string;
  issuedAt: Date;
}

const SAFE = /^[\x21-\x7e]*$/;

export function createChallenge(input: Omit<ChallengeFields, 'nonce'> & { nonce?: string }): Uint8Array {
  const nonce = input.nonce ?? randomBytes(32).toString('base64url');
  for (const [k, v] of [['client', input.client], ['account', input.account], ['nonce', nonce]] as const) {
    if (!SAFE.test(v) || v.length > 200) throw new JpkiInputError('invalid_challenge', `${k} must be printable ASCII without spaces`);
  }
  const lines = [
    CHALLENGE_PREFIX,
    `purpose=${input.purpose}`,
    `nonce=${nonce}`,
    `client=${input.client}`,
    `account=${input.account}`,
    `issued_at=${input.issuedAt.toISOString()}`,
  ];
  return new TextEncoder().encode(lines.join('\n'));
}

export function parseChallenge(bytes: Uint8Array): ChallengeFields {
  const bad = (): never => {
    throw new JpkiInputError('invalid_challenge', 'not a PASS JPKI challenge');
  };
  const text = Buffer.from(bytes).toString('utf8');
  const lines = text.split('\n');
  if (lines.length !== 6 || lines[0] !== CHALLENGE_PREFIX) bad();
  const fields = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const eq = line.indexOf('=');
    if (eq < 0) bad();
    fields.set(line.slice(0, eq), line.slice(eq + 1));
  }
  const purpose = fields.get('purpose');
  if (purpose !== 'identity_proofing' && purpose !== 'user_authentication') return bad();
  const issuedAt = new Date(fields.get('issued_at') ?? '');
  if (Number.isNaN(issuedAt.getTime())) bad();
  return {
    purpose,
    nonce: fields.get('nonce') ?? bad(),
    client: fields.get('client') ?? bad(),
    account: fields.get('account') ?? bad(),
    issuedAt,
  };
}
