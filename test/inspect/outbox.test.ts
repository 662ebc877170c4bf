// The inspector's outbox without a browser: queued reports are sent oldest first, each once (its
// idempotency key goes with it), kept when the network or the edge fails, and kept as refused
// when the edge says no for good.
import { describe, expect, it } from 'vitest';
import { newIdempotencyKey, sendQueued, type OutboxStore, type QueuedReport } from '../../src/inspect/outbox.ts';

function store(items: QueuedReport[]): OutboxStore & { items: Map<string, QueuedReport> } {
  const map = new Map(items.map((i) => [i.key, i]));
  return { items: map, all: async () => [...map.values()], save: async (r) => void map.set(r.key, r) };
}

const queued = (n: number, photo: Blob | null = null): QueuedReport => {
  const key = newIdempotencyKey();
  return { key, report: { seal: `SEAL${n}`, outcome: 'bad_signature', place: '即墨路市场', note: null, observedAt: '2026-12-01T02:00:00.000Z', idempotencyKey: key }, photo, queuedAt: n, state: 'queued' };
};

describe('the outbox', () => {
  it('makes idempotency keys the edge takes: 22 characters of [A-Za-z0-9_-], never the same', () => {
    const keys = new Set(Array.from({ length: 200 }, newIdempotencyKey));
    expect(keys.size).toBe(200);
    for (const k of keys) expect(k).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('sends oldest first as multipart with the token; sent ones are not sent again', async () => {
    const s = store([queued(2), queued(1, new Blob([new Uint8Array([0xff, 0xd8, 0xff])], { type: 'image/jpeg' }))]);
    const seen: { auth: string | null; report: unknown; photo: boolean }[] = [];
    const fetcher = async (path: string, init: RequestInit) => {
      expect(path).toBe('/api/v1/reports');
      const form = init.body as FormData;
      seen.push({ auth: new Headers(init.headers).get('authorization'), report: JSON.parse(await (form.get('report') as Blob).text()), photo: form.has('photo') });
      return Response.json({ id: `r${seen.length}` }, { status: 201 });
    };
    expect(await sendQueued(s, 'TOKEN', fetcher)).toEqual({ sent: 2, waiting: 0 });
    expect(seen.map((x) => [x.auth, (x.report as { seal: string }).seal, x.photo])).toEqual([
      ['Bearer TOKEN', 'SEAL1', true],
      ['Bearer TOKEN', 'SEAL2', false],
    ]);
    expect((seen[0]!.report as { idempotencyKey: string }).idempotencyKey).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect([...s.items.values()].map((i) => [i.state, i.id])).toEqual([['sent', 'r2'], ['sent', 'r1']]);
    expect(await sendQueued(s, 'TOKEN', fetcher)).toEqual({ sent: 0, waiting: 0 });
    expect(seen).toHaveLength(2);
  });

  it('offline or 503: kept queued, order kept; 403: refused for good, the rest still sent', async () => {
    const s = store([queued(1), queued(2), queued(3)]);
    expect(await sendQueued(s, 'T', async () => Promise.reject(new TypeError('Failed to fetch')))).toEqual({ sent: 0, waiting: 3 });
    expect([...s.items.values()].map((i) => [i.state, i.problem])).toEqual([['queued', 'offline'], ['queued', undefined], ['queued', undefined]]);
    let calls = 0;
    expect(await sendQueued(s, 'T', async () => (calls++, new Response('{}', { status: 503 })))).toEqual({ sent: 0, waiting: 3 });
    expect(calls).toBe(1);
    const answers = [Response.json({ error: 'revoked', message: 'token revoked' }, { status: 403 }), Response.json({ id: 'a' }, { status: 200 }), Response.json({ id: 'b' }, { status: 201 })];
    expect(await sendQueued(s, 'T', async () => answers.shift()!)).toEqual({ sent: 2, waiting: 0 });
    const byQueued = [...s.items.values()].sort((a, b) => a.queuedAt - b.queuedAt);
    expect(byQueued.map((i) => i.state)).toEqual(['refused', 'sent', 'sent']);
    expect(byQueued[0]!.problem).toBe('HTTP 403: token revoked');
  });
});
