// Numbered schema migrations, applied in order, each in its own transaction and recorded in
// schema_migrations. Never edit a released migration: add the next one.

import { encodeLogEntry, type LicenceStatus, type Sector, type Tier } from '../../core/index.ts';
import type { Db } from './db.ts';

interface Migration {
  version: number;
  name: string;
  sql: string;
  /** What SQL alone cannot do, run after `sql` in the same transaction. */
  after?: (db: Db, now: Date) => void;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'registry',
    sql: `
      CREATE TABLE config (
        name  TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT;

      CREATE TABLE keys (
        kid               TEXT PRIMARY KEY,
        sid               TEXT NOT NULL UNIQUE,
        public_jwk        TEXT NOT NULL,
        status            TEXT NOT NULL CHECK (status IN ('active', 'retired', 'compromised')),
        sign_from         TEXT NOT NULL,
        sign_until        TEXT NOT NULL,
        verify_until      TEXT NOT NULL,
        created_at        TEXT NOT NULL,
        status_changed_at TEXT NOT NULL
      ) STRICT;
      -- Exactly one key signs new things at a time.
      CREATE UNIQUE INDEX keys_one_active ON keys (status) WHERE status = 'active';

      CREATE TABLE holders (
        uscc       TEXT PRIMARY KEY CHECK (length(uscc) = 18),
        name       TEXT NOT NULL,
        address    TEXT,
        region     TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      ) STRICT;

      CREATE TABLE licences (
        serial            INTEGER PRIMARY KEY CHECK (serial >= 1),
        number            TEXT NOT NULL UNIQUE,
        holder_uscc       TEXT NOT NULL REFERENCES holders (uscc),
        tier              TEXT NOT NULL CHECK (tier IN ('product', 'enterprise', 'industry', 'region')),
        sector            TEXT NOT NULL CHECK (sector IN ('manufacturing', 'agriculture', 'services', 'marine')),
        chain             TEXT,
        region            TEXT,
        products          TEXT NOT NULL,
        trademarks        TEXT NOT NULL,
        status            TEXT NOT NULL CHECK (status IN ('valid', 'suspended', 'revoked')),
        status_reason     TEXT,
        status_changed_at TEXT NOT NULL,
        seal_kid          TEXT NOT NULL REFERENCES keys (kid),
        seal              TEXT NOT NULL UNIQUE,
        document_kid      TEXT NOT NULL REFERENCES keys (kid),
        document          TEXT NOT NULL,
        issued_at         TEXT NOT NULL,
        revision          INTEGER NOT NULL DEFAULT 1,
        batch             TEXT,
        ref               TEXT,
        CHECK ((batch IS NULL) = (ref IS NULL))
      ) STRICT;
      -- A selection batch import is idempotent by (batch, ref).
      CREATE UNIQUE INDEX licences_batch_ref ON licences (batch, ref);
      CREATE INDEX licences_holder ON licences (holder_uscc);

      -- Every validity period a licence has had; the one with the highest id is current.
      CREATE TABLE validity_periods (
        id          INTEGER PRIMARY KEY,
        serial      INTEGER NOT NULL REFERENCES licences (serial),
        valid_from  TEXT NOT NULL,
        valid_until TEXT NOT NULL CHECK (valid_until >= valid_from),
        recorded_at TEXT NOT NULL
      ) STRICT;
      CREATE INDEX validity_periods_serial ON validity_periods (serial, id);

      CREATE TABLE audit_events (
        id      INTEGER PRIMARY KEY,
        at      TEXT NOT NULL,
        actor   TEXT NOT NULL,
        action  TEXT NOT NULL,
        subject TEXT NOT NULL,
        reason  TEXT,
        before  TEXT,
        after   TEXT
      ) STRICT;
      CREATE INDEX audit_events_subject ON audit_events (subject, id);
      CREATE INDEX audit_events_at ON audit_events (at);
      CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
      CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    `,
  },
  {
    version: 2,
    name: 'publishing targets',
    // What has not reached each publishing target yet, recorded in the same transaction as the
    // change: a counter every change bumps (lists to sign afresh) and the licences whose entry
    // is to be written, with the revision that made it so. 'local' (the registry's edge/) is
    // always a target; 'cloudflare' becomes one at its first publish.
    sql: `
      CREATE TABLE publish_targets (
        name         TEXT PRIMARY KEY,
        changed      INTEGER NOT NULL DEFAULT 1,
        published    INTEGER NOT NULL DEFAULT 0,
        published_at TEXT
      ) STRICT;
      INSERT INTO publish_targets (name) VALUES ('local');
      CREATE TABLE pending_entries (
        target   TEXT NOT NULL REFERENCES publish_targets (name),
        serial   INTEGER NOT NULL,
        revision INTEGER NOT NULL,
        PRIMARY KEY (target, serial)
      ) STRICT;
      INSERT INTO pending_entries (target, serial, revision) SELECT 'local', serial, revision FROM licences;
    `,
  },
  {
    version: 3,
    name: 'portal invitations',
    // One invitation per (holder, user name): the SHA-256 of its activation code, never the
    // code. A re-invite replaces the row, voiding the old code (also the password reset); the
    // portal records use in its own database. See registry/invitations.ts.
    sql: `
      CREATE TABLE invitations (
        uscc       TEXT NOT NULL REFERENCES holders (uscc),
        user       TEXT NOT NULL CHECK (length(user) BETWEEN 1 AND 64),
        code_hash  TEXT NOT NULL UNIQUE CHECK (length(code_hash) = 64 AND code_hash NOT GLOB '*[^0-9a-f]*'),
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL CHECK (expires_at > created_at),
        PRIMARY KEY (uscc, user)
      ) STRICT;
    `,
  },
  {
    version: 4,
    name: 'publication times and leases',
    // Lists are signed with a time that only grows per target (list_iat, in seconds), so no two
    // different lists share one and a slow publisher can never date its lists before a faster
    // one's; a publication to Cloudflare, which runs for minutes outside any transaction, holds a
    // lease so that two processes never write the same target at once.
    sql: `
      ALTER TABLE publish_targets ADD COLUMN list_iat INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE publish_targets ADD COLUMN lease_until TEXT;
    `,
  },
  {
    version: 5,
    name: 'inspectors',
    // Inspector tokens issued, by inspector id: what listing and revoking need, never the token
    // (shown once, when made). A revocation is final and rows are never deleted, so the number
    // of revoked rows — the revoked-inspectors list's version — only grows. See
    // registry/inspectors.ts.
    sql: `
      CREATE TABLE inspectors (
        id            TEXT PRIMARY KEY CHECK (length(id) = 10 AND id NOT GLOB '*[^0-9A-Z]*'),
        name          TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
        jti           TEXT NOT NULL UNIQUE CHECK (length(jti) = 22 AND jti NOT GLOB '*[^A-Za-z0-9_-]*'),
        issued_at     TEXT NOT NULL,
        expires_at    TEXT NOT NULL CHECK (expires_at > issued_at),
        kid           TEXT NOT NULL REFERENCES keys (kid),
        revoked_at    TEXT,
        revoke_reason TEXT,
        CHECK (revoke_reason IS NULL OR revoked_at IS NOT NULL)
      ) STRICT;
      CREATE TRIGGER inspectors_no_delete BEFORE DELETE ON inspectors
        BEGIN SELECT RAISE(ABORT, 'inspector records are kept: revoke instead'); END;
      CREATE TRIGGER inspectors_token_fixed BEFORE UPDATE OF id, name, jti, issued_at, expires_at, kid ON inspectors
        BEGIN SELECT RAISE(ABORT, 'an inspector token, once issued, does not change'); END;
      CREATE TRIGGER inspectors_revocation_final BEFORE UPDATE OF revoked_at, revoke_reason ON inspectors WHEN OLD.revoked_at IS NOT NULL
        BEGIN SELECT RAISE(ABORT, 'a revocation is final'); END;
    `,
  },
  {
    version: 6,
    name: 'reports',
    // Reports of misuse pulled from an edge's inbox (qdyp reports pull), one row per edge report
    // id, with its photo (the edge deletes its copy once the office acknowledges it) and the
    // office's triage state. A shopper's contact stays as the edge encrypted it (a JWE to the
    // office's contact key). The pull cursor per edge is kept here, written in the same
    // transaction as the page it stands for. See registry/reports.ts.
    sql: `
      CREATE TABLE reports (
        id            INTEGER PRIMARY KEY,
        source_url    TEXT NOT NULL,
        edge_id       TEXT NOT NULL CHECK (length(edge_id) BETWEEN 1 AND 100),
        cursor        INTEGER NOT NULL,
        source        TEXT NOT NULL CHECK (source IN ('inspector', 'shopper')),
        inspector_id  TEXT,
        seal          TEXT,
        serial        INTEGER,
        licence       TEXT,
        outcome       TEXT NOT NULL,
        place         TEXT,
        note          TEXT,
        observed_at   TEXT,
        contact_jwe   TEXT,
        received_at   TEXT NOT NULL,
        count         INTEGER NOT NULL DEFAULT 1 CHECK (count >= 1),
        photo         BLOB,
        photo_type    TEXT CHECK (photo_type IN ('image/jpeg', 'image/png')),
        state         TEXT NOT NULL DEFAULT 'new' CHECK (state IN ('new', 'checking', 'closed')),
        state_note    TEXT,
        state_changed_at TEXT,
        pulled_at     TEXT NOT NULL,
        CHECK ((photo IS NULL) = (photo_type IS NULL)),
        UNIQUE (source_url, edge_id)
      ) STRICT;
      CREATE INDEX reports_licence ON reports (licence, received_at);
      CREATE INDEX reports_received ON reports (received_at);
      CREATE TABLE report_cursors (
        source_url TEXT PRIMARY KEY,
        cursor     INTEGER NOT NULL CHECK (cursor >= 0),
        -- The last cursor the edge confirmed it was told (a crash before the ack re-acks).
        acked      INTEGER NOT NULL DEFAULT 0 CHECK (acked <= cursor),
        updated_at TEXT NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 7,
    name: 'officers and bulk revocations',
    // The authority console's accounts: one row per officer name, holding the scrypt hash of the
    // password (set by the officer at /console/setup) and, until then or after a reset, the
    // SHA-256 of a one-time set-up code (the code itself is shown once and stored nowhere).
    // Rows are never deleted (a disabled officer stays, so the audit trail's actors stay named).
    // A bulk revocation (more licences than one officer may revoke alone) is requested by one
    // officer and carried out only when another confirms it; done or cancelled is final.
    // See registry/officers.ts and registry/bulk.ts.
    sql: `
      CREATE TABLE officers (
        name             TEXT NOT NULL PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 64 AND name = trim(name)),
        role             TEXT NOT NULL CHECK (role IN ('clerk', 'officer', 'admin')),
        password_hash    TEXT CHECK (password_hash IS NULL OR password_hash GLOB 'scrypt$*'),
        setup_code_hash  TEXT CHECK (setup_code_hash IS NULL OR (length(setup_code_hash) = 64 AND setup_code_hash NOT GLOB '*[^0-9a-f]*')),
        setup_expires_at TEXT,
        created_at       TEXT NOT NULL,
        updated_at       TEXT NOT NULL,
        disabled_at      TEXT,
        CHECK ((setup_code_hash IS NULL) = (setup_expires_at IS NULL))
      ) STRICT;
      CREATE TRIGGER officers_no_delete BEFORE DELETE ON officers
        BEGIN SELECT RAISE(ABORT, 'officer records are kept: disable instead'); END;
      CREATE TRIGGER officers_name_fixed BEFORE UPDATE OF name, created_at ON officers
        BEGIN SELECT RAISE(ABORT, 'an officer''s name does not change: add a new officer'); END;

      CREATE TABLE bulk_revocations (
        id           INTEGER PRIMARY KEY,
        requested_by TEXT NOT NULL CHECK (length(requested_by) >= 1),
        requested_at TEXT NOT NULL,
        reason       TEXT NOT NULL CHECK (length(reason) >= 1),
        numbers      TEXT NOT NULL CHECK (json_valid(numbers) AND json_type(numbers) = 'array' AND json_array_length(numbers) >= 1),
        state        TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'cancelled')),
        -- Set when a confirmation starts (the row still pending), or by the cancel.
        decided_by   TEXT,
        decided_at   TEXT,
        outcome      TEXT CHECK (outcome IS NULL OR json_valid(outcome)),
        CHECK ((decided_by IS NULL) = (decided_at IS NULL)),
        CHECK (state = 'pending' OR decided_by IS NOT NULL),
        CHECK (state <> 'done' OR (decided_by <> requested_by AND outcome IS NOT NULL)),
        CHECK (state <> 'pending' OR decided_by IS NULL OR decided_by <> requested_by)
      ) STRICT;
      CREATE INDEX bulk_revocations_state ON bulk_revocations (state, id);
      CREATE TRIGGER bulk_revocations_no_delete BEFORE DELETE ON bulk_revocations
        BEGIN SELECT RAISE(ABORT, 'bulk revocation records are kept'); END;
      CREATE TRIGGER bulk_revocations_request_fixed BEFORE UPDATE OF id, requested_by, requested_at, reason, numbers ON bulk_revocations
        BEGIN SELECT RAISE(ABORT, 'a bulk revocation request, once made, does not change'); END;
      CREATE TRIGGER bulk_revocations_decision_final BEFORE UPDATE ON bulk_revocations WHEN OLD.state <> 'pending'
        BEGIN SELECT RAISE(ABORT, 'a bulk revocation done or cancelled is final'); END;
    `,
  },
  {
    version: 8,
    name: 'console indexes',
    // Counting the reports waiting (the console's dashboard) no longer reads every row, photos
    // included. The licences and audit log get no index for the console's filters: each would
    // cost every row of an import (bar P3: with (region) and (status, tier, sector, region) the
    // import fell from 0.76x to 0.67x raw signing), while the filters they would speed take
    // 0.1-0.25 s at 100,000 licences, which an officer's page can afford.
    // IF NOT EXISTS: an index on a table of an older version may already be there by hand.
    sql: `
      CREATE INDEX IF NOT EXISTS reports_state ON reports (state, received_at);
    `,
  },
  {
    version: 9,
    name: 'transparency log',
    // The public log of every licence, holder and key event (core/log-entry.ts), one row per
    // entry, dense from 0 and appended in the same transaction as the change. No insert trigger
    // checks density (the appenders number entries from one logSize per transaction): each
    // would cost every row of an import (bar P3). A licence remembers its latest licence.*
    // entry (the `log` claim of its published entry). Keys get a role: one active issuing key
    // and one active log key at a time. log_tiles is the office's copy of the hash tiles it has
    // published, and each target remembers the log size it last published.
    // A registry that predates the log starts it with one licence.existing entry per licence.
    sql: `
      CREATE TABLE log_entries (
        idx   INTEGER PRIMARY KEY CHECK (idx >= 0),
        entry TEXT NOT NULL
      ) STRICT;
      CREATE TRIGGER log_entries_no_update BEFORE UPDATE ON log_entries
        BEGIN SELECT RAISE(ABORT, 'the transparency log is append-only'); END;
      CREATE TRIGGER log_entries_no_delete BEFORE DELETE ON log_entries
        BEGIN SELECT RAISE(ABORT, 'the transparency log is append-only'); END;

      ALTER TABLE licences ADD COLUMN log_index INTEGER CHECK (log_index >= 0);

      ALTER TABLE keys ADD COLUMN role TEXT NOT NULL DEFAULT 'issue' CHECK (role IN ('issue', 'log'));
      DROP INDEX keys_one_active;
      CREATE UNIQUE INDEX keys_one_active ON keys (role) WHERE status = 'active';

      CREATE TABLE log_tiles (
        level  INTEGER NOT NULL CHECK (level >= 0),
        idx    INTEGER NOT NULL CHECK (idx >= 0),
        width  INTEGER NOT NULL CHECK (width BETWEEN 1 AND 256),
        hashes BLOB NOT NULL,
        PRIMARY KEY (level, idx, width)
      ) STRICT, WITHOUT ROWID;

      ALTER TABLE publish_targets ADD COLUMN log_size INTEGER NOT NULL DEFAULT 0;
    `,
    after: logExistingLicences,
  },
];

interface ExistingLicenceRow {
  serial: number;
  number: string;
  revision: number;
  seal_kid: string;
  holder_name: string;
  holder_uscc: string;
  holder_address: string | null;
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
}

/**
 * One licence.existing entry per licence, in serial order, each licence pointing at its own. It
 * reads the tables as version 9 has them, not through licences.ts's reader, which follows the
 * newest schema: a released migration must keep doing what it did.
 */
function logExistingLicences(db: Db, now: Date): void {
  const time = now.toISOString();
  const rows = db
    .prepare(
      `SELECT l.serial, l.number, l.revision, l.seal_kid, h.name AS holder_name, h.uscc AS holder_uscc, h.address AS holder_address,
         l.tier, l.sector, l.chain, l.region, l.products, l.trademarks, p.valid_from, p.valid_until, l.status, l.status_reason, l.status_changed_at
       FROM licences l
       JOIN holders h ON h.uscc = l.holder_uscc
       JOIN validity_periods p ON p.id = (SELECT max(id) FROM validity_periods WHERE serial = l.serial)
       ORDER BY l.serial`,
    )
    .iterate() as IterableIterator<ExistingLicenceRow>;
  const append = db.prepare('INSERT INTO log_entries (idx, entry) VALUES (?, ?)');
  const point = db.prepare('UPDATE licences SET log_index = ? WHERE serial = ?');
  const entries: { serial: number; text: string }[] = [];
  for (const r of rows) {
    const text = encodeLogEntry({
      v: 1,
      event: 'licence.existing',
      time,
      licence: {
        number: r.number,
        serial: r.serial,
        rev: r.revision,
        sealKid: r.seal_kid,
        holder: { name: r.holder_name, uscc: r.holder_uscc, address: r.holder_address },
        tier: r.tier,
        sector: r.sector,
        chain: r.chain,
        region: r.region,
        products: JSON.parse(r.products) as string[],
        trademarks: JSON.parse(r.trademarks) as string[],
        validFrom: r.valid_from,
        validUntil: r.valid_until,
        status: r.status,
        statusReason: r.status_reason,
        statusChangedAt: r.status_changed_at,
      },
    });
    entries.push({ serial: r.serial, text });
  }
  for (const [idx, { serial, text }] of entries.entries()) {
    append.run(idx, text);
    point.run(idx, serial);
  }
}

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

export function schemaVersion(db: Db): number {
  const exists = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`).get();
  if (!exists) return 0;
  const row = db.prepare('SELECT max(version) AS version FROM schema_migrations').get() as { version: number | null };
  return row.version ?? 0;
}

/** Brings the schema up to date. Returns the versions applied. */
export function migrate(db: Db, now: Date): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TEXT NOT NULL
  ) STRICT`);
  const current = schemaVersion(db);
  const applied: number[] = [];
  for (const m of MIGRATIONS) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      m.after?.(db, now);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, now.toISOString());
    })();
    applied.push(m.version);
  }
  return applied;
}
