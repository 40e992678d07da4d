/**
 * Synthetic residents for demo data and tests. Names and addresses are invented; street numbers are
 * fictitious. Their cards are the development store's (src/identity/proofing/dev-cards.ts) or, in
 * tests, simulated cards (src/card/simulator): PASS has no card of its own that signs.
 */
import type { ResidentFacts } from './dev-ca.ts';

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
