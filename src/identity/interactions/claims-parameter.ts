/** The `claims` request parameter as an interaction holds it (a JSON string); undefined when absent or unreadable. */
export function parseClaimsParameter(raw: unknown): unknown {
  if (typeof raw !== 'string') return raw;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
}
