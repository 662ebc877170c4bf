// qdyp report SEAL --token FILE --outcome CODE: an inspector files a report of misuse from a
// laptop, as the inspector page does from the market (POST /api/v1/reports with the inspector
// token). It needs no registry: only the token and the edge.

import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { OUTCOMES, parseSeal, sealFromInput } from '../../core/index.ts';
import { RefusedError } from '../errors.ts';
import { DEFAULT_TIMEOUT_S, edgeBase, edgeUrl, errorBody, exchange, HttpFailure, jsonBody } from '../http-client.ts';
import { optionalText } from '../issuer/checks.ts';
import { MAX_PHOTO_BYTES, photoType } from '../issuer/reports.ts';
import { command, EXIT, required, text, UsageError } from './command.ts';

const REPORT_OUTCOMES = [...OUTCOMES, 'no_seal'] as const;
const MAX_FIELD = 500;
const MAX_TOKEN_BYTES = 8 * 1024;
const MAX_ANSWER_BYTES = 16 * 1024;
const IDEMPOTENCY_KEY = /^[A-Za-z0-9_-]{16,64}$/;

/** What each refusal of the inbox means to the inspector at the laptop. */
const STATUS_HINTS: Record<number, string> = {
  400: 'the edge refused a field of the report',
  401: 'the token was not accepted (expired, malformed, or not signed by a key this edge trusts): ask the office for a new one',
  403: 'this token has been revoked: ask the office for a new one',
  413: `the report is too large (a photo must be at most ${MAX_PHOTO_BYTES / (1024 * 1024)} MB)`,
  415: 'the edge does not accept this kind of content (a photo must be JPEG or PNG)',
  429: 'too many reports in a short time',
  503: 'the edge could not store the report just now',
};

function readToken(file: string): string {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    throw new UsageError(`--token: cannot read ${file}`);
  }
  if (!stat.isFile() || stat.size > MAX_TOKEN_BYTES) throw new UsageError(`--token: ${file} is not an inspector token file`);
  const token = fs.readFileSync(file, 'utf8').trim();
  if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token)) throw new UsageError(`--token: ${file} does not hold an inspector token (one line, as qdyp inspector add --out writes)`);
  return token;
}

function readPhoto(file: string): { bytes: Uint8Array<ArrayBuffer>; type: 'image/jpeg' | 'image/png' } {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    throw new UsageError(`--photo: cannot read ${file}`);
  }
  if (!stat.isFile()) throw new UsageError(`--photo: ${file} is not a file`);
  if (stat.size > MAX_PHOTO_BYTES) throw new UsageError(`--photo: ${file} is over ${MAX_PHOTO_BYTES / (1024 * 1024)} MB; make it smaller first`);
  const bytes = new Uint8Array(fs.readFileSync(file));
  const type = photoType(bytes);
  if (!type) throw new UsageError(`--photo: ${file} is neither a JPEG nor a PNG`);
  return { bytes, type };
}

