// The CSRF token of forms shown before sign-in (sign-in, activation, set-up): double-submit, a
// random cookie of the app's own and the same value in a hidden field, compared in constant
// time. After sign-in, forms carry the session's own token instead (sessions.ts).

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import type { CookieOptions } from 'hono/utils/cookie';

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

const sha256 = (text: string) => createHash('sha256').update(text).digest();

/** The token for this browser, set as the cookie `name` when there is none yet. */
export function preSessionToken(c: Context, name: string, options: CookieOptions): string {
  const existing = getCookie(c, name);
  if (existing !== undefined && TOKEN_SHAPE.test(existing)) return existing;
  const token = randomBytes(32).toString('base64url');
  setCookie(c, name, token, options);
  return token;
}

/** Whether the submitted field matches the cookie `name`. */
export function preSessionTokenMatches(c: Context, name: string, submitted: string): boolean {
  const cookie = getCookie(c, name);
  if (cookie === undefined || !TOKEN_SHAPE.test(cookie)) return false;
  return timingSafeEqual(sha256(cookie), sha256(submitted));
}
