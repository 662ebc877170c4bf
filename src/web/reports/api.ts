// The inbox's JSON API (DESIGN §5):
//   POST /api/v1/reports            an inspector files a report (Authorization: Bearer <token>)
//   GET  /api/v1/reports?after=&limit=   the office pulls reports after its cursor
//   GET  /api/v1/reports/{id}/photo  the office fetches a report's photo
//   POST /api/v1/reports/ack?cursor=N  the office has stored everything up to N (also the body's {cursor})
// The office's requests carry `Authorization: QDYP-Office <jws>` (core/office-request.ts),
// verified under the key list this verifier already trusts; each nonce is used once.
//
// Each way to say no has its status and a stable `error` code; nothing is stored unless the
// whole report passes. Logs name inspector ids and report ids only, never tokens or text.

import type { Context, Hono } from 'hono';
import {
  MAX_FUTURE_SKEW_MS,
  MAX_INSPECTOR_TOKEN_BYTES,
  OFFICE_NONCE_TTL_S,
  OUTCOMES,
  parseSeal,
  probeImage,
  sealFromInput,
  verifyInspectorToken,
  verifyOfficeRequest,
} from '../../core/index.ts';
import { MAX_SEAL_INPUT, type RouteDeps } from '../route-deps.ts';
import { readCapped } from './body.ts';
import { InboxUnavailable, type ReportInbox, type ReportInput } from './inbox.ts';
import { inspectorRateKey, type RateAnswer, type RateLimit } from './rate-limit.ts';
import type { RevokedInspectorsCache } from './revoked.ts';
import { errorName } from '../faults.ts';

/** The largest photo a report may carry (the inspector page downscales before it queues). */
export const MAX_REPORT_PHOTO_BYTES = 5 * 1024 * 1024;
/** A JSON report (or the `report` part): five short fields and two of 500 characters. */
export const MAX_REPORT_JSON_BYTES = 16 * 1024;
/** A whole multipart body: the photo, the report and the parts' headers. */
export const MAX_REPORT_BODY_BYTES = MAX_REPORT_PHOTO_BYTES + 64 * 1024;
/** `place` and `note`, in characters. */
export const MAX_REPORT_TEXT = 500;
/** What one pull may ask for. */
export const MAX_PULL_LIMIT = 500;
export const DEFAULT_PULL_LIMIT = 100;
/** Acknowledged rows older than this are deleted at the edge (the registry keeps them). */
export const REPORT_RETENTION_DAYS = 90;
/** What a client is told to wait before trying again after a 503. */
const RETRY_AFTER_S = '30';

const IDEMPOTENCY_KEY = /^[A-Za-z0-9_-]{1,64}$/;
const REPORT_ID = /^[A-Za-z0-9_-]{1,64}$/;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;
/**
 * Text that cannot be shown faithfully, refused as the registry refuses it (checkText in
 * src/node/issuer/checks.ts, which checks every pulled report again): control characters and
 * line breaks, invisible and direction-changing characters, U+FFFD, lone surrogates, and more
 * than four combining marks in a row.
 */
const HOSTILE = [
  /[\u0000-\u001f\u007f-\u009f\ufffd]/u,
  /[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u206f\u3164\ufeff\uffa0\ufff9-\ufffb\u{1d173}-\u{1d17a}\u{e0000}-\u{e007f}]/u,
  /\p{M}{5,}/u,
  /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/,
];
const hostile = (text: string) => HOSTILE.some((re) => re.test(text));
/** What a seal's text may hold (Base32; a malformed seal is reported as scanned, within these). */
const SEAL_TEXT = /^[0-9A-Za-z]{1,200}$/;
const FIELDS = new Set(['seal', 'outcome', 'place', 'note', 'observedAt', 'idempotencyKey']);
const REPORT_OUTCOMES: ReadonlySet<string> = new Set([...OUTCOMES, 'no_seal']);

type Status = 200 | 201 | 400 | 401 | 403 | 404 | 405 | 413 | 415 | 429 | 503;

// Private data: no CORS, never cached, never a cookie.
const HEADERS = {
  'content-type': 'application/json',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
};

function answer(status: Status, body: unknown, extra?: Record<string, string>): Response {
  return new Response(JSON.stringify(body), { status, headers: extra ? { ...HEADERS, ...extra } : HEADERS });
}

