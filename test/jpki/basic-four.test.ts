import { randomBytes } from 'node:crypto';
import { parseEraDate, toEraCoded, EraDateError } from '../../src/jpki/era-date.ts';
import { extractBasicFour, genderFromSexCode, splitName, basicFourToClaims } from '../../src/jpki/basic-four.ts';
import { basicFourHash, normalisedBasicFour } from '../../src/jpki/basic-four-hash.ts';
import { parseCertificate } from '../../src/jpki/certificate.ts';
import type { ResidentFacts } from '../../src/jpki/dev-ca.ts';
import { DAY, HANAKO, T0, TARO, createPki, reasonOf } from './fixtures.ts';
import type { Pki } from './fixtures.ts';

let pki: Pki;
beforeAll(() => {
  pki = createPki(2);
});

function certFor(resident: ResidentFacts, keyIndex = 0) {
  return parseCertificate(
    pki.signCa.issueSignatureCertificate(resident, {
      publicKey: pki.keys[keyIndex]!.publicKey,
      notBefore: new Date(T0.getTime() - DAY),
      notAfter: new Date(T0.getTime() + 365 * DAY),
    }),
  );
}

describe('era-coded date of birth', () => {
  test.each([
    ['118991201', '1899-12-01', '明治'],
    ['118680125', '1868-01-25', '明治'],
    ['119120730', '1912-07-30', '明治'],
    ['219120730', '1912-07-30', '大正'],
    ['219261225', '1926-12-25', '大正'],
    ['319261225', '1926-12-25', '昭和'],
    ['319890107', '1989-01-07', '昭和'],
    ['419890108', '1989-01-08', '平成'],
    ['420000229', '2000-02-29', '平成'],
    ['420190430', '2019-04-30', '平成'],
    ['520190501', '2019-05-01', '令和'],
    ['019800217', '1980-02-17', undefined],
  ])('%s → %s (%s)', (coded, iso, era) => {
    const d = parseEraDate(coded);
    expect(d.iso).toBe(iso);
    expect(d.era?.name).toBe(era);
  });

  test.each([
    ['219000101', 'Taisho before 1912'],
    ['119120731', 'Meiji after 1912-07-30'],
    ['319890108', 'Showa on the first day of Heisei'],
    ['420190501', 'Heisei in Reiwa'],
    ['520190430', 'Reiwa before 2019-05-01'],
    ['618991201', 'unknown era code 6'],
    ['918991201', 'era code 9'],
    ['119000229', '1900-02-29 (not a leap year)'],
    ['319800230', 'February 30'],
    ['319801301', 'month 13'],
    ['319800000', 'unknown month and day'],
    ['118670101', 'before Meiji'],
    ['31980021', 'eight digits'],
    ['3198002170', 'ten digits'],
    ['3１９８００２１７', 'full-width digits'],
    ['', 'empty'],
  ])('%s is refused (%s)', (coded) => {
    expect(() => parseEraDate(coded)).toThrow(EraDateError);
  });

  test('a birthdate after the verification time is refused', () => {
    expect(() => parseEraDate('520300101', { notAfter: T0 })).toThrow('future');
  });

  test('toEraCoded picks the era, the later one on accession days', () => {
    expect(toEraCoded('1899-12-01')).toBe('118991201');
    expect(toEraCoded('1926-12-25')).toBe('319261225');
    expect(toEraCoded('2019-05-01')).toBe('520190501');
  });
});

describe('sex code → gender', () => {
  test('1 male, 2 female, 3 omitted, anything else refused', () => {
    expect(genderFromSexCode('1')).toBe('male');
    expect(genderFromSexCode('2')).toBe('female');
    expect(genderFromSexCode('3')).toBeUndefined();
    for (const bad of ['0', '9', '', '12', 'M']) expect(() => genderFromSexCode(bad)).toThrow();
  });

  test('code 3 yields no gender claim', () => {
    const b = extractBasicFour(certFor({ ...TARO, sex: '3' }));
    expect(b.sexCode).toBe('3');
    expect(basicFourToClaims(b)).not.toHaveProperty('gender');
  });
});

