// `qdyp bundle pull`: a trust bundle downloaded from a real verifier (startServer on the
// registry's published edge/), checked against the pinned root before anything is written,
// then used offline by `qdyp verify --bundle`. Every refusal leaves FILE byte-identical.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../../src/node/server.ts';
import { cliRegistry, NOW, qdyp, tempDir, USCC, type Run } from '../support.ts';

type Reg = Awaited<ReturnType<typeof cliRegistry>>;

const later = (seconds: number) => new Date(Date.parse(NOW) + seconds * 1000).toISOString();
const rootJwk = (reg: Reg) => JSON.parse(fs.readFileSync(path.join(reg.dir, 'root.public.jwk'), 'utf8'));
const edgeFile = (reg: Reg, name: string) => fs.readFileSync(path.join(reg.dir, 'edge', name));
const payload = (jws: string) => JSON.parse(Buffer.from(jws.split('.')[1]!, 'base64url').toString('utf8'));

let reg: Reg;
let root: string;
let server: RunningServer;
const seal: Record<'laoshan' | 'huangdao' | 'revoked', string> = { laoshan: '', huangdao: '', revoked: '' };
const servers: { close(): Promise<void> }[] = [];

async function issue(r: Reg, holder: string, product: string): Promise<{ number: string; sealUrl: string }> {
  const issued = await r.run(['licence', 'issue', '--holder', holder, '--tier', 'product', '--sector', 'agriculture', '--product', product, '--valid-days', '365', '--json']);
  expect(issued.code, issued.stderr).toBe(0);
  return issued.json();
}

function verifier(r: Reg): Promise<RunningServer> {
  return startServer({ port: 0, edgeDir: path.join(r.dir, 'edge'), rootJwk: rootJwk(r), clock: () => new Date(NOW), log: () => {} });
}

