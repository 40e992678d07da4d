import { ConfigurationError, PassError } from './errors.ts';

/**
 * What an operator sees when PASS cannot start or a command fails: one line per problem on
 * stderr, no stack trace for problems PASS understands.
 */
export function describeFailure(error: unknown): string[] {
  if (error instanceof ConfigurationError) return error.problems.map((p) => `configuration: ${p}`);
  if (error instanceof PassError) return [error.message];
  // node:util parseArgs rejects unknown or malformed options with a readable message.
  if ((error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) return [(error as Error).message];
  const message = error instanceof Error ? error.message : String(error);
  return [`unexpected error: ${message.split('\n')[0]}`];
}
