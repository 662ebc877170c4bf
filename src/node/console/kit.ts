// What every console route is given: the registry (read-write, the office's own), the console's
// store, the publisher, the clock, and the small steps every page repeats — who is signed in,
// reading a guarded form once, running an issuer operation as that officer and turning its
// refusal into the message the CLI would print.

import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { JSX } from 'hono/jsx/jsx-runtime';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { checkCsrf, formFields, readForm, type Session } from '../accounts/index.ts';
import { RefusedError } from '../errors.ts';
import { officerActor, type IssuerContext } from '../issuer/index.ts';
import type { Registry } from '../registry/db.ts';
import type { Publisher } from './publisher.ts';
import type { ConsoleStore } from './store.ts';
import { consoleHref, type Frame, type Notice, type OfficerRoleName, type Section, type SignedInView } from './views/layout.tsx';

export interface SignedInOfficer {
  name: string;
  role: OfficerRoleName;
  session: Session;
  /** The session's cookie token: for sign-out only, never logged. */
  token: string;
}

export type ConsoleEnv = { Variables: { officer: SignedInOfficer } };
export type ConsoleContext = Context<ConsoleEnv>;

/** The audit log's actor for an officer's action: `officer:NAME`. */
export { officerActor } from '../issuer/index.ts';

/** What each role may do: clerks prepare, officers decide, admins too. */
export const ROLE_RANK: Record<OfficerRoleName, number> = { clerk: 0, officer: 1, admin: 2 };

export function mayAct(officer: { role: OfficerRoleName }, needs: OfficerRoleName): boolean {
  return ROLE_RANK[officer.role] >= ROLE_RANK[needs];
}

/** A form sent a second time (Back, a double click): nothing was done again. */
export class DuplicateForm extends Error {
  override readonly name = 'DuplicateForm';
}

const GUARD_FIELDS = { csrf: 64, once: 64 };
const ONCE_SHAPE = /^[A-Za-z0-9_-]{22}$/;

export interface ConsoleKit {
  registry: Registry;
  store: ConsoleStore;
  publisher: Publisher;
  clock: () => Date;
  log: (line: string) => void;
  /** The origin scan URLs are shown under (the verifier this console publishes for), if known. */
  verifyOrigin: string | null;
}

export function signedIn(c: ConsoleContext): SignedInOfficer {
  return c.get('officer');
}

export function frameOf(c: ConsoleContext, section: Section | '', notice?: Notice): Frame {
  const officer = c.get('officer');
  const view: SignedInView | undefined = officer ? { name: officer.name, role: officer.role, csrf: officer.session.csrf } : undefined;
  return { section, officer: view, notice: notice ?? noticeFromQuery(c) };
}

const NOTICE_KINDS = ['ok', 'warn', 'problem'] as const;
const MAX_NOTICE = 2000;

/**
 * The seal on a notice a redirect carries: an HMAC under the session's own secret, so a link
 * someone else crafted ("?problem=密钥已泄露，请运行 …") shows nothing in an officer's console.
 */
function noticeSeal(secret: string, kind: string, text: string): string {
  return createHmac('sha256', secret).update(`console-notice\n${kind}\n${text}`).digest('base64url').slice(0, 22);
}

/** The outcome a redirect carried (`?ok=…`, `?warn=…` or `?problem=…` with its seal `n`), shown as text only. */
function noticeFromQuery(c: ConsoleContext): Notice | undefined {
  const officer = c.get('officer');
  const seal = c.req.query('n');
  if (!officer || !seal) return undefined;
  for (const kind of NOTICE_KINDS) {
    const text = c.req.query(kind);
    if (!text || text.length > MAX_NOTICE) continue;
    const expected = Buffer.from(noticeSeal(officer.session.csrf, kind, text));
    const given = Buffer.from(seal);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
    return kind === 'ok' ? { ok: text } : kind === 'warn' ? { warn: text } : { problem: text };
  }
  return undefined;
}

export async function page(c: Context, status: ContentfulStatusCode, node: JSX.Element, headers?: Record<string, string>): Promise<Response> {
  return c.html(await node.toString(), status, headers);
}

