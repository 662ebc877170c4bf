// The portal snapshot: the one file the holder portal reads from the office. It is an
// ALLOWLIST, copied column by column from the registry — holders, their licences' public
// details with the seal URL and licence document signed at issuance (every download is drawn
// from those, without keys), each licence's latest transparency log entry, the hashes of the
// invitation codes, and the log as published (the checkpoint and its hash tiles, from the
// registry's edge/: what the portal makes a licence's .tlog-proof from) — and nothing else:
// no audit events or actor names, no keys (public or private), no config but the origin, no
// publishing state, nor anything later issues add to the registry. Anything new in the
// registry stays out of the snapshot until it is added here by name.
//
// How it reaches the portal host (the portal never calls the office, and the office's network
// never accepts the portal): the office writes it with `qdyp portal snapshot --out FILE` after
// every publish and from cron, and pushes it with a copy that replaces the file by rename, e.g.
//
//   */10 * * * *  qdyp portal snapshot --out /var/lib/qdyp/portal.sqlite &&
//                 rsync -t --chmod=F640 /var/lib/qdyp/portal.sqlite portal@portal-host:/srv/qdyp/portal.sqlite
//
// (rsync writes a temporary file and renames it, so the portal never opens half a file: never
// use --inplace). The portal holds the file open read-only and reopens it when its mtime (or
// inode) changes: a reader that stats the path before opening it (PortalSnapshot.mtimeMs)
// never misses a change. What the portal shows is as of `snapshotInfo().createdAt`; a new
// invitation or a password reset takes effect when the next snapshot arrives.

import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import {
  LOG_CHECKPOINT_KEY,
  logTileKey,
  parseCheckpoint,
  parseNote,
  sealUrl,
  tilePath,
  tilesForInclusionProof,
  tilesForTree,
  TlogError,
  type LicenceStatus,
  type Sector,
  type Tier,
} from '../../core/index.ts';
import { edgeFile, readEdgeTextSync } from '../edge-store.ts';
import { readConfig } from '../registry/config.ts';
import { openDatabase, registryPaths } from '../registry/db.ts';
import { activationCodeHash, hasInvitations, normaliseUserName } from '../registry/invitations.ts';

/** Bumped when the snapshot's tables change; the reader refuses any other. */
export const SNAPSHOT_FORMAT_VERSION = 2;
/** The snapshot file's mode: the portal's service account reads it through its group. */
export const SNAPSHOT_MODE = 0o640;

/** The snapshot's schema: every table and column it may hold. */
const SCHEMA = `
  CREATE TABLE snapshot (
    format_version INTEGER NOT NULL,
    created_at     TEXT NOT NULL,
    origin         TEXT NOT NULL
  ) STRICT;

  CREATE TABLE holders (
    uscc    TEXT PRIMARY KEY,
    name    TEXT NOT NULL,
    address TEXT,
    region  TEXT
  ) STRICT;

  CREATE TABLE licences (
    serial            INTEGER PRIMARY KEY,
    number            TEXT NOT NULL UNIQUE,
    holder_uscc       TEXT NOT NULL REFERENCES holders (uscc),
    tier              TEXT NOT NULL,
    sector            TEXT NOT NULL,
    chain             TEXT,
    region            TEXT,
    products          TEXT NOT NULL,
    trademarks        TEXT NOT NULL,
    valid_from        TEXT NOT NULL,
    valid_until       TEXT NOT NULL,
    status            TEXT NOT NULL,
    status_reason     TEXT,
    status_changed_at TEXT NOT NULL,
    seal_url          TEXT NOT NULL,
    document          TEXT NOT NULL,
    issued_at         TEXT NOT NULL,
    log_index         INTEGER,
    log_entry         TEXT
  ) STRICT;
  CREATE INDEX licences_holder ON licences (holder_uscc, serial);

  CREATE TABLE log (
    checkpoint TEXT NOT NULL
  ) STRICT;

  CREATE TABLE log_tiles (
    level  INTEGER NOT NULL,
    idx    INTEGER NOT NULL,
    width  INTEGER NOT NULL,
    hashes BLOB NOT NULL,
    PRIMARY KEY (level, idx, width)
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE invitations (
    uscc       TEXT NOT NULL REFERENCES holders (uscc),
    user       TEXT NOT NULL,
    code_hash  TEXT NOT NULL UNIQUE,
    expires_at TEXT NOT NULL,
    PRIMARY KEY (uscc, user)
  ) STRICT;
`;

