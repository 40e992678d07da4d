// The SD-JWT core end to end: credentials issued by @sd-jwt/sd-jwt-vc (as PASS's issuer does),
// presented by the core's holder with a non-extractable device key, verified by the core's
// verifier — and every refusal the verifier owes, each by a crafted attack that reaches its check.
import { calculateJwkThumbprint } from 'jose';
import { describeCredential, isPresentationError, presentCredential, PRESENTATION_REASONS, SD_JWT_LIMITS, verifyPresentation, type PresentationPolicy, type PresentationReason } from '../../../src/wallet/sd-jwt/index.ts';
import { decodePart, digestOf, disclosureOf, hs256WithPublicKey, issuerJwt, keyBinding, partsOf, presentedOf, unsigned } from './attack-kit.ts';
import { issueCredential, makeHolder, makeIssuer, newNonce, policyFor, RESIDENT_FACTS, STATUS_URI, statusListToken, VCT, VERIFIER, type Holder, type TestIssuer } from './fixtures.ts';

let issuer: TestIssuer;
let holder: Holder;
let ageCredential: string;
let statusToken: string;

beforeAll(async () => {
  issuer = makeIssuer();
  holder = await makeHolder();
  ageCredential = await issueCredential(issuer, 'age', { holder: holder.publicJwk, idx: 12 });
  statusToken = await statusListToken(issuer, { revoked: [3] });
});

async function present(credential: string, nonce: string, disclose: string[] = ['age_over_65'], key: CryptoKey = holder.key, aud = VERIFIER): Promise<string> {
  return presentCredential(credential, { disclose, aud, nonce, key, now: new Date() });
}

async function refusal(presentation: unknown, policy: PresentationPolicy): Promise<PresentationReason> {
  try {
    await verifyPresentation(presentation, policy);
  } catch (error) {
    if (!isPresentationError(error)) throw error;
    expect(PRESENTATION_REASONS.has(error.reason)).toBe(true);
    return error.reason;
  }
  throw new Error('the presentation was accepted');
}

describe('holder → verifier', () => {
  test('an age presentation discloses only the threshold asked for, bound to the device key', async () => {
    const nonce = newNonce();
    const presentation = await present(ageCredential, nonce);
    expect(presentation.split('~')).toHaveLength(3);
    const result = await verifyPresentation(presentation, policyFor(issuer, nonce, statusToken));
    expect(result.claims).toEqual({ age_over_65: false });
    expect(result.disclosedClaims).toEqual(['age_over_65']);
    expect(result.vct).toBe(VCT.age);
    expect(result.iss).toBe(issuer.issuer);
    expect(result.holderJwkThumbprint).toBe(await calculateJwkThumbprint(holder.publicJwk));
    expect(result.statusCheckedAt).toBeInstanceOf(Date);
    expect(JSON.stringify(result)).not.toMatch(/age_over_60|birthdate/);
  });

  test('a verified-resident presentation carries the evidence summary always and the chosen facts only', async () => {
    const credential = await issueCredential(issuer, 'resident', { holder: holder.publicJwk });
    const nonce = newNonce();
    const presentation = await present(credential, nonce, ['name', 'address']);
    const result = await verifyPresentation(presentation, policyFor(issuer, nonce, statusToken, { requestedClaims: ['name', 'address'] }));
    expect(result.claims).toEqual({ name: RESIDENT_FACTS.name, address: RESIDENT_FACTS.address, verification: expect.objectContaining({ trust_framework: 'jp_my_number_card' }) });
    expect(result.disclosedClaims.sort()).toEqual(['address', 'name']);
  });

  test('nothing disclosed is a valid presentation too (the holder proves only that it holds a credential)', async () => {
    const nonce = newNonce();
    const result = await verifyPresentation(await present(ageCredential, nonce, []), policyFor(issuer, nonce, statusToken));
    expect(result.claims).toEqual({});
  });

  test('describeCredential lists what the resident can disclose and what always travels', async () => {
    const resident = await describeCredential(await issueCredential(issuer, 'resident', { holder: holder.publicJwk }));
    expect(resident.vct).toBe(VCT.resident);
    expect(resident.iss).toBe(issuer.issuer);
    expect(resident.expiresAt!.getTime()).toBeGreaterThan(Date.now());
    expect(resident.disclosable.map((c) => c.name).sort()).toEqual(['address', 'birthdate', 'gender', 'name']);
    expect(resident.disclosable.find((c) => c.name === 'address')!.value).toEqual(RESIDENT_FACTS.address);
    expect(resident.alwaysDisclosed.map((c) => c.name)).toEqual(['verification']);
    const age = await describeCredential(ageCredential);
    expect(age.disclosable).toHaveLength(12);
    expect(age.disclosable).toContainEqual({ name: 'age_over_18', value: true });
    expect(age.alwaysDisclosed).toEqual([]);
  });

  test('the holder refuses to disclose a claim the credential does not have, and a key that cannot sign', async () => {
    await expect(present(ageCredential, newNonce(), ['birthdate'])).rejects.toMatchObject({ reason: 'disclosure_invalid' });
    const pair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])) as { publicKey: CryptoKey };
    await expect(present(ageCredential, newNonce(), ['age_over_65'], pair.publicKey)).rejects.toMatchObject({ reason: 'key_binding_invalid' });
  });
});

