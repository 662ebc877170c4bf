// What the inspector's device knows and how it learns more: the last good trust bundle, any
// fresher lists fetched since, and the floors below which it never goes again (the highest
// key-list version, the newest status and revision lists, the newest signed time it has seen).
// Everything is verified here by src/core against the root built into the page before it is
// stored; a sync that fails leaves the last good data exactly as it was, and is remembered
// (and shown) until one succeeds. Storage is behind DeviceStore: IndexedDB in the page, a Map
// in the tests.
//
// The transparency log: each sync also fetches the log's checkpoint, verifies it with the
// key list's log keys, and checks it is consistent with the last one this device accepted
// (the consistency proof from the tiles it fetches: log-succession.ts, as the verifier does).
// A device shown a log that contradicts the one it saw before has been shown a split view: the
// sync fails, saying so, and nothing of it is saved. A log not published, unreachable or not
// verifiable is left for the next sync (the lists themselves are checked as before).

import { buildTrustContext, logTileKey, openBundle, QdypError, type Codecs, type OpenedBundle, type RootTrust, type TileReader, type TrustContext, type TrustedKeyList } from '../core/index.ts';
import { checkSuccession, openLogCheckpoint } from '../core/log-succession.ts';

/** The device's saved state: one record, written whole, so a crash never leaves half a sync. */
export interface SavedTrust {
  /** The bundle's gzip bytes, as downloaded. */
  bundle: Uint8Array;
  region: string | null;
  /** Lists fetched after the bundle (each used instead of the bundle's when newer). */
  keyList: string | null;
  statusList: string | null;
  revisionList: string | null;
  /** Device time (ms) of the last successful sync. */
  syncedAt: number;
}

export interface Floors {
  keyListVersion: number;
  statusIat: number;
  revisionIat: number;
  bundleIat: number;
  /** The newest signed time (s) seen in anything accepted: a lower bound on the present. */
  signedTime: number;
}

export interface SyncAttempt {
  /** Device time (ms). */
  at: number;
  ok: boolean;
  /** Why it failed, in words for the inspector (English and Chinese both kept short). */
  error?: SyncError;
}

export type SyncError = 'offline' | 'http' | 'not_published' | 'refused' | 'rolled_back' | 'stale' | 'storage' | 'log_inconsistent';

export interface DeviceStore {
  get<T>(key: string): Promise<T | undefined>;
  /** Writes every entry or none. */
  put(entries: Record<string, unknown>): Promise<void>;
}

export const EMPTY_FLOORS: Floors = { keyListVersion: 0, statusIat: 0, revisionIat: 0, bundleIat: 0, signedTime: 0 };

/** Clock skew tolerated before the device clock counts as behind the signed data. */
export const CLOCK_SKEW_MS = 5 * 60 * 1000;
/** A bundle older than this is downloaded again on the next sync; younger, only the lists are. */
export const BUNDLE_REFRESH_MS = 6 * 60 * 60 * 1000;
/** A warning shows when the status data is older than this. */
export const STALE_AFTER_MS = 24 * 60 * 60 * 1000;

export interface DeviceTrust {
  opened: OpenedBundle | null;
  floors: Floors;
  saved: SavedTrust | null;
  lastAttempt: SyncAttempt | null;
  /** Why the saved data could not be opened (it is kept, never deleted, and shown). */
  problem: string | null;
}

/** The present as far as the device can tell: never earlier than anything it has verified. */
export function trustedNow(deviceMs: number, floors: Floors): { now: Date; clockBehind: boolean } {
  const floorMs = floors.signedTime * 1000;
  return { now: new Date(Math.max(deviceMs, floorMs)), clockBehind: deviceMs + CLOCK_SKEW_MS < floorMs };
}

/** The floors raised by what a context accepted. */
export function raiseFloors(floors: Floors, opened: OpenedBundle): Floors {
  const ctx = opened.context;
  const next: Floors = {
    keyListVersion: Math.max(floors.keyListVersion, ctx.keyList?.version ?? 0),
    statusIat: Math.max(floors.statusIat, ctx.statusList?.iat ?? 0),
    revisionIat: Math.max(floors.revisionIat, ctx.revisionList?.iat ?? 0),
    bundleIat: Math.max(floors.bundleIat, opened.iat),
    signedTime: 0,
  };
  next.signedTime = Math.max(floors.signedTime, next.statusIat, next.revisionIat, opened.iat, ctx.keyList?.iat ?? 0);
  return next;
}

