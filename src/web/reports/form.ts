// GET /report and POST /report: the shopper's report form (no JavaScript needed), from the scan
// page's link (with the seal) or for a mark seen with no QR code at all (without). In order, a
// post is: same-site or refused (403), a form or refused (415), small or refused (413), fields
// checked (400, the form again), the inbox there (503), this address not flooding (429), the
// contact encrypted to the office's key, then stored (503 when storage fails) and thanked.
// It sets no cookie and keeps no address: the client's address only counts posts, in memory
// (this process's on Node; a Durable Object's, under a salted hash, on Workers).

import type { Context } from 'hono';
import { encryptContact, type ContactPublicJwk, type Locale } from '../../core/index.ts';
import { pickLocale } from '../locale.ts';
import { noticePage, reportFormPage, reportRefusedPage, reportThanksPage, type PageContext } from '../respond.tsx';
import { pageContext, type RouteDeps } from '../route-deps.ts';
import type { ReportRefusal } from '../messages.ts';
import { readCapped } from './body.ts';
import { checkReport, readSeal } from './form-fields.ts';
import { InboxUnavailable, type ReportInbox } from './inbox.ts';
import { addressRateKey, type RateAnswer, type RateLimit } from './rate-limit.ts';

/** Far above what the form can send (≤ 800 characters, each at most 9 bytes percent-encoded). */
export const MAX_FORM_BYTES = 8 * 1024;

const RETRY_AFTER_UNAVAILABLE_S = '120';
const ALLOW = 'GET, HEAD, POST';

export interface ReportFormDeps {
  v: RouteDeps;
  /** Unset (no store configured): the form is shown, and a post answers 503. */
  inbox: ReportInbox | undefined;
  /** The office's X25519 public key; null: the form takes no contact. */
  contactKey: ContactPublicJwk | null;
  /** The client's address, for the rate limit only; null when the runtime cannot tell. */
  clientAddress: (c: Context) => string | null;
  /** Keyed `address:…` (addressRateKey). */
  limiter: RateLimit;
}

export function reportForm(d: ReportFormDeps) {
  return async function reportForm(c: Context): Promise<Response> {
    const page = pageContext(c, d.v);
    const seal = readSeal(c.req.query('seal'));
    if (seal === undefined) return noticePage(page, 'badRequest');
    return reportFormPage(200, { ...page, seal, takesContact: d.contactKey !== null });
  };
}

export function receiveReport(d: ReportFormDeps) {
  return async function receiveReport(c: Context): Promise<Response> {
    const early = pageContext(c, d.v);
    const refuse = (kind: ReportRefusal, page: PageContext = early, seal: string | null = null, extra?: Record<string, string>) => reportRefusedPage(page, kind, seal, extra);

    if (crossSite(c, d.v.officialHost)) return refuse('crossSite');
    if (!isForm(c.req.header('content-type'))) return refuse('unsupportedType');
    const bytes = await readCapped(c.req.raw, MAX_FORM_BYTES);
    if (bytes === 'unreadable') return noticePage(early, 'badRequest'); // the client went away mid-body
    if (bytes === 'too_large') return refuse('tooLarge');

    // Not fatal: a damaged byte becomes U+FFFD, which the field checks refuse.
    const form = new URLSearchParams(new TextDecoder().decode(bytes));
    const page: PageContext = { ...early, locale: formLocale(form.get('lang'), c) };
    const checked = checkReport(form);
    const takesContact = d.contactKey !== null;
    if (!checked.ok) {
      if (checked.field === 'seal') return noticePage(page, 'badRequest');
      return reportFormPage(400, { ...page, seal: checked.values.seal, takesContact, values: checked.values, error: { field: checked.field, problem: checked.problem } });
    }
    const report = checked.report;
    if (!d.inbox) return refuse('unavailable', page, report.seal, { 'retry-after': RETRY_AFTER_UNAVAILABLE_S });

    let decision: RateAnswer;
    try {
      decision = await d.limiter.take(addressRateKey(d.clientAddress(c) ?? 'unknown'), d.v.clock());
    } catch (error) {
      // Fails OPEN, on purpose: a genuine report must not be refused because the limiter (the
      // Workers Durable Object) is unreachable. The body caps still hold and repeats about one
      // seal are merged into a count, so a flood meanwhile cannot bury a genuine report. Logged
      // by kind only, never the address.
      d.v.log(`report rate limit unavailable (${error instanceof Error ? error.name : 'error'}): a shopper report was let through unthrottled`);
      decision = { ok: true };
    }
    if (!decision.ok) return refuse('tooMany', page, report.seal, { 'retry-after': String(decision.retryAfterS) });

    try {
      // A contact with no key to encrypt it to is dropped, never stored as it is.
      const contactJwe = report.contact && d.contactKey ? await encryptContact(report.contact, d.contactKey) : null;
      await d.inbox.add({
        source: 'shopper',
        inspectorId: null,
        tokenJti: null,
        seal: report.seal,
        serial: report.serial,
        outcome: report.problem,
        place: report.place,
        note: report.note,
        observedAt: null,
        contactJwe,
        idempotencyKey: null,
        photo: null,
        receivedAt: d.v.clock().toISOString(),
      });
    } catch (error) {
      // By kind only: neither the report nor the address is logged.
      d.v.log(error instanceof InboxUnavailable ? 'report inbox unavailable: a shopper report was refused with 503' : `unexpected ${error instanceof Error ? error.name : 'error'} storing a shopper report: refused with 503`);
      return refuse('unavailable', page, report.seal, { 'retry-after': RETRY_AFTER_UNAVAILABLE_S });
    }
    return reportThanksPage(page, report.seal);
  };
}

export function reportMethodNotAllowed(v: RouteDeps) {
  return function reportMethodNotAllowed(c: Context): Promise<Response> {
    return noticePage(pageContext(c, v), 'methodNotAllowed', { allow: ALLOW });
  };
}

/**
 * A form with no session cannot be forged into anything a victim did not mean, but a post
 * from another site is still refused. Sec-Fetch-Site decides where the browser sends it;
 * otherwise Origin, unless it is "null" (what browsers send for a form post from a page whose
 * Referrer-Policy is no-referrer, as ours is).
 */
function crossSite(c: Context, officialHost: string | null): boolean {
  const site = c.req.header('sec-fetch-site');
  if (site !== undefined) return site !== 'same-origin' && site !== 'none';
  const origin = c.req.header('origin');
  if (origin === undefined || origin === 'null') return false;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    return true;
  }
  return host !== new URL(c.req.url).host && host !== officialHost;
}

function isForm(contentType: string | undefined): boolean {
  const [type = '', ...params] = (contentType ?? '').split(';');
  if (type.trim().toLowerCase() !== 'application/x-www-form-urlencoded') return false;
  const charset = params.map((p) => p.trim().toLowerCase()).find((p) => p.startsWith('charset='));
  return charset === undefined || charset === 'charset=utf-8' || charset === 'charset="utf-8"';
}

function formLocale(lang: string | null, c: Context): Locale {
  return pickLocale(lang ?? c.req.query('lang'), c.req.header('accept-language'));
}
