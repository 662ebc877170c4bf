// From a decoded QR text to a verdict the inspector can act on: is it a seal URL of this
// programme at all (never followed when it is not), then the verdict judged on the device from
// its verified data, with the reason whenever that data cannot confirm the licence.

import { parseSeal, sealFromInput, verifySeal, type OpenedBundle, type Verdict } from '../core/index.ts';
import type { LocalReason } from './messages.ts';

export type Scanned = { kind: 'seal'; seal: string; text: string } | { kind: 'foreign'; text: string };

const SEAL_PATH = /^\/v\/[^/]+\/?$/i;

/**
 * A seal of this programme: an http(s) URL whose host is one of ours (the official verify
 * origin, or this page's own host) and whose path is /v/SEAL with a seal that parses. Anything
 * else, however much it looks like one, is foreign.
 */
export function classifyCode(text: string, ourHosts: readonly string[]): Scanned {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return { kind: 'foreign', text };
  }
  const hosts = ourHosts.map((h) => h.toLowerCase());
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || !hosts.includes(url.host.toLowerCase()) || !SEAL_PATH.test(url.pathname) || url.username || url.password) {
    return { kind: 'foreign', text };
  }
  const seal = sealFromInput(text);
  if (!parseSeal(seal)) return { kind: 'foreign', text };
  return { kind: 'seal', seal, text };
}

export interface Judged {
  verdict: Verdict;
  where: 'device' | 'online';
  /** Set when the device's data could not confirm the licence (not for a bad seal). */
  reason: LocalReason | null;
}

/** Judges a seal from the device's data at `now` (the trusted present). */
export async function judgeOnDevice(seal: string, opened: OpenedBundle | null, now: Date): Promise<Judged> {
  if (!opened) {
    const verdict: Verdict = { code: 'cannot_confirm', authorized: false, licence: null, statusAsOf: null, checkedAt: now.toISOString(), logIndex: null };
    return { verdict, where: 'device', reason: 'no_data' };
  }
  const verdict = await verifySeal(seal, now, opened.context);
  return { verdict, where: 'device', reason: verdict.code === 'cannot_confirm' ? whyUnconfirmed(seal, opened, now) : null };
}

function whyUnconfirmed(seal: string, opened: OpenedBundle, now: Date): LocalReason {
  const ctx = opened.context;
  const t = now.getTime();
  if (!ctx.keyList || t >= ctx.keyList.exp * 1000) return 'key_list_expired';
  if (!ctx.statusList || t >= ctx.statusList.exp * 1000 || !ctx.revisionList || t >= ctx.revisionList.exp * 1000) return 'data_expired';
  const parsed = parseSeal(seal);
  if (parsed && !opened.includes(parsed.serial)) return opened.region === null ? 'changed_since' : 'not_in_district';
  return 'changed_since';
}

/** Asks the edge; null when it cannot be reached in time or answers nonsense. */
export async function judgeOnline(seal: string, fetcher: (path: string, init?: RequestInit) => Promise<Response>, timeoutMs = 6000): Promise<Judged | null> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const response = await fetcher(`/api/v1/verify?seal=${encodeURIComponent(seal)}`, { signal: controller.signal, cache: 'no-store' });
    if (!response.ok) return null;
    const verdict = (await response.json()) as Verdict;
    if (typeof verdict?.code !== 'string' || typeof verdict.authorized !== 'boolean') return null;
    return { verdict, where: 'online', reason: null };
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
  }
}