function usable(ctx: TrustContext, now: Date): 'ok' | 'refused' | 'stale' {
  if (!ctx.keyList || !ctx.statusList || !ctx.revisionList) return 'refused';
  const t = now.getTime();
  if (t >= ctx.keyList.exp * 1000 || t >= ctx.statusList.exp * 1000 || t >= ctx.revisionList.exp * 1000) return 'stale';
  return 'ok';
}

/** Where the device keeps the last log checkpoint it accepted (a signed note), beside 'trust'. */
export const LOG_CHECKPOINT = 'logCheckpoint';

export class Device {
  constructor(
    private readonly store: DeviceStore,
    private readonly root: RootTrust,
    private readonly deviceClock: () => number = Date.now,
    private readonly codecs: Codecs = {},
    /** The names the programme's log checkpoints carry (`{host}/log` for the verify hosts). */
    private readonly logNames: readonly string[] = [],
  ) {}

  /**
   * The log's checkpoint to save after this sync (null: nothing new), or 'inconsistent' when it
   * contradicts the one saved before. Reads only the server's log; never throws.
   */
  private async checkLog(fetcher: (path: string) => Promise<Response>, keyList: TrustedKeyList): Promise<string | null | 'inconsistent'> {
    let note: string;
    try {
      const res = await fetcher('/log/checkpoint');
      if (!res.ok) return null;
      note = await res.text();
    } catch {
      return null;
    }
    const offered = await openLogCheckpoint(note, keyList, this.logNames).catch(() => null);
    if (!offered) return null;
    let held: unknown;
    try {
      held = await this.store.get<string>(LOG_CHECKPOINT);
    } catch {
      // The floor is there but unreadable: nothing to check against, so nothing replaces it.
      return null;
    }
    // None yet, or one the key list no longer vouches for (its log key compromised): start from this one.
    const previous = typeof held === 'string' ? await openLogCheckpoint(held, keyList, [offered.origin]).catch(() => null) : null;
    if (!previous) return note;
    const readTile: TileReader = async (level, index, width) => {
      const res = await fetcher(`/${logTileKey(level, index, width)}`);
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      return new Uint8Array(await res.arrayBuffer());
    };
    const succession = await checkSuccession(previous, offered, readTile).catch(() => ({ kind: 'unchecked' as const }));
    if (succession.kind === 'fork' || succession.kind === 'inconsistent') return 'inconsistent';
    return succession.kind === 'newer' ? note : null;
  }

  /** Opens what is saved, under the floors saved with it. */
  async load(): Promise<DeviceTrust> {
    const [saved, floors, lastAttempt] = await Promise.all([
      this.store.get<SavedTrust>('trust'),
      this.store.get<Floors>('floors'),
      this.store.get<SyncAttempt>('lastAttempt'),
    ]);
    const f = { ...EMPTY_FLOORS, ...floors };
    if (!saved) return { opened: null, floors: f, saved: null, lastAttempt: lastAttempt ?? null, problem: null };
    try {
      const opened = await this.open(saved, f);
      return { opened, floors: f, saved, lastAttempt: lastAttempt ?? null, problem: null };
    } catch (error) {
      return { opened: null, floors: f, saved, lastAttempt: lastAttempt ?? null, problem: error instanceof Error ? error.message : String(error) };
    }
  }

  private open(saved: SavedTrust, floors: Floors): Promise<OpenedBundle> {
    return openBundle(saved.bundle, this.root, {
      ...this.codecs,
      minKeyListVersion: floors.keyListVersion,
      minStatusIat: floors.statusIat,
      minRevisionIat: floors.revisionIat,
      keyList: saved.keyList,
      statusList: saved.statusList,
      revisionList: saved.revisionList,
      time: trustedNow(this.deviceClock(), floors).now,
    });
  }

