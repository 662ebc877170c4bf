// The pinned root public key on its own, for callers that have nothing else to configure.

import type { PublicJwk } from '../core/index.ts';
import { parseVerifierConfig } from './config.ts';

/**
 * The root public JWK in `text`, or null when it is empty, not an Ed25519 JWK, or a private
 * key (which must never sit in a var or an environment file: it is refused, not trimmed).
 */
export function parseRootJwk(text: string | null | undefined): PublicJwk | null {
  return parseVerifierConfig({ rootJwk: text }).root;
}
