/**
 * Passwords that appear at the top of every breach corpus (and a few Japanese favourites). NIST SP
 * 800-63B asks verifiers to refuse "commonly used, expected or compromised" values; this short
 * list catches the ones an online attacker tries first. Stored lower-case.
 */
export const COMMON_PASSWORDS = new Set([
  '12345678', '123456789', '1234567890', '12345678910', '87654321', '11111111', '00000000', '88888888',
  '11223344', '12341234', '123123123', '1q2w3e4r', '1qaz2wsx', 'qwertyui', 'qwertyuiop', 'qwerty123',
  'asdfghjk', 'asdfghjkl', 'zxcvbnm1', 'password', 'password1', 'password12', 'password123', 'passw0rd',
  'p@ssw0rd', 'p@ssword', 'iloveyou', 'sunshine', 'princess', 'football', 'baseball', 'superman',
  'starwars', 'whatever', 'trustno1', 'letmein1', 'welcome1', 'welcome123', 'admin123', 'administrator',
  'abc12345', 'abcd1234', 'abcdefgh', 'aa123456', 'a1234567', 'computer', 'internet', 'dragon123',
  'monkey123', 'michael1', 'jennifer', 'changeme', 'changeme1', 'qazwsxedc', 'zaq12wsx', 'q1w2e3r4',
  'q1w2e3r4t5', 'pokemon1', 'doraemon', 'sakura123', 'naruto123', 'hello123', 'helloworld', 'loveyou1',
  'nihongo1', 'tokyo123', 'japan123', 'nippon123', 'arigatou', 'konnichiwa', 'pass1234', 'passpass',
  'passport', 'mynumber', 'mynumber1', 'pass-app', 'pass1234!', 'qwer1234', 'asdf1234', 'zxcv1234',
]);
