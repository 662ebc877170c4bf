// The office's side of reports, through the CLI: `qdyp report` files from a laptop, `qdyp
// reports pull` brings reports and photos into the registry (idempotent, resumable, all or
// nothing per page), list/show/triage read and work them, `keys contact-key` makes the key
// shoppers' contacts are encrypted to.
//
// Most cases use a small node:http inbox in this file that implements the three office
// endpoints and POST /api/v1/reports as specified (the office JWS verified with the core's
// verifyOfficeRequest under the registry's published key list, nonces used once, photos
// deleted on ack), with switches to make it fail at a chosen request; the last runs the same
// loop against the real Node inbox (startServer with a data directory).
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import QRCode from 'qrcode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encryptContact, officeNonce, rootTrust, sealFromInput, signOfficeRequest, verifyOfficeRequest, type TrustedKeyList } from '../../../src/core/index.ts';
import type { ReportRecord } from '../../../src/web/reports/inbox.ts';
import { trustFromEdge } from '../../../src/node/edge-store.ts';
import { loadSigner } from '../../../src/node/key-files.ts';
import { openRegistry } from '../../../src/node/registry/db.ts';
import { activeKey } from '../../../src/node/registry/keys.ts';
import { startServer } from '../../../src/node/server.ts';
import { cliRegistry, dumpTables, NOW, tempDir, USCC } from '../support.ts';

type Reg = Awaited<ReturnType<typeof cliRegistry>>;

interface Stored {
  record: ReportRecord;
  photo: { bytes: Uint8Array; type: string } | null;
  key: string | null;
}

/** The inbox; `fail` makes the request it matches answer 503 (once, unless `sticky`). */
class FakeEdge {
  reports: Stored[] = [];
  cursor = 0;
  acked = 0;
  seen = new Set<string>();
  requests: string[] = [];
  fail: { match: RegExp; sticky?: boolean } | null = null;
  answer: { status: number; body: unknown; headers?: Record<string, string> } | null = null;
  url = '';
  private server: http.Server | null = null;