const refuse = (status: Status, error: string, message: string, extra?: Record<string, string>) => answer(status, { error, message }, extra);
const unavailable = (error: string, message: string) => refuse(503, error, message, { 'retry-after': RETRY_AFTER_S });

export interface ReportRouteDeps {
  v: RouteDeps;
  inbox: ReportInbox | undefined;
  revoked: RevokedInspectorsCache;
  /** POST /api/v1/reports per inspector id (`inspector:…`, 60 a minute by default). */
  limiter: RateLimit;
}

const ROUTES = [
  { path: '/api/v1/reports', allow: 'GET, HEAD, POST' },
  { path: '/api/v1/reports/ack', allow: 'POST' },
  { path: '/api/v1/reports/:id/photo', allow: 'GET, HEAD' },
] as const;

export function reportRoutes(app: Hono, deps: ReportRouteDeps): void {
  app.post('/api/v1/reports', fileReport(deps));
  app.get('/api/v1/reports', pullReports(deps));
  app.get('/api/v1/reports/:id/photo', reportPhoto(deps));
  app.post('/api/v1/reports/ack', ackReports(deps));
  for (const { path, allow } of ROUTES) {
    app.all(path, function methodNotAllowed() {
      return refuse(405, 'method_not_allowed', `Use ${allow}`, { allow });
    });
  }
}

const noInbox = () => unavailable('reports_unavailable', 'This verifier takes no reports');

// ---- POST /api/v1/reports -------------------------------------------------------------------

function fileReport(deps: ReportRouteDeps) {
  const { v } = deps;
  return async function fileReport(c: Context): Promise<Response> {
    const inbox = deps.inbox;
    if (!inbox) return noInbox();
    const token = bearer(c.req.header('authorization'));
    if (!token) return refuse(401, 'token_missing', 'Send the inspector token as Authorization: Bearer <token>', { 'www-authenticate': 'Bearer' });
    const { context } = await v.trust.snapshot();
    if (!context.keyList) return unavailable('trust_unavailable', 'The trusted key list cannot be read now');
    const now = v.clock();
    const checked = await verifyInspectorToken(token, { keyList: context.keyList }, now, null);
    if (!checked.ok) return refuse(401, 'token_invalid', 'The inspector token is not valid here', { 'www-authenticate': 'Bearer error="invalid_token"' });
    const revoked = await deps.revoked.current(context.keyList);
    if (!revoked) return unavailable('revocations_unavailable', 'The revoked-inspectors list cannot be read now');
    if (revoked.jtis.has(checked.claims.jti)) {
      v.log(`report refused: inspector ${checked.claims.sub}'s token is revoked`);
      return refuse(403, 'token_revoked', 'This inspector token has been revoked');
    }
    // Per inspector id (the token's sub, so a new token for the same inspector shares it), before
    // the body is read. Fails open like the shopper form: the token already vouches for the sender.
    let rate: RateAnswer;
    try {
      rate = await deps.limiter.take(inspectorRateKey(checked.claims.sub), now);
    } catch (error) {
      v.log(`report rate limit unavailable (${errorName(error)}): inspector ${checked.claims.sub}'s report let through unthrottled`);
      rate = { ok: true };
    }
    if (!rate.ok) {
      v.log(`report refused: inspector ${checked.claims.sub} is over the rate limit`);
      return refuse(429, 'too_many_requests', 'Too many reports from this inspector; wait and send again', { 'retry-after': String(rate.retryAfterS) });
    }

    const body = await readReportBody(c.req.raw);
    if (!body.ok) return body.response;
    const fields = checkFields(body.report, now);
    if (!fields.ok) return refuse(400, fields.error, fields.message);
    if (fields.value.outcome === 'no_seal' && (!fields.value.place || !body.photo)) {
      return refuse(400, 'no_seal_needs_place_and_photo', 'A mark seen with no QR code needs a place and a photo');
    }

    const input: ReportInput = {
      source: 'inspector',
      inspectorId: checked.claims.sub,
      tokenJti: checked.claims.jti,
      ...fields.value,
      contactJwe: null,
      photo: body.photo,
      receivedAt: now.toISOString(),
    };
    try {
      const { id, created } = await inbox.add(input);
      v.log(created ? `report ${id} filed by inspector ${checked.claims.sub}` : `report ${id} retried by inspector ${checked.claims.sub}`);
      return answer(created ? 201 : 200, { id });
    } catch (error) {
      v.log(`report from inspector ${checked.claims.sub} not stored (${error instanceof InboxUnavailable ? 'inbox unavailable' : errorName(error)})`);
      return unavailable('storage_unavailable', 'The report could not be stored now; send it again later');
    }
  };
}

