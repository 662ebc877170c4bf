// The verifier: one Hono app, the same on Workers and on Node. It never calls the office and
// holds no private key; it verifies published artifacts against the pinned root and judges
// each seal with src/core's verifySeal. Routes: DESIGN §5.

import { Hono, type Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { logOrigin, STATUS_TTL_S, type Codecs, type ContactPublicJwk, type PublicJwk, type Sha256 } from '../core/index.ts';
import type { ArtifactSource } from './artifact-source.ts';
import { DEFAULT_ENTRY_CACHE_BYTES } from './entry-cache.ts';
import { compress } from 'hono/compress';
import type { AssetSource } from './inspect-assets.ts';
import { homePage, json, noticePage, preflight } from './respond.tsx';
import { inspectFile, inspectPage } from './routes/inspect.ts';
import { verifyApi } from './routes/api.ts';
import { bundle, health, jwks, publishedList } from './routes/artifacts.ts';
import { scanPage } from './routes/scan.ts';
import { logCheckpoint, logEntry, logIndexPage, logTileFile } from './routes/log.ts';
import { LogCache } from './log-cache.ts';
import type { LogKeeper } from './log-keeper.ts';
import { LogReader } from './log-reader.ts';
import { DEFAULT_TTL_MS, TrustCache } from './trust-cache.ts';
import type { TrustKeeper } from './trust-keeper.ts';
import { VerdictCache } from './verdict-cache.ts';
import { pageContext, wantsJson, type RouteDeps } from './route-deps.ts';
import { reportRoutes } from './reports/api.ts';
import type { ReportInbox } from './reports/inbox.ts';
import { RevokedInspectorsCache } from './reports/revoked.ts';
import { receiveReport, reportForm, reportMethodNotAllowed, type ReportFormDeps } from './reports/form.ts';
import { MemoryRates, type RateLimit, type RateLimitOptions } from './reports/rate-limit.ts';

/** Another app served under a path prefix of the same server (the portal, the console). */
export interface Mount {
  path: string;
  app: Hono;
}

export interface VerifierDeps {
  source: ArtifactSource;
  /** Where the newest accepted lists outlive this isolate or process (see trust-keeper.ts). */
  keeper?: TrustKeeper;
  /** Where the log checkpoint in use and any split view seen outlive it (see log-keeper.ts). */
  logKeeper?: LogKeeper;
  /** SHA-256 for the log's proofs where the runtime has a faster one than WebCrypto's (Node). */
  sha256?: Sha256;
  /** The pinned root public key (QDYP_ROOT_JWK); null or invalid: every verdict is cannot_confirm. */
  root: PublicJwk | null;
  /** Defaults to the real time; tests pass their own. */
  clock?: () => Date;
  /** How long artifacts are cached in memory: at most the status list's TTL (60 s). */
  ttlMs?: number;
  /** The official verify origin the page tells shoppers to check; unset: the page names none. */
  verifyOrigin?: string | null;
  log?: (line: string) => void;
  /** The licence entry cache's budget in bytes of entry text (default 8 MiB). */
  entryCacheBytes?: number;
  /** Refuse key lists below this version from the start (QDYP_MIN_KEY_LIST_VERSION). */
  minKeyListVersion?: number;
  /** Faster list decoding where the runtime has it (the Node entry passes node:zlib and Buffer). */
  codecs?: Codecs;
  /** Apps mounted beside the verifier, e.g. `{ path: '/portal', app }`. */
  mounts?: Mount[];
  /** The inspector page's built files (unset: /inspect says it is not available here). */
  assets?: AssetSource;
  /**
   * Origins printed in this programme's QR codes besides the official verify origin (the
   * registry's, where it differs, as in the demo): the inspector page takes their /v/ URLs
   * as seals, and no other.
   */
  sealOrigins?: string[];
  /** Compress the inspector page's files here (Node; Cloudflare compresses at its edge). */
  compressAssets?: boolean;
  /** The reports inbox (D1 + R2, or SQLite + files); unset: the report routes answer 503. */
  inbox?: ReportInbox;
  /** The office's X25519 public key shoppers' contacts are encrypted to (QDYP_REPORT_KEY_JWK); unset: the form takes no contact. */
  contactKey?: ContactPublicJwk | null;
  /**
   * The client's address, for the report form's in-memory rate limit only (never stored or
   * logged): Node passes the socket's, Workers CF-Connecting-IP. Unset: all clients share one count.
   */
  clientAddress?: (c: Context) => string | null;
  /** The report form's rate limit (default 5 reports per 10 minutes per address), for the in-memory limiter. */
  reportRate?: RateLimitOptions;
  /** POST /api/v1/reports' limit per inspector (default 60 a minute), for the in-memory limiter. */
  inspectorRate?: RateLimitOptions;
  /**
   * Where the report rate limits are counted (keys `address:…`, `inspector:…`). Unset: in this
   * process's memory (Node), with reportRate and inspectorRate; Workers pass the Durable Object.
   */
  rateLimit?: RateLimit;
}

const KNOWN_PATHS = ['/', '/log', '/log/checkpoint', '/log/tile/*', '/log/entry/*', '/inspect', '/inspect/*', '/v/*', '/V/*', '/api/v1/verify', '/api/v1/key-list', '/api/v1/status-list', '/api/v1/revision-list', '/api/v1/bundle', '/.well-known/jwks.json', '/healthz'];
const ALLOW = 'GET, HEAD';

export function createApp(deps: VerifierDeps): Hono {
  return createVerifier(deps).app;
}

export interface Verifier {
  app: Hono;
  /** Reads the published lists again at the next request (a publication in the same process). */
  refresh(): void;
}

export function createVerifier(deps: VerifierDeps): Verifier {
  const ttlMs = deps.ttlMs ?? DEFAULT_TTL_MS;
  if (!Number.isFinite(ttlMs) || ttlMs <= 0 || ttlMs > STATUS_TTL_S * 1000) {
    throw new Error(`the verifier's cache TTL must be between 0 and ${STATUS_TTL_S * 1000} ms`);
  }
  const clock = deps.clock ?? (() => new Date());
  const log = deps.log ?? ((line: string) => console.log(`qdyp verifier: ${line}`));
  const trust = new TrustCache({
    source: deps.source,
    keeper: deps.keeper,
    root: deps.root,
    ttlMs,
    entryCacheBytes: deps.entryCacheBytes ?? DEFAULT_ENTRY_CACHE_BYTES,
    clock,
    log,
    minKeyListVersion: deps.minKeyListVersion,
    codecs: deps.codecs,
  });
  const logReader = new LogReader(deps.source, deps.sha256);
  const v: RouteDeps = {
    trust,
    verdicts: new VerdictCache(ttlMs),
    clock,
    ttlMs,
    officialHost: deps.verifyOrigin ? officialHost(deps.verifyOrigin) : null,
    log,
    logCache: new LogCache({ source: deps.source, trust, reader: logReader, keeper: deps.logKeeper, names: logNames(deps), ttlMs, clock, log }),
    logReader,
  };

  if (!deps.verifyOrigin) log('no official verify origin configured (QDYP_VERIFY_ORIGIN): pages will name none');
  const app = new Hono();
  for (const mount of deps.mounts ?? []) app.route(mount.path, mount.app);

  if (deps.compressAssets) {
    app.use('/inspect', compress());
    app.use('/inspect/*', compress());
  }
  const sealHosts = [...new Set([...(v.officialHost ? [v.officialHost] : []), ...(deps.sealOrigins ?? []).map(officialHost)])];
  app.get('/', (c) => homePage(pageContext(c, v)));
  app.get('/inspect', inspectPage(v, deps.root, sealHosts, deps.assets));
  app.get('/inspect/', (c) => c.redirect('/inspect', 301));
  app.get('/inspect/:name', inspectFile(v, deps.assets));
  app.get('/v/*', scanPage(v));
  app.get('/V/*', scanPage(v));
  app.get('/api/v1/verify', verifyApi(v));
  app.get('/api/v1/key-list', publishedList(v, 'keyList'));
  app.get('/api/v1/status-list', publishedList(v, 'statusList'));
  app.get('/api/v1/revision-list', publishedList(v, 'revisionList'));
  app.get('/api/v1/bundle', bundle(v));
  app.get('/.well-known/jwks.json', jwks(v));
  app.get('/healthz', health(v));
  app.get('/log', logIndexPage(v));
  app.get('/log/checkpoint', logCheckpoint(v));
  app.get('/log/tile/*', logTileFile(v));
  app.get('/log/entry/*', logEntry(v));
  const limiter = deps.rateLimit ?? new MemoryRates({ address: deps.reportRate, inspector: deps.inspectorRate });
  const form: ReportFormDeps = { v, inbox: deps.inbox, contactKey: deps.contactKey ?? null, clientAddress: deps.clientAddress ?? (() => null), limiter };
  app.get('/report', reportForm(form));
  app.post('/report', receiveReport(form));
  app.all('/report', reportMethodNotAllowed(v));
  reportRoutes(app, { v, inbox: deps.inbox, limiter, revoked: new RevokedInspectorsCache({ source: deps.source, keeper: deps.keeper, ttlMs, clock, log }) });
  // Public data: any site or app may call the API (the headers are set in respond.tsx).
  for (const path of ['/api/*', '/.well-known/*']) app.options(path, (c) => preflight(c.req.header('access-control-request-headers')));
  for (const path of KNOWN_PATHS) app.all(path, methodNotAllowed(v));

  app.notFound((c) => (wantsJson(c) ? json(404, { error: 'not_found', message: 'No such resource' }) : noticePage(pageContext(c, v), 'notFound')));
  app.onError((error, c) => {
    if (error instanceof HTTPException && error.status < 500) {
      return wantsJson(c) ? json(400, { error: 'bad_request', message: 'The request could not be understood' }) : noticePage(pageContext(c, v), 'badRequest');
    }
    // Logged by kind only: messages may carry request data, and seals are not logged.
    log(`unexpected ${error instanceof Error ? error.name : 'error'} on ${c.req.method} ${c.req.routePath}`);
    return wantsJson(c) ? json(500, { error: 'internal', message: 'Something went wrong' }) : noticePage(pageContext(c, v), 'error');
  });
  return {
    app,
    refresh: () => {
      v.trust.expire();
      v.logCache.expire();
    },
  };
}

function methodNotAllowed(v: RouteDeps) {
  return function methodNotAllowed(c: Context): Response | Promise<Response> {
    const headers = { allow: ALLOW };
    return wantsJson(c) ? json(405, { error: 'method_not_allowed', message: `Use ${ALLOW}` }, headers) : noticePage(pageContext(c, v), 'methodNotAllowed', headers);
  };
}

/**
 * The names the log's checkpoints may carry: the verify origin's, and the registry's where its
 * seals print another (the demo's); none configured, each request's own origin names it.
 */
function logNames(deps: VerifierDeps): string[] {
  const origins = [deps.verifyOrigin, ...(deps.sealOrigins ?? [])].filter((o): o is string => typeof o === 'string' && o !== '');
  return [...new Set(origins.map((o) => logOrigin(o)))];
}

function officialHost(origin: string): string {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    throw new Error('the official verify origin must be a URL such as https://verify.example.cn');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('the official verify origin must be http(s)');
  return url.host;
}
