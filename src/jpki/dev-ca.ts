/**
 * The PASS development JPKI CA: a root shaped like the J-LIS roots (same extensions, string types
 * and DN layout) but named PASS-DEV-JPKI, issuing resident certificates under the TEST policy and
 * CRLs. It exists for demo data and tests; production refuses its anchors (trust-anchors.ts) and
 * its policy (certificate-profile.ts). Certificates are assembled with pkijs and signed with
 * Node's crypto, so nothing here shares code with the verifier's parser.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import type { KeyUsageName } from './certificate-extensions.ts';
import { parseCertificate } from './certificate.ts';
import {
  authorityKeyIdValue,
  basicConstraintsValue,
  ber,
  bigintBytes,
  crlDistributionPointValue,
  crlNumberValue,
  directoryNameGeneralNames,
  enumeratedValue,
  integerValue,
  issuingDistributionPointValue,
  keyUsageValue,
  nameAsn1,
  otherNamesValue,
  policiesValue,
  subjectKeyIdValue,
} from './dev-ca-asn1.ts';
import type { NameSpec, OtherNameSpec } from './dev-ca-asn1.ts';
import { toEraCoded } from './era-date.ts';
import { BASIC_FOUR_OID, OID, testPolicyFor } from './oids.ts';
import type { CertificateType } from './oids.ts';
import { decodePem, encodePem } from './pem.ts';
import { REVOCATION_REASONS } from './revocation/revocation-checker.ts';
import type { RevocationReason } from './revocation/revocation-checker.ts';
import { DEV_CA_ORGANIZATION } from './trust-anchors.ts';

export const CA_OU: Record<CertificateType, string> = {
  signature: 'JPKI for digital signature',
  user_authentication: 'JPKI for user authentication',
};
const DEV_CA_DESCRIPTION = 'PASS Development Test CA - NOT J-LIS';
const DEV_ISSUER_ALT_ORG = '公的個人認証サービス（PASS開発用）';
const YEAR_MS = 365.25 * 24 * 3600 * 1000;

export function devCaName(kind: CertificateType): NameSpec {
  return [['C', 'JP'], ['O', DEV_CA_ORGANIZATION], ['OU', CA_OU[kind]], ['OU', DEV_CA_DESCRIPTION]];
}

export function generateRsaKeyPair(bits = 2048): { privateKey: KeyObject; publicKey: KeyObject } {
  return generateKeyPairSync('rsa', { modulusLength: bits, publicExponent: 65537 });
}

export interface ResidentFacts {
  /** Family and given name separated by U+3000, e.g. `加賀　太郎`. */
  name: string;
  /** ISO date; encoded as EYYYYMMDD with its era unless `dateOfBirth` is given. */
  birthdate: string;
  /** Raw EYYYYMMDD override, for tests of malformed values. */
  dateOfBirth?: string;
  sex: '1' | '2' | '3';
  address: string;
  nameSubstitutionFlags?: string;
  addressSubstitutionFlags?: string;
  /** Romanised, for the subject DN and CRL DP (`Ishikawa-ken`, `Kaga-shi`). */
  prefecture?: string;
  municipality?: string;
}

export interface IssueOptions {
  publicKey: KeyObject;
  serialNumber?: bigint;
  notBefore?: Date;
  notAfter?: Date;
  // Deliberate deviations from the profile, for negative tests.
  policies?: readonly string[];
  keyUsage?: readonly KeyUsageName[];
  basicConstraintsCa?: boolean;
  /** Replaces the six basic-four otherNames. */
  otherNames?: readonly OtherNameSpec[];
  omitSubjectAltName?: boolean;
  extraExtensions?: readonly { oid: string; critical: boolean; value: Uint8Array }[];
}

export interface CrlOptions {
  revoked?: readonly { serialNumber: string | bigint; revokedAt?: Date; reason?: RevocationReason }[];
  thisUpdate?: Date;
  nextUpdate?: Date;
  crlNumber?: bigint;
  /** Partition: the CRL covers only certificates with this (prefecture, municipality) CRL DP. */
  scope?: { prefecture: string; municipality: string };
}

function seconds(d: Date): Date {
  return new Date(Math.floor(d.getTime() / 1000) * 1000);
}

function time(d: Date): pkijs.Time {
  // RFC 5280: UTCTime through 2049, GeneralizedTime from 2050.
  return new pkijs.Time({ type: d.getUTCFullYear() < 2050 ? 0 : 1, value: seconds(d) });
}

