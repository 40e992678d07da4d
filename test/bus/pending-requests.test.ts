// The bus's pending requests: one answer per state, within five minutes, shown only to the browser that asked.
import { PendingRequests } from '../../clients/bus/pending-requests.ts';

const COOKIE_A = 'a'.repeat(43);
const COOKIE_B = 'b'.repeat(43);

test('a state is taken once and expires after five minutes', () => {
  let now = 1_000_000;
  const requests = new PendingRequests<string>(() => now);
  const first = requests.open(COOKIE_A);
  expect(requests.take(first.state)).toEqual(first);
  expect(requests.take(first.state)).toBeUndefined();
  const late = requests.open(COOKIE_A);
  now += 300_000;
  expect(requests.take(late.state)).toBeUndefined();
  expect(requests.take('never-made-state-never-made')).toBeUndefined();
});

test("an answer is the asking browser's: by its cookie, and by the response code when one is given", () => {
  let now = 1_000_000;
  const requests = new PendingRequests<string>(() => now);
  const request = requests.open(COOKIE_A);
  expect(requests.waiting(COOKIE_A)).toBe(true);
  expect(requests.waiting(COOKIE_B)).toBe(false);
  const code = requests.settle(requests.take(request.state)!, 'verdict');
  expect(requests.outcome(COOKIE_A, code)?.verdict).toBe('verdict');
  expect(requests.outcome(COOKIE_A, undefined)?.verdict).toBe('verdict');
  expect(requests.outcome(COOKIE_B, code)).toBeUndefined();
  expect(requests.outcome(undefined, code)).toBeUndefined();
  expect(requests.outcome(COOKIE_A, `${code}x`)).toBeUndefined();
  // A new request in that browser forgets the old answer; an old answer expires.
  requests.open(COOKIE_A);
  expect(requests.outcome(COOKIE_A, code)).toBeUndefined();
  const next = requests.open(COOKIE_B);
  const nextCode = requests.settle(requests.take(next.state)!, 'later');
  now += 300_001;
  expect(requests.outcome(COOKIE_B, nextCode)).toBeUndefined();
});