/** A tiny HTTP server on 127.0.0.1 answering every request with `handler`. */
async function tinyServer(handler: http.RequestListener): Promise<string> {
  const s = http.createServer(handler);
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  servers.push({ close: () => new Promise((resolve) => { s.closeAllConnections(); s.close(() => resolve()); }) });
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

const serveBytes = (bytes: () => Uint8Array) => tinyServer((_req, res) => res.writeHead(200, { 'content-type': 'application/gzip' }).end(bytes()));

/** `qdyp bundle pull` (and others) run with no registry at all: only --root is trusted. */
function offline(argv: string[], env: Record<string, string> = {}, cwd = tempDir()): Promise<Run> {
  return qdyp([...argv, '--db', path.join(cwd, 'no-registry.sqlite')], env, cwd);
}

beforeAll(async () => {
  reg = await cliRegistry();
  root = path.join(tempDir(), 'root.jwk');
  fs.copyFileSync(path.join(reg.dir, 'root.public.jwk'), root);
  expect((await reg.run(['holder', 'add', '--uscc', USCC.a, '--name', '青岛崂山茶业有限公司', '--region', '370212'])).code).toBe(0);
  expect((await reg.run(['holder', 'add', '--uscc', USCC.b, '--name', '青岛黄岛海产有限公司', '--region', '370211'])).code).toBe(0);
  seal.laoshan = (await issue(reg, USCC.a, '崂山绿茶')).sealUrl;
  seal.huangdao = (await issue(reg, USCC.b, '海参')).sealUrl;
  const gone = await issue(reg, USCC.a, '崂山红茶');
  seal.revoked = gone.sealUrl;
  expect((await reg.run(['licence', 'revoke', gone.number, '--reason', '冒用标识'])).code).toBe(0);
  expect((await reg.run(['publish'])).code).toBe(0); // rebuilds the bundles
  server = await verifier(reg);
});

afterAll(async () => {
  await server?.close();
  for (const s of servers.splice(0)) await s.close();
});

describe('qdyp bundle pull', () => {
  it('saves the verified bundle, which verify then uses offline, saying how old it is', async () => {
    const own = await verifier(reg);
    const dir = tempDir();
    const out = path.join(dir, 'qdyp.bundle');
    const pulled = await offline(['bundle', 'pull', own.url, '--out', out, '--root', root, '--json'], {}, dir);
    expect(pulled.code, pulled.stderr).toBe(0);
    const statusList = edgeFile(reg, 'status-list').toString('utf8');
    expect(pulled.json()).toEqual({
      file: out,
      url: `${own.url}/api/v1/bundle`,
      bytes: fs.statSync(out).size,
      licences: 3,
      region: null,
      asOf: expect.stringMatching(/^2026-11-27T04:00:0\d\.000Z$/),
      ageSeconds: expect.any(Number),
      keyListVersion: 1,
      statusListExp: new Date(payload(statusList).exp * 1000).toISOString(),
    });
    expect(fs.readFileSync(out).equals(edgeFile(reg, 'bundle'))).toBe(true);
    expect(fs.statSync(out).mode & 0o777).toBe(0o644);
    expect(fs.readdirSync(dir).filter((f) => f !== 'no-registry.sqlite')).toEqual(['qdyp.bundle']);

    // The same again, as a person reads it; a trailing slash on the base URL is fine.
    const human = await offline(['bundle', 'pull', `${own.url}/`, '--out', out, '--root', root], { QDYP_NOW: later(2 * 3600) }, dir);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toContain(`Saved the verified trust bundle to ${out}`);
    expect(human.stdout).toMatch(/licences +3\n/);
    expect(human.stdout).toMatch(/region +all/);
    expect(human.stdout).toMatch(/as of +2026-11-27T04:00:0\d\.000Z \(2 hours ago\)/);
    expect(human.stdout).toMatch(/key list +version 1\n/);
    expect(human.stdout).toContain(`status list  expires ${pulled.json().statusListExp}`);
    await own.close();

    // Offline, three hours on: the verifier is gone, and there is no registry here.
    const env = { QDYP_NOW: later(3 * 3600) };
    const authorized = await offline(['verify', seal.laoshan, '--bundle', out, '--root', root, '--json'], env, dir);
    expect(authorized.code, authorized.stderr).toBe(0);
    const verdict = authorized.json();
    expect(verdict).toMatchObject({ code: 'authorized', bundle: { asOf: pulled.json().asOf, region: null, count: 3 } });
    expect(verdict.bundle.ageSeconds).toBe(Math.floor((Date.parse(env.QDYP_NOW) - Date.parse(verdict.bundle.asOf)) / 1000));
    expect(verdict.bundle.ageSeconds).toBeGreaterThan(3 * 3600 - 10);
    const revoked = await offline(['verify', seal.revoked, '--bundle', out, '--root', root, '--json'], env, dir);
    expect(revoked.code).toBe(1);
    expect(revoked.json()).toMatchObject({ code: 'revoked', bundle: { count: 3 } });
    const text = await offline(['verify', seal.laoshan, '--bundle', out, '--root', root], env, dir);
    expect(text.stdout).toMatch(/\nbundle as of 2026-11-27T04:00:0\d\.000Z \(3 hours ago\), region all \(every licence of the programme\), 3 licences\n/);
    // Without --bundle there is nothing to say about one.
    expect((await reg.run(['verify', seal.laoshan, '--json'])).json().bundle).toBeUndefined();
  });

  it('--region fetches that district\'s bundle, checked to be that district\'s', async () => {
    const dir = tempDir();
    const out = path.join(dir, 'laoshan.bundle');
    const pulled = await offline(['bundle', 'pull', server.url, '--region', '370212', '--out', out, '--root', root, '--json'], {}, dir);
    expect(pulled.code, pulled.stderr).toBe(0);
    expect(pulled.json()).toMatchObject({ url: `${server.url}/api/v1/bundle?region=370212`, region: '370212', licences: 2 });
    expect(fs.readFileSync(out).equals(edgeFile(reg, 'bundle-370212'))).toBe(true);
    const here = await offline(['verify', seal.laoshan, '--bundle', out, '--root', root, '--json'], {}, dir);
    expect(here.json()).toMatchObject({ code: 'authorized', bundle: { region: '370212', count: 2 } });
    // Huangdao's licence is not in Laoshan's bundle: offline, it cannot be confirmed.
    expect((await offline(['verify', seal.huangdao, '--bundle', out, '--root', root, '--json'], {}, dir)).json().code).toBe('cannot_confirm');
    const human = await offline(['bundle', 'pull', server.url, '--region', '370212', '--out', out, '--root', root], {}, dir);
    expect(human.stdout).toMatch(/region +370212 崂山区 Laoshan District/);

    // A server answering the whole programme's bundle to a district's request.
    const before = fs.readFileSync(out);
    const wrong = await serveBytes(() => edgeFile(reg, 'bundle'));
    const refused = await offline(['bundle', 'pull', wrong, '--region', '370212', '--out', out, '--root', root], {}, dir);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/is the bundle for region all \(every licence of the programme\), not 370212 崂山区 Laoshan District; nothing was written/);
    expect(fs.readFileSync(out).equals(before)).toBe(true);

    // Codes are checked before anything is fetched (nothing listens on port 9: a fetch would be exit 1).
    for (const code of ['999999', '37021', '370212x', '370200']) {
      const bad = await offline(['bundle', 'pull', 'http://127.0.0.1:9', '--region', code, '--out', out, '--root', root], {}, dir);
      expect(bad.code, code).toBe(2);
      expect(bad.stderr).toMatch(code === '370200' ? /whole city: leave out --region/ : /--region must be one of the programme's district codes/);
    }
  });

  it('refuses a download that fails, is cut short, corrupt or not a bundle, leaving FILE byte-identical', async () => {
    const dir = tempDir();
    const out = path.join(dir, 'qdyp.bundle');
    expect((await offline(['bundle', 'pull', server.url, '--out', out, '--root', root], {}, dir)).code).toBe(0);
    const before = fs.readFileSync(out);
    const bundle = edgeFile(reg, 'bundle');
    const altered = (() => {
      const text = gunzipSync(bundle).toString('utf8').replace('崂山绿茶', '崂山金茶');
      return gzipSync(Buffer.from(text, 'utf8'));
    })();
    const closedPort = await (async () => {
      const url = await tinyServer(() => {});
      await servers.pop()!.close();
      return url;
    })();
    const cases: [string, string, RegExp, string[]?][] = [
      ['truncated', await serveBytes(() => bundle.subarray(0, Math.floor(bundle.length / 2))), /does not open: does not inflate \(gzip\) \(ERR_ARTIFACT_MALFORMED\); nothing was written/],
      ['rows changed', await serveBytes(() => altered), /does not open: bundle content does not match its manifest \(ERR_BUNDLE_DIGEST\)/],
      ['not gzip', await serveBytes(() => Buffer.from('<html>captive portal</html>')), /does not open: does not inflate/],
      ['404', await tinyServer((_q, res) => res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not_published","message":"No bundle is published"}')), /answered 404 Not Found: "No bundle is published"; nothing was written/],
      ['500', await tinyServer((_q, res) => res.writeHead(500).end('boom\u001b[2J')), /answered 500 Internal Server Error: "boom\\u001b\[2J"/],
      ['too large', await tinyServer((_q, res) => { res.writeHead(200, { 'content-length': String(256 * 1024 * 1024 + 1) }); res.flushHeaders(); }), /is over 268435456 bytes; nothing was written/],
      ['refused connection', closedPort, /could not reach http:\/\/127\.0\.0\.1:\d+\/api\/v1\/bundle \(ECONNREFUSED\); nothing was written/],
      ['no answer', await tinyServer(() => {}), /no answer from http:\/\/127\.0\.0\.1:\d+\/api\/v1\/bundle within 1 s; nothing was written/, ['--timeout', '1']],
    ];
    for (const [what, url, message, extra = []] of cases) {
      const run = await offline(['bundle', 'pull', url, '--out', out, '--root', root, ...extra], {}, dir);
      expect(run.code, what).toBe(1);
      expect(run.stdout, what).toBe('');
      expect(run.stderr, what).toMatch(message);
      expect(fs.readFileSync(out).equals(before), what).toBe(true);
      expect(fs.readdirSync(dir).filter((f) => f !== 'no-registry.sqlite'), what).toEqual(['qdyp.bundle']);
    }

    // FILE holding something that is not a bundle is never overwritten; a broken bundle is.
    const notes = path.join(dir, 'notes.txt');
    fs.writeFileSync(notes, 'my notes\n');
    const kept = await offline(['bundle', 'pull', server.url, '--out', notes, '--root', root], {}, dir);
    expect(kept.code).toBe(1);
    expect(kept.stderr).toMatch(/notes\.txt exists and is not a qdyp bundle; not replacing it/);
    expect(fs.readFileSync(notes, 'utf8')).toBe('my notes\n');
    fs.writeFileSync(out, bundle.subarray(0, 100));
    const mended = await offline(['bundle', 'pull', server.url, '--out', out, '--root', root], {}, dir);
    expect(mended.code, mended.stderr).toBe(0);
    expect(mended.stderr).toMatch(/note: replaced .*qdyp\.bundle, which did not hold a bundle that opens/);
    expect(fs.readFileSync(out).equals(bundle)).toBe(true);
  });

  it('refuses a bundle signed under another programme\'s root; verify --bundle says why it trusts nothing', async () => {
    const other = await cliRegistry(); // init publishes its (empty) bundles
    const foreign = edgeFile(other, 'bundle');
    const url = await serveBytes(() => foreign);
    const dir = tempDir();
    const out = path.join(dir, 'qdyp.bundle');
    expect((await offline(['bundle', 'pull', server.url, '--out', out, '--root', root], {}, dir)).code).toBe(0);
    const before = fs.readFileSync(out);
    const refused = await offline(['bundle', 'pull', url, '--out', out, '--root', root], {}, dir);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/does not open: bundle key list: signature does not verify \(ERR_ARTIFACT_SIGNATURE\) \(signed under another programme's root than the pinned one\?\); nothing was written/);
    expect(fs.readFileSync(out).equals(before)).toBe(true);
    // Under its own root it is a fine bundle.
    const otherRoot = path.join(other.dir, 'root.public.jwk');
    const ok = await offline(['bundle', 'pull', url, '--out', path.join(dir, 'other.bundle'), '--root', otherRoot, '--json'], {}, dir);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.json()).toMatchObject({ licences: 0, region: null });

    // verify --bundle with a bundle it cannot trust: cannot_confirm, and the JSON and text say why.
    const foreignFile = path.join(dir, 'other.bundle');
    const json = await offline(['verify', seal.laoshan, '--bundle', foreignFile, '--root', root, '--json'], {}, dir);
    expect(json.code).toBe(1);
    expect(json.json()).toMatchObject({ code: 'cannot_confirm', bundle: { error: 'ERR_ARTIFACT_SIGNATURE', message: `${foreignFile}: bundle key list: signature does not verify` } });
    const text = await offline(['verify', seal.laoshan, '--bundle', foreignFile, '--root', root], {}, dir);
    expect(text.stdout).toContain(`bundle ${foreignFile} refused, so nothing in it is trusted: bundle key list: signature does not verify (ERR_ARTIFACT_SIGNATURE)`);
  });

  it('refuses an older bundle over a newer FILE (rolled back), by status list time and by key-list version', async () => {
    const r = await cliRegistry();
    const rRoot = path.join(r.dir, 'root.public.jwk');
    expect((await r.run(['holder', 'add', '--uscc', USCC.c, '--name', '青岛即墨老酒有限公司', '--region', '370215'])).code).toBe(0);
    const { number } = await issue(r, USCC.c, '老酒');
    expect((await r.run(['publish'])).code).toBe(0);
    const oldest = edgeFile(r, 'bundle');
    expect((await r.run(['licence', 'suspend', number, '--reason', '抽检不合格'], { QDYP_NOW: later(3600) })).code).toBe(0);
    expect((await r.run(['publish'], { QDYP_NOW: later(3600) })).code).toBe(0);
    const newer = edgeFile(r, 'bundle');
    let current = newer;
    const url = await serveBytes(() => current);
    const dir = tempDir();
    const out = path.join(dir, 'qdyp.bundle');
    const env = { QDYP_NOW: later(2 * 3600) };
    expect((await offline(['bundle', 'pull', url, '--out', out, '--root', rRoot], env, dir)).code).toBe(0);
    expect(fs.readFileSync(out).equals(newer)).toBe(true);

    current = oldest;
    const back = await offline(['bundle', 'pull', url, '--out', out, '--root', rRoot], env, dir);
    expect(back.code).toBe(1);
    expect(back.stderr).toMatch(/qdyp\.bundle already holds a newer bundle \(its status list is of 2026-11-27T05:00:0\d\.000Z, the download's of 2026-11-27T04:00:0\d\.000Z\): the download would roll it back, so nothing was written/);
    expect(fs.readFileSync(out).equals(newer)).toBe(true);
    // The same bundle again is no rollback.
    current = newer;
    expect((await offline(['bundle', 'pull', url, '--out', out, '--root', rRoot], env, dir)).code).toBe(0);

    // A key rotation: key list version 2. A bundle still under version 1 is then a rollback.
    expect((await r.run(['keys', 'rotate'], { QDYP_NOW: later(2 * 3600) })).code).toBe(0);
    expect((await r.run(['publish'], { QDYP_NOW: later(2 * 3600) })).code).toBe(0);
    current = edgeFile(r, 'bundle');
    const rotated = current;
    const env3 = { QDYP_NOW: later(3 * 3600) };
    const pulled = await offline(['bundle', 'pull', url, '--out', out, '--root', rRoot, '--json'], env3, dir);
    expect(pulled.code, pulled.stderr).toBe(0);
    expect(pulled.json().keyListVersion).toBe(2);
    current = newer;
    const v1 = await offline(['bundle', 'pull', url, '--out', out, '--root', rRoot], env3, dir);
    expect(v1.code).toBe(1);
    expect(v1.stderr).toMatch(/already holds a newer bundle \(its key list is version 2, the download's 1\)/);
    expect(fs.readFileSync(out).equals(rotated)).toBe(true);
  });

  it('refuses a stale bundle: its status list\'s exp has passed', async () => {
    const dir = tempDir();
    const out = path.join(dir, 'qdyp.bundle');
    const exp = new Date(payload(edgeFile(reg, 'status-list').toString('utf8')).exp * 1000).toISOString();
    const stale = await offline(['bundle', 'pull', server.url, '--out', out, '--root', root], { QDYP_NOW: later(15 * 86400) }, dir);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain(`cannot be used: it is stale: its status list expired at ${exp} (now ${later(15 * 86400)}); nothing was written`);
    expect(fs.existsSync(out)).toBe(false);
    expect(fs.readdirSync(dir).filter((f) => f !== 'no-registry.sqlite')).toEqual([]);
  });

  it('takes http(s) verifier URLs only, and --out', async () => {
    const dir = tempDir();
    const out = path.join(dir, 'qdyp.bundle');
    for (const url of ['ftp://127.0.0.1/', 'file:///etc/passwd', 'localhost:8080', 'not a url', 'http://user:secret@127.0.0.1:9', 'http://127.0.0.1:9/?region=370212']) {
      const run = await offline(['bundle', 'pull', url, '--out', out, '--root', root], {}, dir);
      expect(run.code, url).toBe(2);
      expect(run.stderr, url).toMatch(/URL/);
    }
    expect((await offline(['bundle', 'pull', server.url, '--root', root], {}, dir)).stderr).toMatch(/--out is required/);
    expect((await offline(['bundle', 'pull', server.url, '--out', path.join(dir, 'no', 'such', 'x'), '--root', root], {}, dir)).code).toBe(2);
    expect((await offline(['bundle', 'pull', server.url, '--out', dir, '--root', root], {}, dir)).stderr).toMatch(/is a directory/);
    expect(fs.readdirSync(dir).filter((f) => f !== 'no-registry.sqlite')).toEqual([]);
    const help = await qdyp(['--help']);
    expect(help.stdout).toContain('  bundle ');
    const sub = await qdyp(['bundle', 'pull', '--help']);
    expect(sub.code).toBe(0);
    expect(sub.stdout).toMatch(/^Usage: qdyp bundle pull URL --out FILE \[--region CODE\]/);
  });
});