describe('refusals, each by the attack it names', () => {
  test('a tampered disclosure (age_over_65 flipped to true) matches no digest', async () => {
    const nonce = newNonce();
    const { jwt, disclosures } = partsOf(await present(ageCredential, nonce));
    const [salt] = JSON.parse(Buffer.from(disclosures[0]!, 'base64url').toString()) as [string];
    const forged = [disclosureOf([salt, 'age_over_65', true])];
    const presented = presentedOf(jwt, forged);
    expect(await refusal(presented + (await keyBinding(presented, holder.key, { aud: VERIFIER, nonce })), policyFor(issuer, nonce, statusToken))).toBe('disclosure_invalid');
  });

  test("a disclosure taken from another resident's credential matches no digest of this one", async () => {
    const older = await makeHolder();
    const other = await issueCredential(issuer, 'age', { holder: older.publicJwk, extra: { age_over_65: true } });
    const stolen = partsOf(await presentCredential(other, { disclose: ['age_over_65'], aud: VERIFIER, nonce: 'x', key: older.key, now: new Date() })).disclosures;
    const nonce = newNonce();
    const presented = presentedOf(partsOf(ageCredential).jwt, stolen);
    expect(await refusal(presented + (await keyBinding(presented, holder.key, { aud: VERIFIER, nonce })), policyFor(issuer, nonce, statusToken))).toBe('disclosure_invalid');
  });

  test('a key binding signed by another key than cnf.jwk (a copied credential) is refused', async () => {
    const thief = await makeHolder();
    const nonce = newNonce();
    expect(await refusal(await present(ageCredential, nonce, ['age_over_65'], thief.key), policyFor(issuer, nonce, statusToken))).toBe('key_binding_invalid');
  });

  test('a replayed presentation (an earlier nonce) and one made for another verifier are refused', async () => {
    const earlier = await present(ageCredential, newNonce());
    expect(await refusal(earlier, policyFor(issuer, newNonce(), statusToken))).toBe('presentation_nonce_mismatch');
    const nonce = newNonce();
    expect(await refusal(await present(ageCredential, nonce, ['age_over_65'], holder.key, 'https://elsewhere.example'), policyFor(issuer, nonce, statusToken))).toBe('presentation_audience_mismatch');
  });

  test('alg none and HS256 keyed with the public key are refused before any signature check', async () => {
    const [header, payload] = partsOf(ageCredential).jwt.split('.').slice(0, 2).map(decodePart) as [Record<string, unknown>, Record<string, unknown>];
    const nonce = newNonce();
    for (const jwt of [unsigned(header, payload), hs256WithPublicKey(issuer, header, payload)]) {
      const presented = presentedOf(jwt, []);
      expect(await refusal(presented + (await keyBinding(presented, holder.key, { aud: VERIFIER, nonce })), policyFor(issuer, nonce, statusToken))).toBe('algorithm_not_accepted');
    }
  });

  test('a forged issuer signature, an unknown kid and an untrusted issuer are refused', async () => {
    const impostor = makeIssuer(issuer.issuer, issuer.kid);
    const forged = await issueCredential(impostor, 'age', { holder: holder.publicJwk });
    const nonce = newNonce();
    expect(await refusal(await present(forged, nonce), policyFor(issuer, nonce, statusToken))).toBe('credential_signature_invalid');
    const unknownKid = await issueCredential(issuer, 'age', { holder: holder.publicJwk, header: { kid: 'rotated-away' } });
    expect(await refusal(await present(unknownKid, nonce), policyFor(issuer, nonce, statusToken))).toBe('credential_signature_invalid');
    expect(await refusal(await present(ageCredential, nonce), policyFor(issuer, nonce, statusToken, { trustedIssuers: [makeIssuer('https://other.example').metadata] }))).toBe('issuer_unknown');
  });

  test('an expired credential and one not yet valid are refused', async () => {
    const now = Math.floor(Date.now() / 1000);
    const nonce = newNonce();
    const expired = await issueCredential(issuer, 'age', { holder: holder.publicJwk, iat: now - 86_400 * 400, exp: now - 3600 });
    expect(await refusal(await present(expired, nonce), policyFor(issuer, nonce, statusToken))).toBe('credential_expired');
    const future = await issueCredential(issuer, 'age', { holder: holder.publicJwk, iat: now + 3600 });
    expect(await refusal(await present(future, nonce), policyFor(issuer, nonce, statusToken))).toBe('credential_not_yet_valid');
  });

  test('a credential of another typ or of a type the verifier does not accept is refused', async () => {
    const nonce = newNonce();
    const oldTyp = await issueCredential(issuer, 'age', { holder: holder.publicJwk, header: { typ: 'JWT' } });
    expect(await refusal(await present(oldTyp, nonce), policyFor(issuer, nonce, statusToken))).toBe('credential_not_sd_jwt_vc');
    expect(await refusal(await present(ageCredential, nonce), policyFor(issuer, nonce, statusToken, { acceptedVcts: [VCT.residency] }))).toBe('credential_type_not_accepted');
  });

  test('disclosures the verifier did not ask for are refused, not silently dropped', async () => {
    const nonce = newNonce();
    expect(await refusal(await present(ageCredential, nonce, ['age_over_65', 'age_over_18']), policyFor(issuer, nonce, statusToken))).toBe('disclosure_not_requested');
  });

  test('no key binding, a stale one, one from the future and a wrong sd_hash are refused', async () => {
    const nonce = newNonce();
    const presentation = await present(ageCredential, nonce);
    const { jwt, disclosures, kb } = partsOf(presentation);
    expect(await refusal(presentedOf(jwt, disclosures), policyFor(issuer, nonce, statusToken))).toBe('key_binding_missing');
    expect(await refusal(presentation, policyFor(issuer, nonce, statusToken, { now: new Date(Date.now() + 10 * 60_000) }))).toBe('presentation_stale');
    const future = presentedOf(jwt, disclosures) + (await keyBinding(presentedOf(jwt, disclosures), holder.key, { aud: VERIFIER, nonce, iat: Math.floor(Date.now() / 1000) + 3600 }));
    expect(await refusal(future, policyFor(issuer, nonce, statusToken))).toBe('key_binding_invalid');
    // The KB-JWT signed over a presentation with the disclosure, sent without it: sd_hash no longer matches.
    expect(await refusal(`${jwt}~${kb}`, policyFor(issuer, nonce, statusToken))).toBe('key_binding_invalid');
    const wrongTyp = presentedOf(jwt, disclosures) + (await keyBinding(presentedOf(jwt, disclosures), holder.key, { aud: VERIFIER, nonce, typ: 'JWT' }));
    expect(await refusal(wrongTyp, policyFor(issuer, nonce, statusToken))).toBe('key_binding_invalid');
  });

  test('a revoked credential is refused by its bit in the status list', async () => {
    const revoked = await issueCredential(issuer, 'age', { holder: holder.publicJwk, idx: 3 });
    const nonce = newNonce();
    expect(await refusal(await present(revoked, nonce), policyFor(issuer, nonce, statusToken))).toBe('credential_revoked');
  });

  test('a status list older than the policy, an expired one, a missing one, one for another URL or signed by another key is not relied on', async () => {
    const nonce = newNonce();
    const presentation = await present(ageCredential, nonce);
    const old = { [STATUS_URI]: { token: statusToken, fetchedAt: new Date(Date.now() - 2 * 3600_000) } };
    expect(await refusal(presentation, policyFor(issuer, nonce, statusToken, { lists: old }))).toBe('status_list_stale');
    const now = Math.floor(Date.now() / 1000);
    const expired = await statusListToken(issuer, { iat: now - 7200, exp: now - 3600 });
    expect(await refusal(presentation, policyFor(issuer, nonce, expired))).toBe('status_list_stale');
    expect(await refusal(presentation, policyFor(issuer, nonce, statusToken, { lists: {} }))).toBe('status_list_unavailable');
    expect(await refusal(presentation, { ...policyFor(issuer, nonce, statusToken), statusList: () => Promise.reject(new Error('offline')) })).toBe('status_list_unavailable');
    const otherUri = await statusListToken(issuer, { uri: `${STATUS_URI}0` });
    expect(await refusal(presentation, policyFor(issuer, nonce, otherUri))).toBe('status_list_invalid');
    const foreign = await statusListToken(makeIssuer(issuer.issuer, issuer.kid));
    expect(await refusal(presentation, policyFor(issuer, nonce, foreign))).toBe('status_list_invalid');
    const wrongTyp = await statusListToken(issuer, { typ: 'JWT' });
    expect(await refusal(presentation, policyFor(issuer, nonce, wrongTyp))).toBe('status_list_invalid');
    const tooShort = await statusListToken(issuer, { size: 8 });
    expect(await refusal(presentation, policyFor(issuer, nonce, tooShort))).toBe('status_list_invalid');
  });

  test('a 40 KiB presentation, too many disclosures and deep nesting are refused before any crypto', async () => {
    const nonce = newNonce();
    const presentation = await present(ageCredential, nonce);
    const { jwt, kb } = partsOf(presentation);
    const padded = `${jwt}~${'A'.repeat(40 * 1024)}~${kb}`;
    expect(await refusal(padded, policyFor(issuer, nonce, statusToken))).toBe('presentation_too_large');
    const many = presentedOf(jwt, Array.from({ length: SD_JWT_LIMITS.maxDisclosures + 1 }, () => disclosureOf(['salt', 'x', 1]))) + kb;
    expect(await refusal(many, policyFor(issuer, nonce, statusToken))).toBe('presentation_too_large');
    const [header, payload] = jwt.split('.').slice(0, 2).map(decodePart) as [Record<string, unknown>, Record<string, unknown>];
    const deep = issuerJwt(issuer, header, { ...payload, deep: JSON.parse(`${'['.repeat(40)}${']'.repeat(40)}`) });
    expect(await refusal(presentedOf(deep, []) + kb, policyFor(issuer, nonce, statusToken))).toBe('presentation_too_large');
    // A deep disclosure is refused before the issuer signature is looked at: this one's signature is another key's.
    const unsignedJwt = issuerJwt(makeIssuer(issuer.issuer, issuer.kid), header, payload);
    const deepDisclosure = disclosureOf(['deep-salt-salt-salt', 'x', JSON.parse(`${'['.repeat(40)}${']'.repeat(40)}`)]);
    expect(await refusal(presentedOf(unsignedJwt, [deepDisclosure]) + kb, policyFor(issuer, nonce, statusToken))).toBe('presentation_too_large');
    expect(await refusal(presentedOf(unsignedJwt, []) + kb, policyFor(issuer, nonce, statusToken))).toBe('credential_signature_invalid');
  });

  test('malformed input is refused as malformed, whatever its type', async () => {
    const policy = policyFor(issuer, newNonce(), statusToken);
    for (const input of [undefined, 42, '', 'not an sd-jwt', 'a.b.c', '~~~', 'é~', `${partsOf(ageCredential).jwt}x~`, 'eyJhbGciOiJFUzI1NiJ9.e30.AA~']) {
      expect(await refusal(input, policy)).toMatch(/presentation_malformed|issuer_unknown/);
    }
  });
});

