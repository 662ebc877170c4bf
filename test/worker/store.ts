// Publishing into the workerd test's real bindings, as `qdyp publish --to cloudflare` would:
// texts (lists, entries) into KV, bundles into R2; entries before the lists that name them.
import { env } from 'cloudflare:test';
import type { Artifacts } from '../web/fixtures.ts';

const LISTS = new Set(['key-list', 'status-list', 'revision-list']);

/** `parallel` KV writes at a time (a 30,000-licence programme in a few seconds). */
export async function putAll(artifacts: Artifacts, parallel = 256): Promise<void> {
  const entries = Object.entries(artifacts.texts).filter(([key]) => !LISTS.has(key));
  for (let i = 0; i < entries.length; i += parallel) {
    await Promise.all(entries.slice(i, i + parallel).map(([key, text]) => env.QDYP_KV.put(key, text)));
  }
  for (const [key, bytes] of Object.entries(artifacts.bundles)) await env.QDYP_BUNDLES.put(key, bytes);
  for (const key of LISTS) if (artifacts.texts[key] !== undefined) await env.QDYP_KV.put(key, artifacts.texts[key]);
}
