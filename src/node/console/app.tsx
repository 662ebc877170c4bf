// The authority console (管理控制台): one Hono app under /console/ for the programme office. It
// holds the registry read-write, calls the same issuer functions as the CLI (every action
// audited under `officer:NAME`), and publishes after every change through the Publisher
// (changes in quick succession merged into one publication).
//
// Who can reach it (network.ts): loopback sockets only unless QDYP_CONSOLE_ALLOW names more,
// and only requests whose Host is a loopback name or on QDYP_CONSOLE_HOSTS. Who can use it:
// officers signed in (officer-accounts.ts) with a session of the console's own (its own cookie
// on /console/, its own database): a holder's portal session means nothing here, and an
// officer's nothing on the portal.
//
// Every response: a strict CSP (one hashed stylesheet, images from itself and data:, no
// script), no-store, nosniff, no referrer, no framing. Every POST: an Origin check (hono/csrf),
// a body cap, the form's CSRF token, and a once-token so a form sent twice changes nothing twice.

import type { Context } from 'hono';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { getCookie, setCookie } from 'hono/cookie';
import { csrf } from 'hono/csrf';
import { HTTPException } from 'hono/http-exception';
import type { CookieOptions } from 'hono/utils/cookie';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { normaliseAddress, preSessionToken, preSessionTokenMatches, privatePages, readForm, signOut, type SessionOptions, type ThrottleOptions } from '../accounts/index.ts';
import { MAX_OFFICER_NAME, normaliseOfficerName } from '../issuer/index.ts';
import { openRegistry, type Registry } from '../registry/db.ts';
import { DuplicateForm, mayAct, page, type ConsoleEnv, type ConsoleKit } from './kit.ts';
import { addressAllowed, consoleNetwork, hostAllowed, isLoopback, throughProxy, type ConsoleNetwork } from './network.ts';
import { sessionOfficer, setUpOfficer, signInOfficer } from './officer-accounts.ts';
import { Publisher } from './publisher.ts';
import { CONSOLE_ROUTES, UPLOAD_PATHS, MAX_UPLOAD_BYTES } from './routes/index.ts';
import { ConsoleStore } from './store.ts';
import { NoticePage, SetupPage, SignInPage } from './views/auth.tsx';
import { CONSOLE_PATH, consoleHref, type OfficerRoleName } from './views/layout.tsx';
import { STYLE_HASH_SOURCE } from './views/style.ts';

export { CONSOLE_PATH } from './views/layout.tsx';

export interface ConsoleOptions {
  /** The registry of record, opened read-write by the console for as long as it runs. */
  dbPath: string;
  /** The console's own directory: sessions, throttles, forms used, uploads. */
  dataDir: string;
  clock?: () => Date;
  log?: (line: string) => void;
  /** Socket addresses (and CIDR networks) allowed besides loopback (QDYP_CONSOLE_ALLOW). */
  allow?: readonly string[];
  /** Host names (host[:port]) the console answers to besides loopback names (QDYP_CONSOLE_HOSTS). */
  hosts?: readonly string[];
  /** Mark cookies Secure (set when officers reach the console over https). */
  secureCookies?: boolean;
  /** The origin browsers post from, when a proxy in front rewrites it. */
  origin?: string;
  sessions?: SessionOptions;
  throttle?: ThrottleOptions;
  /** Wait this long for more changes before publishing (default 500 ms). */
  mergeMs?: number;
  /** After each publication (npm start: the verifier in the same process reads the store again). */
  onPublished?: () => void;
  /** Where scan pages are served, for links from a licence (default: the registry's printed origin). */
  verifyOrigin?: string | null;
}

export interface ConsoleApp {
  /** Serves /console/*: mount it at '/' of the server's app. */
  app: Hono;
  kit: ConsoleKit;
  close(): Promise<void>;
}

const SESSION_COOKIE = 'qdyp_console_session';
const FORM_COOKIE = 'qdyp_console_form';
const MAX_BODY_BYTES = 64 * 1024;
const SIGN_IN_FIELDS = { csrf: 64, name: 256, password: 1024 };
const SETUP_FIELDS = { csrf: 64, name: 256, code: 100, password: 1024, confirm: 1024 };

const PAGE_CSP = `default-src 'none'; style-src ${STYLE_HASH_SOURCE}; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`;

const NOTICE_FOR_STATUS: Record<number, string> = { 400: 'badRequest', 403: 'forbidden', 404: 'notFound', 405: 'methodNotAllowed', 413: 'payloadTooLarge', 415: 'unsupportedMediaType' };

interface NodeBindings {
  incoming?: { socket?: { remoteAddress?: string } };
}

/** An officer's name as typed, normalised as `qdyp officer add` stores it; null if it cannot be one. */
export function typedOfficerName(text: string): string | null {
  const name = normaliseOfficerName(text);
  return name !== '' && [...name].length <= MAX_OFFICER_NAME ? name : null;
}

