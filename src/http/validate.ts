/**
 * Input validation declared beside the route, with zod:
 *
 *   router.post('/checkins/qr', ...kiosk, jsonBody, validate({ body: qrBody }), async (ctx) => {
 *     const { body } = ctx.state.input;   // typed: z.output<typeof qrBody>
 *
 * Path parameters, then the query, then the body are checked before the handler runs, so a bad
 * request changes nothing. Each API words the refusal its own way (the reason and details its
 * clients know): most use the usual `invalid_request` naming the fields (`validate`, `parse`
 * below); an API with other words makes its own pair once from its refusal:
 *
 *   export const { validate, parse } = validation((issues) => new InvalidInputError('invalid_request', describeIssues(issues)));
 */
import type { Middleware } from 'koa';
import type { z } from 'zod';
import { InvalidInputError, type PassError } from '../core/errors.ts';

export type InputPart = 'params' | 'query' | 'body';

export interface InputSchemas {
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
}

/** What validate() puts on ctx.state.input: each part as its schema outputs it. */
export type ValidInput<S extends InputSchemas> = { [K in keyof S & InputPart]: S[K] extends z.ZodType ? z.output<S[K]> : never };

export type Issues = readonly z.core.$ZodIssue[];

/** How an API refuses input that does not fit its schema. */
export type InvalidInput = (issues: Issues, part: InputPart) => PassError;

/** The path of each issue (`body` for the body as a whole), in order, without repeats. */
export function issueFields(issues: Issues): string[] {
  return [...new Set(issues.map((issue) => issue.path.join('.') || 'body'))];
}

/** `field: what is wrong; …`, for an error_description. */
export function describeIssues(issues: Issues): string {
  return issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; ');
}

/** @koa/router's path parameters, the parsed query, and the body a body parser left (an object when none came). */
function inputOf(ctx: { params?: unknown; query: unknown; request: { body?: unknown } }, part: InputPart): unknown {
  if (part === 'params') return ctx.params ?? {};
  if (part === 'query') return ctx.query;
  return ctx.request.body ?? {};
}

export interface Validation {
  /** Checks one value against a schema, refusing it the API's way. */
  parse<T extends z.ZodType>(schema: T, value: unknown, part?: InputPart): z.output<T>;
  /** The middleware: checks params, query and body, and puts what the schemas output on ctx.state.input. */
  validate<S extends InputSchemas>(schemas: S): Middleware<{ input: ValidInput<S> }>;
}

/** The usual refusal: 400 `invalid_request`, naming the fields (the `fields` detail, where an API exposes it). */
export function invalidRequest(issues: Issues): PassError {
  const fields = issueFields(issues);
  return new InvalidInputError('invalid_request', `invalid or missing fields: ${fields.join(', ')}`, { fields });
}

/**
 * The schemas each validate() middleware checks, by middleware: what a route declares can be read
 * back from its router (the OpenAPI document is checked against it, test/http/openapi.test.ts).
 */
const declaredSchemas = new WeakMap<object, InputSchemas>();

/** The schemas a middleware made by validate() checks, or undefined for any other middleware. */
export function declaredInput(middleware: unknown): InputSchemas | undefined {
  return typeof middleware === 'function' ? declaredSchemas.get(middleware) : undefined;
}

export function validation(invalid: InvalidInput = invalidRequest): Validation {
  function parse<T extends z.ZodType>(schema: T, value: unknown, part: InputPart = 'body'): z.output<T> {
    const result = schema.safeParse(value);
    if (!result.success) throw invalid(result.error.issues, part);
    return result.data;
  }
  function validate<S extends InputSchemas>(schemas: S): Middleware<{ input: ValidInput<S> }> {
    const middleware: Middleware<{ input: ValidInput<S> }> = async (ctx, next) => {
      const input: Partial<Record<InputPart, unknown>> = {};
      for (const part of ['params', 'query', 'body'] as const) {
        const schema = schemas[part];
        if (schema) input[part] = parse(schema, inputOf(ctx, part), part);
      }
      ctx.state.input = input as ValidInput<S>;
      await next();
    };
    declaredSchemas.set(middleware, schemas);
    return middleware;
  }
  return { parse, validate };
}

/** validate() and parse() with the usual refusal. */
export const { validate, parse } = validation();
