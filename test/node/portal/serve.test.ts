// The portal as `qdyp serve` runs it, in a real child process over real HTTP: `npm start`
// (serve --demo) prints the demo holder sign-ins beside the scan URLs and serves the portal at
// /portal/ on the same port, where those sign-ins work; a second run keeps the accounts.
// `serve --apps portal` runs the portal alone from a snapshot and a data directory, on a host
// with no registry and no key anywhere.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../support.ts';
import { portalFixture } from './support.ts';

const BIN = fileURLToPath(new URL('../../../bin/qdyp.js', import.meta.url));
let child: ChildProcess | null = null;

afterEach(() => {
  child?.kill('SIGTERM');
  child = null;
});

function serve(cwd: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    child = spawn(process.execPath, [BIN, 'serve', ...args], { cwd, env: { ...process.env, PORT: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
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

function stop(): Promise<void> {
  return new Promise((resolve) => {
    if (!child) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    child = null;
  });
}

/** Signs in over HTTP as a browser would; returns the cookie header of the session. */
async function signIn(portalUrl: string, uscc: string, user: string, password: string): Promise<{ status: number; cookie: string }> {
  const form = await fetch(`${portalUrl}sign-in`);
  const formCookie = form.headers.getSetCookie()[0]!.split(';')[0]!;
  const csrf = /name="csrf" value="([^"]+)"/.exec(await form.text())![1]!;
  const origin = new URL(portalUrl).origin;
  const res = await fetch(`${portalUrl}sign-in`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin, cookie: formCookie },
    body: new URLSearchParams({ csrf, uscc, user, password }).toString(),
  });
  const session = res.headers.getSetCookie().find((l) => l.startsWith('qdyp_portal_session='))?.split(';')[0] ?? '';
  return { status: res.status, cookie: session };
}

describe('npm start (serve --demo)', () => {
  it('prints the demo sign-ins and the portal URL; the portal serves at /portal/ and the sign-ins work', async () => {
    const cwd = tempDir();
    const out = await serve(cwd, ['--demo']);
    const portalUrl = /holder portal \S+: (http:\/\/\S+\/portal\/)/.exec(out)![1]!;
    const signIns = [...out.matchAll(/^ {4}([0-9A-Z]{18}) {2}(\S+) {2}(.+?) {3}(\S+)$/gm)].map((m) => ({ uscc: m[1]!, user: m[2]!, password: m[3]! }));
    expect(signIns).toHaveLength(2);
    expect(out).toMatch(/serving verifier at http:\/\/127\.0\.0\.1:\d+\/, portal at http:\/\/127\.0\.0\.1:\d+\/portal\//);
    expect(out.indexOf('demo holder sign-ins')).toBeGreaterThan(out.indexOf('/V/'));
    expect(fs.existsSync(path.join(cwd, 'data/demo/portal-snapshot.sqlite'))).toBe(true);

    const { status, cookie } = await signIn(portalUrl, signIns[1]!.uscc, signIns[1]!.user, signIns[1]!.password);
    expect(status).toBe(303);
    const list = await fetch(portalUrl, { headers: { cookie } });
    expect(list.status).toBe(200);
    const html = await list.text();
    expect(html).toContain('data-state="suspended"');
    expect(html).toContain('data-state="revoked"');
    // The verifier still answers beside it.
    expect((await fetch(new URL('/healthz', portalUrl))).status).toBe(200);
    await stop();

    // A second run reuses the accounts: no new invitation, and the same sign-in works.
    const again = await serve(cwd, ['--demo']);
    const url = /holder portal \S+: (http:\/\/\S+\/portal\/)/.exec(again)![1]!;
    expect((await signIn(url, signIns[0]!.uscc, signIns[0]!.user, signIns[0]!.password)).status).toBe(303);
    await stop();
    const db = new Database(path.join(cwd, 'data/demo/qdyp.sqlite'), { readonly: true });
    expect((db.prepare(`SELECT COUNT(*) AS n FROM audit_events WHERE action = 'holder.invite'`).get() as { n: number }).n).toBe(2);
    db.close();
  }, 120_000);
});

describe('serve --apps portal', () => {
  it('serves the portal alone from QDYP_PORTAL_SNAPSHOT and QDYP_PORTAL_DIR, with no registry or key on the host', async () => {
    const fx = await portalFixture();
    const host = tempDir('qdyp-portal-only-');
    const snapshot = path.join(host, 'portal.sqlite');
    fs.copyFileSync(fx.snapshotFile, snapshot);
    const env = { QDYP_PORTAL_SNAPSHOT: snapshot, QDYP_PORTAL_DIR: path.join(host, 'portal-data'), QDYP_DB: path.join(host, 'no-registry', 'qdyp.sqlite') };
    const out = await serve(host, ['--apps', 'portal'], env);
    const portalUrl = /serving portal at (http:\/\/\S+\/portal\/)/.exec(out)![1]!;
    expect((await fetch(`${portalUrl}sign-in`)).status).toBe(200);
    expect((await fetch(new URL('/healthz', portalUrl))).status).toBe(404);
    expect(fs.existsSync(path.join(host, 'portal-data', 'portal.sqlite'))).toBe(true);
    expect(fs.readdirSync(host).sort()).toEqual(['portal-data', 'portal.sqlite']);
  }, 60_000);

  it('refuses to start without a snapshot, saying how to get one', async () => {
    const host = tempDir('qdyp-portal-none-');
    await expect(serve(host, ['--apps', 'portal'], { QDYP_PORTAL_SNAPSHOT: path.join(host, 'missing.sqlite') })).rejects.toThrow(/no portal snapshot at .*qdyp portal snapshot/);
    child = null;
  }, 30_000);
});
