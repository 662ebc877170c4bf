// Every response the verifier sends is made here, so each carries the same security and cache
// headers: a strict CSP (only our hashed stylesheet; no script at all), nosniff, no referrer,
// no cookies, and caching that can never hide a revocation. Responses are built directly from
// constant plain-object headers: on Node that keeps @hono/node-server on its fast path.

import type { Locale, PublicJwk, Verdict } from '../core/index.ts';
import { INSPECT_CONTENT_TYPES, type InspectFile } from './inspect-assets.ts';
import type { NoticeKind, ReportRefusal } from './messages.ts';
import { HomePage, NoticePage } from './views/notice.tsx';
import { InspectShell } from './views/inspect.tsx';
import { ReportForm, ReportRefused, ReportThanks, type ReportFormProps } from './views/report.tsx';
import { inspectStyleHashSource, logStyleHashSource, reportStyleHashSource, styleHashSource } from './views/style.ts';
import { LogEntryPage, LogNoticePage, LogPage } from './views/log.tsx';
import type { LogView } from './log-cache.ts';
import type { EntryWithProof, NewestEntries } from './log-reader.ts';
import { VerdictPage } from './views/verdict.tsx';

const COMMON = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** Verdicts change the moment a new status list is published: always ask again. */
const NO_CACHE = 'no-cache';

/** Public data: any site or app may read it (no credentials are involved anywhere). */
const DATA_HEADERS = {
  ...COMMON,
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'access-control-allow-origin': '*',
};

const JSON_HEADERS = { ...DATA_HEADERS, 'content-type': 'application/json', 'cache-control': NO_CACHE };

let pageHeaders: Promise<Record<string, string>> | undefined;

function htmlHeaders(): Promise<Record<string, string>> {
  pageHeaders ??= styleHashSource().then((style) => ({
    ...COMMON,
    'content-type': 'text/html; charset=UTF-8',
    'content-security-policy': `default-src 'none'; style-src ${style}; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
    'cache-control': NO_CACHE,
    vary: 'Accept-Language',
  }));
  return pageHeaders;
}

export interface PageContext {
  locale: Locale;
  officialHost: string | null;
}

async function html(status: number, page: { toString(): string | Promise<string> }, extra?: Record<string, string>): Promise<Response> {
  const [headers, body] = await Promise.all([htmlHeaders(), page.toString()]);
  return new Response(body, { status, headers: extra ? { ...headers, ...extra } : headers });
}

/** `seal`: the seal as scanned (case folded), for the page's link to the report form. */
export function verdictPage(page: PageContext, verdict: Verdict, seal: string): Promise<Response> {
  return html(200, <VerdictPage verdict={verdict} seal={seal} {...page} />);
}

export function homePage(page: PageContext): Promise<Response> {
  return html(200, <HomePage {...page} />);
}

export const NOTICE_STATUS: Record<NoticeKind, 400 | 404 | 405 | 500> = { badRequest: 400, notFound: 404, methodNotAllowed: 405, error: 500 };

export function noticePage(page: PageContext, kind: NoticeKind, extra?: Record<string, string>): Promise<Response> {
  return html(NOTICE_STATUS[kind], <NoticePage kind={kind} {...page} />, extra);
}

let reportHeaders: Promise<Record<string, string>> | undefined;

/**
 * The report form's pages: the same policy as every page, but with the form's stylesheet and
 * the one thing the others forbid, posting a form to this site (`form-action 'self'`).
 */
function reportPageHeaders(): Promise<Record<string, string>> {
  reportHeaders ??= reportStyleHashSource().then((style) => ({
    ...COMMON,
    'content-type': 'text/html; charset=UTF-8',
    'content-security-policy': `default-src 'none'; style-src ${style}; img-src data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'`,
    // What a shopper typed is in the page shown again: keep it out of every cache.
    'cache-control': 'no-store',
    vary: 'Accept-Language',
  }));
  return reportHeaders;
}