describe('name split', () => {
  test.each([
    ['加賀　太郎', { familyName: '加賀', givenName: '太郎' }],
    ['加賀太郎', undefined],
    ['加賀 太郎', undefined],
    ['SMITH　JOHN　PAUL', undefined],
    ['　太郎', undefined],
    ['加賀　', undefined],
  ])('%s', (name, expected) => {
    expect(splitName(name)).toEqual(expected);
  });

  test('a name without exactly one U+3000 keeps only `name`', () => {
    const claims = basicFourToClaims(extractBasicFour(certFor({ ...TARO, name: 'SMITH　JOHN　PAUL' })));
    expect(claims.name).toBe('SMITH　JOHN　PAUL');
    expect(claims).not.toHaveProperty('family_name');
    expect(claims).not.toHaveProperty('given_name');
  });
});

describe('代替文字 flags', () => {
  test('positions are reported for name and address', () => {
    const b = extractBasicFour(
      certFor({ ...TARO, name: '髙橋　太郎', nameSubstitutionFlags: '10000', addressSubstitutionFlags: '000000001000000' }),
    );
    expect(b.nameSubstitution).toEqual({ raw: '10000', positions: [0], present: true, lengthMatches: true });
    expect(b.addressSubstitution.positions).toEqual([8]);
    expect(b.addressSubstitution.present).toBe(true);
  });

  test('no flags set means no substitution', () => {
    const b = extractBasicFour(certFor(TARO));
    expect(b.nameSubstitution.present).toBe(false);
    expect(b.addressSubstitution.present).toBe(false);
  });

  test('a flag string of the wrong length is reported, not guessed', () => {
    const b = extractBasicFour(certFor({ ...TARO, nameSubstitutionFlags: '01' }));
    expect(b.nameSubstitution.lengthMatches).toBe(false);
    expect(b.nameSubstitution.positions).toEqual([1]);
  });

  test('flags other than 0/1 are refused', async () => {
    expect(await reasonOf(() => extractBasicFour(certFor({ ...TARO, nameSubstitutionFlags: '0000x' })))).toBe('invalid_basic_four');
  });
});

describe('keyed hash of the basic four', () => {
  const key = randomBytes(32);

  test('stable across renewal (new key, new serial, same person)', () => {
    const before = certFor(TARO, 0);
    const renewed = certFor(TARO, 1);
    expect(renewed.serialNumber).not.toBe(before.serialNumber);
    expect(renewed.spki).not.toEqual(before.spki);
    expect(basicFourHash(extractBasicFour(renewed), { key })).toBe(basicFourHash(extractBasicFour(before), { key }));
  });

  test('differs between people, and between keys', () => {
    const taro = extractBasicFour(certFor(TARO));
    const hanako = extractBasicFour(certFor(HANAKO));
    expect(basicFourHash(taro, { key })).not.toBe(basicFourHash(hanako, { key }));
    expect(basicFourHash(taro, { key })).not.toBe(basicFourHash(taro, { key: randomBytes(32) }));
    // Same name and birthday but another sex is another person.
    expect(basicFourHash({ ...taro, sexCode: '2' }, { key })).not.toBe(basicFourHash(taro, { key }));
  });

  test('normalisation: NFKC, whitespace, hyphen variants; address optional', () => {
    const a = { name: '加賀　太郎', birthdate: '1980-02-17', sexCode: '1' as const, address: '石川県加賀市作見町１２－３' };
    const b = { ...a, name: ' 加賀 太郎 ', address: '石川県加賀市作見町12-3' };
    expect(normalisedBasicFour(a)).toBe(normalisedBasicFour(b));
    expect(basicFourHash(a, { key })).toBe(basicFourHash(b, { key }));
    const moved = { ...a, address: '福井県坂井市坂井町上新庄１８－２' };
    expect(basicFourHash(moved, { key })).not.toBe(basicFourHash(a, { key }));
    expect(basicFourHash(moved, { key, includeAddress: false })).toBe(basicFourHash(a, { key, includeAddress: false }));
    expect(basicFourHash(a, { key })).toMatch(/^v1\.[A-Za-z0-9_-]{43}$/);
  });

  test('refuses a short key', () => {
    expect(() => basicFourHash(extractBasicFour(certFor(TARO)), { key: randomBytes(16) })).toThrow('at least 32 bytes');
  });
});