/** Back to a console page with the outcome in the query (303: the form is not sent again on reload). */
export function done(c: ConsoleContext, path: string, outcome: Notice, params: Record<string, string | number | undefined> = {}): Response {
  const [kind, full] = 'ok' in outcome ? ['ok', outcome.ok] : 'warn' in outcome ? ['warn', outcome.warn] : ['problem', outcome.problem];
  const text = full.length > MAX_NOTICE ? `${full.slice(0, MAX_NOTICE - 1)}…` : full;
  const n = noticeSeal(c.get('officer').session.csrf, kind, text);
  return c.redirect(consoleHref(path, { ...params, [kind]: text, n }), 303);
}

function checkGuard(kit: ConsoleKit, c: ConsoleContext, guard: { csrf: string; once: string }): void {
  const officer = c.get('officer');
  if (!checkCsrf(officer.session, guard.csrf)) throw new HTTPException(403);
  if (!ONCE_SHAPE.test(guard.once)) throw new HTTPException(400);
  if (!kit.store.useForm(guard.once, officerActor(officer.name), kit.clock())) throw new DuplicateForm();
}

/**
 * A signed-in page's form: urlencoded, every field capped, the session's CSRF token right, and
 * its once-token not used before (else DuplicateForm: the action is not run again).
 */
export async function guardedForm<K extends string>(kit: ConsoleKit, c: ConsoleContext, caps: Record<K, number>): Promise<Record<K, string>> {
  const form = await readForm(c, { ...caps, ...GUARD_FIELDS });
  checkGuard(kit, c, form);
  return form;
}

/** The same for a multipart form (the import's upload): its text fields, and its files by name. */
export async function guardedMultipart<K extends string>(kit: ConsoleKit, c: ConsoleContext, caps: Record<K, number>, files: readonly string[]): Promise<{ fields: Record<K, string>; files: Record<string, File | undefined> }> {
  if (!/^multipart\/form-data\s*;/i.test(c.req.header('content-type') ?? '')) throw new HTTPException(415);
  let data: FormData;
  try {
    data = await c.req.formData();
  } catch {
    throw new HTTPException(400);
  }
  const texts: [string, string][] = [];
  const found: Record<string, File | undefined> = {};
  for (const [name, value] of data) {
    if (typeof value === 'string') texts.push([name, value]);
    else if (files.includes(name)) {
      if (found[name]) throw new HTTPException(400);
      found[name] = value;
    }
  }
  const fields = formFields(texts, { ...caps, ...GUARD_FIELDS });
  checkGuard(kit, c, fields);
  return { fields, files: found };
}

/** The issuer context for the signed-in officer's action: audited under the officer's name. */
export function officerContext(kit: ConsoleKit, c: ConsoleContext, warnings?: string[]): IssuerContext {
  return { registry: kit.registry, now: kit.clock(), actor: officerActor(c.get('officer').name), warn: (message) => warnings?.push(message) };
}

/**
 * Runs an issuer operation; a refusal comes back as the CLI's message (nothing was changed),
 * anything else is thrown on (a 500, logged by kind). The publisher is told in every case: an
 * operation that changes several things (a bulk revocation) may have committed some before
 * failing, and publishing nothing new is cheap. While an import runs (it holds the registry for
 * its whole length), a change is refused at once rather than left waiting.
 */
export async function attempt<T>(kit: ConsoleKit, run: () => Promise<T>, options: { changes?: boolean } = {}): Promise<{ ok: true; value: T } | { ok: false; message: string; code: string }> {
  const changes = options.changes !== false;
  if (changes) {
    const running = kit.store.runningImport();
    if (running) return { ok: false, code: 'conflict', message: `a selection-batch import is running (import #${running.id}, ${running.doneRows}/${running.totalRows} rows); nothing was changed: try again when it has finished` };
  }
  try {
    return { ok: true, value: await run() };
  } catch (error) {
    if (error instanceof RefusedError) return { ok: false, message: error.message, code: error.code };
    throw error;
  } finally {
    if (changes) kit.publisher.changed();
  }
}
