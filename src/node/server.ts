// The Node entry: the same verifier app, reading published artifacts from an edge directory
// (what `qdyp publish --to local` writes; edge-store.ts maps store keys to its files), served
// by @hono/node-server, with the newest accepted lists and the log checkpoint in use kept in
// the verifier's own data directory so a restart never goes back to an older one. Other apps (portal, console) can
// be mounted beside it on the same port, or served without it (startAppsServer).

import fs from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve, type ServerType } from '@hono/node-server';
import { nodeCodecs, nodeSha256 } from './codecs.ts';
import { Hono } from 'hono';
import type { ContactPublicJwk, PublicJwk } from '../core/index.ts';
import { clientAddress, trustedProxies } from './accounts/client-address.ts';
import {
  createVerifier,
  INSPECT_ASSET_DIR,
  keepLog,
  keepNewer,
  KEPT_SLOTS,
  type ArtifactSource,
  type AssetSource,
  type InspectBuild,
  type KeptLists,
  type KeptLog,
  type LogKeeper,
  type Mount,
  type TrustKeeper,
} from '../web/index.ts';
import { readEdgeBytes, readEdgeText } from './edge-store.ts';
import { openReportInbox } from './report-inbox.ts';
import { writeFileAtomic } from './files.ts';

/** Reads the edge directory by store key; a missing file is an unpublished artifact. */
export function directorySource(dir: string): ArtifactSource {
  return { getText: (key) => readEdgeText(dir, key), getBytes: (key) => readEdgeBytes(dir, key) };
}

/** Where the build writes the inspector page's files (scripts/build-inspect.ts). */
export const INSPECT_BUILD_DIR = fileURLToPath(new URL(`../../${INSPECT_ASSET_DIR}/inspect/`, import.meta.url));

/**
 * The inspector page's built files from `dir`, read once each (they change only with a new
 * build, i.e. a restart); ETags from build.json's digests. A missing file is null.
 */
export function directoryAssets(dir = INSPECT_BUILD_DIR): AssetSource {
  const cache = new Map<string, { body: Uint8Array; etag: string | null } | null>();
  let build: InspectBuild | null | undefined;
  return {
    async get(name) {
      if (!cache.has(name)) {
        build ??= await readFile(path.join(dir, 'build.json'), 'utf8').then((t) => JSON.parse(t) as InspectBuild).catch(() => null);
        const body = await readFile(path.join(dir, name)).catch(() => null);
        const sha = build?.files[name]?.sha256;
        cache.set(name, body && { body: new Uint8Array(body), etag: sha ? `"${sha}"` : null });
      }
      const file = cache.get(name) ?? null;
      return file && { body: file.body.slice(), etag: file.etag };
    },
  };
}

/** A JSON object kept in the verifier's data directory; {} before its first write. */
async function readKept(file: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
  return (JSON.parse(text) ?? {}) as Record<string, unknown>;
}

/** Writes it whole and atomically (0600, in a 0700 directory made if need be). */
function writeKept(dataDir: string, file: string, value: object): void {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  writeFileAtomic(file, `${JSON.stringify(value)}\n`, 0o600);
}

/** The file in the verifier's data directory that holds the newest accepted lists. */
export const TRUST_FILE = 'trust.json';

/**
 * The newest accepted lists in `dataDir/trust.json` (written whole and atomically; a text is
 * replaced only by a newer one). The directory is the verifier's own, never the registry's or
 * the edge store's: an edge store that can be written to must not be able to lower the floor.
 */
export function fileTrustKeeper(dataDir: string): TrustKeeper {
  const file = path.join(dataDir, TRUST_FILE);
  const load = async (): Promise<KeptLists> => {
    const value = await readKept(file);
    const lists: KeptLists = {};
    for (const slot of KEPT_SLOTS) if (typeof value?.[slot] === 'string') lists[slot] = value[slot];
    return lists;
  };
  return {
    load,
    async keep(lists) {
      const next = keepNewer(await load().catch(() => ({})), lists);
      if (next) writeKept(dataDir, file, next);
    },
  };
}

/** The file beside trust.json that holds the log checkpoint in use and any split view seen. */
export const LOG_FILE = 'log.json';

/**
 * The log checkpoint in use and the first split view seen, in `dataDir/log.json` (written whole
 * and atomically; see log-keeper.ts for what replaces what). The verifier's own directory, like
 * trust.json: an edge store that can be written to must not be able to reset the floor, nor
 * clear a split view once seen.
 */
