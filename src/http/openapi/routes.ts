/**
 * GET /api/openapi.json: PASS's OpenAPI document for integrators (no token; it holds nothing
 * secret, so other origins may read it too, e.g. an API explorer). Read and serialised once at
 * start: a broken document stops the start rather than the first integrator.
 */
import Router from '@koa/router';
import { readOpenApiDocument, servedDocument } from './document.ts';

export const OPENAPI_PATH = '/api/openapi.json';

export function openApiRoutes(options: { issuer: string; production: boolean }): Router {
  const body = JSON.stringify(servedDocument(readOpenApiDocument(), options));
  const router = new Router();
  router.get(OPENAPI_PATH, (ctx) => {
    ctx.set('Cache-Control', 'public, max-age=300');
    ctx.set('Access-Control-Allow-Origin', '*');
    ctx.type = 'application/json';
    ctx.body = body;
  });
  return router;
}
