/**
 * The development JPKI test CA of this PASS installation (development and test only). It is
 * created once and kept in the database — certificate in PEM, private key sealed with the
 * platform's encryption keys — so it survives restarts and every node of one installation shares
 * it. Its CRL is generated on demand from the revoked virtual cards (dev-cards.ts) and travels
 * through the same CachingCrlProvider and fail-closed checker as the real J-LIS CRLs.
 */
import type { Database } from '../../db/database.ts';
import type { SecretBox } from '../../core/secret-box.ts';
import { DevJpkiCa } from '../../jpki/dev-ca.ts';
import type { CertificateType } from '../../jpki/index.ts';
import type { RevocationReason } from '../../jpki/index.ts';

export interface DevelopmentCas {
  signature: DevJpkiCa;
  authentication: DevJpkiCa;
}

const TABLE = 'jpki_dev_ca';
const KINDS: readonly CertificateType[] = ['signature', 'user_authentication'];
/** The URL scheme of the development CRLs; only the fetch of crlFetchFor() answers it. */
export const DEV_CRL_SCHEME = 'pass-dev-crl:';

interface CaRow {
  certificate_pem: string;
  private_key_sealed: string;
}

/** A development key in PEM: its certificate (or, for a bare key, its public key) and its private key. */
export interface DevKeyPem {
  certificatePem: string;
  privateKeyPem: string;
}

/**
 * The development key of one kind (a CA of the virtual cards, the text-input-support AP issuer),
 * made by `create` on first use and kept for the installation, private key sealed.
 */
export async function storedDevKey(db: Database, box: SecretBox, kind: string, create: () => DevKeyPem): Promise<DevKeyPem> {
  let row = (await db(TABLE).where({ kind }).first()) as CaRow | undefined;
  if (!row) {
    const made = create();
    // Two nodes starting together: the first insert wins and both use the stored key.
    await db(TABLE)
      .insert({ kind, certificate_pem: made.certificatePem, private_key_sealed: box.seal(made.privateKeyPem, `jpki-dev-ca:${kind}`) })
      .onConflict('kind')
      .ignore();
    row = (await db(TABLE).where({ kind }).first()) as CaRow;
  }
  return { certificatePem: row.certificate_pem, privateKeyPem: box.openText(row.private_key_sealed, `jpki-dev-ca:${kind}`) };
}

async function loadOne(db: Database, box: SecretBox, kind: CertificateType): Promise<DevJpkiCa> {
  const pem = await storedDevKey(db, box, kind, () => DevJpkiCa.create({ kind }).toPem());
  return DevJpkiCa.fromPem(pem.certificatePem, pem.privateKeyPem);
}

export async function loadDevelopmentCas(db: Database, box: SecretBox): Promise<DevelopmentCas> {
  const [signature, authentication] = await Promise.all(KINDS.map((kind) => loadOne(db, box, kind)));
  return { signature: signature!, authentication: authentication! };
}

export function devCrlUrl(kind: CertificateType): string {
  return `${DEV_CRL_SCHEME}${kind}`;
}

export interface DevRevocation {
  serialNumber: string;
  revokedAt: Date;
  reason: RevocationReason | undefined;
}

/**
 * A fetch for CachingCrlProvider: `pass-dev-crl:<kind>` answers a freshly signed CRL of the
 * development CA listing the revoked virtual cards; any other URL goes to the network.
 */
export function crlFetchFor(cas: DevelopmentCas, revoked: (kind: CertificateType) => Promise<DevRevocation[]>): typeof globalThis.fetch {
  return async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (!url.startsWith(DEV_CRL_SCHEME)) return globalThis.fetch(input, init);
    const kind = url.slice(DEV_CRL_SCHEME.length);
    const ca = kind === 'signature' ? cas.signature : kind === 'user_authentication' ? cas.authentication : undefined;
    if (!ca) return new Response('unknown development CRL', { status: 404 });
    const now = new Date();
    const entries = await revoked(kind as CertificateType);
    const der = ca.issueCrl({
      thisUpdate: now,
      nextUpdate: new Date(now.getTime() + 24 * 3600_000),
      revoked: entries.map((e) => ({ serialNumber: e.serialNumber, revokedAt: e.revokedAt, ...(e.reason ? { reason: e.reason } : {}) })),
    });
    return new Response(der, { status: 200, headers: { 'content-type': 'application/pkix-crl' } });
  };
}
