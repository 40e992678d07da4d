// Hostile presentations to the SD-JWT core's verifier (src/wallet/sd-jwt): valid age and
// verified-resident presentations mutated at the character level (bit flips, insertions, cuts,
// duplicated ranges) and structurally (disclosures dropped, doubled, reordered, taken from another
// credential; JSON inside a part changed and re-encoded; key-binding JWTs swapped, removed or made
// anew by the holder over the changed text, so the disclosure and issuer checks are reached too).
// Every case must end in the core's typed PresentationError with a catalogue reason, quickly; no
// mutant is ever accepted, except one the holder could lawfully make (fewer of its own disclosures,
// re-bound), which is counted apart.
import { isPresentationError, presentCredential, PRESENTATION_REASONS, verifyPresentation, type PresentationPolicy } from '../../src/wallet/sd-jwt/index.ts';
import { decodePart, disclosureOf, keyBinding, partsOf, presentedOf } from '../wallet/sd-jwt/attack-kit.ts';
import { issueCredential, makeHolder, makeIssuer, newNonce, policyFor, statusListToken, VERIFIER, type Holder } from '../wallet/sd-jwt/fixtures.ts';
import { fail, fuzz, fuzzPlan, within, type CaseLog, type Rng } from './fuzz-kit.ts';
import { GENERIC } from './mutate-bytes.ts';

const plan = fuzzPlan('pass-sd-jwt-presentation-1', 3000);
/** One verification is a few signature checks; far longer is a loop or a blow-up the limits missed. */
const CASE_LIMIT_MS = 2_000;

interface Seed {
  name: string;
  presentation: string;
  credential: string;
  policy: PresentationPolicy;
  nonce: string;
}

let holder: Holder;
let seeds: Seed[];
/** Disclosures of a credential the seeds do not come from: the "borrowed from someone else" mutation. */
let foreignDisclosures: string[];
let foreignKb: string;

beforeAll(async () => {
  const issuer = makeIssuer();
  holder = await makeHolder();
  const statusToken = await statusListToken(issuer, { revoked: [9] });
  const age = await issueCredential(issuer, 'age', { holder: holder.publicJwk, idx: 1 });
  const resident = await issueCredential(issuer, 'resident', { holder: holder.publicJwk, idx: 2 });
  const make = async (name: string, credential: string, disclose: string[]): Promise<Seed> => {
    const nonce = newNonce();
    const presentation = await presentCredential(credential, { disclose, aud: VERIFIER, nonce, key: holder.key, now: new Date() });
    // A fuzz run takes seconds; the key binding must not go stale under it.
    const policy = { ...policyFor(issuer, nonce, statusToken, { requestedClaims: disclose }), maxKeyBindingAgeSeconds: 3600 };
    return { name, presentation, credential, policy, nonce };
  };
  seeds = [
    await make('age_over_65', age, ['age_over_65']),
    await make('age_over_18+20', age, ['age_over_18', 'age_over_20']),
    await make('resident name+address', resident, ['name', 'address']),
    await make('resident all', resident, ['name', 'birthdate', 'gender', 'address']),
  ];
  const other = await makeHolder();
  const foreign = await issueCredential(issuer, 'age', { holder: other.publicJwk });
  const foreignPresentation = await presentCredential(foreign, { disclose: ['age_over_65', 'age_over_70'], aud: VERIFIER, nonce: newNonce(), key: other.key, now: new Date() });
  foreignDisclosures = partsOf(foreignPresentation).disclosures;
  foreignKb = partsOf(foreignPresentation).kb;
});

type Mutant = { text: string; rebound: boolean };
type Structural = (rng: Rng, seed: Seed, log: CaseLog) => Promise<Mutant> | Mutant;

const latin1 = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff);
const fromLatin1 = (bytes: Uint8Array): string => String.fromCharCode(...bytes);

