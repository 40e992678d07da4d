/**
 * Tells an outage of PostgreSQL or Redis (refused or dropped connections, a server shutting down or
 * starting up, a pool that cannot get a connection) from every other failure. An outage passes:
 * callers get 503 with Retry-After and come back, while a bug stays a 500. pg, knex and ioredis
 * throw plain Errors, so this looks at codes and the few fixed messages they use.
 */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ECONNABORTED']);

/** SQLSTATE: 08xxx connection exceptions; shutting down, crashed, starting up; too many connections. */
const SQLSTATES = /^(08...|57P01|57P02|57P03|53300)$/;

const MESSAGES = [
  'Connection terminated', // pg: the server closed the connection
  'Client has encountered a connection error', // pg: a client whose connection broke
  'timeout exceeded when trying to connect', // pg
  'Connection is closed', // ioredis
  "Stream isn't writeable", // ioredis without an offline queue
  'Reached the max retries per request limit', // ioredis
  'Timeout acquiring a connection', // knex: the pool found no connection in time
];

function oneIsOutage(error: unknown): boolean {
  if (!error || typeof error !== 'object') return false;
  const { code, name, message } = error as { code?: unknown; name?: unknown; message?: unknown };
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || SQLSTATES.test(code))) return true;
  if (name === 'KnexTimeoutError' || name === 'MaxRetriesPerRequestError') return true;
  return typeof message === 'string' && MESSAGES.some((m) => message.includes(m));
}

export function isOutage(error: unknown): boolean {
  // Some libraries wrap the cause (AggregateError of several addresses, `cause` chains).
  for (let current = error, depth = 0; current && depth < 5; depth += 1) {
    if (oneIsOutage(current)) return true;
    const errors = (current as { errors?: unknown }).errors;
    if (Array.isArray(errors) && errors.some(oneIsOutage)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