function bearer(header: string | undefined): string | null {
  const match = /^Bearer ([A-Za-z0-9_.-]+)$/i.exec(header?.trim() ?? '');
  return match && match[1]!.length <= MAX_INSPECTOR_TOKEN_BYTES ? match[1]! : null;
}

type Photo = NonNullable<ReportInput['photo']>;
type Body = { ok: true; report: unknown; photo: Photo | null } | { ok: false; response: Response };

/** The report (and photo), read no further than its cap allows. */
async function readReportBody(request: Request): Promise<Body> {
  const no = (response: Response): Body => ({ ok: false, response });
  const type = (request.headers.get('content-type') ?? '').toLowerCase();
  const isJson = /^application\/json\s*(;|$)/.test(type);
  const isForm = /^multipart\/form-data\s*;/.test(type);
  if (!isJson && !isForm) return no(refuse(415, 'unsupported_media_type', 'Send application/json, or multipart/form-data with parts report and photo'));
  const cap = isJson ? MAX_REPORT_JSON_BYTES : MAX_REPORT_BODY_BYTES;
  const bytes = await readCapped(request, cap);
  if (bytes === 'too_large') return no(refuse(413, 'too_large', `A report is at most ${cap} bytes (a photo at most ${MAX_REPORT_PHOTO_BYTES})`));
  if (bytes === 'unreadable') return no(refuse(400, 'bad_body', 'The body could not be read'));
  if (isJson) {
    const report = parseJson(bytes);
    return report === undefined ? no(refuse(400, 'bad_json', 'The body is not JSON')) : { ok: true, report, photo: null };
  }
  let form: FormData;
  try {
    form = await new Response(bytes as BodyInit, { headers: { 'content-type': request.headers.get('content-type')! } }).formData();
  } catch {
    return no(refuse(400, 'bad_multipart', 'The multipart body could not be read'));
  }
  const part = form.get('report');
  const reportBytes = typeof part === 'string' ? new TextEncoder().encode(part) : part ? new Uint8Array(await part.arrayBuffer()) : null;
  if (!reportBytes) return no(refuse(400, 'report_missing', 'The multipart body needs a part named report'));
  if (reportBytes.length > MAX_REPORT_JSON_BYTES) return no(refuse(413, 'too_large', `The report part is at most ${MAX_REPORT_JSON_BYTES} bytes`));
  const report = parseJson(reportBytes);
  if (report === undefined) return no(refuse(400, 'bad_json', 'The report part is not JSON'));
  const file = form.get('photo');
  if (file === null) return { ok: true, report, photo: null };
  if (typeof file === 'string') return no(refuse(400, 'bad_photo', 'The photo part must be a file'));
  if (file.size > MAX_REPORT_PHOTO_BYTES) return no(refuse(413, 'photo_too_large', `A photo is at most ${MAX_REPORT_PHOTO_BYTES} bytes`));
  const photo = new Uint8Array(await file.arrayBuffer());
  const probe = probeImage(photo);
  if (!probe || (probe.type !== 'jpeg' && probe.type !== 'png')) return no(refuse(415, 'unsupported_photo', 'A photo must be a JPEG or PNG image'));
  return { ok: true, report, photo: { bytes: photo, type: probe.type === 'jpeg' ? 'image/jpeg' : 'image/png' } };
}

function parseJson(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as unknown;
  } catch {
    return undefined;
  }
}

type Fields = Pick<ReportInput, 'seal' | 'serial' | 'outcome' | 'place' | 'note' | 'observedAt' | 'idempotencyKey'>;
type Checked = { ok: true; value: Fields } | { ok: false; error: string; message: string };

