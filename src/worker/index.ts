// The Workers entry: the only file that sees Env. Env → KV artifact source → createApp; the
// app (and with it the trust cache) lives as long as the isolate.

import type { KVNamespace } from '@cloudflare/workers-types';
import type { Hono } from 'hono';
import { createApp, parseRootJwk } from '../web/index.ts';
import { kvSource } from './kv-source.ts';

export interface Env {
  QDYP_KV: KVNamespace;
  /** The programme's pinned root public key, as JSON. */
  QDYP_ROOT_JWK: string;
  /** The official verify origin the page names, e.g. https://verify.example.cn; empty: pages name none. */
  QDYP_VERIFY_ORIGIN?: string;
  /** The lowest key-list version to accept (raise it at each rotate or compromise). */
  QDYP_MIN_KEY_LIST_VERSION?: string;
}

let cached: { config: string; app: Hono } | null = null;

function appFor(env: Env): Hono {
  // Keyed by the vars, not by the env object, so the cache survives whatever env identity a
  // runtime hands each request; the vars themselves only change with a new deployment.
  const config = `${env.QDYP_ROOT_JWK}\n${env.QDYP_VERIFY_ORIGIN ?? ''}\n${env.QDYP_MIN_KEY_LIST_VERSION ?? ''}`;
  if (cached?.config !== config) {
    const root = parseRootJwk(env.QDYP_ROOT_JWK);
    if (!root) console.log('qdyp verifier: QDYP_ROOT_JWK is not an Ed25519 public JWK; every verdict will be cannot_confirm');
    cached = {
      config,
      app: createApp({ source: kvSource(env.QDYP_KV), root, verifyOrigin: officialOrigin(env.QDYP_VERIFY_ORIGIN), minKeyListVersion: versionFloor(env.QDYP_MIN_KEY_LIST_VERSION) }),
    };
  }
  return cached.app;
}

/** A bad var is logged and left out (pages then name no official site), never a crash. */
function officialOrigin(text: string | undefined): string | null {
  if (!text) return null;
  try {
    const url = new URL(text);
    if (url.protocol === 'https:' || url.protocol === 'http:') return url.origin;
  } catch {
    // falls through to the log line
  }
  console.log('qdyp verifier: QDYP_VERIFY_ORIGIN is not an http(s) origin; it is ignored');
  return null;
}

function versionFloor(text: string | undefined): number | undefined {
  if (!text) return undefined;
  if (/^[1-9]\d{0,8}$/.test(text)) return Number(text);
  console.log('qdyp verifier: QDYP_MIN_KEY_LIST_VERSION is not a positive whole number; it is ignored');
  return undefined;
}

export default {
  fetch(request: Request, env: Env): Response | Promise<Response> {
    return appFor(env).fetch(request);
  },
};
