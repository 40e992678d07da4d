import { ConflictError, ForbiddenError, InvalidInputError, PassError } from '../core/errors.ts';

/**
 * The reasons identity services give, one per thing a resident can fix; the pages translate
 * each reason (src/identity/interactions/reason-messages.ts), services never word them for people.
 */
export class SignInFailedError extends PassError {
  constructor() {
    super('unauthorized', 'signin_failed', 'the sign-in name or password is not correct');
  }
}

export class AccountLockedError extends ForbiddenError {
  readonly retryAfterSeconds: number;
  constructor(retryAfterSeconds: number) {
    super('account_locked', 'too many wrong passwords: the account is locked for a while');
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export class StepError extends InvalidInputError {
  constructor(reason: 'signup_missing' | 'signup_step' | 'second_factor_missing') {
    super(reason, 'this step is not available now; start again');
  }
}

export { ConflictError, InvalidInputError };
