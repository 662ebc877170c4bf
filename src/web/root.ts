// The pinned root public key arrives as text (a wrangler var, an environment variable, a file).

import { isPublicJwk, publicJwk, type PublicJwk } from '../core/index.ts';

/**
 * The root public JWK in `text`, or null when it is empty, not an Ed25519 JWK, or a private
 * key (which must never sit in a var or an environment file: it is refused, not trimmed).
 */
export function parseRootJwk(text: string | null | undefined): PublicJwk | null {
  if (!text?.trim()) return null;
  try {
    const value: unknown = JSON.parse(text);
    return isPublicJwk(value) && !('d' in value) ? publicJwk(value) : null;
  } catch {
    return null;
  }
}