  constructor(
    private readonly keyList: TrustedKeyList,
    private readonly token: string,
  ) {}

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.handle(req, Buffer.concat(chunks)).then(
          ({ status, body, headers }) => {
            const isBytes = body instanceof Uint8Array;
            res.writeHead(status, { 'content-type': isBytes ? 'application/octet-stream' : 'application/json', ...headers }).end(isBytes ? body : JSON.stringify(body));
          },
          (error: Error) => res.writeHead(500).end(error.message),
        );
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server?.closeAllConnections();
      this.server?.close(() => resolve());
    });
  }

  add(fields: Partial<ReportRecord>, photo: Stored['photo'] = null, key: string | null = null): ReportRecord {
    const record: ReportRecord = {
      id: `r${this.reports.length + 1}`,
      cursor: ++this.cursor,
      source: 'inspector',
      inspectorId: null,
      seal: null,
      serial: null,
      outcome: 'no_seal',
      place: null,
      note: null,
      observedAt: null,
      contactJwe: null,
      receivedAt: new Date(Date.parse(NOW) + this.cursor * 1000).toISOString(),
      count: 1,
      hasPhoto: photo !== null,
      ...fields,
    };
    this.reports.push({ record, photo, key });
    return record;
  }

  private async office(req: http.IncomingMessage): Promise<boolean> {
    const auth = req.headers.authorization ?? '';
    if (!auth.startsWith('QDYP-Office ')) return false;
    const result = await verifyOfficeRequest(auth.slice(12), { keyList: this.keyList }, { method: req.method!, path: req.url!, time: new Date(NOW) });
    if (!result.ok || this.seen.has(result.nonce)) return false;
    this.seen.add(result.nonce);
    return true;
  }

  private async handle(req: http.IncomingMessage, body: Buffer): Promise<{ status: number; body: unknown; headers?: Record<string, string> }> {
    const url = new URL(req.url!, 'http://edge');
    this.requests.push(`${req.method} ${url.pathname}${url.search}`);
    if (this.fail?.match.test(`${req.method} ${url.pathname}`)) {
      if (!this.fail.sticky) this.fail = null;
      return { status: 503, body: { error: 'unavailable', message: 'storage is down' }, headers: { 'retry-after': '30' } };
    }
    if (req.method === 'POST' && url.pathname === '/api/v1/reports') {
      if (this.answer) return this.answer;
      if (req.headers.authorization !== `Bearer ${this.token}`) return { status: 401, body: { error: 'unauthorized', message: 'no valid inspector token' } };
      let fields: Record<string, unknown>;
      let photo: Stored['photo'] = null;
      const type = req.headers['content-type'] ?? '';
      if (type.startsWith('multipart/form-data')) {
        const form = await new Response(new Uint8Array(body), { headers: { 'content-type': type } }).formData();
        fields = JSON.parse(await (form.get('report') as Blob).text());
        const file = form.get('photo') as Blob | null;
        if (file) photo = { bytes: new Uint8Array(await file.arrayBuffer()), type: file.type };
      } else fields = JSON.parse(body.toString('utf8'));
      const key = typeof fields.idempotencyKey === 'string' ? fields.idempotencyKey : null;
      const again = key && this.reports.find((r) => r.key === key);
      if (again) return { status: 200, body: { id: again.record.id } };
      const record = this.add(
        {
          inspectorId: 'INSPECTOR1',
          seal: (fields.seal as string) ?? null,
          outcome: fields.outcome as string,
          place: (fields.place as string) ?? null,
          note: (fields.note as string) ?? null,
          observedAt: (fields.observedAt as string) ?? null,
        },
        photo,
        key,
      );
      return { status: 201, body: { id: record.id } };
    }
    if (!(await this.office(req))) return { status: 401, body: { error: 'unauthorized', message: 'not the office' } };
    if (req.method === 'GET' && url.pathname === '/api/v1/reports') {
      const after = Number(url.searchParams.get('after'));
      const limit = Number(url.searchParams.get('limit'));
      return { status: 200, body: { reports: this.reports.map((r) => r.record).filter((r) => r.cursor > after).sort((a, b) => a.cursor - b.cursor).slice(0, limit) } };
    }
    const photo = /^\/api\/v1\/reports\/([^/]+)\/photo$/.exec(url.pathname);
    if (req.method === 'GET' && photo) {
      const found = this.reports.find((r) => r.record.id === photo[1]);
      return found?.photo ? { status: 200, body: found.photo.bytes } : { status: 404, body: { error: 'not_found', message: 'no photo' } };
    }
    if (req.method === 'POST' && url.pathname === '/api/v1/reports/ack') {
      const { cursor } = JSON.parse(body.toString('utf8')) as { cursor: number };
      this.acked = Math.max(this.acked, cursor);
      for (const r of this.reports) if (r.record.cursor <= cursor) r.photo = null;
      return { status: 200, body: {} };
    }
    return { status: 404, body: { error: 'not_found', message: 'no such endpoint' } };
  }
}

let reg: Reg;
let edge: FakeEdge;
let sealUrl: string;
let licenceNumber: string;
let tokenFile: string;
let photoPng: Uint8Array;
const edges: FakeEdge[] = [];

async function newEdge(): Promise<FakeEdge> {
  const root = await rootTrust(JSON.parse(fs.readFileSync(path.join(reg.dir, 'root.public.jwk'), 'utf8')));
  const trust = await trustFromEdge(path.join(reg.dir, 'edge'), { root, clock: () => new Date(NOW) });
  const e = new FakeEdge(trust.keyList!, fs.readFileSync(tokenFile, 'utf8').trim());
  await e.start();
  edges.push(e);
  return e;
}

const reportRows = (r: Reg) => (dumpTables(r.db) as Record<string, { rows: Record<string, unknown>[] }>).reports!.rows;