export function fileLogKeeper(dataDir: string): LogKeeper {
  const file = path.join(dataDir, LOG_FILE);
  const load = async (): Promise<KeptLog> => {
    const value = await readKept(file);
    const kept: KeptLog = {};
    if (typeof value?.checkpoint === 'string') kept.checkpoint = value.checkpoint;
    if (typeof value?.splitView === 'string') kept.splitView = value.splitView;
    return kept;
  };
  return {
    load,
    async keep(log) {
      const next = keepLog(await load().catch(() => ({})), log);
      if (next) writeKept(dataDir, file, next);
    },
  };
}

export interface ServerOptions {
  /** 0 picks a free port (tests). */
  port: number;
  /** Loopback unless told otherwise: exposing the server is a deliberate choice. */
  host?: string;
  edgeDir: string;
  /**
   * The verifier's own data directory (the newest accepted lists; the reports inbox later).
   * Unset: lists are kept in memory only, and a restart may accept an older one.
   */
  dataDir?: string;
  rootJwk: PublicJwk | null;
  verifyOrigin?: string | null;
  mounts?: Mount[];
  minKeyListVersion?: number;
  clock?: () => Date;
  log?: (line: string) => void;
  /** Origins printed in the programme's QR codes besides verifyOrigin (see VerifierDeps). */
  sealOrigins?: string[];
  /** The inspector page's files (default: the build's output directory). */
  inspectAssets?: AssetSource;
  /** The office's X25519 public key for shoppers' contacts (QDYP_REPORT_KEY_JWK); unset: no contact field. */
  contactKey?: ContactPublicJwk | null;
  /** Reverse proxies whose X-Forwarded-For is believed for the report form's rate limit (QDYP_TRUSTED_PROXIES). */
  trustedProxies?: readonly string[];
}

interface NodeBindings {
  incoming?: { socket?: { remoteAddress?: string } };
}

export interface RunningServer {
  /** e.g. http://127.0.0.1:8080 */
  url: string;
  port: number;
  host: string;
  app: Hono;
  server: ServerType;
  /** The verifier's: reads the published lists again at the next request (no-op without one). */
  refresh(): void;
  close(): Promise<void>;
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  if (options.dataDir) fs.mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const proxies = trustedProxies(options.trustedProxies ?? []);
  // The reports inbox lives in the verifier's own data directory, never in the registry.
  const inbox = options.dataDir ? openReportInbox(options.dataDir, { clock: options.clock }) : undefined;
  const verifier = createVerifier({
    source: directorySource(options.edgeDir),
    keeper: options.dataDir ? fileTrustKeeper(options.dataDir) : undefined,
    logKeeper: options.dataDir ? fileLogKeeper(options.dataDir) : undefined,
    sha256: nodeSha256,
    root: options.rootJwk,
    verifyOrigin: options.verifyOrigin,
    mounts: options.mounts,
    minKeyListVersion: options.minKeyListVersion,
    // Node 20's DecompressionStream and JS base64 cost a cold verifier ~10x what zlib and Buffer do.
    codecs: nodeCodecs,
    clock: options.clock,
    log: options.log,
    sealOrigins: options.sealOrigins,
    assets: options.inspectAssets ?? directoryAssets(),
    compressAssets: true,
    contactKey: options.contactKey ?? null,
    // The socket's peer (or the hop the named proxies vouch for): counts report posts, in memory only.
    clientAddress: (c) => clientAddress((c.env as NodeBindings | undefined)?.incoming?.socket?.remoteAddress, c.req.raw.headers, proxies),
    inbox,
  });
  const running = { ...(await listen(verifier.app, options.port, host)), refresh: verifier.refresh };
  if (!inbox) return running;
  return {
    ...running,
    close: async () => {
      await running.close();
      inbox.close();
    },
  };
}

/**
 * Serves mounted apps without the verifier (e.g. `qdyp serve --apps portal` on the portal's
 * own host): anything they do not answer is a plain 404.
 */
export async function startAppsServer(options: { port: number; host?: string; mounts: Mount[] }): Promise<RunningServer> {
  const app = new Hono();
  for (const mount of options.mounts) app.route(mount.path, mount.app);
  app.notFound(() => new Response('Not found\n', { status: 404, headers: { 'content-type': 'text/plain; charset=UTF-8', 'x-content-type-options': 'nosniff' } }));
  return listen(app, options.port, options.host ?? '127.0.0.1');
}

async function listen(app: Hono, port: number, host: string): Promise<RunningServer> {
  const server = await new Promise<ServerType>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port, hostname: host }, () => resolve(s));
    s.once('error', reject);
  });
  const { port: bound } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${bound}`,
    port: bound,
    host,
    app,
    server,
    refresh: () => undefined,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive connections would otherwise hold close() open.
        if ('closeAllConnections' in server) server.closeAllConnections();
      }),
  };
}