async function reportHtml(status: number, page: { toString(): string | Promise<string> }, extra?: Record<string, string>): Promise<Response> {
  const [headers, body] = await Promise.all([reportPageHeaders(), page.toString()]);
  return new Response(body, { status, headers: extra ? { ...headers, ...extra } : headers });
}

/** The form, new (200) or shown again with what was refused (400). */
export function reportFormPage(status: 200 | 400, props: ReportFormProps): Promise<Response> {
  return reportHtml(status, <ReportForm {...props} />);
}

export function reportThanksPage(page: PageContext, seal: string | null): Promise<Response> {
  return reportHtml(200, <ReportThanks seal={seal} {...page} />);
}

export const REFUSAL_STATUS: Record<ReportRefusal, 403 | 413 | 415 | 429 | 503> = { crossSite: 403, tooLarge: 413, unsupportedType: 415, tooMany: 429, unavailable: 503 };

export function reportRefusedPage(page: PageContext, kind: ReportRefusal, seal: string | null, extra?: Record<string, string>): Promise<Response> {
  return reportHtml(REFUSAL_STATUS[kind], <ReportRefused kind={kind} seal={seal} {...page} />, extra);
}

export function json(status: 200 | 400 | 404 | 405 | 500 | 503, body: unknown, extra?: Record<string, string>): Response {
  return new Response(JSON.stringify(body), { status, headers: extra ? { ...JSON_HEADERS, ...extra } : JSON_HEADERS });
}

/** A published artifact passed on as text; clients may keep it for `maxAgeS` (≤ the status TTL). */
export function artifactText(text: string, contentType: string, maxAgeS: number): Response {
  return new Response(text, { status: 200, headers: { ...DATA_HEADERS, 'content-type': contentType, 'cache-control': `public, max-age=${maxAgeS}` } });
}

/** A published binary artifact (a bundle) passed on as it is stored, bytes or a stream. */
export function artifactBytes(body: Uint8Array | ReadableStream<Uint8Array>, contentType: string, maxAgeS: number): Response {
  return new Response(body as BodyInit, { status: 200, headers: { ...DATA_HEADERS, 'content-type': contentType, 'cache-control': `public, max-age=${maxAgeS}` } });
}

const TEXT_HEADERS = { ...COMMON, 'content-type': 'text/plain; charset=UTF-8', 'cache-control': 'no-store' };

export function plainText(status: 200 | 503, text: string): Response {
  return new Response(text, { status, headers: TEXT_HEADERS });
}

/** CORS preflight for the public data paths: GET and HEAD only, any request headers. */
export function preflight(requestedHeaders: string | undefined): Response {
  const headers: Record<string, string> = {
    ...DATA_HEADERS,
    'access-control-allow-methods': 'GET, HEAD',
    'access-control-max-age': '86400',
  };
  if (requestedHeaders) headers['access-control-allow-headers'] = requestedHeaders;
  return new Response(null, { status: 204, headers });
}

let logHeaders: Promise<Record<string, string>> | undefined;