beforeAll(async () => {
  reg = await cliRegistry();
  expect((await reg.run(['holder', 'add', '--uscc', USCC.a, '--name', '青岛崂山茶业有限公司', '--region', '370212'])).code).toBe(0);
  const issued = await reg.run(['licence', 'issue', '--holder', USCC.a, '--tier', 'product', '--sector', 'agriculture', '--product', '崂山绿茶', '--valid-days', '365', '--json']);
  expect(issued.code, issued.stderr).toBe(0);
  ({ sealUrl, number: licenceNumber } = issued.json());
  tokenFile = path.join(reg.dir, 'inspector.token');
  expect((await reg.run(['inspector', 'add', '王海', '--out', tokenFile])).code).toBe(0);
  expect((await reg.run(['publish'])).code).toBe(0);
  photoPng = new Uint8Array(await QRCode.toBuffer('photo of a counterfeit label', { type: 'png' }));
  edge = await newEdge();
});

afterAll(async () => {
  for (const e of edges) await e.close();
});

describe('qdyp report and qdyp reports pull', () => {
  it('files with a photo; pull brings report and photo in; list and show; the edge photo is gone after ack', async () => {
    const photoFile = path.join(reg.dir, 'label.png');
    fs.writeFileSync(photoFile, photoPng);
    const filed = await reg.run(['report', sealUrl, '--token', tokenFile, '--outcome', 'revoked', '--place', '即墨路小商品市场 3 号摊', '--note', '标签印刷模糊', '--photo', photoFile, '--observed-at', '2026-11-27T03:30:00Z', '--to', edge.url]);
    expect(filed.code, filed.stderr).toBe(0);
    expect(filed.stdout).toBe('Report filed: r1\n');
    const key = /idempotency key ([A-Za-z0-9_-]+)/.exec(filed.stderr)![1]!;
    // A retry with the printed key files nothing new.
    const retried = await reg.run(['report', sealUrl, '--token', tokenFile, '--outcome', 'revoked', '--photo', photoFile, '--to', edge.url, '--idempotency-key', key, '--json']);
    expect(retried.code, retried.stderr).toBe(0);
    expect(retried.json()).toMatchObject({ id: 'r1', created: false });
    expect(edge.reports).toHaveLength(1);

    const pulled = await reg.run(['reports', 'pull', '--from', edge.url, '--json'], { QDYP_ACTOR: 'officer-li' });
    expect(pulled.code, pulled.stderr).toBe(0);
    expect(pulled.json()).toMatchObject({ stored: [1], updated: [], cursor: 1 });
    expect(edge.acked).toBe(1);

    const listed = await reg.run(['reports', 'list', '--licence', licenceNumber, '--json']);
    expect(listed.json()).toEqual([
      expect.objectContaining({ id: 1, edgeId: 'r1', licence: licenceNumber, seal: sealFromInput(sealUrl), outcome: 'revoked', place: '即墨路小商品市场 3 号摊', note: '标签印刷模糊', observedAt: '2026-11-27T03:30:00.000Z', state: 'new', hasPhoto: true, hasContact: false, photoType: 'image/png' }),
    ]);
    expect(listed.json()[0]).not.toHaveProperty('contactJwe');
    const human = await reg.run(['reports', 'list']);
    expect(human.stdout).toContain(`${licenceNumber}  revoked  photo`);

    const out = path.join(reg.dir, 'got.png');
    const shown = await reg.run(['reports', 'show', '1', '--photo-out', out]);
    expect(shown.code, shown.stderr).toBe(0);
    expect(new Uint8Array(fs.readFileSync(out))).toEqual(photoPng);
    expect((fs.statSync(out).mode & 0o777).toString(8)).toBe('600');

    // The edge has forgotten the photo.
    expect(edge.reports[0]!.photo).toBeNull();
    const audit = await reg.run(['audit', '--json']);
    expect(audit.json()).toEqual(expect.arrayContaining([expect.objectContaining({ action: 'report.pull', subject: 'report:1', actor: 'officer-li' })]));
  });

  it('pull twice stores once; a merged repeat raises the count', async () => {
    const before = reportRows(reg);
    const again = await reg.run(['reports', 'pull', '--from', edge.url, '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.json()).toMatchObject({ stored: [], updated: [] });
    expect(reportRows(reg)).toEqual(before);
    // The edge merges a repeat: same report, higher count, a new cursor.
    edge.reports[0]!.record = { ...edge.reports[0]!.record, count: 3, cursor: ++edge.cursor, hasPhoto: false };
    const merged = await reg.run(['reports', 'pull', '--from', edge.url, '--json']);
    expect(merged.json()).toMatchObject({ stored: [], updated: [1] });
    expect(reportRows(reg)).toHaveLength(1);
    expect(reportRows(reg)[0]).toMatchObject({ count: 3 });
  });

  it('a failing edge mid-pull leaves the registry as it was; the next pull resumes', async () => {
    const e = await newEdge();
    e.add({ outcome: 'no_seal', place: '台东步行街' }, { bytes: photoPng, type: 'image/png' });
    e.add({ outcome: 'no_seal', place: '李村大集' }, { bytes: photoPng, type: 'image/png' });
    e.fail = { match: /GET \/api\/v1\/reports\/r2\/photo/ };
    const before = dumpTables(reg.db);
    const failed = await reg.run(['reports', 'pull', '--from', e.url]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/refused: .*503 unavailable: storage is down \(try again in 30 s\)/);
    expect(dumpTables(reg.db)).toEqual(before);
    expect(e.acked).toBe(0);

    // Stored, then the ack fails: the registry keeps the page, the next pull re-acks first.
    e.fail = { match: /POST \/api\/v1\/reports\/ack/ };
    const noAck = await reg.run(['reports', 'pull', '--from', e.url, '--json']);
    expect(noAck.code).toBe(1);
    expect(reportRows(reg).filter((r) => r.source_url === e.url)).toHaveLength(2);
    expect(e.acked).toBe(0);
    e.requests.length = 0;
    const resumed = await reg.run(['reports', 'pull', '--from', e.url, '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.json()).toMatchObject({ stored: [], cursor: 2 });
    expect(e.requests[0]).toBe('POST /api/v1/reports/ack?cursor=2');
    expect(e.acked).toBe(2);
    expect(reportRows(reg).filter((r) => r.source_url === e.url).map((r) => r.place)).toEqual(['台东步行街', '李村大集']);
  });

  it('refuses what the edge sends that is not a report, storing nothing', async () => {
    const e = await newEdge();
    e.add({ outcome: 'no_seal', note: 'evil\u202Etxt.exe' });
    const before = dumpTables(reg.db);
    const refused = await reg.run(['reports', 'pull', '--from', e.url]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/a note that is not plain text/);
    expect(dumpTables(reg.db)).toEqual(before);
    for (const from of ['ftp://edge.example', 'not a url']) {
      expect((await reg.run(['reports', 'pull', '--from', from])).code).toBe(2);
    }
  });

  it('triage changes the state, audited; a wrong state or id changes nothing', async () => {
    const t = await reg.run(['reports', 'triage', '1', 'checking', '--note', '已转稽查'], { QDYP_ACTOR: 'officer-zhang' });
    expect(t.code, t.stderr).toBe(0);
    const shown = await reg.run(['reports', 'show', '1', '--json']);
    expect(shown.json()).toMatchObject({ state: 'checking', stateNote: '已转稽查' });
    const audit = (await reg.run(['audit', '--json'])).json() as { action: string; subject: string; before: unknown; after: unknown; actor: string }[];
    expect(audit.filter((a) => a.action === 'report.triage')).toEqual([
      expect.objectContaining({ subject: 'report:1', actor: 'officer-zhang', before: { state: 'new', note: null }, after: { state: 'checking', note: '已转稽查' } }),
    ]);
    const before = dumpTables(reg.db);
    for (const argv of [['reports', 'triage', '1', 'done'], ['reports', 'triage', '999', 'closed'], ['reports', 'triage', '1', 'closed', '--note', 'a\u001b[2Jb'], ['reports', 'show', '999']]) {
      const r = await reg.run(argv);
      expect(r.code, argv.join(' ')).toBe(1);
    }
    expect((await reg.run(['reports', 'list', '--state', 'open'])).code).toBe(1);
    expect((await reg.run(['reports', 'list', '--since', 'yesterday'])).code).toBe(2);
    expect(dumpTables(reg.db)).toEqual(before);
    expect((await reg.run(['reports', 'list', '--state', 'checking', '--since', '2026-11-27', '--json'])).json()).toHaveLength(1);
  });

  it("contact-key: made once (0600), refused again without --replace; a shopper's contact is decrypted by show only", async () => {
    const made = await reg.run(['keys', 'contact-key', '--json']);
    expect(made.code, made.stderr).toBe(0);
    const { publicJwk, file } = made.json();
    expect(publicJwk).toEqual({ kty: 'OKP', crv: 'X25519', x: expect.any(String) });
    expect((fs.statSync(file).mode & 0o777).toString(8)).toBe('600');
    const keyText = fs.readFileSync(file, 'utf8');
    const before = dumpTables(reg.db);
    const again = await reg.run(['keys', 'contact-key']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/unreadable.*--replace/);
    expect(fs.readFileSync(file, 'utf8')).toBe(keyText);
    expect(dumpTables(reg.db)).toEqual(before);

    const e = await newEdge();
    e.add({ source: 'shopper', seal: sealFromInput(sealUrl), outcome: 'looks_fake', place: '台东', contactJwe: await encryptContact('手机 138 0000 0000', publicJwk) });
    const pulled = await reg.run(['reports', 'pull', '--from', e.url, '--json']);
    expect(pulled.code, pulled.stderr).toBe(0);
    const [id] = pulled.json().stored as number[];
    const listed = await reg.run(['reports', 'list']);
    expect(listed.stdout).not.toContain('138');
    const shown = await reg.run(['reports', 'show', String(id), '--json']);
    expect(shown.json()).toMatchObject({ contact: '手机 138 0000 0000', licence: licenceNumber, source: 'shopper' });
    expect((await reg.run(['reports', 'show', String(id)])).stdout).toContain('contact     手机 138 0000 0000');

    const replaced = await reg.run(['keys', 'contact-key', '--replace']);
    expect(replaced.code, replaced.stderr).toBe(0);
    expect((await reg.run(['reports', 'show', String(id), '--json'])).json()).toMatchObject({ contact: null, contactProblem: expect.stringMatching(/another contact key/) });
    const audit = (await reg.run(['audit', '--json'])).json() as { action: string }[];
    expect(audit.filter((a) => a.action === 'contact-key.create')).toHaveLength(2);
  });

  it('qdyp report: each refusal of the edge is a clear message and exit 1; bad input is refused before sending', async () => {
    const base = ['report', sealUrl, '--token', tokenFile, '--outcome', 'revoked', '--to', edge.url];
    for (const [status, text] of [
      [401, /token was not accepted/],
      [403, /revoked: ask the office for a new one/],
      [400, /refused a field/],
      [413, /too large/],
      [415, /JPEG or PNG/],
      [429, /too many.*try again in 5 s with --idempotency-key/],
      [503, /could not store.*try again in 5 s/],
    ] as const) {
      edge.answer = { status, body: { error: 'e', message: `status ${status}` }, headers: { 'retry-after': '5' } };
      const r = await reg.run(base);
      expect(r.code, String(status)).toBe(1);
      expect(r.stderr).toMatch(text);
      expect(r.stderr).toContain(`(status ${status})`);
    }
    edge.answer = null;
    const count = edge.reports.length;
    const sent = edge.requests.length;
    const notPhoto = path.join(reg.dir, 'notes.txt');
    fs.writeFileSync(notPhoto, 'hello');
    for (const [argv, code] of [
      [[...base, '--note', 'evil\u202Etxt'], 1],
      [[...base, '--place', 'a\u001b]0;pwned\u0007'], 1],
      [[...base, '--photo', notPhoto], 2],
      [[...base, '--observed-at', 'noon'], 2],
      [['report', sealUrl, '--token', tokenFile, '--outcome', 'fine', '--to', edge.url], 2],
      [['report', 'NOT-A-SEAL', '--token', tokenFile, '--outcome', 'revoked', '--to', edge.url], 2],
      [['report', '-', '--token', tokenFile, '--outcome', 'no_seal', '--to', edge.url], 2],
      [['report', sealUrl, '--token', notPhoto, '--outcome', 'revoked', '--to', edge.url], 2],
      [['report', sealUrl, '--token', tokenFile, '--outcome', 'revoked', '--to', 'file:///etc/passwd'], 2],
    ] as const) {
      const r = await reg.run([...argv]);
      expect(r.code, argv.join(' ')).toBe(code);
      expect(r.stderr).not.toMatch(/\u001b/);
    }
    expect(edge.reports).toHaveLength(count);
    expect(edge.requests).toHaveLength(sent);
    // No edge at all: exit 1, with the key to retry with.
    const gone = await reg.run(['report', sealUrl, '--token', tokenFile, '--outcome', 'revoked', '--to', 'http://127.0.0.1:9', '--timeout', '2']);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/retry with --idempotency-key/);
  });
});

describe('against the real Node inbox (startServer with a data directory)', () => {
  it('qdyp report with a photo, then pull: report and photo in the registry, the edge copy gone', async () => {
    const server = await startServer({
      port: 0,
      edgeDir: path.join(reg.dir, 'edge'),
      rootJwk: JSON.parse(fs.readFileSync(path.join(reg.dir, 'root.public.jwk'), 'utf8')),
      dataDir: tempDir(),
      clock: () => new Date(NOW),
      log: () => {},
    });
    try {
      const photoFile = path.join(reg.dir, 'label-real.png');
      fs.writeFileSync(photoFile, photoPng);
      const filed = await reg.run(['report', sealUrl, '--token', tokenFile, '--outcome', 'revoked', '--place', '台东三路', '--photo', photoFile, '--to', server.url, '--json']);
      expect(filed.code, filed.stderr).toBe(0);
      const { id } = filed.json();
      const pulled = await reg.run(['reports', 'pull', '--from', server.url, '--json']);
      expect(pulled.code, pulled.stderr).toBe(0);
      const [stored] = pulled.json().stored as number[];
      const shown = await reg.run(['reports', 'show', String(stored), '--photo-out', path.join(reg.dir, 'real-out.png'), '--json']);
      expect(shown.json()).toMatchObject({ edgeId: id, licence: licenceNumber, place: '台东三路', hasPhoto: true });
      expect(new Uint8Array(fs.readFileSync(path.join(reg.dir, 'real-out.png')))).toEqual(photoPng);
      // The edge's photo is gone after the ack: even the office gets 404 now.
      const registry = openRegistry(reg.db);
      try {
        const signer = await loadSigner(registry, activeKey(registry.db)!.kid);
        const photoPath = `/api/v1/reports/${id}/photo`;
        const jws = await signOfficeRequest({ method: 'GET', path: photoPath, nonce: officeNonce(), time: new Date(NOW) }, signer);
        const res = await fetch(`${server.url}${photoPath}`, { headers: { authorization: `QDYP-Office ${jws}` } });
        expect(res.status).toBe(404);
      } finally {
        registry.close();
      }
      const again = await reg.run(['reports', 'pull', '--from', server.url, '--json']);
      expect(again.json()).toMatchObject({ stored: [], updated: [] });
    } finally {
      await server.close();
    }
  });
});