function refuse(status: ContentfulStatusCode, text: string): Response {
  return new Response(`${text}\n`, { status, headers: { 'content-type': 'text/plain; charset=UTF-8', 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' } });
}

export function createConsoleApp(options: ConsoleOptions): ConsoleApp {
  const clock = options.clock ?? (() => new Date());
  const log = options.log ?? ((line: string) => console.log(`qdyp console: ${line}`));
  const network: ConsoleNetwork = consoleNetwork(options.allow ?? [], options.hosts ?? []);
  const registry: Registry = openRegistry(options.dbPath, { now: clock() });
  let store: ConsoleStore;
  try {
    store = new ConsoleStore(options.dataDir, { sessions: options.sessions, throttle: options.throttle });
  } catch (error) {
    registry.close();
    throw error;
  }
  const interrupted = store.interruptedImports(clock().toISOString());
  if (interrupted > 0) log(`${interrupted} import(s) were interrupted when the console last stopped: resume them on the import page`);
  const publisher = new Publisher({ registry, clock, log, mergeMs: options.mergeMs, onPublished: options.onPublished });
  const kit: ConsoleKit = { registry, store, publisher, clock, log, verifyOrigin: options.verifyOrigin ?? null };
  const app = new Hono<ConsoleEnv>();

  const secure = (c: Context) => options.secureCookies === true || new URL(c.req.url).protocol === 'https:';
  const cookieOptions = (c: Context): CookieOptions => ({ path: `${CONSOLE_PATH}/`, httpOnly: true, sameSite: 'Strict', secure: secure(c) });
  const socketOf = (c: Context) => (c.env as NodeBindings | undefined)?.incoming?.socket?.remoteAddress;
  /**
   * The address sign-in throttles count by. On loopback every officer (and every program on
   * the machine) is 127.0.0.1, so counting that one address would let anyone's wrong guesses
   * slow everyone's sign-in: there, each name counts apart (the per-name counters still hold).
   */
  const throttleAddress = (c: Context, name: string) => {
    const socket = socketOf(c) ?? 'unknown';
    const normal = normaliseAddress(socket);
    return normal !== null && isLoopback(normal) ? `loopback:${name}` : socket;
  };

  // --- Who may reach it: judged before anything else, by the socket and the Host -------------

  const officeOnly = async (c: Context, next: () => Promise<void>) => {
    if (!addressAllowed(network, socketOf(c))) {
      return refuse(403, 'The authority console answers only this machine (and the addresses set in QDYP_CONSOLE_ALLOW).');
    }
    if (throughProxy(network, socketOf(c), c.req.raw.headers)) {
      return refuse(403, 'The authority console does not answer requests passed on by a proxy (add the proxy to QDYP_CONSOLE_ALLOW if it is the office\'s own).');
    }
    if (!hostAllowed(network, c.req.header('host'))) {
      return refuse(421, 'The authority console does not answer to this host name (set QDYP_CONSOLE_HOSTS to add one).');
    }
    await next();
  };
  app.use('/console', officeOnly);
  app.use('/console/*', officeOnly);
  app.use('/console/*', privatePages(PAGE_CSP, { hsts: options.secureCookies === true }));
  app.on('POST', '/console/*', csrf(options.origin ? { origin: options.origin } : undefined), async (c, next) => {
    const limit = UPLOAD_PATHS.some((p) => c.req.path === `${CONSOLE_PATH}${p}`) ? MAX_UPLOAD_BYTES : MAX_BODY_BYTES;
    return bodyLimit({ maxSize: limit })(c, next);
  });

  // --- Signing in ---------------------------------------------------------------------------

  const formToken = (c: Context) => preSessionToken(c, FORM_COOKIE, cookieOptions(c));

  function officerOf(c: Context) {
    const token = getCookie(c, SESSION_COOKIE);
    if (token === undefined) return null;
    const session = store.sessions.validate(token, clock());
    if (!session) return null;
    const officer = sessionOfficer(registry, session);
    if (!officer) {
      store.sessions.end(token);
      return null;
    }
    return { ...officer, session, token };
  }

  app.get('/console', (c) => c.redirect(consoleHref('/'), 301));

  app.get('/console/sign-in', (c) => {
    if (officerOf(c)) return c.redirect(consoleHref('/'), 303);
    const notice = c.req.query('set-up') === '1' ? { ok: '密码已设置，请登录。' } : c.req.query('signed-out') === '1' ? { ok: '已退出。' } : undefined;
    return page(c, 200, <SignInPage csrf={formToken(c)} notice={notice} />);
  });

  app.post('/console/sign-in', async (c) => {
    const form = await readForm(c, SIGN_IN_FIELDS);
    const again = (status: ContentfulStatusCode, problem: string, headers?: Record<string, string>) =>
      page(c, status, <SignInPage csrf={formToken(c)} name={form.name} notice={{ problem }} />, headers);
    if (!preSessionTokenMatches(c, FORM_COOKIE, form.csrf)) return again(403, '表单已过期，请再输入一次。');
    const name = typedOfficerName(form.name);
    if (!name || form.password === '') return again(400, '请填写姓名和密码。');
    const result = await signInOfficer({ registry, store, log }, { name, password: form.password, address: throttleAddress(c, name), now: clock() });
    if (!result.ok) {
      if (result.reason === 'throttled') return again(429, `尝试次数太多，请 ${Math.ceil(result.retryAfterS / 60)} 分钟后再试。`, { 'retry-after': String(result.retryAfterS) });
      return again(401, '姓名或密码不对。');
    }
    const previous = getCookie(c, SESSION_COOKIE);
    if (previous !== undefined) store.sessions.end(previous);
    setCookie(c, SESSION_COOKIE, result.token, cookieOptions(c));
    return c.redirect(consoleHref('/'), 303);
  });

  app.get('/console/setup', (c) => page(c, 200, <SetupPage csrf={formToken(c)} />));

  app.post('/console/setup', async (c) => {
    const form = await readForm(c, SETUP_FIELDS);
    const again = (status: ContentfulStatusCode, problem: string, headers?: Record<string, string>) =>
      page(c, status, <SetupPage csrf={formToken(c)} name={form.name} notice={{ problem }} />, headers);
    if (!preSessionTokenMatches(c, FORM_COOKIE, form.csrf)) return again(403, '表单已过期，请再输入一次。');
    const name = typedOfficerName(form.name);
    if (!name) return again(400, '请填写姓名。');
    const result = await setUpOfficer({ registry, store, log }, { name, code: form.code, password: form.password, confirm: form.confirm, address: throttleAddress(c, name), now: clock() });
    if (!result.ok) {
      switch (result.reason) {
        case 'throttled':
          return again(429, `尝试次数太多，请 ${Math.ceil(result.retryAfterS / 60)} 分钟后再试。`, { 'retry-after': String(result.retryAfterS) });
        case 'code':
          return again(401, '姓名或设置码不对，或设置码已过期。请向管理员要一个新的设置码（qdyp officer reset 姓名）。');
        case 'differ':
          return again(400, '两次输入的密码不一样。');
        case 'password':
          return again(400, result.problem.message['zh-CN']);
      }
    }
    return c.redirect(consoleHref('/sign-in', { 'set-up': '1' }), 303);
  });

  app.post('/console/sign-out', async (c) => {
    await signOut(c, store.sessions, SESSION_COOKIE, cookieOptions(c), clock);
    return c.redirect(consoleHref('/sign-in', { 'signed-out': '1' }), 303);
  });

  // --- Everything else needs a signed-in officer ---------------------------------------------

  app.use('/console/*', async function signedInOnly(c, next) {
    const officer = officerOf(c);
    if (!officer) {
      if (c.req.method === 'GET' || c.req.method === 'HEAD') return c.redirect(consoleHref('/sign-in'), 303);
      throw new HTTPException(403);
    }
    c.set('officer', officer);
    return next();
  });

  for (const register of CONSOLE_ROUTES) register(app, kit);

  app.all('/console/*', (c) => page(c, 404, <NoticePage kind="notFound" signedIn={view(c)} />));

  function view(c: Context<ConsoleEnv>) {
    const officer = c.get('officer') as { name: string; role: OfficerRoleName; session: { csrf: string } } | undefined;
    return officer ? { name: officer.name, role: officer.role, csrf: officer.session.csrf } : undefined;
  }

  app.onError((error, c) => {
    if (error instanceof DuplicateForm) return page(c, 409, <NoticePage kind="duplicate" signedIn={view(c)} />);
    if (error instanceof HTTPException && error.status < 500) {
      const kind = NOTICE_FOR_STATUS[error.status] ?? 'badRequest';
      return page(c, error.status as ContentfulStatusCode, <NoticePage kind={kind} signedIn={view(c)} />);
    }
    log(`unexpected ${error instanceof Error ? error.name : 'error'} on ${c.req.method} ${c.req.routePath}`);
    return page(c, 500, <NoticePage kind="error" signedIn={view(c)} />);
  });

  return {
    app: app as unknown as Hono,
    kit,
    async close() {
      await publisher.close();
      store.close();
      registry.close();
    },
  };
}

/** Route guard: the officer's role must be at least `needs` (clerks prepare, officers decide). */
export function needsRole(needs: OfficerRoleName) {
  return async function roleGate(c: Context<ConsoleEnv>, next: () => Promise<void>) {
    const officer = c.get('officer');
    if (!mayAct(officer, needs)) {
      return page(c, 403, <NoticePage kind="role" signedIn={{ name: officer.name, role: officer.role, csrf: officer.session.csrf }} />);
    }
    await next();
  };
}
