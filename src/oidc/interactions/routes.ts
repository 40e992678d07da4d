import Router from '@koa/router';
import { loginRoutes, type RouteDeps } from './login-routes.ts';
import { signupRoutes } from './signup-routes.ts';
import { forgotRoutes } from './reset-routes.ts';

export type { RouteDeps } from './login-routes.ts';

/** Every page oidc-provider hands to PASS during an interaction (/interaction/:uid/...). */
export function interactionRoutes(deps: RouteDeps): Router {
  const router = new Router({ prefix: '/interaction' });
  loginRoutes(router, deps);
  signupRoutes(router, deps);
  forgotRoutes(router, deps);
  return router;
}
