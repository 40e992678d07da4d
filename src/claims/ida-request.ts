/**
 * Validation of the OIDC `claims` request parameter, with the `verified_claims` rules of OpenID
 * Connect for Identity Assurance 1.0 (JPKI.md §7.4) that oidc-provider leaves to us. A malformed
 * request is refused with `invalid_request` at the authorization endpoint; a well-formed one whose
 * constraints cannot be met is answered later by leaving `verified_claims` out, without an error.
 */
import { errors } from 'oidc-provider';

type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Thrown for a malformed request; becomes invalid_request. */
export class ClaimsRequestError extends Error {}

function fail(path: string, problem: string): never {
  throw new ClaimsRequestError(`${path} ${problem}`);
}

/** An individual claim request (OIDC Core §5.5.1): null, or an object of known-shaped members. */
function checkElement(value: unknown, path: string): void {
  if (value === null) return;
  if (!isObject(value)) fail(path, 'must be null or an object');
  if ('essential' in value && typeof value.essential !== 'boolean') fail(`${path}.essential`, 'must be a boolean');
  if ('values' in value && !Array.isArray(value.values)) fail(`${path}.values`, 'must be an array');
  if ('max_age' in value && (typeof value.max_age !== 'number' || !Number.isInteger(value.max_age) || value.max_age < 0)) {
    fail(`${path}.max_age`, 'must be a non-negative integer');
  }
  if ('purpose' in value && (typeof value.purpose !== 'string' || value.purpose.length < 3 || value.purpose.length > 300)) {
    fail(`${path}.purpose`, 'must be a string of 3 to 300 characters');
  }
}

/** Members of `verification` and of an evidence entry: elements, or nested objects of elements. */
function checkNested(value: unknown, path: string, depth = 0): void {
  if (value === null) return;
  if (!isObject(value)) fail(path, 'must be null or an object');
  if (depth > 4) fail(path, 'is nested too deeply');
  const elementKeys = ['essential', 'value', 'values', 'max_age', 'purpose'];
  if (Object.keys(value).some((k) => elementKeys.includes(k))) return checkElement(value, path);
  for (const [key, member] of Object.entries(value)) {
    if (Array.isArray(member)) member.forEach((entry, i) => checkNested(entry, `${path}.${key}[${i}]`, depth + 1));
    else checkNested(member, `${path}.${key}`, depth + 1);
  }
}

function checkEvidence(value: unknown, path: string): void {
  if (value === null) return;
  if (!Array.isArray(value) || value.length === 0) fail(path, 'must be a non-empty array');
  value.forEach((entry, i) => {
    const at = `${path}[${i}]`;
    if (!isObject(entry)) fail(at, 'must be an object');
    // Each evidence entry is a filter and must pin its type with `value` (IDA §6.5.2).
    if (!isObject(entry.type) || typeof entry.type.value !== 'string') fail(`${at}.type`, 'must be {"value": "<evidence type>"}');
    checkNested(entry, at);
  });
}

function checkOne(request: unknown, path: string): void {
  if (!isObject(request)) fail(path, 'must be an object');
  const { verification, claims } = request;
  if (!isObject(verification)) fail(`${path}.verification`, 'is required and must be an object');
  if (!isObject(claims)) fail(`${path}.claims`, 'is required and must be an object');
  if (Object.keys(claims).length === 0) fail(`${path}.claims`, 'must name at least one claim');
  for (const [name, element] of Object.entries(claims)) checkElement(element, `${path}.claims.${name}`);
  for (const [name, member] of Object.entries(verification)) {
    if (name === 'evidence') checkEvidence(member, `${path}.verification.evidence`);
    else checkNested(member, `${path}.verification.${name}`);
  }
  const tf = verification.trust_framework;
  if (isObject(tf) && 'value' in tf && typeof tf.value !== 'string') fail(`${path}.verification.trust_framework.value`, 'must be a string');
}

/** Throws ClaimsRequestError for a malformed `verified_claims` request (object or array form). */
export function checkVerifiedClaimsRequest(value: unknown, path = 'verified_claims'): void {
  if (Array.isArray(value)) {
    if (value.length === 0) fail(path, 'must not be an empty array');
    value.forEach((entry, i) => checkOne(entry, `${path}[${i}]`));
    return;
  }
  checkOne(value, path);
}

/**
 * features.claimsParameter.assertClaimsParameter: the members of `userinfo` and `id_token` are
 * null or objects (oidc-provider's own rule), except `verified_claims`, which may also be an array
 * and must follow the IDA request rules.
 */
export async function assertClaimsParameter(_ctx: unknown, claims: Json): Promise<void> {
  for (const container of ['userinfo', 'id_token'] as const) {
    const members = claims[container];
    if (members === undefined) continue;
    if (!isObject(members)) throw new errors.InvalidRequest(`claims.${container} must be an object`);
    for (const [name, value] of Object.entries(members)) {
      try {
        if (name === 'verified_claims') checkVerifiedClaimsRequest(value, `claims.${container}.verified_claims`);
        else checkElement(value, `claims.${container}.${name}`);
      } catch (error) {
        if (error instanceof ClaimsRequestError) throw new errors.InvalidRequest(error.message);
        throw error;
      }
    }
  }
}