/** The holder's own key binding over the changed text: the mutant then has to fail a check before key binding. */
async function rebind(rng: Rng, seed: Seed, jwt: string, disclosures: string[], log: CaseLog): Promise<Mutant> {
  const presented = presentedOf(jwt, disclosures);
  log.note('rebound');
  return { text: presented + (await keyBinding(presented, holder.key, { aud: VERIFIER, nonce: seed.nonce, iat: Math.floor(Date.now() / 1000) - rng.int(60) })), rebound: true };
}

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** One JSON value inside a part changed, the part re-encoded. */
function tamperJson(rng: Rng, part: string, log: CaseLog): string {
  let value: unknown;
  try {
    value = decodePart(part);
  } catch {
    return part;
  }
  const replace = (node: unknown, depth: number): unknown => {
    if (Array.isArray(node) && node.length && rng.chance(0.7)) {
      const at = rng.int(node.length);
      const copy = [...node];
      copy[at] = replace(node[at], depth + 1);
      return copy;
    }
    if (node && typeof node === 'object' && !Array.isArray(node) && Object.keys(node).length && rng.chance(0.7)) {
      const key = rng.pick(Object.keys(node));
      return { ...(node as Record<string, unknown>), [key]: replace((node as Record<string, unknown>)[key], depth + 1) };
    }
    const choice = rng.pick([true, false, 0, 1, 65, -1, 1e308, '', 'none', 'HS256', 'dc+sd-jwt', 'kb+jwt', null, [], {}, { '...': 'x' }, ['a', 'b'], '__proto__', '_sd']);
    log.note(`json@${depth}=${JSON.stringify(choice)}`);
    return choice;
  };
  return Buffer.from(JSON.stringify(replace(value, 0))).toString('base64url');
}

const STRUCTURAL: Structural[] = [
  // Character-level damage anywhere, the key binding left as it was.
  (rng, seed, log) => {
    const bytes = latin1(seed.presentation);
    const mutator = rng.pick(GENERIC);
    return { text: fromLatin1(mutator(rng, bytes, log)), rebound: false };
  },
  // A base64url character changed in place (what survives the charset check).
  (rng, seed, log) => {
    const at = rng.int(seed.presentation.length);
    log.note(`char@${at}`);
    return { text: seed.presentation.slice(0, at) + rng.pick([...B64URL, '~', '.']) + seed.presentation.slice(at + 1), rebound: false };
  },
  // Character damage to the issuer JWT or a disclosure, then re-bound by the holder.
  async (rng, seed, log) => {
    const { jwt, disclosures } = partsOf(seed.presentation);
    const target = rng.int(disclosures.length + 1);
    const part = target === 0 ? jwt : disclosures[target - 1]!;
    const at = rng.int(part.length);
    const changed = part.slice(0, at) + rng.pick([...B64URL]) + part.slice(at + 1);
    log.note(`part ${target} char@${at}`);
    return target === 0 ? rebind(rng, seed, changed, disclosures, log) : rebind(rng, seed, jwt, disclosures.map((d, i) => (i === target - 1 ? changed : d)), log);
  },
  // JSON inside a part changed and re-encoded: issuer header or payload, a disclosure, the KB-JWT's.
  async (rng, seed, log) => {
    const { jwt, disclosures, kb } = partsOf(seed.presentation);
    const where = rng.pick(['header', 'payload', 'disclosure', 'kb-header', 'kb-payload'] as const);
    log.note(where);
    const [h, p, s] = jwt.split('.') as [string, string, string];
    if (where === 'header') return rebind(rng, seed, `${tamperJson(rng, h, log)}.${p}.${s}`, disclosures, log);
    if (where === 'payload') return rebind(rng, seed, `${h}.${tamperJson(rng, p, log)}.${s}`, disclosures, log);
    if (where === 'disclosure' && disclosures.length) {
      const at = rng.int(disclosures.length);
      return rebind(rng, seed, jwt, disclosures.map((d, i) => (i === at ? tamperJson(rng, d, log) : d)), log);
    }
    const [kh, kp, ks] = kb.split('.') as [string, string, string];
    const newKb = where === 'kb-header' ? `${tamperJson(rng, kh, log)}.${kp}.${ks}` : `${kh}.${tamperJson(rng, kp, log)}.${ks}`;
    return { text: presentedOf(jwt, disclosures) + newKb, rebound: false };
  },
  // Disclosures dropped, doubled, reordered, borrowed; with the old key binding or re-bound.
  async (rng, seed, log) => {
    const { jwt, disclosures, kb } = partsOf(seed.presentation);
    const op = rng.pick(['drop', 'double', 'reverse', 'borrow', 'other-credential'] as const);
    log.note(op);
    let changed = [...disclosures];
    if (op === 'drop' && changed.length) changed.splice(rng.int(changed.length), 1);
    if (op === 'double' && changed.length) changed.push(rng.pick(changed));
    if (op === 'reverse') changed.reverse();
    if (op === 'borrow') changed.splice(rng.int(changed.length + 1), 0, rng.pick(foreignDisclosures));
    if (op === 'other-credential') changed = [...changed, ...partsOf(seed.credential).disclosures.filter((d) => !disclosures.includes(d)).slice(0, 1)];
    if (changed.length === disclosures.length && changed.every((d, i) => d === disclosures[i])) changed.push(disclosureOf([`s${rng.int(1e9)}`, 'age_over_65', true]));
    return rng.chance(0.5) ? rebind(rng, seed, jwt, changed, log) : { text: presentedOf(jwt, changed) + kb, rebound: false };
  },
  // A signature re-spelled: the last character's unused bits set, the same bytes if decoded loosely.
  (rng, seed, log) => {
    const { jwt, disclosures, kb } = partsOf(seed.presentation);
    const respell = (token: string): string => {
      const last = token.at(-1)!;
      const value = B64URL.indexOf(last);
      const other = B64URL[(value & ~0x0f) | ((value + 1 + rng.int(15)) & 0x0f)]!;
      return token.slice(0, -1) + other;
    };
    const which = rng.pick(['issuer', 'kb'] as const);
    log.note(`respell ${which} signature`);
    return which === 'issuer' ? { text: presentedOf(respell(jwt), disclosures) + kb, rebound: false } : { text: presentedOf(jwt, disclosures) + respell(kb), rebound: false };
  },
  // The key binding removed, replaced by another holder's, or its signature segment cut.
  (rng, seed, log) => {
    const { jwt, disclosures, kb } = partsOf(seed.presentation);
    const op = rng.pick(['none', 'foreign', 'cut-signature', 'alg-none'] as const);
    log.note(`kb ${op}`);
    const presented = presentedOf(jwt, disclosures);
    if (op === 'none') return { text: presented, rebound: false };
    if (op === 'foreign') return { text: presented + foreignKb, rebound: false };
    const [kh, kp] = kb.split('.') as [string, string];
    if (op === 'cut-signature') return { text: `${presented}${kh}.${kp}.`, rebound: false };
    const noneHeader = Buffer.from(JSON.stringify({ typ: 'kb+jwt', alg: 'none' })).toString('base64url');
    return { text: `${presented}${noneHeader}.${kp}.`, rebound: false };
  },
];

