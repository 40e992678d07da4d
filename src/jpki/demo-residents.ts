/**
 * Synthetic residents for demo data and tests, and a helper that gives one a virtual card issued by
 * the development CAs. Names and addresses are invented; street numbers are fictitious.
 */
import type { ResidentFacts } from './dev-ca.ts';
import { DevJpkiCa, generateRsaKeyPair } from './dev-ca.ts';
import type { KeyObject } from 'node:crypto';
import { VirtualMyNumberCard } from './virtual-card.ts';

export const DEMO_RESIDENTS: readonly (ResidentFacts & { id: string })[] = [
  {
    id: 'kaga-taro',
    name: '加賀　太郎',
    birthdate: '1980-02-17',
    sex: '1',
    address: '石川県加賀市作見町ル２５番地１',
    prefecture: 'Ishikawa-ken',
    municipality: 'Kaga-shi',
  },
  {
    id: 'kaga-hanako',
    name: '加賀　花子',
    birthdate: '1984-07-03',
    sex: '2',
    address: '石川県加賀市作見町ル２５番地１',
    prefecture: 'Ishikawa-ken',
    municipality: 'Kaga-shi',
  },
  {
    id: 'kaga-sora',
    name: '加賀　そら',
    birthdate: '2019-05-01',
    sex: '3',
    address: '石川県加賀市作見町ル２５番地１',
    prefecture: 'Ishikawa-ken',
    municipality: 'Kaga-shi',
  },
  {
    id: 'sakai-ichiro',
    name: '坂井　一郎',
    birthdate: '1955-11-23',
    sex: '1',
    address: '福井県坂井市坂井町上新庄１８－２',
    prefecture: 'Fukui-ken',
    municipality: 'Sakai-shi',
  },
  {
    id: 'toyooka-megumi',
    name: '豊岡　めぐみ',
    birthdate: '1992-03-30',
    sex: '2',
    address: '兵庫県豊岡市中央町２－４',
    prefecture: 'Hyogo-ken',
    municipality: 'Toyooka-shi',
  },
];

export interface IssuedVirtualCard {
  card: VirtualMyNumberCard;
  signatureCertificate: Uint8Array;
  signatureKey: KeyObject;
  authenticationCertificate: Uint8Array | undefined;
}

export interface IssueCardOptions {
  signatureCa: DevJpkiCa;
  authenticationCa?: DevJpkiCa;
  signPin?: string;
  authPin?: string;
  notBefore?: Date;
  notAfter?: Date;
  keyPair?: { privateKey: KeyObject; publicKey: KeyObject };
}

export function issueVirtualCard(resident: ResidentFacts, options: IssueCardOptions): IssuedVirtualCard {
  const sign = options.keyPair ?? generateRsaKeyPair();
  const dates = {
    ...(options.notBefore ? { notBefore: options.notBefore } : {}),
    ...(options.notAfter ? { notAfter: options.notAfter } : {}),
  };
  const signatureCertificate = options.signatureCa.issueSignatureCertificate(resident, { publicKey: sign.publicKey, ...dates });
  let authentication;
  if (options.authenticationCa) {
    const auth = generateRsaKeyPair();
    const der = options.authenticationCa.issueUserAuthenticationCertificate({
      publicKey: auth.publicKey,
      ...dates,
      ...(resident.prefecture ? { prefecture: resident.prefecture } : {}),
      ...(resident.municipality ? { municipality: resident.municipality } : {}),
    });
    authentication = { privateKey: auth.privateKey, certificateDer: der, pin: options.authPin ?? '1234' };
  }
  const card = new VirtualMyNumberCard({
    signature: { privateKey: sign.privateKey, certificateDer: signatureCertificate, pin: options.signPin ?? 'PASS1234' },
    ...(authentication ? { authentication } : {}),
  });
  return {
    card,
    signatureCertificate,
    signatureKey: sign.privateKey,
    authenticationCertificate: authentication?.certificateDer,
  };
}