export const report = command({
  summary: 'File a report of misuse with an inspector token, as the inspector page does (from a laptop).',
  usage: 'SEAL --token FILE --outcome CODE [--place TEXT] [--note TEXT] [--photo FILE] [--observed-at ISO] [--to URL] [--idempotency-key KEY]',
  help: `SEAL is the seal URL as scanned (its origin is then the default --to) or the bare seal;
give - for a mark seen with no QR at all (--outcome no_seal, with --place and --photo).

Options:
  --token FILE            the inspector token (qdyp inspector add --out FILE)
  --outcome CODE          the verdict seen: ${REPORT_OUTCOMES.join(', ')}
  --place TEXT            where (at most ${MAX_FIELD} characters)
  --note TEXT             what was found (at most ${MAX_FIELD} characters)
  --photo FILE            a JPEG or PNG, at most ${MAX_PHOTO_BYTES / (1024 * 1024)} MB
  --observed-at ISO       when it was seen (an ISO-8601 instant; default: not stated)
  --to URL                the verifier (default: the seal URL's origin)
  --idempotency-key KEY   the key a first attempt printed: a retry with it is stored once
  --timeout SECONDS       default ${DEFAULT_TIMEOUT_S}

Prints the report's id. A first attempt prints its idempotency key on stderr: if it fails
with no answer, repeat the same command with --idempotency-key KEY.`,
  options: {
    token: { type: 'string' },
    outcome: { type: 'string' },
    place: { type: 'string' },
    note: { type: 'string' },
    photo: { type: 'string' },
    'observed-at': { type: 'string' },
    to: { type: 'string' },
    'idempotency-key': { type: 'string' },
    timeout: { type: 'string' },
  },
  positionals: { min: 1, max: 1 },
  async run(parsed, cli) {
    const input = parsed.positionals[0]!;
    const outcome = required(parsed, 'outcome');
    if (!(REPORT_OUTCOMES as readonly string[]).includes(outcome)) throw new UsageError(`--outcome must be one of ${REPORT_OUTCOMES.join(', ')}`);
    let seal: string | null = null;
    if (input !== '-') {
      seal = sealFromInput(input).toUpperCase();
      if (!parseSeal(seal)) throw new UsageError(`"${input}" is not a seal or a seal URL`);
    } else if (outcome !== 'no_seal') throw new UsageError('SEAL "-" (no QR at all) goes with --outcome no_seal');
    const place = optionalText('place', text(parsed, 'place'), MAX_FIELD);
    const note = optionalText('note', text(parsed, 'note'), MAX_FIELD);
    const observedText = text(parsed, 'observed-at');
    let observedAt: string | null = null;
    if (observedText !== undefined) {
      const time = /^\d{4}-\d{2}-\d{2}T/.test(observedText) ? new Date(observedText) : new Date(NaN);
      if (Number.isNaN(time.getTime())) throw new UsageError('--observed-at must be an ISO-8601 instant such as 2026-11-27T04:00:00Z');
      observedAt = time.toISOString();
    }
    const photoFile = text(parsed, 'photo');
    const photo = photoFile === undefined ? null : readPhoto(cli.resolve(photoFile));
    if (outcome === 'no_seal' && (place === null || photo === null)) throw new UsageError('a report with --outcome no_seal needs --place and --photo');
    const token = readToken(cli.resolve(required(parsed, 'token')));
    const givenKey = text(parsed, 'idempotency-key');
    if (givenKey !== undefined && !IDEMPOTENCY_KEY.test(givenKey)) throw new UsageError('--idempotency-key must be the key an earlier attempt printed (16 to 64 letters, digits, - or _)');
    // Hex, never base64url: a key starting with "-" could not be given back as --idempotency-key.
    const idempotencyKey = givenKey ?? randomBytes(16).toString('hex');
    const timeoutText = text(parsed, 'timeout');
    if (timeoutText !== undefined && (!/^\d{1,4}$/.test(timeoutText) || Number(timeoutText) === 0)) throw new UsageError('--timeout must be a whole number of seconds, at least 1');
    const timeoutS = timeoutText === undefined ? DEFAULT_TIMEOUT_S : Number(timeoutText);
    const toText = text(parsed, 'to') ?? (/^https?:\/\//i.test(input.trim()) ? new URL(input.trim()).origin : undefined);
    if (toText === undefined) throw new UsageError('--to URL is needed (the verifier to file with) when SEAL is not a seal URL');
    let base: URL;
    try {
      base = edgeBase(toText.toLowerCase(), '--to');
    } catch (error) {
      throw error instanceof HttpFailure ? new UsageError(error.message) : error;
    }

    const body = {
      ...(seal === null ? {} : { seal }),
      outcome,
      ...(place === null ? {} : { place }),
      ...(note === null ? {} : { note }),
      ...(observedAt === null ? {} : { observedAt }),
      idempotencyKey,
    };
    let payload: BodyInit;
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json' };
    if (photo) {
      const form = new FormData();
      form.set('report', new Blob([JSON.stringify(body)], { type: 'application/json' }), 'report.json');
      form.set('photo', new Blob([photo.bytes], { type: photo.type }), photo.type === 'image/png' ? 'photo.png' : 'photo.jpg');
      payload = form;
    } else {
      payload = JSON.stringify(body);
      headers['content-type'] = 'application/json';
    }
    if (givenKey === undefined) cli.err(`idempotency key ${idempotencyKey} (if this fails with no answer, retry with --idempotency-key ${idempotencyKey})`);
    const url = edgeUrl(base, '/api/v1/reports');
    let answer;
    try {
      answer = await exchange(url, { method: 'POST', headers, body: payload }, { max: MAX_ANSWER_BYTES, timeoutS });
    } catch (error) {
      if (error instanceof HttpFailure) throw new RefusedError('report_failed', `${error.message}; the report may or may not have arrived: retry with --idempotency-key ${idempotencyKey}`);
      throw error;
    }
    if (answer.status === 201 || answer.status === 200) {
      const id = (jsonBody(answer, url) as { id?: unknown })?.id;
      if (typeof id !== 'string' || !/^[A-Za-z0-9_-]{1,100}$/.test(id)) throw new RefusedError('report_failed', `the answer from ${url.href} names no report id`);
      if (parsed.json) cli.json({ id, created: answer.status === 201, idempotencyKey, to: base.href });
      else cli.out(answer.status === 201 ? `Report filed: ${id}` : `Report already filed (the same idempotency key): ${id}`);
      return EXIT.ok;
    }
    const { error, message } = errorBody(answer);
    const retryAfter = answer.headers.get('retry-after');
    const hint = STATUS_HINTS[answer.status] ?? 'the edge refused the report';
    const retry = answer.status === 429 || answer.status === 503 ? `; try again${retryAfter && /^\d{1,6}$/.test(retryAfter) ? ` in ${retryAfter} s` : ' later'} with --idempotency-key ${idempotencyKey}` : '';
    throw new RefusedError('report_failed', `${url.href} answered ${answer.status}${error ? ` ${error}` : ''}: ${hint}${message ? ` (${message})` : ''}${retry}; nothing was filed`);
  },
});