/** The report's fields, each checked; the first problem found is the answer. */
function checkFields(report: unknown, now: Date): Checked {
  const bad = (error: string, message: string): Checked => ({ ok: false, error, message });
  if (typeof report !== 'object' || report === null || Array.isArray(report)) return bad('bad_report', 'The report must be a JSON object');
  const r = report as Record<string, unknown>;
  const unknown = Object.keys(r).find((key) => !FIELDS.has(key));
  if (unknown !== undefined) return bad('unknown_field', 'The report has a field this verifier does not know');
  for (const key of FIELDS) {
    if (r[key] !== undefined && r[key] !== null && typeof r[key] !== 'string') return bad(`bad_${snake(key)}`, `${key} must be a string`);
  }
  const text = (key: string) => (typeof r[key] === 'string' && (r[key] as string).trim() !== '' ? (r[key] as string).trim() : null);

  const outcome = text('outcome');
  if (!outcome) return bad('outcome_missing', 'Give the outcome the verifier showed, or no_seal');
  if (!REPORT_OUTCOMES.has(outcome)) return bad('bad_outcome', 'outcome must be a verdict code or no_seal');

  let seal: string | null = null;
  let serial: number | null = null;
  const given = text('seal');
  if (outcome === 'no_seal') {
    if (given) return bad('bad_seal', 'A report of a mark with no QR code names no seal');
  } else {
    if (!given) return bad('seal_missing', 'Give the seal (or its URL)');
    if (given.length > MAX_SEAL_INPUT) return bad('seal_too_long', `A seal is at most ${MAX_SEAL_INPUT} characters`);
    const extracted = sealFromInput(given);
    // A malformed seal is still reported as scanned (it may be the copy), within Base32's letters.
    if (!SEAL_TEXT.test(extracted)) return bad('bad_seal', 'The seal holds characters no seal has');
    const parsed = parseSeal(extracted);
    seal = parsed ? extracted.toUpperCase() : extracted;
    serial = parsed ? parsed.serial : null;
  }

  const place = text('place');
  const note = text('note');
  for (const [key, value] of [['place', place], ['note', note]] as const) {
    if (value === null) continue;
    if ([...value].length > MAX_REPORT_TEXT) return bad(`${key}_too_long`, `${key} is at most ${MAX_REPORT_TEXT} characters`);
    if (hostile(r[key] as string)) return bad(`bad_${key}`, `${key} must not hold control, invisible or direction characters`);
  }

  let observedAt: string | null = null;
  const observed = text('observedAt');
  if (observed) {
    const ms = ISO_INSTANT.test(observed) ? Date.parse(observed) : NaN;
    if (!Number.isFinite(ms)) return bad('bad_observed_at', 'observedAt must be an ISO-8601 instant such as 2026-11-27T04:00:00Z');
    if (ms > now.getTime() + MAX_FUTURE_SKEW_MS) return bad('observed_in_future', 'observedAt is in the future');
    observedAt = new Date(ms).toISOString();
  }

  const idempotencyKey = text('idempotencyKey');
  if (idempotencyKey !== null && !IDEMPOTENCY_KEY.test(idempotencyKey)) return bad('bad_idempotency_key', 'idempotencyKey is at most 64 of A-Z a-z 0-9 _ -');
  return { ok: true, value: { seal, serial, outcome, place, note, observedAt, idempotencyKey } };
}

const snake = (key: string) => key.replace(/[A-Z]/g, (ch) => `_${ch.toLowerCase()}`);

// ---- the office's side ------------------------------------------------------------------------

type OfficeCheck = { ok: true; inbox: ReportInbox } | { ok: false; response: Response };

/** The office request's JWS, verified and its nonce used; or the answer that refuses it. */
async function office(c: Context, deps: ReportRouteDeps): Promise<OfficeCheck> {
  const no = (response: Response): OfficeCheck => ({ ok: false, response });
  const inbox = deps.inbox;
  if (!inbox) return no(noInbox());
  const match = /^QDYP-Office ([A-Za-z0-9_.-]+)$/.exec(c.req.header('authorization')?.trim() ?? '');
  if (!match) return no(refuse(401, 'office_auth_missing', 'Sign the request: Authorization: QDYP-Office <jws>', { 'www-authenticate': 'QDYP-Office' }));
  const { context } = await deps.v.trust.snapshot();
  if (!context.keyList) return no(unavailable('trust_unavailable', 'The trusted key list cannot be read now'));
  const url = new URL(c.req.url);
  const checked = await verifyOfficeRequest(match[1]!, { keyList: context.keyList }, { method: c.req.method, path: url.pathname + url.search, time: deps.v.clock() });
  if (!checked.ok) {
    deps.v.log(`office request refused (${checked.reason}) on ${c.req.method} ${url.pathname}`);
    return no(refuse(401, 'office_auth_invalid', 'The office request is not valid here', { 'www-authenticate': 'QDYP-Office error="invalid_token"' }));
  }
  try {
    if (!(await inbox.useNonce(checked.nonce, new Date((checked.iat + OFFICE_NONCE_TTL_S) * 1000)))) {
      deps.v.log(`office request refused (nonce replayed) on ${c.req.method} ${url.pathname}`);
      return no(refuse(401, 'office_auth_replayed', 'This office request has been seen before', { 'www-authenticate': 'QDYP-Office error="invalid_token"' }));
    }
  } catch {
    return no(unavailable('storage_unavailable', 'The inbox cannot be read now'));
  }
  return { ok: true, inbox };
}