  /**
   * Downloads the current lists and, when `full` or when the bundle on the device is older than
   * BUNDLE_REFRESH_MS (or for another district), the bundle beside them; verifies them together
   * under the floors, and saves them only if they are usable now and not older than what is
   * held. The lists alone are a few kilobytes and carry every revocation and suspension: poor
   * signal need not download megabytes to learn of them. On any failure the saved data stays as
   * it was; the failed attempt is recorded.
   */
  async sync(
    fetcher: (path: string) => Promise<Response>,
    region: string | null,
    options: { full?: boolean } = {},
  ): Promise<{ ok: boolean; error?: SyncError; detail?: string; trust: DeviceTrust; bundleFetched: boolean }> {
    const current = await this.load();
    const held = current.opened && current.saved?.region === region ? current.saved : null;
    const listsOnly = !options.full && held !== null && this.deviceClock() - current.opened!.iat * 1000 < BUNDLE_REFRESH_MS;
    const fail = async (error: SyncError, detail?: string) => {
      const attempt: SyncAttempt = { at: this.deviceClock(), ok: false, error };
      await this.store.put({ lastAttempt: attempt }).catch(() => {});
      return { ok: false, error, detail, trust: { ...current, lastAttempt: attempt }, bundleFetched: !listsOnly };
    };
    let bytes: Uint8Array;
    let lists: [string | null, string | null, string | null];
    try {
      const query = region ? `?region=${encodeURIComponent(region)}` : '';
      const [bundle, ...texts] = await Promise.all([
        listsOnly ? Promise.resolve(null) : fetcher(`/api/v1/bundle${query}`),
        fetcher('/api/v1/key-list'),
        fetcher('/api/v1/status-list'),
        fetcher('/api/v1/revision-list'),
      ]);
      if (bundle) {
        if (bundle.status === 404) return fail('not_published');
        if (!bundle.ok) return fail('http', `HTTP ${bundle.status}`);
        bytes = new Uint8Array(await bundle.arrayBuffer());
      } else {
        bytes = held!.bundle;
        if (texts.some((r) => !r.ok)) return fail('http', `HTTP ${texts.find((r) => !r.ok)!.status}`);
      }
      lists = (await Promise.all(texts.map((r) => (r.ok ? r.text() : Promise.resolve(null))))) as typeof lists;
    } catch {
      return fail('offline');
    }
    const floors = current.floors;
    if (listsOnly) {
      // The held bundle's own lists must not cover for older ones the server sent: a replay is a
      // failed sync, said so, not a quiet success that resets the data's age.
      const fetched = await buildTrustContext(
        { keyList: lists[0], statusList: lists[1], revisionList: lists[2] },
        { root: this.root, ...this.codecs, minKeyListVersion: floors.keyListVersion, minStatusIat: floors.statusIat, minRevisionIat: floors.revisionIat, time: trustedNow(this.deviceClock(), floors).now },
      );
      const replayed = fetched.problems.find((p) => p.code === 'ERR_STATUS_ROLLBACK' || p.code === 'ERR_KEY_LIST_ROLLBACK');
      if (replayed) return fail('rolled_back', replayed.message);
      if (!fetched.keyList || !fetched.statusList || !fetched.revisionList) return fail('refused', fetched.problems[0]?.message);
    }
    const candidate: SavedTrust = { bundle: bytes, region, keyList: lists[0], statusList: lists[1], revisionList: lists[2], syncedAt: this.deviceClock() };
    let opened: OpenedBundle;
    try {
      opened = await this.open(candidate, floors);
    } catch (error) {
      return fail('refused', error instanceof QdypError ? error.message : undefined);
    }
    if (opened.region !== region) return fail('refused', 'the bundle is for another region');
    const { now } = trustedNow(this.deviceClock(), floors);
    const state = usable(opened.context, now);
    if (state === 'refused') {
      const rolledBack = opened.context.problems.some((p) => p.code === 'ERR_STATUS_ROLLBACK' || p.code === 'ERR_KEY_LIST_ROLLBACK');
      return fail(rolledBack ? 'rolled_back' : 'refused', opened.context.problems[0]?.message);
    }
    if (state === 'stale') return fail('stale');
    // An older bundle of the same district never replaces a newer one.
    if (current.saved?.region === region && opened.iat < floors.bundleIat) return fail('rolled_back', 'the bundle is older than the one on this device');
    const log = await this.checkLog(fetcher, opened.context.keyList!);
    if (log === 'inconsistent') return fail('log_inconsistent', 'the public log contradicts the one this device saw before');
    const nextFloors = raiseFloors(floors, opened);
    const attempt: SyncAttempt = { at: this.deviceClock(), ok: true };
    try {
      await this.store.put({ trust: candidate, floors: nextFloors, lastAttempt: attempt, ...(log ? { [LOG_CHECKPOINT]: log } : {}) });
    } catch {
      return fail('storage');
    }
    return { ok: true, trust: { opened, floors: nextFloors, saved: candidate, lastAttempt: attempt, problem: null }, bundleFetched: !listsOnly };
  }
}
