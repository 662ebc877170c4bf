// The holder portal: one Hono app under /portal/. It reads the portal snapshot (read-only,
// reopened when the office replaces it) and writes only its own small database (accounts,
// sessions, throttles). It holds no key and never calls the office: every download is drawn
// from the seal URL and licence document signed at issuance.
//
// Routes (all under /portal):
//   GET  /                          the signed-in holder's licences (else 303 to /sign-in)
//   GET  /sign-in · POST /sign-in   USCC, user name, password
//   GET  /activate · POST /activate USCC and activation code, then a new password twice
//   POST /sign-out                  ends the session on the server
//   GET  /licences/NUMBER           one licence and its downloads
//   GET  /licences/NUMBER/FILE      a download (downloads.ts lists the FILE names)
//
// Every response: a strict CSP (the one hashed stylesheet, no script), no-store, nosniff, no
// referrer, no framing. Every POST: an Origin check (hono/csrf), a 16 KiB body cap
// (hono/body-limit), the form's CSRF token, and fields capped before they are read.

import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { getCookie, setCookie } from 'hono/cookie';
import type { CookieOptions } from 'hono/utils/cookie';
import { csrf } from 'hono/csrf';
import { HTTPException } from 'hono/http-exception';
import type { JSX } from 'hono/jsx/jsx-runtime';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Locale } from '../../core/index.ts';
import { clientAddress, preSessionToken, preSessionTokenMatches, privatePages, signOut, trustedProxies, type Session, type SessionOptions, type ThrottleOptions } from '../accounts/index.ts';
import { renderArtwork } from '../artwork/index.ts';
import { normaliseActivationCode } from '../registry/invitations.ts';
import { CurrentSnapshot } from './current-snapshot.ts';
import { DOWNLOADS, portalLogRecord, renderDownload } from './downloads.ts';
import { readForm, typedUscc, typedUser } from './form.ts';
import { accountIsCurrent, activateAccount, signIn } from './holder-accounts.ts';
import { PORTAL_MESSAGES, type NoticeKind } from './messages.ts';
import type { PortalHolder, PortalLicence, PortalSnapshot } from './snapshot.ts';
import { parseAccountKey, PortalStore } from './store.ts';
import { PORTAL_PATH, portalHref, type Frame } from './views/layout.tsx';
import { ActivatePage, LicenceDetailPage, LicenceListPage, NoticePage, SignInPage, type FormNotice } from './views/pages.tsx';
import { STYLE_HASH_SOURCE } from './views/style.ts';

export { PORTAL_PATH } from './views/layout.tsx';

export interface PortalOptions {
  /** The portal snapshot (qdyp portal snapshot), opened read-only; it must exist. */
  snapshotFile: string;
  /** The portal's own directory: its database (accounts, sessions, throttles). */
  dataDir: string;
  clock?: () => Date;
  log?: (line: string) => void;
  /** Reverse proxies whose X-Forwarded-For is believed (addresses or CIDR networks); none by default. */
  trustedProxies?: readonly string[];
  /** Mark cookies Secure (and send HSTS): set when browsers reach the portal over https. */
  secureCookies?: boolean;
  /** The origin browsers post from (e.g. https://portal.example.cn) when a proxy in front rewrites it; default the request's own. */
  origin?: string;
  sessions?: SessionOptions;
  throttle?: ThrottleOptions;
}

export interface PortalApp {
  /** Serves /portal/*: mount it at '/' of the server's app. */
  app: Hono;
  store: PortalStore;
  close(): void;
}

const SESSION_COOKIE = 'qdyp_portal_session';
/** The CSRF token of the forms shown before sign-in (double-submit: cookie and hidden field). */
const FORM_COOKIE = 'qdyp_portal_form';
const COOKIE_PATH = `${PORTAL_PATH}/`;
const MAX_BODY_BYTES = 16 * 1024;
const MAX_NUMBER_LENGTH = 64;

// Caps in UTF-16 units, generous for what people type and far below the body cap.
const SIGN_IN_FIELDS = { csrf: 64, uscc: 40, user: 256, password: 1024 };
const ACTIVATE_FIELDS = { csrf: 64, uscc: 40, code: 100, password: 1024, confirm: 1024 };

const ALLOW: Record<string, string> = {
  '/portal/': 'GET, HEAD',
  '/portal/sign-in': 'GET, HEAD, POST',
  '/portal/activate': 'GET, HEAD, POST',
  '/portal/sign-out': 'POST',
  '/portal/licences/:number': 'GET, HEAD',
  '/portal/licences/:number/:file': 'GET, HEAD',
};

