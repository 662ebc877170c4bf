// The reports inbox on Workers: rows in D1 (QDYP_REPORTS, schema by `wrangler d1 migrations`
// from migrations/), photos in R2 (QDYP_PHOTOS). D1 and R2 share no transaction, so every add
// writes in one fixed order — the photo under `pending/{id}`, then (in one D1 batch, which is a
// transaction) the cursor and the row that names it — and undoes the photo when the row fails.
// A crash between the two leaves only a photo no row names; ack() sweeps those (after a grace
// period, so an add still between its writes is not robbed).

import type { D1Database, R2Bucket } from '@cloudflare/workers-types';
import { forgetBefore, InboxUnavailable, insertParams, mergeable, newReportId, ORPHAN_GRACE_MS, retentionCutoff, SQL, toRecord, type AddResult, type ReportInbox, type ReportInput, type ReportRow } from '../web/index.ts';

export const PHOTO_PREFIX = 'pending/';

export function workersInbox(db: D1Database, photos: R2Bucket): ReportInbox {
  const guard = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      if (error instanceof InboxUnavailable) throw error;
      throw new InboxUnavailable(`the reports store failed (${error instanceof Error ? error.name : 'error'})`);
    }
  };

  async function sweep(now: Date): Promise<void> {
    let cursor: string | undefined;
    do {
      const page = await photos.list({ prefix: PHOTO_PREFIX, cursor, limit: 1000 });
      for (const object of page.objects) {
        if (now.getTime() - object.uploaded.getTime() < ORPHAN_GRACE_MS) continue;
        const named = await db.prepare(SQL.named).bind(object.key).first();
        if (!named) await photos.delete(object.key);
      }
      cursor = page.truncated ? page.cursor : undefined;
    } while (cursor);
  }

  return {
    add: (report: ReportInput): Promise<AddResult> =>
      guard(async () => {
        if (report.inspectorId !== null && report.idempotencyKey !== null) {
          const first = await db.prepare(SQL.findRetry).bind(report.inspectorId, report.idempotencyKey).first<{ id: string }>();
          if (first) return { id: first.id, created: false };
        }
        if (mergeable(report)) {
          const earlier = await db.prepare(SQL.findMerge).bind(report.seal, report.outcome).first<{ id: string }>();
          if (earlier) {
            await db.batch([db.prepare(SQL.nextCursor), db.prepare(SQL.merge).bind(earlier.id)]);
            return { id: earlier.id, created: false };
          }
        }
        const id = newReportId();
        const photoKey = report.photo ? `${PHOTO_PREFIX}${id}` : null;
        if (photoKey) await photos.put(photoKey, report.photo!.bytes, { httpMetadata: { contentType: report.photo!.type } });
        try {
          await db.batch([db.prepare(SQL.nextCursor), db.prepare(SQL.insert).bind(...insertParams(id, report, photoKey))]);
        } catch (error) {
          if (photoKey) await photos.delete(photoKey).catch(() => {});
          // Two retries racing: the other one's row stands.
          if (report.inspectorId !== null && report.idempotencyKey !== null) {
            const first = await db.prepare(SQL.findRetry).bind(report.inspectorId, report.idempotencyKey).first<{ id: string }>().catch(() => null);
            if (first) return { id: first.id, created: false };
          }
          throw error;
        }
        return { id, created: true };
      }),

    after: (after, limit) =>
      guard(async () => {
        const { results } = await db.prepare(SQL.after).bind(after, limit).all<ReportRow>();
        return results.map(toRecord);
      }),

    photo: (id) =>
      guard(async () => {
        const row = await db.prepare(SQL.photo).bind(id).first<{ photo_key: string; photo_type: string }>();
        if (!row) return null;
        const object = await photos.get(row.photo_key);
        if (!object) return null;
        return { bytes: new Uint8Array(await object.arrayBuffer()), type: row.photo_type };
      }),

    ack: (cursor, now, retentionDays) =>
      guard(async () => {
        const { results } = await db.prepare(SQL.ackedPhotos).bind(cursor).all<{ photo_key: string }>();
        // Rows first: a crash before the deletes leaves only orphans, which the sweep takes.
        await db.batch([db.prepare(SQL.clearPhotos).bind(cursor), db.prepare(SQL.ack).bind(cursor), db.prepare(SQL.retention).bind(retentionCutoff(now, retentionDays))]);
        const keys = results.map((r) => r.photo_key);
        for (let i = 0; i < keys.length; i += 1000) await photos.delete(keys.slice(i, i + 1000));
        await sweep(now);
      }),

    useNonce: (nonce, until) =>
      guard(async () => {
        const untilS = Math.ceil(until.getTime() / 1000);
        const [, used] = await db.batch([db.prepare(SQL.forgetNonces).bind(forgetBefore(untilS)), db.prepare(SQL.useNonce).bind(nonce, untilS)]);
        return (used!.meta.changes ?? 0) === 1;
      }),
  };
}