function keyId(publicKey: KeyObject): Uint8Array {
  return new Uint8Array(createHash('sha1').update(publicKey.export({ type: 'pkcs1', format: 'der' })).digest());
}

function randomSerial(): bigint {
  const b = randomBytes(16);
  b[0] = (b[0]! & 0x7f) | 0x10;
  return BigInt(`0x${b.toString('hex')}`);
}

function ext(oid: string, critical: boolean, value: Uint8Array): pkijs.Extension {
  return new pkijs.Extension({ extnID: oid, critical, extnValue: value.slice().buffer });
}

function sha256WithRsa(): pkijs.AlgorithmIdentifier {
  return new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha256WithRSAEncryption, algorithmParams: new asn1js.Null() });
}

function rdn(spec: NameSpec): pkijs.RelativeDistinguishedNames {
  // Decoded from bytes so pkijs keeps one attribute per RDN; from a fresh schema it would merge
  // all attributes into a single multi-valued RDN.
  return new pkijs.RelativeDistinguishedNames({ schema: asn1js.fromBER(ber(nameAsn1(spec))).result });
}

function spkiOf(publicKey: KeyObject): pkijs.PublicKeyInfo {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return new pkijs.PublicKeyInfo({ schema: asn1js.fromBER(new Uint8Array(der)).result });
}

/** Signs TBS with Node's crypto (PKCS#1 v1.5, SHA-256) and returns the final DER. */
function signAndEncode(obj: pkijs.Certificate | pkijs.CertificateRevocationList, privateKey: KeyObject): Uint8Array {
  obj.signature = sha256WithRsa();
  obj.signatureAlgorithm = sha256WithRsa();
  // CRL.encodeTBS is protected in pkijs' typings; toSchema(true) re-encodes the TBS the same way.
  // The outer SEQUENCE is assembled here because pkijs' own toSchema() re-parses the TBS, which
  // fails for CRLs with thousands of entries.
  const tbsSchema = (obj.toSchema(true) as asn1js.Sequence).valueBlock.value[0]!;
  const tbs = new Uint8Array(tbsSchema.toBER(false));
  const signature = new Uint8Array(sign('sha256', tbs, privateKey));
  return ber(
    new asn1js.Sequence({
      value: [tbsSchema, sha256WithRsa().toSchema(), new asn1js.BitString({ valueHex: signature })],
    }),
  );
}

export interface DevCaCreateOptions {
  kind?: CertificateType;
  now?: Date;
  validityYears?: number;
  keyPair?: { privateKey: KeyObject; publicKey: KeyObject };
  /** Test only: another subject, e.g. the J-LIS name, to show a look-alike root is refused. */
  subject?: NameSpec;
}

export class DevJpkiCa {
  readonly kind: CertificateType;
  readonly certificateDer: Uint8Array;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly name: NameSpec;
  readonly notAfter: Date;

  private constructor(kind: CertificateType, der: Uint8Array, privateKey: KeyObject, publicKey: KeyObject, name: NameSpec, notAfter: Date) {
    this.kind = kind;
    this.certificateDer = der;
    this.privateKey = privateKey;
    this.publicKey = publicKey;
    this.name = name;
    this.notAfter = notAfter;
  }

  static create(options: DevCaCreateOptions = {}): DevJpkiCa {
    const kind = options.kind ?? 'signature';
    const { privateKey, publicKey } = options.keyPair ?? generateRsaKeyPair();
    const name = options.subject ?? devCaName(kind);
    const notBefore = seconds(options.now ?? new Date());
    const notAfter = new Date(notBefore.getTime() + (options.validityYears ?? 10) * YEAR_MS);
    const cert = new pkijs.Certificate({
      version: 2,
      serialNumber: integerValue(bigintBytes(randomSerial())),
      issuer: rdn(name),
      subject: rdn(name),
      notBefore: time(notBefore),
      notAfter: time(notAfter),
      subjectPublicKeyInfo: spkiOf(publicKey),
      extensions: [
        ext(OID.keyUsage, true, keyUsageValue(['keyCertSign', 'cRLSign'])),
        ext(OID.subjectAltName, false, directoryNameGeneralNames([['C', 'JP'], ['O', DEV_ISSUER_ALT_ORG]])),
        ext(OID.basicConstraints, true, basicConstraintsValue(true)),
        ext(OID.cRLDistributionPoints, false, crlDistributionPointValue(name)),
        ext(OID.subjectKeyIdentifier, false, subjectKeyIdValue(keyId(publicKey))),
      ],
    });
    return new DevJpkiCa(kind, signAndEncode(cert, privateKey), privateKey, publicKey, name, notAfter);
  }

