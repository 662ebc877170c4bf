// `qdyp serve --demo` (what `npm start` runs) as a real child process in an empty directory:
// it creates and seeds data/demo/, publishes, serves, and prints scan URLs that give the
// verdicts they are labelled with; a second run reuses the registry.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { qdyp, tempDir } from '../support.ts';

const BIN = fileURLToPath(new URL('../../../bin/qdyp.js', import.meta.url));
let child: ChildProcess | null = null;

afterEach(() => {
  child?.kill('SIGTERM');
  child = null;
});

function startDemo(cwd: string, env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    child = spawn(process.execPath, [BIN, 'serve', '--demo'], { cwd, env: { ...process.env, PORT: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('Press Ctrl+C')) resolve(out);
    });
    child.stderr!.on('data', (d) => (err += d));
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${err}`)));
  });
}

describe('qdyp serve --demo', () => {
  it('seeds a demo registry of its own and prints scan URLs that verify as labelled', async () => {
    const cwd = tempDir();
    const out = await startDemo(cwd);
    expect(out).toContain('created and seeded now');
    expect(fs.existsSync(path.join(cwd, 'data/demo/qdyp.sqlite'))).toBe(true);
    expect(fs.statSync(path.join(cwd, 'data/demo/keys')).mode & 0o777).toBe(0o700);
    const base = /serving verifier at (http:\/\/[^/]+)\//.exec(out)![1]!;
    expect(await (await fetch(`${base}/healthz`)).status).toBe(200);

    const rows = [...out.matchAll(/^ {4}(\w+) .*?(http:\/\/\S+\/V\/([A-Z2-7]{120}))$/gm)];
    const states = rows.map((r) => r[1]);
    expect(new Set(states)).toEqual(new Set(['authorized', 'suspended', 'revoked', 'expired', 'not_yet_valid', 'forged']));
    for (const [, state, url, seal] of rows) {
      const page = await fetch(url!);
      expect(page.status).toBe(200);
      const verdict = (await (await fetch(`${base}/api/v1/verify?seal=${seal}`)).json()) as { code: string };
      expect(verdict.code).toBe(state === 'forged' ? 'bad_signature' : state);
    }

    // The report loop: a demo inspector token (in a file, never printed) the inbox accepts,
    // and the office pulling the report into the demo registry.
    const tokenFile = path.join(cwd, 'data/demo/inspector-demo.jwt');
    expect(fs.statSync(tokenFile).mode & 0o777).toBe(0o600);
    expect(fs.statSync(`${tokenFile}.png`).mode & 0o777).toBe(0o600);
    const token = fs.readFileSync(tokenFile, 'utf8').trim();
    expect(out).not.toContain(token);
    expect(out).toContain(`report form (举报): ${base}/report`);
    expect(out).toContain('import the token file data/demo/inspector-demo.jwt or scan data/demo/inspector-demo.jwt.png');
    expect(out).toContain(`office: npx qdyp --db data/demo/qdyp.sqlite reports pull --from ${base}   then   reports list`);
    expect(out).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    expect(fs.existsSync(path.join(cwd, 'data/demo/keys/contact.x25519.jwk'))).toBe(true);
    // The shopper form takes a contact: the demo edge has the demo office's contact key.
    expect(await (await fetch(`${base}/report`)).text()).toContain('name="contact"');
    const forgedUrl = rows.find((r) => r[1] === 'forged')![2]!;
    const filed = await fetch(`${base}/api/v1/reports`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ seal: forgedUrl, outcome: 'bad_signature', place: '台东三路步行街' }),
    });
    expect(filed.status, await filed.clone().text()).toBe(201);
    const db = path.join(cwd, 'data/demo/qdyp.sqlite');
    const clock = { QDYP_NOW: new Date().toISOString() };
    const pulled = await qdyp(['--db', db, 'reports', 'pull', '--from', base, '--json'], clock, cwd);
    expect(pulled.code, pulled.stderr).toBe(0);
    expect(pulled.json().stored).toHaveLength(1);
    const listed = await qdyp(['--db', db, 'reports', 'list', '--json'], clock, cwd);
    expect(listed.json()).toMatchObject([{ outcome: 'bad_signature', source: 'inspector', place: '台东三路步行街' }]);
    // The authority console on the same port, with demo officers whose sign-ins are printed.
    expect(out).toContain(`authority console (管理控制台): ${base}/console/`);
    const officer = /^ {4}(\S+) {2}officer {3}(.+)$/m.exec(out)!;
    expect(officer).not.toBeNull();
    const signInPage = await fetch(`${base}/console/sign-in`);
    expect(signInPage.status).toBe(200);
    const formCookie = signInPage.headers.getSetCookie()[0]!.split(';')[0]!;
    const csrf = /name="csrf" value="([^"]+)"/.exec(await signInPage.text())![1]!;
    const signedIn = await fetch(`${base}/console/sign-in`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: base, cookie: formCookie },
      body: new URLSearchParams({ csrf, name: officer[1]!, password: officer[2]!.trim() }).toString(),
    });
    expect(signedIn.status).toBe(303);
    const session = signedIn.headers.getSetCookie().find((c) => c.startsWith('qdyp_console_session='))!.split(';')[0]!;
    const dashboard = await fetch(`${base}/console/`, { headers: { cookie: session } });
    expect(dashboard.status).toBe(200);
    expect(await dashboard.text()).toContain(`data-officer="${officer[1]}"`);
    // A page on another site, its name rebound to 127.0.0.1, gets nothing.
    const rebound = await new Promise<number>((resolve, reject) => {
      const url = new URL(`${base}/console/`);
      void import('node:http').then(({ request }) => {
        const req = request({ host: url.hostname, port: url.port, path: '/console/', headers: { host: 'evil.example', cookie: session } }, (res) => resolve(res.statusCode!));
        req.on('error', reject);
        req.end();
      });
    });
    expect(rebound).toBe(421);
    child!.kill('SIGTERM');
    child = null;
    const contactKey = fs.readFileSync(path.join(cwd, 'data/demo/keys/contact.x25519.jwk'), 'utf8');

    // A later run reuses the registry but publishes afresh, and names the port it runs on.
    const statusList = () => fs.readFileSync(path.join(cwd, 'data/demo/edge/status-list'), 'utf8');
    const before = statusList();
    const later = new Date(Date.now() + 3 * 24 * 3600 * 1000).toISOString();
    const port = String(40000 + Math.floor(Math.random() * 20000));
    const again = await startDemo(cwd, { QDYP_NOW: later, PORT: port });
    expect(again).toContain('reused');
    // The reused registry keeps its contact key and its (still valid) demo token.
    expect(fs.readFileSync(path.join(cwd, 'data/demo/keys/contact.x25519.jwk'), 'utf8')).toBe(contactKey);
    expect(fs.readFileSync(tokenFile, 'utf8').trim()).toBe(token);
    expect(statusList()).not.toBe(before);
    const { iat } = JSON.parse(Buffer.from(statusList().split('.')[1]!, 'base64url').toString('utf8'));
    expect(iat).toBe(Math.floor(Date.parse(later) / 1000));
    const [, , url] = /^ {4}(authorized) .*?(http:\/\/\S+)$/m.exec(again)!;
    expect(url).toContain(`:${port}/V/`);
    expect(await (await fetch(url!)).text()).toContain(`127.0.0.1:${port}`);
  }, 120_000);
});

describe('qdyp serve --apps console', () => {
  it('refuses to put the console on the same origin as the public apps (outside the demo)', async () => {
    for (const apps of ['verifier,console', 'portal,console', 'console,verifier,portal']) {
      const r = await qdyp(['serve', '--apps', apps], {}, tempDir());
      expect(r.code, apps).toBe(2);
      expect(r.stderr).toMatch(/never shares an origin with the verifier or the portal/);
    }
  });

  it('refuses to start without a registry', async () => {
    const r = await qdyp(['serve', '--apps', 'console'], { PORT: '0' }, tempDir());
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no registry at .*the console runs on the office machine/);
  });
});
