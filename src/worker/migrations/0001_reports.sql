-- The reports inbox (src/web/reports/inbox.ts): applied by `wrangler d1 migrations apply
-- qdyp-reports` on Workers (D1, binding QDYP_REPORTS) and read by src/node/report-inbox.ts for
-- the Node verifier's own SQLite file. No IP address, no cookie; a shopper's contact only as a
-- JWE to the office's key.

-- One row per report. `cursor` is the office's pull position: it comes from meta('cursor'),
-- which only grows (rows deleted by retention never give theirs back), and a merged repeat
-- takes a new one.
CREATE TABLE reports (
  id TEXT PRIMARY KEY,
  cursor INTEGER NOT NULL UNIQUE,
  source TEXT NOT NULL CHECK (source IN ('inspector', 'shopper')),
  inspector_id TEXT,
  token_jti TEXT,
  seal TEXT,
  serial INTEGER,
  outcome TEXT NOT NULL,
  place TEXT,
  note TEXT,
  observed_at TEXT,
  contact_jwe TEXT,
  idempotency_key TEXT,
  received_at TEXT NOT NULL,
  count INTEGER NOT NULL DEFAULT 1,
  -- The photo's key in the photo store (R2 `pending/{id}`, or a file), until acknowledged.
  photo_key TEXT,
  photo_type TEXT
);

CREATE UNIQUE INDEX reports_idempotency ON reports (inspector_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX reports_merge ON reports (seal, outcome) WHERE source = 'shopper';
CREATE INDEX reports_photo ON reports (photo_key) WHERE photo_key IS NOT NULL;

-- 'cursor': the last cursor handed out; 'acked': the highest cursor the office has acknowledged.
CREATE TABLE meta (
  name TEXT PRIMARY KEY,
  value INTEGER NOT NULL
);
INSERT INTO meta (name, value) VALUES ('cursor', 0), ('acked', 0);

-- Office request nonces, each used once, remembered until `until` (Unix seconds).
CREATE TABLE office_nonces (
  nonce TEXT PRIMARY KEY,
  until INTEGER NOT NULL
);