  static fromPem(certificatePem: string, privateKeyPem: string): DevJpkiCa {
    const block = decodePem(certificatePem).find((b) => b.label === 'CERTIFICATE');
    if (!block) throw new Error('no CERTIFICATE block');
    const cert = parseCertificate(block.der, { maxBytes: 16384 });
    const privateKey = createPrivateKey(privateKeyPem);
    const name = cert.subject.rdns.map((r) => {
      const short = ({ [OID.countryName]: 'C', [OID.organizationName]: 'O', [OID.organizationalUnitName]: 'OU', [OID.commonName]: 'CN' } as Record<string, 'C' | 'O' | 'OU' | 'CN'>)[r[0]!.type];
      if (!short) throw new Error('unexpected attribute in dev CA name');
      return [short, r[0]!.value] as const;
    });
    const kind: CertificateType = name.some(([, v]) => v === CA_OU.user_authentication) ? 'user_authentication' : 'signature';
    const publicKey = createPublicKey(privateKey);
    return new DevJpkiCa(kind, block.der, privateKey, publicKey, name, cert.notAfter);
  }

  /** Loads `<dir>/<kind>-ca.{crt,key}.pem`, creating and saving a new CA when absent. */
  static loadOrCreate(dir: string, options: DevCaCreateOptions = {}): DevJpkiCa {
    const kind = options.kind ?? 'signature';
    const certPath = join(dir, `${kind}-ca.crt.pem`);
    const keyPath = join(dir, `${kind}-ca.key.pem`);
    if (existsSync(certPath) && existsSync(keyPath)) {
      return DevJpkiCa.fromPem(readFileSync(certPath, 'utf8'), readFileSync(keyPath, 'utf8'));
    }
    const ca = DevJpkiCa.create(options);
    mkdirSync(dir, { recursive: true });
    const pem = ca.toPem();
    writeFileSync(certPath, pem.certificatePem);
    writeFileSync(keyPath, pem.privateKeyPem, { mode: 0o600 });
    return ca;
  }

  toPem(): { certificatePem: string; privateKeyPem: string } {
    return {
      certificatePem: encodePem('CERTIFICATE', this.certificateDer),
      privateKeyPem: this.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    };
  }

  /** The per-municipality CRL DP name, mirroring J-LIS (JPKI.md §2.2). */
  crlDistributionPointName(prefecture: string, municipality: string): NameSpec {
    return [
      ['C', 'JP'],
      ['O', DEV_CA_ORGANIZATION],
      ['OU', CA_OU[this.kind]],
      ['OU', 'CRL Distribution Points'],
      ['OU', prefecture],
      ['CN', `${municipality} CRLDP`],
    ];
  }

  issueSignatureCertificate(resident: ResidentFacts, options: IssueOptions): Uint8Array {
    if (this.kind !== 'signature') throw new Error('this dev CA issues user-authentication certificates');
    const prefecture = resident.prefecture ?? 'Ishikawa-ken';
    const municipality = resident.municipality ?? 'Kaga-shi';
    const chars = (s: string): string => '0'.repeat([...s].length);
    const otherNames: readonly OtherNameSpec[] = options.otherNames ?? [
      { oid: BASIC_FOUR_OID.name, value: resident.name },
      { oid: BASIC_FOUR_OID.address, value: resident.address },
      { oid: BASIC_FOUR_OID.dateOfBirth, value: resident.dateOfBirth ?? toEraCoded(resident.birthdate) },
      { oid: BASIC_FOUR_OID.sex, value: resident.sex },
      { oid: BASIC_FOUR_OID.nameSubstitutionFlags, value: resident.nameSubstitutionFlags ?? chars(resident.name) },
      { oid: BASIC_FOUR_OID.addressSubstitutionFlags, value: resident.addressSubstitutionFlags ?? chars(resident.address) },
    ];
    const extensions = [
      ext(OID.keyUsage, true, keyUsageValue(options.keyUsage ?? ['digitalSignature', 'nonRepudiation'])),
      ...(options.omitSubjectAltName ? [] : [ext(OID.subjectAltName, false, otherNamesValue(otherNames))]),
    ];
    return this.issue(
      [['C', 'JP'], ['L', prefecture], ['L', municipality], ['CN', opaqueId()]],
      options,
      extensions,
      this.crlDistributionPointName(prefecture, municipality),
    );
  }