const PAGE_CSP = `default-src 'none'; style-src ${STYLE_HASH_SOURCE}; img-src data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`;

/** Sign-in with the old password after a re-invite: the reset, and what to do now. */
const RESET_NOTICE: Record<Locale, string> = {
  'zh-CN': '工程办公室已为这个账户重新发出邀请，旧密码已失效。请用新邀请函上的激活码重新激活账户并设置新密码。',
  en: 'The programme office has sent a new invitation for this account, so the old password no longer works. Activate the account with the code on the new invitation letter and choose a new password.',
};

const NOTICE_FOR_STATUS: Record<number, NoticeKind> = {
  400: 'badRequest',
  403: 'forbidden',
  404: 'notFound',
  405: 'methodNotAllowed',
  413: 'payloadTooLarge',
  415: 'unsupportedMediaType',
};

/** What the Node server (@hono/node-server) passes as the app's env: the request's socket. */
interface NodeBindings {
  incoming?: { socket?: { remoteAddress?: string } };
}

interface SignedIn {
  session: Session;
  token: string;
  uscc: string;
  user: string;
  holder: PortalHolder;
}

function pageLocale(c: Context): Locale {
  return c.req.query('lang') === 'en' ? 'en' : 'zh-CN';
}

export function createPortalApp(options: PortalOptions): PortalApp {
  const clock = options.clock ?? (() => new Date());
  const log = options.log ?? ((line: string) => console.log(`qdyp portal: ${line}`));
  const proxies = trustedProxies(options.trustedProxies ?? []);
  const snapshot = new CurrentSnapshot(options.snapshotFile, log);
  let store: PortalStore;
  try {
    store = new PortalStore(options.dataDir, { sessions: options.sessions, throttle: options.throttle });
  } catch (error) {
    snapshot.close();
    throw error;
  }
  const deps = { store, log };
  const app = new Hono();

  const secure = (c: Context) => options.secureCookies === true || new URL(c.req.url).protocol === 'https:';
  const cookieOptions = (c: Context): CookieOptions => ({ path: COOKIE_PATH, httpOnly: true, sameSite: 'Strict', secure: secure(c) });

  const addressOf = (c: Context) => clientAddress((c.env as NodeBindings | undefined)?.incoming?.socket?.remoteAddress, c.req.raw.headers, proxies);

  function frameFor(c: Context, snap: PortalSnapshot, path: string, who?: SignedIn | null): Frame {
    const frame: Frame = { locale: pageLocale(c), path, asOf: snap.snapshotInfo().createdAt };
    if (who) frame.account = { holderName: who.holder.name, user: who.user, csrf: who.session.csrf };
    return frame;
  }

  async function page(c: Context, status: ContentfulStatusCode, node: JSX.Element, headers?: Record<string, string>): Promise<Response> {
    return c.html(await node.toString(), status, headers);
  }

  /**
   * The session of the cookie, if it is live and its account and holder still exist, and the
   * account has not been reset by a re-invite since (accountIsCurrent): a reset ends every
   * session of the account at the first request that notices it.
   */
  function signedIn(c: Context, snap: PortalSnapshot, now: Date): SignedIn | null {
    const token = getCookie(c, SESSION_COOKIE);
    if (token === undefined) return null;
    const session = store.sessions.validate(token, now);
    if (!session) return null;
    const who = parseAccountKey(session.account);
    const holder = who ? snap.holder(who.uscc) : undefined;
    const account = who ? store.account(who.uscc, who.user) : undefined;
    if (!who || !holder || !account) {
      store.sessions.end(token);
      return null;
    }
    if (!accountIsCurrent(account, snap.invitation(who.uscc, who.user))) {
      store.sessions.endAll(session.account);
      return null;
    }
    return { session, token, uscc: who.uscc, user: who.user, holder };
  }

  /**
   * THE ownership check: a licence is found only among the signed-in holder's own, so another
   * holder's number is exactly as unknown as one that does not exist.
   */
  function ownLicence(snap: PortalSnapshot, who: SignedIn, number: string): PortalLicence | undefined {
    if (number.length > MAX_NUMBER_LENGTH) return undefined;
    return snap.licence(who.uscc, number);
  }

  const formToken = (c: Context) => preSessionToken(c, FORM_COOKIE, cookieOptions(c));
  const formTokenMatches = (c: Context, submitted: string) => preSessionTokenMatches(c, FORM_COOKIE, submitted);

  function notFound(c: Context, snap: PortalSnapshot, who: SignedIn | null): Promise<Response> {
    // The same page whatever was asked for: nothing of the request is echoed.
    return page(c, 404, <NoticePage frame={frameFor(c, snap, '/', who)} kind="notFound" />);
  }

  const toSignIn = (c: Context) => c.redirect(portalHref('/sign-in', pageLocale(c)), 303);

  // --- Headers on every response ------------------------------------------------------------

  app.use('/portal/*', privatePages(PAGE_CSP, { hsts: options.secureCookies === true }));
  app.on(
    'POST',
    '/portal/*',
    csrf(options.origin ? { origin: options.origin } : undefined),
    bodyLimit({ maxSize: MAX_BODY_BYTES }),
  );

  // --- Pages ----------------------------------------------------------------------------------

  app.get('/portal', (c) => c.redirect(portalHref('/', pageLocale(c)), 301));

  app.get('/portal/', async (c) => {
    const now = clock();
    const snap = snapshot.get();
    const who = signedIn(c, snap, now);
    if (!who) return toSignIn(c);
    const licences = snap.licencesOf(who.uscc);
    return page(c, 200, <LicenceListPage frame={frameFor(c, snap, '/', who)} holder={who.holder} licences={licences} now={now} />);
  });

  app.get('/portal/sign-in', (c) => {
    const snap = snapshot.get();
    if (signedIn(c, snap, clock())) return c.redirect(portalHref('/', pageLocale(c)), 303);
    const locale = pageLocale(c);
    const t = PORTAL_MESSAGES[locale].signIn;
    const user = c.req.query('activated') === '1' ? typedUser(c.req.query('user') ?? '') : null;
    const uscc = typedUscc(c.req.query('uscc') ?? '');
    const notice: FormNotice | undefined = user ? { ok: t.activated(user) } : c.req.query('signed-out') === '1' ? { ok: t.signedOut } : undefined;
    return page(c, 200, <SignInPage frame={frameFor(c, snap, '/sign-in')} csrf={formToken(c)} uscc={uscc ?? undefined} user={user ?? undefined} notice={notice} />);
  });

  app.post('/portal/sign-in', async (c) => {
    const form = await readForm(c, SIGN_IN_FIELDS);
    const now = clock();
    const snap = snapshot.get();
    const locale = pageLocale(c);
    const frame = frameFor(c, snap, '/sign-in');
    const again = (status: ContentfulStatusCode, notice: FormNotice, headers?: Record<string, string>) =>
      page(c, status, <SignInPage frame={frame} csrf={formToken(c)} uscc={form.uscc} user={form.user} notice={notice} />, headers);
    if (!formTokenMatches(c, form.csrf)) return again(403, { problem: 'formExpired' });
    const uscc = typedUscc(form.uscc);
    if (!uscc) return again(400, { problem: 'usccShape' });
    const user = typedUser(form.user);
    if (!user) return again(400, { problem: 'userShape' });
    if (form.password === '') return again(400, { problem: 'passwordMissing' });

    const result = await signIn(deps, snap, { uscc, user, password: form.password, address: addressOf(c), now });
    if (!result.ok) {
      if (result.reason === 'throttled') {
        const detail = PORTAL_MESSAGES[locale].throttledFor(Math.ceil(result.retryAfterS / 60));
        return again(429, { problem: 'throttled', detail }, { 'retry-after': String(result.retryAfterS) });
      }
      // Only who typed the old password right hears of the reset. (The words belong in
      // messages.ts as a FormProblem of their own; until then they are the notice's detail.)
      if (result.reason === 'reset') return again(401, { problem: 'password', detail: RESET_NOTICE[locale] });
      return again(401, { problem: 'signInWrong' });
    }
    const previous = getCookie(c, SESSION_COOKIE);
    if (previous !== undefined) store.sessions.end(previous);
    setCookie(c, SESSION_COOKIE, result.token, cookieOptions(c));
    return c.redirect(portalHref('/', locale), 303);
  });

  app.get('/portal/activate', (c) => {
    const snap = snapshot.get();
    return page(c, 200, <ActivatePage frame={frameFor(c, snap, '/activate')} csrf={formToken(c)} />);
  });

  app.post('/portal/activate', async (c) => {
    const form = await readForm(c, ACTIVATE_FIELDS);
    const now = clock();
    const snap = snapshot.get();
    const locale = pageLocale(c);
    const frame = frameFor(c, snap, '/activate');
    const again = (status: ContentfulStatusCode, notice: FormNotice, keepCode: boolean, headers?: Record<string, string>) =>
      page(c, status, <ActivatePage frame={frame} csrf={formToken(c)} uscc={form.uscc} code={keepCode ? form.code : undefined} notice={notice} />, headers);
    if (!formTokenMatches(c, form.csrf)) return again(403, { problem: 'formExpired' }, false);
    const uscc = typedUscc(form.uscc);
    if (!uscc) return again(400, { problem: 'usccShape' }, true);
    if (normaliseActivationCode(form.code) === null) return again(400, { problem: 'codeShape' }, true);

    const result = await activateAccount(deps, snap, { uscc, code: form.code, password: form.password, confirm: form.confirm, address: addressOf(c), now });
    if (!result.ok) {
      switch (result.reason) {
        case 'throttled': {
          const detail = PORTAL_MESSAGES[locale].throttledFor(Math.ceil(result.retryAfterS / 60));
          return again(429, { problem: 'throttled', detail }, false, { 'retry-after': String(result.retryAfterS) });
        }
        case 'code':
          return again(401, { problem: 'codeNotValid' }, false);
        case 'differ':
          return again(400, { problem: 'passwordsDiffer' }, true);
        case 'password':
          return again(400, { problem: 'password', detail: result.problem.message[locale] }, true);
      }
    }
    return c.redirect(portalHref('/sign-in', locale, { activated: '1', uscc, user: result.user }), 303);
  });

  app.post('/portal/sign-out', async (c) => {
    await signOut(c, store.sessions, SESSION_COOKIE, cookieOptions(c), clock);
    return c.redirect(portalHref('/sign-in', pageLocale(c), { 'signed-out': '1' }), 303);
  });

  app.get('/portal/licences/:number', async (c) => {
    const now = clock();
    const snap = snapshot.get();
    const who = signedIn(c, snap, now);
    if (!who) return toSignIn(c);
    const licence = ownLicence(snap, who, c.req.param('number'));
    if (!licence) return notFound(c, snap, who);
    const frame = frameFor(c, snap, `/licences/${licence.number}`, who);
    const log = await portalLogRecord(snap.logRecord(licence));
    const svg = await renderArtwork({ format: 'svg', sealUrl: licence.sealUrl, licenceDocument: licence.document });
    const qrDataUrl = `data:image/svg+xml;base64,${Buffer.from(svg.bytes).toString('base64')}`;
    const verifyOrigin = snap.snapshotInfo().origin.toLowerCase();
    return page(c, 200, <LicenceDetailPage frame={frame} licence={licence} now={now} qrDataUrl={qrDataUrl} log={log} verifyOrigin={verifyOrigin} />);
  });

  app.get('/portal/licences/:number/:file', async (c) => {
    const snap = snapshot.get();
    const who = signedIn(c, snap, clock());
    if (!who) return toSignIn(c);
    const download = DOWNLOADS.get(c.req.param('file'));
    const licence = ownLicence(snap, who, c.req.param('number'));
    if (!download || !licence) return notFound(c, snap, who);
    const log = download.kind === 'pdf' || download.kind === 'tlog-proof' ? await portalLogRecord(snap.logRecord(licence)) : undefined;
    const file = await renderDownload(download, licence, who.holder, log);
    if (!file) return notFound(c, snap, who);
    return c.body(file.bytes as Uint8Array<ArrayBuffer>, 200, {
      'content-type': file.mediaType,
      'content-disposition': `${file.inline ? 'inline' : 'attachment'}; filename="${file.fileName}"`,
      'content-security-policy': file.csp,
    });
  });

  // --- Everything else ----------------------------------------------------------------------

  for (const [path, allow] of Object.entries(ALLOW)) {
    app.all(path, () => {
      throw new HTTPException(405, { res: new Response(null, { status: 405, headers: { allow } }) });
    });
  }
  app.all('/portal/*', (c) => {
    const snap = snapshot.get();
    return notFound(c, snap, signedIn(c, snap, clock()));
  });

  app.onError((error, c) => {
    const snap = snapshot.get();
    if (error instanceof HTTPException && error.status < 500) {
      const kind = NOTICE_FOR_STATUS[error.status] ?? 'badRequest';
      const allow = error.status === 405 ? error.res?.headers.get('allow') : null;
      return page(c, error.status as ContentfulStatusCode, <NoticePage frame={frameFor(c, snap, '/')} kind={kind} />, allow ? { allow } : undefined);
    }
    // By kind and route only: messages may carry request data.
    log(`unexpected ${error instanceof Error ? error.name : 'error'} on ${c.req.method} ${c.req.routePath}`);
    return page(c, 500, <NoticePage frame={frameFor(c, snap, '/')} kind="error" />);
  });

  return {
    app,
    store,
    close() {
      store.close();
      snapshot.close();
    },
  };
}
