// One HTTP exchange with an edge, bounded: a timeout that covers the wait for the answer and any
// pause of that long while its body arrives, and a cap on the body's size. Used by the reports
// commands (pull from the office, file from a laptop) and `bundle pull`; every failure is an
// HttpFailure whose message names the URL and what went wrong, never a body it did not expect.

import { concatBytes } from '../core/index.ts';

export interface HttpAnswer {
  status: number;
  statusText: string;
  headers: Headers;
  bytes: Uint8Array;
}

export class HttpFailure extends Error {
  override readonly name = 'HttpFailure';
}

export const DEFAULT_TIMEOUT_S = 30;

/** http: or https: only, no credentials in it; returns the URL without a trailing slash. */
export function edgeBase(value: string, option: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new HttpFailure(`${option} must be an http(s) URL such as https://v.qdyp.cn; "${value}" is not`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new HttpFailure(`${option} must be an http(s) URL; "${url.protocol}" is not allowed`);
  if (url.username || url.password) throw new HttpFailure(`${option} must not carry a user name or password`);
  url.hash = '';
  url.search = '';
  return url;
}

/** `base` + `path` (which starts with /), keeping any path prefix the base has. */
export function edgeUrl(base: URL, path: string): URL {
  return new URL(`${base.origin}${base.pathname.replace(/\/+$/, '')}${path}`);
}

/**
 * `max` caps a successful answer's body (over it is a failure); `errorMax`, if given, caps an
 * error answer's (its body is then cut there, not refused: only its first words are shown).
 * Redirects are refused unless `init.redirect` says otherwise.
 */
export async function exchange(url: URL, init: RequestInit, options: { max: number; timeoutS: number; errorMax?: number }): Promise<HttpAnswer> {
  const controller = new AbortController();
  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, options.timeoutS * 1000);
  };
  arm();
  try {
    const response = await fetch(url, { ...init, redirect: init.redirect ?? 'error', signal: controller.signal });
    const truncate = !response.ok && options.errorMax !== undefined;
    const max = truncate ? options.errorMax! : options.max;
    const declared = Number(response.headers.get('content-length'));
    const tooLarge = () => new HttpFailure(`the answer from ${url.href} is over ${options.max} bytes`);
    if (!truncate && Number.isFinite(declared) && declared > options.max) {
      await response.body?.cancel().catch(() => {});
      throw tooLarge();
    }
    const chunks: Uint8Array[] = [];
    let total = 0;
    if (response.body) {
      const reader = response.body.getReader();
      for (;;) {
        arm();
        const { done, value } = await reader.read();
        if (done) break;
        if (total + value.length > max) {
          await reader.cancel().catch(() => {});
          if (!truncate) throw tooLarge();
          chunks.push(value.subarray(0, max - total));
          total = max;
          break;
        }
        total += value.length;
        chunks.push(value);
      }
    }
    const bytes = concatBytes(chunks, total);
    return { status: response.status, statusText: response.statusText, headers: response.headers, bytes };
  } catch (error) {
    if (error instanceof HttpFailure) throw error;
    if (timedOut) throw new HttpFailure(`no answer from ${url.href} within ${options.timeoutS} s`);
    const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
    const why = cause?.code ?? cause?.message ?? (error as Error)?.message ?? String(error);
    throw new HttpFailure(`could not reach ${url.href} (${why})`);
  } finally {
    clearTimeout(timer);
  }
}

/** The `{ error, message }` of a JSON error answer, if it is one. */
export function errorBody(answer: HttpAnswer): { error: string | null; message: string | null } {
  try {
    const parsed = JSON.parse(new TextDecoder().decode(answer.bytes.subarray(0, 4096))) as { error?: unknown; message?: unknown };
    return { error: typeof parsed.error === 'string' ? parsed.error.slice(0, 100) : null, message: typeof parsed.message === 'string' ? parsed.message.slice(0, 300) : null };
  } catch {
    return { error: null, message: null };
  }
}

export function jsonBody(answer: HttpAnswer, url: URL): unknown {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(answer.bytes));
  } catch {
    throw new HttpFailure(`the answer from ${url.href} is not JSON`);
  }
}
