// The transparency log (C2SP tlog-tiles) under /log/: the signed checkpoint this verifier
// accepted, the tiles and entry bundles under it, and two pages — /log and /log/entry/N — that
// show what the checkpoint's root commits to. A tile path is answered only when it is one
// (parseLogKey) and the checkpoint in use covers it; anything else is a 404 that never reaches
// the store. Nothing is served before a checkpoint has verified.

import type { Context } from 'hono';
import { logOrigin, parseLogKey, tileWidth, TlogError, type TilePath } from '../../core/index.ts';
import type { AcceptedCheckpoint, LogView } from '../log-cache.ts';
import { MissingLogFile, type NewestEntries } from '../log-reader.ts';
import { PAGE_MESSAGES } from '../messages.ts';
import { checkpointText, logEntryPage, logFileRefused, logNoticePage, logPage, logTile, noticePage, tlogProofFile } from '../respond.tsx';
import { pageContext, type RouteDeps } from '../route-deps.ts';
import { errorName } from '../faults.ts';

/** The checkpoint changes with each publication: clients and caches keep it at most this long. */
const CHECKPOINT_MAX_AGE_S = 30;
/** `N` or `N.tlog-proof`, N a decimal index without leading zeros. */
const ENTRY_FILE = /^(0|[1-9][0-9]{0,15})(\.tlog-proof)?$/;

/** The log's name as this request's own origin gives it, for a verifier configured with none. */
function requestLogName(c: Context): string | null {
  try {
    return logOrigin(new URL(c.req.url).origin);
  } catch {
    return null;
  }
}

function viewFor(c: Context, v: RouteDeps): Promise<LogView> {
  return v.logCache.view(requestLogName(c));
}

const maxAge = (v: RouteDeps) => Math.min(CHECKPOINT_MAX_AGE_S, Math.floor(v.ttlMs / 1000));
const storeFailure = (error: unknown) => error instanceof MissingLogFile || !(error instanceof TlogError);

/** GET /log/checkpoint: the signed checkpoint in use, as published. */
export function logCheckpoint(v: RouteDeps) {
  return async function logCheckpoint(c: Context): Promise<Response> {
    const { accepted } = await viewFor(c, v);
    if (!accepted) return logFileRefused(404, 'No log checkpoint is published');
    return checkpointText(accepted.note, maxAge(v));
  };
}

/** Whether the tree of `size` leaves has this tile or bundle (at this width, or wider now). */
function covers(tile: TilePath, size: number): boolean {
  const level = tile.kind === 'entries' ? 0 : tile.level;
  return tile.width <= tileWidth(level, tile.index, size);
}

/** GET /log/tile/…: a hash tile or entry bundle under the checkpoint in use, passed on as stored. */
export function logTileFile(v: RouteDeps) {
  return async function logTileFile(c: Context): Promise<Response> {
    const key = c.req.path.slice(1);
    const tile = parseLogKey(key);
    if (!tile || tile.kind === 'checkpoint') return logFileRefused(404, 'No such log tile');
    const { accepted } = await viewFor(c, v);
    if (!accepted || !covers(tile, accepted.checkpoint.size)) return logFileRefused(404, 'No such log tile under the current checkpoint');
    let body: Awaited<ReturnType<typeof v.logReader.stored>>;
    try {
      body = await v.logReader.stored(key);
    } catch (error) {
      v.log(`artifact store unavailable reading a log tile (${errorName(error)})`);
      return logFileRefused(503, 'The log cannot be read right now');
    }
    if (body === null) return logFileRefused(404, 'No such log tile is published');
    return logTile(body, tile.kind === 'entries');
  };
}

/** GET /log: the checkpoint in use, the newest entries, and any split view seen. */
export function logIndexPage(v: RouteDeps) {
  return async function logIndexPage(c: Context): Promise<Response> {
    const page = pageContext(c, v);
    const view = await viewFor(c, v);
    let newest: NewestEntries | null = null;
    if (view.accepted) {
      try {
        newest = await v.logReader.newest(view.accepted.note, view.accepted.checkpoint);
      } catch (error) {
        v.log(`log entries unreadable for /log (${errorName(error)})`);
      }
    }
    return logPage(page, view, newest);
  };
}

/** GET /log/entry/N (the page) and /log/entry/N.tlog-proof (the proof file). */
export function logEntry(v: RouteDeps) {
  return async function logEntry(c: Context): Promise<Response> {
    const page = pageContext(c, v);
    const t = PAGE_MESSAGES[page.locale].log;
    const match = ENTRY_FILE.exec(c.req.path.slice('/log/entry/'.length));
    const index = match ? Number(match[1]) : NaN;
    if (!Number.isSafeInteger(index)) return noticePage(page, 'badRequest');
    const proofFile = match![2] !== undefined;
    const { accepted } = await viewFor(c, v);
    if (!accepted) return proofFile ? logFileRefused(404, 'No log checkpoint is published') : logNoticePage(page, 404, t.notPublished.title, t.notPublished.body);
    const { size } = accepted.checkpoint;
    if (index >= size) {
      return proofFile ? logFileRefused(404, `Entry ${index} is not in the published log (size ${size})`) : logNoticePage(page, 404, t.entry.notYet.title, t.entry.notYet.body(index, size));
    }
    return proofFile ? proof(v, accepted, index) : entryPage(v, c, accepted, index);
  };
}

async function proof(v: RouteDeps, accepted: AcceptedCheckpoint, index: number): Promise<Response> {
  try {
    return tlogProofFile(await v.logReader.proofFile(accepted.note, accepted.checkpoint, index), index, maxAge(v));
  } catch (error) {
    if (storeFailure(error)) v.log(`log files unreadable for a proof (${errorName(error)})`);
    else v.log(`log entry ${index} cannot be proved from the published tiles (${(error as TlogError).code})`);
    return logFileRefused(503, `Entry ${index} cannot be proved right now`);
  }
}

async function entryPage(v: RouteDeps, c: Context, accepted: AcceptedCheckpoint, index: number): Promise<Response> {
  const page = pageContext(c, v);
  const t = PAGE_MESSAGES[page.locale].log;
  try {
    const found = await v.logReader.entry(accepted.checkpoint, index);
    if (!found.verified) v.log(`log entry ${index}: the inclusion proof from the published tiles fails`);
    return logEntryPage(page, found, accepted.checkpoint.size, accepted.checkpoint.root);
  } catch (error) {
    if (storeFailure(error)) {
      v.log(`log files unreadable for entry ${index} (${errorName(error)})`);
      return logNoticePage(page, 503, t.unavailable.title, t.unavailable.body);
    }
    v.log(`log entry ${index} cannot be read from the published files (${(error as TlogError).code})`);
    return logNoticePage(page, 503, t.entry.failed, t.entry.failedBody);
  }
}
