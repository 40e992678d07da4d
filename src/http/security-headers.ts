import type { Middleware } from 'koa';

/**
 * Strict defaults for every response: no inline script, no framing, no sniffing, no referrer
 * leaks. Pages needing more (the camera in the PASS app) widen it for themselves.
 */
export function securityHeaders(https: boolean): Middleware {
  const csp = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "connect-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    // Sign-in forms post to the provider, which redirects to relying parties on other origins.
    'form-action *',
  ].join('; ');
  return async (ctx, next) => {
    // Set before the handlers run: oidc-provider adds the hash of its one inline script (form_post,
    // the device flow's user_code auto-submit) to the policy it finds; a page may replace it.
    ctx.set('Content-Security-Policy', csp);
    await next();
    if (!ctx.response.get('Content-Security-Policy')) ctx.set('Content-Security-Policy', csp);
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('X-Frame-Options', 'DENY');
    ctx.set('Referrer-Policy', 'no-referrer');
    ctx.set('Cross-Origin-Opener-Policy', 'same-origin');
    ctx.set('Permissions-Policy', 'camera=(self), geolocation=(), microphone=()');
    if (https) ctx.set('Strict-Transport-Security', 'max-age=63072000; includeSubDomains');
  };
}
