// The inspector's reports, made on the device (offline too), queued, and sent when the network
// returns: each carries an idempotency key made when it was queued, so a report sent twice (a
// lost answer, two tabs, a retry) is stored once at the edge. A report the edge refuses for
// good (a bad field, a revoked token) is kept and shown as refused, never silently dropped.

export interface QueuedReport {
  /** The idempotency key, also the queue's key. */
  key: string;
  /** The JSON part: seal, outcome, place, note, observedAt, idempotencyKey. */
  report: { seal: string | null; outcome: string; place: string | null; note: string | null; observedAt: string; idempotencyKey: string };
  photo: Blob | null;
  /** Device time (ms) it was queued. */
  queuedAt: number;
  state: 'queued' | 'sent' | 'refused';
  /** The edge's report id, once sent. */
  id?: string;
  /** Why the edge refused it, or why the last attempt failed (HTTP status or "offline"). */
  problem?: string;
}

export interface OutboxStore {
  all(): Promise<QueuedReport[]>;
  save(report: QueuedReport): Promise<void>;
}

/** A random idempotency key (128 bits, base64url): ≤ 64 characters of [A-Za-z0-9_-]. */
export function newIdempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Statuses after which sending again cannot help: the report is refused for good. */
const FINAL = new Set([400, 401, 403, 413, 415]);

/**
 * Sends every queued report, oldest first; stops at the first that cannot be sent now (offline,
 * 429, 503) so order is kept. Returns how many were sent.
 */
export async function sendQueued(store: OutboxStore, token: string, fetcher: (path: string, init: RequestInit) => Promise<Response>): Promise<{ sent: number; waiting: number }> {
  const queued = (await store.all()).filter((r) => r.state === 'queued').sort((a, b) => a.queuedAt - b.queuedAt);
  let sent = 0;
  for (const item of queued) {
    let response: Response;
    try {
      const body = new FormData();
      body.append('report', new Blob([JSON.stringify(item.report)], { type: 'application/json' }));
      if (item.photo) body.append('photo', item.photo, item.photo.type === 'image/png' ? 'photo.png' : 'photo.jpg');
      response = await fetcher('/api/v1/reports', { method: 'POST', headers: { authorization: `Bearer ${token}` }, body, cache: 'no-store', credentials: 'omit' });
    } catch {
      await store.save({ ...item, problem: 'offline' });
      return { sent, waiting: queued.length - sent };
    }
    if (response.status === 200 || response.status === 201) {
      const id = ((await response.json().catch(() => ({}))) as { id?: unknown }).id;
      await store.save({ ...item, state: 'sent', id: typeof id === 'string' ? id : undefined, problem: undefined });
      sent++;
      continue;
    }
    const message = ((await response.json().catch(() => ({}))) as { message?: unknown }).message;
    const problem = `HTTP ${response.status}${typeof message === 'string' ? `: ${message.slice(0, 200)}` : ''}`;
    if (FINAL.has(response.status)) {
      await store.save({ ...item, state: 'refused', problem });
      continue;
    }
    await store.save({ ...item, problem });
    return { sent, waiting: queued.length - sent };
  }
  return { sent, waiting: 0 };
}

/** Longest side of a photo queued with a report (the edge takes at most 5 MB). */
const REPORT_PHOTO_SIDE = 1600;

/** A phone photo scaled down and re-encoded as JPEG before it is queued. */
export async function reportPhoto(file: Blob): Promise<Blob> {
  const bitmap = await createImageBitmap(file);
  const scale = Math.min(1, REPORT_PHOTO_SIDE / Math.max(bitmap.width, bitmap.height));
  const w = Math.max(1, Math.round(bitmap.width * scale));
  const h = Math.max(1, Math.round(bitmap.height * scale));
  const canvas = document.createElement('canvas');
  canvas.width = w;
  canvas.height = h;
  canvas.getContext('2d')!.drawImage(bitmap, 0, 0, w, h);
  bitmap.close();
  return new Promise((resolve, reject) => canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('encode'))), 'image/jpeg', 0.82));
}
