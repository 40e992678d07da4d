/**
 * The keys of PASS's relying party at the Digital Agency (private_key_jwt) and of the development
 * stand-in's authorization server. A configured key is a private JWK (inline or in a file) or a
 * PEM file; only P-256 (ES256) and RSA of 2048 bits or more (RS256) are taken, the two algorithms
 * the Digital Agency's reference and Keycloak both sign with. The development keys are made once
 * per installation and kept sealed in the database, like the development JPKI CA, so every node
 * and every restart uses the same ones.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, type webcrypto } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { ConfigurationError } from '../../../core/errors.ts';
import type { Database } from '../../../db/database.ts';
import type { SecretBox } from '../../../core/secret-box.ts';
import { storedDevKey } from '../dev-pki.ts';

export type SigningAlgorithm = 'ES256' | 'RS256';

export interface SigningKey {
  privateKey: KeyObject;
  /** The public half as a JWK, with `kid`, `alg` and `use: sig` (what the other side registers). */
  publicJwk: JWK & { kid: string; alg: SigningAlgorithm; use: 'sig' };
  alg: SigningAlgorithm;
  kid: string;
}

/** Which JWS algorithm a key signs with; throws for any other kind of key. */
export function algorithmOf(key: KeyObject): SigningAlgorithm {
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256';
  if (key.asymmetricKeyType === 'rsa' && (key.asymmetricKeyDetails?.modulusLength ?? 0) >= 2048) return 'RS256';
  throw new Error('the key must be an EC P-256 key (ES256) or an RSA key of 2048 bits or more (RS256)');
}

/** A private key with its public JWK; `kid` defaults to the RFC 7638 thumbprint. */
export async function signingKeyOf(privateKey: KeyObject, kid?: string): Promise<SigningKey> {
  const alg = algorithmOf(privateKey);
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' }) as JWK;
  const id = kid ?? (await calculateJwkThumbprint(jwk));
  return { privateKey, alg, kid: id, publicJwk: { ...jwk, kid: id, alg, use: 'sig' } };
}

function parsePrivate(text: string, source: string): { key: KeyObject; kid?: string } {
  const trimmed = text.trim();
  try {
    if (trimmed.startsWith('{')) {
      const jwk = JSON.parse(trimmed) as JWK;
      if (typeof jwk.d !== 'string') throw new Error('the JWK holds no private key ("d")');
      const key = createPrivateKey({ key: jwk as webcrypto.JsonWebKey, format: 'jwk' });
      return typeof jwk.kid === 'string' && jwk.kid ? { key, kid: jwk.kid } : { key };
    }
    return { key: createPrivateKey(trimmed) };
  } catch (error) {
    throw new ConfigurationError([`DIGITAL_AGENCY_SIGNING_KEY: ${source} is not a private key PASS can use (${(error as Error).message})`]);
  }
}

/** DIGITAL_AGENCY_SIGNING_KEY: an inline JWK, or a PEM or JWK file. The value is never logged. */
export async function loadConfiguredKey(value: string): Promise<SigningKey> {
  const inline = value.trim().startsWith('{');
  const parsed = inline ? parsePrivate(value, 'the inline JWK') : parsePrivate(readFileSync(value, 'utf8'), value);
  try {
    return await signingKeyOf(parsed.key, parsed.kid);
  } catch (error) {
    throw new ConfigurationError([`DIGITAL_AGENCY_SIGNING_KEY: ${(error as Error).message}`]);
  }
}

/** A development key of this installation (P-256), made on first use and kept sealed. */
export async function developmentKey(db: Database, box: SecretBox, kind: 'digital-agency-rp' | 'digital-agency-stand-in'): Promise<SigningKey> {
  const pem = await storedDevKey(db, box, kind, () => {
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    return {
      certificatePem: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      privateKeyPem: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    };
  });
  return signingKeyOf(createPrivateKey(pem.privateKeyPem));
}
