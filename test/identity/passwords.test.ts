// Password hashes: argon2id at the parameters PASS documents, and every hash PASS ever stored keeps
// verifying when the parameters change (each hash carries its own).
import { hash } from '@node-rs/argon2';
import { ARGON2_PARAMETERS, hashPassword, verifyPassword } from '../../src/identity/passwords.ts';

const PASSWORD = 'とても長い合言葉 correct horse 2026';

test('new hashes are argon2id with the documented parameters and a fresh salt', async () => {
  const first = await hashPassword(PASSWORD);
  const second = await hashPassword(PASSWORD);
  const { memoryKiB, passes, lanes } = ARGON2_PARAMETERS;
  expect(first).toMatch(new RegExp(`^\\$argon2id\\$v=19\\$m=${memoryKiB},t=${passes},p=${lanes}\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}$`));
  expect(second).not.toBe(first);
  // At least one of the settings OWASP lists as equivalent (m × t ≥ 36 MiB-passes, m ≥ 7 MiB).
  expect(memoryKiB).toBeGreaterThanOrEqual(7168);
  expect(memoryKiB * passes).toBeGreaterThanOrEqual(36 * 1024);
  await expect(verifyPassword(first, PASSWORD)).resolves.toBe(true);
  await expect(verifyPassword(first, `${PASSWORD} `)).resolves.toBe(false);
});

test('a hash stored at the earlier 19 MiB / 2-pass setting still verifies', async () => {
  const earlier = await hash(PASSWORD, { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 });
  expect(earlier).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  await expect(verifyPassword(earlier, PASSWORD)).resolves.toBe(true);
  await expect(verifyPassword(earlier, 'wrong password 2026')).resolves.toBe(false);
});

test('a damaged stored hash refuses every password instead of throwing', async () => {
  for (const stored of ['', 'not a hash', '$argon2id$v=19$m=12288,t=3,p=1$short$short', '$2b$10$abcdefghijklmnopqrstuv']) {
    await expect(verifyPassword(stored, PASSWORD)).resolves.toBe(false);
  }
});