  /** 利用者証明用: CN only, digitalSignature, no basic four (JPKI.md §2.5). */
  issueUserAuthenticationCertificate(options: IssueOptions & { prefecture?: string; municipality?: string }): Uint8Array {
    if (this.kind !== 'user_authentication') throw new Error('this dev CA issues signature certificates');
    const extensions = [ext(OID.keyUsage, true, keyUsageValue(options.keyUsage ?? ['digitalSignature']))];
    const dp = this.crlDistributionPointName(options.prefecture ?? 'Ishikawa-ken', options.municipality ?? 'Kaga-shi');
    return this.issue([['CN', opaqueId()]], options, extensions, dp);
  }

  private issue(subject: NameSpec, options: IssueOptions, profileExtensions: pkijs.Extension[], dp: NameSpec): Uint8Array {
    const notBefore = seconds(options.notBefore ?? new Date());
    const notAfter = seconds(options.notAfter ?? new Date(Math.min(notBefore.getTime() + 5 * YEAR_MS, this.notAfter.getTime())));
    const extensions = [
      ...profileExtensions,
      ext(OID.issuerAltName, false, directoryNameGeneralNames([['C', 'JP'], ['O', DEV_ISSUER_ALT_ORG]])),
      ext(OID.certificatePolicies, false, policiesValue(options.policies ?? [testPolicyFor(this.kind)])),
      ext(OID.cRLDistributionPoints, false, crlDistributionPointValue(dp)),
      ext(OID.authorityKeyIdentifier, false, authorityKeyIdValue(keyId(this.publicKey))),
      ext(OID.subjectKeyIdentifier, false, subjectKeyIdValue(keyId(options.publicKey))),
      ...(options.basicConstraintsCa !== undefined ? [ext(OID.basicConstraints, true, basicConstraintsValue(options.basicConstraintsCa))] : []),
      ...(options.extraExtensions ?? []).map((e) => ext(e.oid, e.critical, e.value)),
    ];
    const cert = new pkijs.Certificate({
      version: 2,
      serialNumber: integerValue(bigintBytes(options.serialNumber ?? randomSerial())),
      issuer: rdn(this.name),
      subject: rdn(subject),
      notBefore: time(notBefore),
      notAfter: time(notAfter),
      subjectPublicKeyInfo: spkiOf(options.publicKey),
      extensions,
    });
    return signAndEncode(cert, this.privateKey);
  }

  issueCrl(options: CrlOptions = {}): Uint8Array {
    const thisUpdate = seconds(options.thisUpdate ?? new Date());
    const nextUpdate = seconds(options.nextUpdate ?? new Date(thisUpdate.getTime() + 24 * 3600 * 1000));
    const crlExtensions = [
      ext(OID.authorityKeyIdentifier, false, authorityKeyIdValue(keyId(this.publicKey))),
      ext(OID.cRLNumber, false, crlNumberValue(options.crlNumber ?? BigInt(Math.floor(thisUpdate.getTime() / 1000)))),
    ];
    if (options.scope) {
      const dp = this.crlDistributionPointName(options.scope.prefecture, options.scope.municipality);
      crlExtensions.push(ext(OID.issuingDistributionPoint, true, issuingDistributionPointValue(dp)));
    }
    const revoked = (options.revoked ?? []).map((r) => {
      const serial = typeof r.serialNumber === 'bigint' ? r.serialNumber : BigInt(`0x${r.serialNumber}`);
      const entry: ConstructorParameters<typeof pkijs.RevokedCertificate>[0] = {
        userCertificate: integerValue(bigintBytes(serial)),
        revocationDate: time(r.revokedAt ?? thisUpdate),
      };
      if (r.reason) {
        entry.crlEntryExtensions = new pkijs.Extensions({
          extensions: [ext(OID.cRLReason, false, enumeratedValue(REVOCATION_REASONS.indexOf(r.reason)))],
        });
      }
      return new pkijs.RevokedCertificate(entry);
    });
    const crl = new pkijs.CertificateRevocationList({
      version: 1,
      issuer: rdn(this.name),
      thisUpdate: time(thisUpdate),
      nextUpdate: time(nextUpdate),
      ...(revoked.length > 0 ? { revokedCertificates: revoked } : {}),
      crlExtensions: new pkijs.Extensions({ extensions: crlExtensions }),
    });
    return signAndEncode(crl, this.privateKey);
  }
}

function opaqueId(): string {
  return `PASSDEV${randomBytes(8).toString('hex').toUpperCase()}`;
}

