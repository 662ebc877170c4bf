// A ReportInbox in memory, for tests of the routes that fill it: the contract of
// src/web/reports/inbox.ts (idempotent inspector retries, shopper repeats merged into a count),
// with a switch that makes storage fail.
import { InboxUnavailable, type AddResult, type ReportInbox, type ReportInput, type ReportRecord } from '../../src/web/reports/inbox.ts';

export class MemoryInbox implements ReportInbox {
  readonly records: ReportRecord[] = [];
  /** Every input as it was handed over, to prove what the edge was given to keep. */
  readonly inputs: ReportInput[] = [];
  private readonly photos = new Map<string, { bytes: Uint8Array; type: string }>();
  private readonly idempotency = new Map<string, string>();
  private readonly nonces = new Map<string, number>();
  private acked = 0;
  private nextCursor = 1;
  /** Set to make every add fail as storage would. */
  failing = false;

  async add(report: ReportInput): Promise<AddResult> {
    if (this.failing) throw new InboxUnavailable('storage is down');
    this.inputs.push(structuredClone(report));
    if (report.source === 'inspector' && report.inspectorId && report.idempotencyKey) {
      const first = this.idempotency.get(`${report.inspectorId}\n${report.idempotencyKey}`);
      if (first) return { id: first, created: false };
    }
    if (report.source === 'shopper' && report.seal && !report.photo && !report.contactJwe && !report.note) {
      const waiting = this.records.find((r) => r.source === 'shopper' && r.seal === report.seal && r.outcome === report.outcome && r.cursor > this.acked && !r.contactJwe && !r.note && !r.hasPhoto);
      if (waiting) {
        waiting.count += 1;
        waiting.cursor = this.nextCursor++;
        return { id: waiting.id, created: false };
      }
    }
    const id = `r${this.records.length + 1}`;
    this.records.push({
      id,
      cursor: this.nextCursor++,
      source: report.source,
      inspectorId: report.inspectorId,
      seal: report.seal,
      serial: report.serial,
      outcome: report.outcome,
      place: report.place,
      note: report.note,
      observedAt: report.observedAt,
      contactJwe: report.contactJwe,
      receivedAt: report.receivedAt,
      count: 1,
      hasPhoto: report.photo !== null,
    });
    if (report.photo) this.photos.set(id, { bytes: report.photo.bytes.slice(), type: report.photo.type });
    if (report.source === 'inspector' && report.inspectorId && report.idempotencyKey) this.idempotency.set(`${report.inspectorId}\n${report.idempotencyKey}`, id);
    return { id, created: true };
  }

  async after(after: number, limit: number): Promise<ReportRecord[]> {
    return this.records.filter((r) => r.cursor > after).sort((a, b) => a.cursor - b.cursor).slice(0, limit).map((r) => ({ ...r }));
  }

  async photo(id: string): Promise<{ bytes: Uint8Array; type: string } | null> {
    return this.photos.get(id) ?? null;
  }

  async ack(cursor: number, now: Date, retentionDays: number): Promise<void> {
    this.acked = Math.max(this.acked, cursor);
    for (const r of this.records) if (r.cursor <= cursor) this.photos.delete(r.id);
    const oldest = now.getTime() - retentionDays * 86_400_000;
    for (let i = this.records.length - 1; i >= 0; i--) {
      const r = this.records[i]!;
      if (r.cursor <= cursor && Date.parse(r.receivedAt) < oldest) this.records.splice(i, 1);
    }
  }

  async useNonce(nonce: string, until: Date): Promise<boolean> {
    if (this.nonces.has(nonce)) return false;
    this.nonces.set(nonce, until.getTime());
    return true;
  }
}
