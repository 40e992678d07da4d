import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON logs on stdout. Anything that may carry a secret or a credential is redacted
 * by path, so a careless `log.info({ req })` cannot leak it.
 */
export function createLogger(level: string, base: Record<string, unknown> = {}, destination: 1 | 2 = 1): Logger {
  return pino(
    {
    level,
    base: { service: 'pass', ...base },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: {
      paths: [
        'password',
        '*.password',
        'client_secret',
        '*.client_secret',
        'secret',
        '*.secret',
        'token',
        '*.token',
        'headers.authorization',
        'headers.cookie',
        '*.headers.authorization',
        '*.headers.cookie',
        'req.headers.authorization',
        'req.headers.cookie',
      ],
      censor: '[redacted]',
    },
  },
    pino.destination(destination),
  );
}
