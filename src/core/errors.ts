/**
 * Typed domain errors. Services throw these; the HTTP edge (src/http/errors.ts) maps them to
 * status codes and OAuth error bodies, and the CLI maps them to exit codes. Messages are safe to
 * show to the caller: never put secrets or personal data in them.
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

export class PassError extends Error {
  readonly code: ErrorCode;
  /** Machine-readable reason for clients, e.g. `face_too_small` or `certificate_revoked`. */
  readonly reason: string;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, reason: string, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.reason = reason;
    this.details = details;
  }
}

export class InvalidInputError extends PassError {
  constructor(reason: string, message: string, details?: Record<string, unknown>) {
    super('invalid_input', reason, message, details);
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