describe('disclosure rules (signed payloads made by hand)', () => {
  async function withDisclosures(payloadExtra: Record<string, unknown>, disclosures: string[], nonce: string): Promise<string> {
    const [header, payload] = partsOf(ageCredential).jwt.split('.').slice(0, 2).map(decodePart) as [Record<string, unknown>, Record<string, unknown>];
    const jwt = issuerJwt(issuer, header, { ...payload, ...payloadExtra });
    const presented = presentedOf(jwt, disclosures);
    return presented + (await keyBinding(presented, holder.key, { aud: VERIFIER, nonce }));
  }

  test.each([
    ['a disclosure named _sd', ['s1-salt-salt-salt', '_sd', ['x']]],
    ['a disclosure named ...', ['s2-salt-salt-salt', '...', 'x']],
    ['a disclosure named __proto__', ['s3-salt-salt-salt', '__proto__', { polluted: true }]],
    ['a disclosure whose name clashes with a plain claim', ['s4-salt-salt-salt', 'age_over_20', false]],
    ['an array-element disclosure in an object', ['s5-salt-salt-salt', true]],
  ])('%s is refused', async (_name, value) => {
    const nonce = newNonce();
    const disclosure = disclosureOf(value);
    const [, payloadText] = partsOf(ageCredential).jwt.split('.');
    const payload = decodePart(payloadText!);
    const presentation = await withDisclosures({ _sd: [...(payload._sd as string[]), digestOf(disclosure)], age_over_20: true }, [disclosure], nonce);
    expect(await refusal(presentation, policyFor(issuer, nonce, statusToken, { requestedClaims: ['_sd', '...', '__proto__', 'age_over_20', 'age_over_65'] }))).toBe('disclosure_invalid');
  });

  test('a digest that appears twice, and the same disclosure sent twice, are refused', async () => {
    const nonce = newNonce();
    const disclosure = disclosureOf(['dup-salt-salt-salt', 'age_over_65', true]);
    const twice = await withDisclosures({ _sd: [digestOf(disclosure), digestOf(disclosure)] }, [disclosure], nonce);
    expect(await refusal(twice, policyFor(issuer, nonce, statusToken))).toBe('disclosure_invalid');
    const once = await withDisclosures({ _sd: [digestOf(disclosure)] }, [disclosure, disclosure], nonce);
    expect(await refusal(once, policyFor(issuer, nonce, statusToken))).toBe('disclosure_invalid');
  });

  test('array elements ("...") and recursive disclosures rebuild, and undisclosed elements drop out', async () => {
    const nonce = newNonce();
    const street = disclosureOf(['street-salt-salt', 'street', '作見町ル２５番地１']);
    const address = disclosureOf(['addr-salt-salt-salt', 'address', { _sd: [digestOf(street)], locality: '加賀市' }]);
    const first = disclosureOf(['nat-salt-salt-salt1', 'JP']);
    const second = disclosureOf(['nat-salt-salt-salt2', 'US']);
    const presentation = await withDisclosures({ _sd: [digestOf(address)], nationalities: [{ '...': digestOf(first) }, { '...': digestOf(second) }, 'XX'] }, [street, address, first], nonce);
    const result = await verifyPresentation(presentation, policyFor(issuer, nonce, statusToken, { requestedClaims: ['address', 'nationalities'] }));
    expect(result.claims).toMatchObject({ address: { locality: '加賀市', street: '作見町ル２５番地１' }, nationalities: ['JP', 'XX'] });
    expect(result.disclosedClaims.sort()).toEqual(['address', 'nationalities']);
  });
});

test("a verifier's unusable policy (no clock, an empty nonce, a NaN status age) stops verification instead of passing checks", async () => {
  const nonce = newNonce();
  const presentation = await present(ageCredential, nonce);
  const good = policyFor(issuer, nonce, statusToken);
  for (const broken of [{ now: new Date(Number.NaN) }, { nonce: '' }, { maxStatusListAgeSeconds: Number.NaN }, { clockSkewSeconds: -1 }]) {
    await expect(verifyPresentation(presentation, { ...good, ...broken })).rejects.toThrow(TypeError);
  }
  await expect(verifyPresentation(presentation, good)).resolves.toMatchObject({ claims: { age_over_65: false } });
});
