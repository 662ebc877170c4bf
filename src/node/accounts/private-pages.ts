// What the pages behind a sign-in (the holder portal's, the authority console's) share at the
// HTTP level: the headers of every response, and signing out.

import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie } from 'hono/cookie';
import { HTTPException } from 'hono/http-exception';
import { secureHeaders } from 'hono/secure-headers';
import type { CookieOptions } from 'hono/utils/cookie';
import { readForm } from './form.ts';
import { checkCsrf, type SessionStore } from './sessions.ts';

const SIGN_OUT_FIELDS = { csrf: 64 };

/**
 * Every response: nosniff, no referrer, no framing (hono's secure headers, HSTS when `hsts`),
 * never stored (pages are private or carry a token: Back after sign-out shows nothing), and
 * `pageCsp` on HTML that sets no CSP of its own (anything else that sets none: default-src 'none').
 */
export function privatePages(pageCsp: string, options: { hsts: boolean }): MiddlewareHandler {
  const headers = secureHeaders({ contentSecurityPolicy: { defaultSrc: ["'none'"] }, strictTransportSecurity: options.hsts, xFrameOptions: 'DENY', overwrite: false });
  return async function privateResponses(c, next) {
    await headers(c, async () => {
      await next();
      c.res.headers.set('cache-control', 'no-store');
      if ((c.res.headers.get('content-type') ?? '').startsWith('text/html') && !c.res.headers.has('content-security-policy')) {
        c.res.headers.set('content-security-policy', pageCsp);
      }
    });
  };
}

/**
 * A posted sign-out: ends the session the `cookie` names (403 unless the form carries its CSRF
 * token; a session already over needs none), deletes the cookie, and asks browsers that honour
 * Clear-Site-Data to drop what they kept of the private pages. The caller redirects.
 */
export async function signOut(c: Context, sessions: SessionStore, cookie: string, cookieOptions: CookieOptions, now: () => Date): Promise<void> {
  const form = await readForm(c, SIGN_OUT_FIELDS);
  const token = getCookie(c, cookie);
  const session = token === undefined ? null : sessions.validate(token, now());
  if (session) {
    if (!checkCsrf(session, form.csrf)) throw new HTTPException(403);
    sessions.end(token);
  }
  deleteCookie(c, cookie, cookieOptions);
  c.header('clear-site-data', '"cache"');
}