export interface SnapshotSummary {
  file: string;
  createdAt: string;
  origin: string;
  holders: number;
  licences: number;
  /** The open (unexpired) ones; the file holds the expired ones too. */
  invitations: number;
  /** The published checkpoint's size (null: no log published), and how many of its tiles were copied. */
  logSize: number | null;
  logTiles: number;
  bytes: number;
}

/**
 * Writes the portal snapshot of the registry at `dbPath` to `out`: the registry opened
 * read-only and read in one transaction (a consistent view while the office keeps working);
 * the file built beside `out` and renamed over it (mode 0640), so a reader sees the old
 * snapshot or the new one. Needs no key: keys/ is never read.
 */
export function writePortalSnapshot(options: { dbPath: string; out: string; now: Date; edgeDir?: string }): SnapshotSummary {
  const out = path.resolve(options.out);
  const edgeDir = options.edgeDir ?? registryPaths(options.dbPath).edgeDir;
  const createdAt = options.now.toISOString();
  const source = openDatabase(options.dbPath, { readonly: true });
  const temp = path.join(path.dirname(out), `.${path.basename(out)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
  let target: Database.Database | undefined;
  try {
    target = new Database(temp, { fileMustExist: false });
    target.pragma('journal_mode = DELETE');
    target.pragma('synchronous = FULL');
    target.exec(SCHEMA);
    const counts = { holders: 0, licences: 0, invitations: 0, logSize: null as number | null, logTiles: 0 };
    let origin = '';
    // One read transaction on the registry: every row below is from the same moment.
    source.exec('BEGIN');
    try {
      origin = readConfig(source).origin;
      const write = target;
      write.transaction(() => {
        write.prepare('INSERT INTO snapshot (format_version, created_at, origin) VALUES (?, ?, ?)').run(SNAPSHOT_FORMAT_VERSION, createdAt, origin);
        const holder = write.prepare('INSERT INTO holders (uscc, name, address, region) VALUES (?, ?, ?, ?)');
        for (const h of source.prepare('SELECT uscc, name, address, region FROM holders ORDER BY uscc').iterate() as Iterable<HolderRow>) {
          holder.run(h.uscc, h.name, h.address, h.region);
          counts.holders++;
        }
        const licence = write.prepare(
          `INSERT INTO licences (serial, number, holder_uscc, tier, sector, chain, region, products, trademarks, valid_from, valid_until,
             status, status_reason, status_changed_at, seal_url, document, issued_at, log_index, log_entry)
           VALUES (@serial, @number, @holder_uscc, @tier, @sector, @chain, @region, @products, @trademarks, @valid_from, @valid_until,
             @status, @status_reason, @status_changed_at, @seal_url, @document, @issued_at, @log_index, @log_entry)`,
        );
        const licences = source.prepare(
          `SELECT l.serial, l.number, l.holder_uscc, l.tier, l.sector, l.chain, l.region, l.products, l.trademarks,
             p.valid_from, p.valid_until, l.status, l.status_reason, l.status_changed_at, l.seal, l.document, l.issued_at,
             l.log_index, e.entry AS log_entry
           FROM licences l
           JOIN validity_periods p ON p.id = (SELECT max(id) FROM validity_periods WHERE serial = l.serial)
           LEFT JOIN log_entries e ON e.idx = l.log_index
           ORDER BY l.serial`,
        );
        for (const l of licences.iterate() as Iterable<LicenceRow & { seal: string }>) {
          const { seal, ...row } = l;
          licence.run({ ...row, seal_url: sealUrl(origin, seal) });
          counts.licences++;
        }
        if (hasInvitations(source)) {
          // Every invitation, expired ones too: the portal refuses an expired code itself, and
          // needs the row to tell a re-invite (another code for the user: the password reset)
          // from an account whose own invitation merely expired. Counted are the open ones.
          const invitation = write.prepare('INSERT INTO invitations (uscc, user, code_hash, expires_at) VALUES (?, ?, ?, ?)');
          const rows = source.prepare('SELECT uscc, user, code_hash, expires_at FROM invitations ORDER BY uscc, user').iterate() as Iterable<InvitationRow>;
          for (const i of rows) {
            invitation.run(i.uscc, i.user, i.code_hash, i.expires_at);
            if (Date.parse(i.expires_at) > options.now.getTime()) counts.invitations++;
          }
        }
        Object.assign(counts, copyPublishedLog(write, edgeDir));
      })();
    } finally {
      source.exec('COMMIT');
    }
    target.close();
    target = undefined;
    fs.chmodSync(temp, SNAPSHOT_MODE);
    const fd = fs.openSync(temp, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temp, out);
    return { file: out, createdAt, origin, ...counts, bytes: fs.statSync(out).size };
  } finally {
    target?.close();
    source.close();
    fs.rmSync(temp, { force: true });
    fs.rmSync(`${temp}-journal`, { force: true });
  }
}

/**
 * The log as `edgeDir` publishes it: its checkpoint, and every tile of that checkpoint's tree
 * that is there (one at a time: a million entries are 3,900 tiles). Read after the licences, so
 * a checkpoint published meanwhile covers at most more of them, never fewer.
 */
function copyPublishedLog(write: Database.Database, edgeDir: string): { logSize: number | null; logTiles: number } {
  const note = readEdgeTextSync(edgeDir, LOG_CHECKPOINT_KEY);
  if (note === null) return { logSize: null, logTiles: 0 };
  let size: number;
  try {
    size = parseCheckpoint(parseNote(note).text).size;
  } catch (error) {
    if (error instanceof TlogError) return { logSize: null, logTiles: 0 };
    throw error;
  }
  write.prepare('INSERT INTO log (checkpoint) VALUES (?)').run(note);
  const insert = write.prepare('INSERT INTO log_tiles (level, idx, width, hashes) VALUES (?, ?, ?, ?)');
  let copied = 0;
  for (const tile of tilesForTree(size)) {
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(edgeFile(edgeDir, logTileKey(tile.level, tile.index, tile.width))!);
    } catch {
      continue; // a proof that needs it is then not offered
    }
    insert.run(tile.level, tile.index, tile.width, bytes);
    copied++;
  }
  return { logSize: size, logTiles: copied };
}

export interface SnapshotInfo {
  formatVersion: number;
  /** When the office wrote it (ISO-8601 UTC): what the portal shows is as of then. */
  createdAt: string;
  /** The registry's verify origin, upper-cased as seals carry it. */
  origin: string;
}

export interface PortalHolder {
  uscc: string;
  name: string;
  address: string | null;
  region: string | null;
}

export interface PortalLicence {
  serial: number;
  number: string;
  holderUscc: string;
  tier: Tier;
  sector: Sector;
  chain: string | null;
  region: string | null;
  products: string[];
  trademarks: string[];
  validFrom: string;
  validUntil: string;
  status: LicenceStatus;
  statusReason: string | null;
  statusChangedAt: string;
  /** What the QR code carries: `{ORIGIN}/V/{seal}`, as signed at issuance. */
  sealUrl: string;
  /** The licence document (JWS) as last signed: what the holder downloads as `.jws`. */
  document: string;
  issuedAt: string;
  /** The licence's latest entry in the transparency log, and its text as logged (null before it has one). */
  logIndex: number | null;
  logEntry: string | null;
}

/**
 * What a licence's .tlog-proof is made from, read at once (the snapshot may be closed by the
 * next request): the published checkpoint and the tiles the entry's inclusion proof reads.
 * `pending`: logged, but the published checkpoint does not cover it yet.
 */
export type PortalLogRecord =
  | { kind: 'covered'; index: number; entry: string; checkpoint: string; tiles: Map<string, Uint8Array> }
  | { kind: 'pending'; index: number }
  | { kind: 'none' };

export interface PortalInvitation {
  uscc: string;
  user: string;
  /** activationCodeHash of the code. */
  codeHash: string;
  expiresAt: string;
}

export interface PortalSnapshot {
  readonly file: string;
  /** The file's mtime when it was opened (taken before opening): reopen when the file's differs. */
  readonly mtimeMs: number;
  readonly ino: number;
  snapshotInfo(): SnapshotInfo;
  holder(uscc: string): PortalHolder | undefined;
  /** The holder's licences, by serial. */
  licencesOf(uscc: string): PortalLicence[];
  /** The licence only if it belongs to this holder: another's is as unknown as a missing one. */
  licence(uscc: string, number: string): PortalLicence | undefined;
  /** The invitation of (holder, user), expired or not (the portal checks expiresAt). */
  invitation(uscc: string, user: string): PortalInvitation | undefined;
  /** The holder's invitation whose code is `code` as typed (normaliseActivationCode), if any. */
  invitationByCode(uscc: string, code: string): PortalInvitation | undefined;
  /** What the licence's .tlog-proof is made from (see PortalLogRecord). */
  logRecord(licence: PortalLicence): PortalLogRecord;
  close(): void;
}

interface SnapshotRow {
  format_version: number;
  created_at: string;
  origin: string;
}
interface HolderRow {
  uscc: string;
  name: string;
  address: string | null;
  region: string | null;
}
interface LicenceRow {
  serial: number;
  number: string;
  holder_uscc: string;
  tier: Tier;
  sector: Sector;
  chain: string | null;
  region: string | null;
  products: string;
  trademarks: string;
  valid_from: string;
  valid_until: string;
  status: LicenceStatus;
  status_reason: string | null;
  status_changed_at: string;
  seal_url: string;
  document: string;
  issued_at: string;
  log_index: number | null;
  log_entry: string | null;
}
interface InvitationRow {
  uscc: string;
  user: string;
  code_hash: string;
  expires_at: string;
}

function licenceFromRow(row: LicenceRow): PortalLicence {
  return {
    serial: row.serial,
    number: row.number,
    holderUscc: row.holder_uscc,
    tier: row.tier,
    sector: row.sector,
    chain: row.chain,
    region: row.region,
    products: JSON.parse(row.products) as string[],
    trademarks: JSON.parse(row.trademarks) as string[],
    validFrom: row.valid_from,
    validUntil: row.valid_until,
    status: row.status,
    statusReason: row.status_reason,
    statusChangedAt: row.status_changed_at,
    sealUrl: row.seal_url,
    document: row.document,
    issuedAt: row.issued_at,
    logIndex: row.log_index,
    logEntry: row.log_entry,
  };
}

function invitationFromRow(row: InvitationRow): PortalInvitation {
  return { uscc: row.uscc, user: row.user, codeHash: row.code_hash, expiresAt: row.expires_at };
}

/** USCCs and licence numbers as typed: any case, surrounding spaces. */
const key = (text: string): string => (typeof text === 'string' ? text.trim().toUpperCase() : '');

/**
 * Opens a portal snapshot read-only (it must exist). Throws if the file is not a snapshot of
 * the format this code reads.
 */
export function openPortalSnapshot(file: string): PortalSnapshot {
  const absolute = path.resolve(file);
  const stat = fs.statSync(absolute);
  const db = new Database(absolute, { readonly: true, fileMustExist: true });
  try {
    db.pragma('query_only = ON');
    let info: SnapshotRow | undefined;
    try {
      info = db.prepare('SELECT format_version, created_at, origin FROM snapshot').get() as SnapshotRow | undefined;
    } catch {
      info = undefined;
    }
    if (!info) throw new Error(`${absolute} is not a portal snapshot (write one with qdyp portal snapshot)`);
    if (info.format_version !== SNAPSHOT_FORMAT_VERSION) {
      throw new Error(`${absolute} is a portal snapshot of format ${info.format_version}; this qdyp reads format ${SNAPSHOT_FORMAT_VERSION}`);
    }
    const snapshotInfo: SnapshotInfo = { formatVersion: info.format_version, createdAt: info.created_at, origin: info.origin };
    const q = {
      holder: db.prepare('SELECT uscc, name, address, region FROM holders WHERE uscc = ?'),
      licencesOf: db.prepare('SELECT * FROM licences WHERE holder_uscc = ? ORDER BY serial'),
      licence: db.prepare('SELECT * FROM licences WHERE holder_uscc = ? AND number = ?'),
      invitation: db.prepare('SELECT uscc, user, code_hash, expires_at FROM invitations WHERE uscc = ? AND user = ?'),
      byCode: db.prepare('SELECT uscc, user, code_hash, expires_at FROM invitations WHERE uscc = ? AND code_hash = ?'),
      checkpoint: db.prepare('SELECT checkpoint FROM log'),
      tile: db.prepare('SELECT hashes FROM log_tiles WHERE level = ? AND idx = ? AND width = ?'),
    };
    // The checkpoint never changes in an open snapshot: read once, when first asked for.
    let published: { note: string; size: number } | null | undefined;
    const checkpoint = () => {
      if (published === undefined) {
        const row = q.checkpoint.get() as { checkpoint: string } | undefined;
        published = row ? { note: row.checkpoint, size: parseCheckpoint(parseNote(row.checkpoint).text).size } : null;
      }
      return published;
    };
    return {
      file: absolute,
      mtimeMs: stat.mtimeMs,
      ino: stat.ino,
      snapshotInfo: () => ({ ...snapshotInfo }),
      holder(uscc) {
        const row = q.holder.get(key(uscc)) as HolderRow | undefined;
        return row && { uscc: row.uscc, name: row.name, address: row.address, region: row.region };
      },
      licencesOf: (uscc) => (q.licencesOf.all(key(uscc)) as LicenceRow[]).map(licenceFromRow),
      licence(uscc, number) {
        const row = q.licence.get(key(uscc), key(number)) as LicenceRow | undefined;
        return row && licenceFromRow(row);
      },
      invitation(uscc, user) {
        if (typeof user !== 'string') return undefined;
        const row = q.invitation.get(key(uscc), normaliseUserName(user)) as InvitationRow | undefined;
        return row && invitationFromRow(row);
      },
      invitationByCode(uscc, code) {
        const hash = activationCodeHash(code);
        if (hash === null) return undefined;
        const row = q.byCode.get(key(uscc), hash) as InvitationRow | undefined;
        return row && invitationFromRow(row);
      },
      logRecord(licence) {
        if (licence.logIndex === null || licence.logEntry === null) return { kind: 'none' };
        const cp = checkpoint();
        if (!cp || licence.logIndex >= cp.size) return { kind: 'pending', index: licence.logIndex };
        const tiles = new Map<string, Uint8Array>();
        for (const t of tilesForInclusionProof(licence.logIndex, cp.size)) {
          const row = q.tile.get(t.level, t.index, t.width) as { hashes: Buffer } | undefined;
          if (row) tiles.set(tilePath(t.level, t.index, t.width), new Uint8Array(row.hashes));
        }
        return { kind: 'covered', index: licence.logIndex, entry: licence.logEntry, checkpoint: cp.note, tiles };
      },
      close: () => db.close(),
    };
  } catch (error) {
    db.close();
    throw error;
  }
}
