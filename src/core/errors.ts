/**
 * Typed domain errors. Services throw these; the HTTP edge (src/http/api-edge.ts) answers them
 * with their status and the reason's text, and the CLI maps them to exit codes. Messages are safe
 * to show to the caller: never put secrets or personal data in them. A reason's status and text
 * are registered once, by the capability that owns it (src/core/reasons.ts).
 */
export type ErrorCode =
  | 'invalid_input'
  | 'not_found'
  | 'conflict'
  | 'forbidden'
  | 'unauthorized'
  | 'rate_limited'
  | 'unavailable'
  | 'configuration'
  | 'internal';

/** The HTTP status of each class of error, where its reason does not say better (413, 415). */
export const CODE_STATUS: Record<ErrorCode, number> = {
  invalid_input: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  rate_limited: 429,
  internal: 500,
  configuration: 500,
  unavailable: 503,
};

/** The class of error an HTTP status belongs to: 413 and 415 are refusals of the input too. */
export function codeForStatus(status: number): ErrorCode {
  const exact = (Object.keys(CODE_STATUS) as ErrorCode[]).find((code) => CODE_STATUS[code] === status);
  if (exact) return exact;
  if (status >= 500) return 'internal';
  return 'invalid_input';
}

export class PassError extends Error {
  readonly code: ErrorCode;
  /** Machine-readable reason for clients, e.g. `face_too_small` or `certificate_revoked`. */
  readonly reason: string;
  readonly details: Record<string, unknown> | undefined;
  /** The HTTP status it is answered with: the reason's, when it came from a catalogue, else its code's. */
  readonly status: number;

  constructor(code: ErrorCode, reason: string, message: string, details?: Record<string, unknown>, status: number = CODE_STATUS[code]) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.reason = reason;
    this.details = details;
    this.status = status;
  }
}

export class InvalidInputError extends PassError {
  constructor(reason: string, message: string, details?: Record<string, unknown>, status?: number) {
    super('invalid_input', reason, message, details, status);
  }
}

export class NotFoundError extends PassError {
  constructor(reason: string, message: string) {
    super('not_found', reason, message);
  }
}

export class ConflictError extends PassError {
  constructor(reason: string, message: string, details?: Record<string, unknown>) {
    super('conflict', reason, message, details);
  }
}

export class ForbiddenError extends PassError {
  constructor(reason: string, message: string) {
    super('forbidden', reason, message);
  }
}

export class UnavailableError extends PassError {
  constructor(reason: string, message: string) {
    super('unavailable', reason, message);
  }
}

export class ConfigurationError extends PassError {
  /** One line per problem, so start-up can print them all at once. */
  readonly problems: string[];
  constructor(problems: string[]) {
    super('configuration', 'invalid_configuration', problems.join('\n'));
    this.problems = problems;
  }
}