/** A re-bound mutant that is only the seed's own issuer JWT with a subset of its own disclosures: what a holder may lawfully present. */
function lawful(seed: Seed, mutant: Mutant): boolean {
  if (!mutant.rebound) return false;
  const { jwt, disclosures } = partsOf(mutant.text);
  const own = partsOf(seed.presentation);
  return jwt === own.jwt && new Set(disclosures).size === disclosures.length && disclosures.every((d) => own.disclosures.includes(d));
}

test('without mutation every seed presentation verifies (the fuzzer starts from accepted input)', async () => {
  for (const seed of seeds) await expect(verifyPresentation(seed.presentation, seed.policy)).resolves.toMatchObject({ vct: expect.any(String) });
});

test(`mutated presentations end only in a typed refusal, never an accept (${plan.cases} cases, seed ${plan.seed})`, async () => {
  const outcomes: Record<string, number> = { lawful: 0, unchanged: 0 };
  let slowest = 0;
  const result = await fuzz('sd-jwt-presentation', plan, async (rng, log) => {
    const seed = rng.pick(seeds);
    log.note(seed.name);
    const mutant = await rng.pick(STRUCTURAL)(rng, seed, log);
    if (mutant.text === seed.presentation) {
      outcomes.unchanged! += 1;
      return;
    }
    const started = performance.now();
    try {
      const verified = await within(CASE_LIMIT_MS, 'verifyPresentation', verifyPresentation(mutant.text, seed.policy));
      if (!lawful(seed, mutant)) fail(`a mutated presentation was accepted: ${JSON.stringify(verified.disclosedClaims)}`);
      outcomes.lawful! += 1;
    } catch (error) {
      if (!isPresentationError(error)) fail(`threw ${(error as Error)?.name ?? typeof error}: ${(error as Error)?.message ?? String(error)}`);
      if (!PRESENTATION_REASONS.has(error.reason)) fail(`a refusal outside the catalogue: ${error.reason}`);
      outcomes[error.reason] = (outcomes[error.reason] ?? 0) + 1;
    } finally {
      slowest = Math.max(slowest, performance.now() - started);
    }
  });
  console.log(`sd-jwt presentation fuzz: ${result.cases} cases in ${result.ms} ms, slowest ${Math.round(slowest)} ms`, outcomes);
  if (plan.only === undefined) {
    // The mutations reach past the first checks: refusals from the disclosure and key-binding steps, not only malformed input.
    for (const reason of ['presentation_malformed', 'credential_signature_invalid', 'disclosure_invalid', 'key_binding_invalid', 'key_binding_missing']) expect(outcomes[reason] ?? 0).toBeGreaterThan(plan.cases / 200);
  }
}, 60_000);
