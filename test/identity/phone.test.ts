// Mobile numbers as residents type them (src/identity/phone.ts): with or without hyphens and
// spaces, full-width digits, +81; stored as E.164. The sign-in name takes the same forms.
import { looksLikePhone, mobileToE164, phoneDigits } from '../../src/identity/phone.ts';
import { loginKey } from '../../src/identity/accounts.ts';

describe('mobile numbers as typed', () => {
  test.each([
    ['09024681357'],
    ['090-2468-1357'],
    ['090 2468 1357'],
    ['090ー2468ー1357'],
    ['０９０－２４６８－１３５７'],
    ['０９０　２４６８　１３５７'],
    ['(090) 2468-1357'],
    ['+81 90-2468-1357'],
    ['  090-2468-1357  '],
  ])('%s is +819024681357', (typed) => {
    expect(mobileToE164(typed)).toBe('+819024681357');
    expect(loginKey(typed)).toEqual({ column: 'phone_e164', value: '+819024681357' });
  });

  test.each([
    ['03-1234-5678', 'phone_not_mobile'],
    ['0612345678', 'phone_not_mobile'],
    ['050-1234-5678', 'phone_not_mobile'],
    ['090-2468-135', 'phone_invalid'],
    ['090-2468-13579', 'phone_invalid'],
    ['090-2468-1357 内線3', 'phone_invalid'],
    ['090.2468.1357', 'phone_invalid'],
  ])('%s is refused: %s', (typed, reason) => {
    expect(() => mobileToE164(typed)).toThrow(expect.objectContaining({ reason }));
  });

  test('an e-mail address stays an e-mail address', () => {
    expect(loginKey(' Hanako@Example.JP ')).toEqual({ column: 'email', value: 'hanako@example.jp' });
    expect(loginKey('090-hanako@example.jp')).toEqual({ column: 'email', value: '090-hanako@example.jp' });
    expect(looksLikePhone('hanako@example.jp')).toBe(false);
    expect(phoneDigits('０９０－２４６８－１３５７')).toBe('09024681357');
  });
});
