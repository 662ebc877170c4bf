// The reports inbox: the one thing the edge holds of its own (DESIGN §2). Inspectors' reports
// (POST /api/v1/reports, Bearer inspector token) and shoppers' (POST /report, the form) land
// here; the office pulls them into the registry (GET /api/v1/reports?after=CURSOR, then POST
// /api/v1/reports/ack) and the edge forgets photos the office has acknowledged. Two stores
// implement it: D1 + R2 on Workers (src/worker/report-inbox.ts), a SQLite file and a photo
// folder in the verifier's own data directory on Node (src/node/report-inbox.ts) — never the
// registry.

/** What the edge stores of a report; no IP address, no cookie, the contact only encrypted. */
export interface ReportInput {
  source: 'inspector' | 'shopper';
  /** The inspector token's `sub` (inspector id) and `jti`, for an inspector's report. */
  inspectorId: string | null;
  tokenJti: string | null;
  /** The seal text (not the URL), or null for a mark seen with no QR at all. */
  seal: string | null;
  /** The seal's serial where it parsed, for filtering by licence. */
  serial: number | null;
  /** An outcome code the inspector saw, or `no_seal`; a shopper's: `not_listed` | `looks_fake` | `other` | `no_seal`. */
  outcome: string;
  place: string | null;
  note: string | null;
  /** ISO-8601 instant, as given by the reporter (inspector) or null. */
  observedAt: string | null;
  /** A shopper's contact, encrypted at the edge to the office's public key (compact JWE). */
  contactJwe: string | null;
  /** An inspector's retries with the same key return the same report. */
  idempotencyKey: string | null;
  photo: { bytes: Uint8Array; type: 'image/jpeg' | 'image/png' } | null;
  /** The edge's clock when it arrived (ISO-8601 UTC). */
  receivedAt: string;
}

/** A stored report as the office pulls it (the photo fetched separately, by report id). */
export interface ReportRecord {
  id: string;
  /** Increasing with every new report (and every merged repeat): the office's pull cursor. */
  cursor: number;
  source: 'inspector' | 'shopper';
  inspectorId: string | null;
  seal: string | null;
  serial: number | null;
  outcome: string;
  place: string | null;
  note: string | null;
  observedAt: string | null;
  contactJwe: string | null;
  receivedAt: string;
  /** Shoppers' reports about one seal and one complaint are merged into a count, never refused. */
  count: number;
  hasPhoto: boolean;
}

export type AddResult = { id: string; created: boolean };

export interface ReportInbox {
  /**
   * Stores a report whole or not at all (the photo first under a pending key, then the row that
   * names it). An inspector's repeat with the same (inspectorId, idempotencyKey) returns the
   * first report's id with created=false and stores nothing. A shopper's report without photo,
   * contact or note, about a seal and outcome already waiting unacknowledged, raises that
   * report's count instead. Throws InboxUnavailable when storage fails (nothing kept half-way).
   */
  add(report: ReportInput): Promise<AddResult>;
  /** Reports with cursor > `after`, oldest first, at most `limit`. */
  after(after: number, limit: number): Promise<ReportRecord[]>;
  /** A report's photo, if it has one and it has not been acknowledged yet. */
  photo(id: string): Promise<{ bytes: Uint8Array; type: string } | null>;
  /**
   * The office has stored every report up to `cursor`: their photos are deleted at the edge;
   * acknowledged rows older than `retentionDays` are deleted. Photos no row names (a crash
   * between the two writes) are swept too.
   */
  ack(cursor: number, now: Date, retentionDays: number): Promise<void>;
  /** Remembers a nonce of an office request until `until`; false if it was already seen. */
  useNonce(nonce: string, until: Date): Promise<boolean>;
}

export class InboxUnavailable extends Error {
  override readonly name = 'InboxUnavailable';
}