const CURSOR = /^(0|[1-9]\d{0,15})$/;

function pullReports(deps: ReportRouteDeps) {
  return async function pullReports(c: Context): Promise<Response> {
    const after = c.req.query('after') ?? '0';
    const limit = c.req.query('limit') ?? String(DEFAULT_PULL_LIMIT);
    if (!CURSOR.test(after) || !Number.isSafeInteger(Number(after))) return refuse(400, 'bad_cursor', 'after must be a cursor (a whole number)');
    if (!/^[1-9]\d{0,3}$/.test(limit) || Number(limit) > MAX_PULL_LIMIT) return refuse(400, 'bad_limit', `limit is 1 to ${MAX_PULL_LIMIT}`);
    const auth = await office(c, deps);
    if (!auth.ok) return auth.response;
    try {
      const reports = await auth.inbox.after(Number(after), Number(limit));
      return answer(200, { reports, cursor: reports.length ? reports[reports.length - 1]!.cursor : Number(after) });
    } catch {
      return unavailable('storage_unavailable', 'The inbox cannot be read now');
    }
  };
}

function reportPhoto(deps: ReportRouteDeps) {
  return async function reportPhoto(c: Context): Promise<Response> {
    const id = c.req.param('id') ?? '';
    if (!REPORT_ID.test(id)) return refuse(404, 'not_found', 'No such report photo');
    const auth = await office(c, deps);
    if (!auth.ok) return auth.response;
    let photo: Awaited<ReturnType<ReportInbox['photo']>>;
    try {
      photo = await auth.inbox.photo(id);
    } catch {
      return unavailable('storage_unavailable', 'The inbox cannot be read now');
    }
    if (!photo) return refuse(404, 'not_found', 'No such report photo');
    return new Response(photo.bytes as BodyInit, {
      status: 200,
      headers: { ...HEADERS, 'content-type': photo.type, 'content-length': String(photo.bytes.byteLength), 'content-disposition': 'attachment' },
    });
  };
}

function ackReports(deps: ReportRouteDeps) {
  return async function ackReports(c: Context): Promise<Response> {
    const auth = await office(c, deps);
    if (!auth.ok) return auth.response;
    if (!/^application\/json\s*(;|$)/i.test(c.req.header('content-type') ?? '')) return refuse(415, 'unsupported_media_type', 'Send application/json: {"cursor": N}');
    const bytes = await readCapped(c.req.raw, 1024);
    if (bytes === 'too_large') return refuse(413, 'too_large', 'An acknowledgement is at most 1024 bytes');
    const body = bytes === 'unreadable' ? undefined : (parseJson(bytes) as { cursor?: unknown } | null | undefined);
    const cursor = body?.cursor;
    if (typeof cursor !== 'number' || !Number.isSafeInteger(cursor) || cursor < 0) return refuse(400, 'bad_cursor', 'Send {"cursor": N}, the last cursor stored');
    // The cursor is signed with the request: it is in the path (?cursor=N) the office's JWS
    // names, and the body must say the same, so nobody in between can move it.
    if (c.req.query('cursor') !== String(cursor)) return refuse(400, 'bad_cursor', 'Post to /api/v1/reports/ack?cursor=N with the same N in the body');
    try {
      await auth.inbox.ack(cursor, deps.v.clock(), REPORT_RETENTION_DAYS);
    } catch {
      return unavailable('storage_unavailable', 'The acknowledgement could not be stored now; send it again');
    }
    deps.v.log(`reports acknowledged up to cursor ${cursor}`);
    return answer(200, { cursor });
  };
}