/** The log's pages: the policy of every page, with the log's stylesheet. */
function logPageHeaders(): Promise<Record<string, string>> {
  logHeaders ??= logStyleHashSource().then((style) => ({
    ...COMMON,
    'content-type': 'text/html; charset=UTF-8',
    'content-security-policy': `default-src 'none'; style-src ${style}; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
    'cache-control': NO_CACHE,
    vary: 'Accept-Language',
  }));
  return logHeaders;
}

async function logHtml(status: number, page: { toString(): string | Promise<string> }): Promise<Response> {
  const [headers, body] = await Promise.all([logPageHeaders(), page.toString()]);
  return new Response(body, { status, headers });
}

/** /log: 200 with the checkpoint in use, 404 (the same page, saying so) before one has verified. */
export function logPage(page: PageContext, view: LogView, newest: NewestEntries | null): Promise<Response> {
  return logHtml(view.accepted ? 200 : 404, <LogPage view={view} newest={newest} {...page} />);
}

export function logEntryPage(page: PageContext, found: EntryWithProof, size: number, root: Uint8Array): Promise<Response> {
  return logHtml(200, <LogEntryPage found={found} size={size} root={root} {...page} />);
}

export function logNoticePage(page: PageContext, status: 400 | 404 | 503, title: string, body: string): Promise<Response> {
  return logHtml(status, <LogNoticePage title={title} body={body} {...page} />);
}

/** The signed checkpoint: it changes with every publication, so caches keep it briefly. */
export function checkpointText(note: string, maxAgeS: number): Response {
  return new Response(note, { status: 200, headers: { ...DATA_HEADERS, 'content-type': 'text/plain; charset=utf-8', 'cache-control': `public, max-age=${maxAgeS}` } });
}

/** A tile or entry bundle: immutable once published (C2SP tlog-tiles), so cached for good. */
export function logTile(body: Uint8Array | ReadableStream<Uint8Array>, gzipped = false): Response {
  const headers: Record<string, string> = { ...DATA_HEADERS, 'content-type': 'application/octet-stream', 'cache-control': 'public, max-age=31536000, immutable' };
  if (!gzipped) return new Response(body as BodyInit, { status: 200, headers });
  // An entry bundle is stored gzip-compressed and passed on as stored (transparency.ts), with no
  // negotiation: every HTTP client of a tlog takes gzip. `encodeBody: 'manual'` tells workerd the
  // body is already encoded (Node's Response ignores the member).
  headers['content-encoding'] = 'gzip';
  return new Response(body as BodyInit, { status: 200, headers, encodeBody: 'manual' } as ResponseInit);
}

/** An entry's `.tlog-proof`, as a download; it names the current checkpoint, so it is cached only briefly. */
export function tlogProofFile(text: string, index: number, maxAgeS: number): Response {
  return new Response(text, {
    status: 200,
    headers: {
      ...DATA_HEADERS,
      'content-type': 'text/plain; charset=utf-8',
      'content-disposition': `attachment; filename="qdyp-log-${index}.tlog-proof"`,
      'cache-control': `public, max-age=${maxAgeS}`,
    },
  });
}

const LOG_TEXT_HEADERS = { ...DATA_HEADERS, 'content-type': 'text/plain; charset=utf-8', 'cache-control': NO_CACHE };

/** A log file that is not there (or not under the checkpoint in use), or cannot be read now. */
export function logFileRefused(status: 400 | 404 | 503, text: string): Response {
  return new Response(`${text}\n`, { status, headers: LOG_TEXT_HEADERS });
}

let inspectHeaders: Promise<Record<string, string>> | undefined;

/**
 * The inspector page's CSP: its own scripts, the decoder's wasm ('wasm-unsafe-eval'), its
 * workers, same-origin fetches, the camera's stream and photos as blob: URLs; nothing else.
 */
function inspectCsp(style: string): string {
  return [
    "default-src 'none'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "worker-src 'self'",
    "connect-src 'self'",
    `style-src ${style}`,
    "img-src 'self' data: blob:",
    "media-src 'self' blob: mediastream:",
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

function inspectPageHeaders(): Promise<Record<string, string>> {
  inspectHeaders ??= inspectStyleHashSource().then((style) => ({
    ...COMMON,
    'content-type': 'text/html; charset=UTF-8',
    'content-security-policy': inspectCsp(style),
    'cache-control': NO_CACHE,
  }));
  return inspectHeaders;
}

export async function inspectShell(root: PublicJwk | null, hosts: string[]): Promise<Response> {
  const [headers, body] = await Promise.all([inspectPageHeaders(), (<InspectShell root={root} hosts={hosts} />).toString()]);
  return new Response(body, { status: 200, headers });
}

/** One of the page's built files: revalidated each time online (the service worker keeps them offline). */
export async function inspectAsset(name: InspectFile, body: BodyInit, etag: string | null): Promise<Response> {
  const headers: Record<string, string> = {
    ...COMMON,
    'content-type': INSPECT_CONTENT_TYPES[name],
    'cache-control': NO_CACHE,
    'content-security-policy': inspectCsp("'none'"),
  };
  if (etag) headers.etag = etag;
  if (name === 'sw.js') headers['service-worker-allowed'] = '/inspect';
  return new Response(body, { status: 200, headers });
}
