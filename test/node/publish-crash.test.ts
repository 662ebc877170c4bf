// Crash safety of publishing: the real `qdyp` executable runs in a child process and is killed
// with a real SIGKILL just before its Nth file lands in the edge directory (a preload module
// wraps fs.renameSync: test/node/support/kill-at-edge-write.mjs). Whatever the moment, a
// verifier reading the edge sees every licence in its old state or its new one — never
// cannot_confirm for a licence that was authorized — and the next publish completes the change.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openBundle, rootTrust, verifySeal, type TrustContext, type Verdict } from '../../src/core/index.ts';
import { readEdgeBytes, trustFromEdge } from '../../src/node/edge-store.ts';
import { openRegistry, registryPaths } from '../../src/node/registry/db.ts';
import { unpublished } from '../../src/node/registry/publishing.ts';
import { HEADER, usccFor } from './import/batch-files.ts';
import { cliRegistry, NOW, qdyp, tempDir, USCC, type Run } from './support.ts';

const BIN = fileURLToPath(new URL('../../bin/qdyp.js', import.meta.url));
const PRELOAD = new URL('./support/kill-at-edge-write.mjs', import.meta.url).href;
const NOT_PUBLISHED = /not yet published to local/;

interface Killed {
  signal: NodeJS.Signals | null;
  code: number | null;
  stdout: string;
  stderr: string;
  /** What the preload was about to rename into the edge when it killed the process. */
  killedBefore: { n: number; file: string } | null;
}

/** Runs `qdyp ARGS --db DB` in a child that SIGKILLs itself before its `at`-th edge write (matching `match`). */
function runAndKill(db: string, args: string[], kill: { at?: number; match?: string } = {}): Promise<Killed> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', PRELOAD, BIN, ...args, '--db', db], {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        QDYP_NOW: NOW,
        QDYP_ACTOR: 'crash-test',
        QDYP_KILL_EDGE_DIR: registryPaths(db).edgeDir,
        QDYP_KILL_AT_WRITE: String(kill.at ?? 1),
        ...(kill.match ? { QDYP_KILL_MATCH: kill.match } : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (t: string) => (stdout += t));
    child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const marker = /^qdyp-kill: (\d+) (.+)$/m.exec(stderr);
      resolve({ signal, code, stdout, stderr, killedBefore: marker ? { n: Number(marker[1]), file: marker[2]! } : null });
    });
  });
}

/** Asserts the child died by SIGKILL just before writing `file` (a path relative to the edge dir). */
function expectKilledBefore(killed: Killed, file: RegExp | string): void {
  expect(killed.signal, killed.stderr).toBe('SIGKILL');
  expect(killed.killedBefore, killed.stderr).not.toBeNull();
  if (typeof file === 'string') expect(killed.killedBefore!.file).toBe(file);
  else expect(killed.killedBefore!.file).toMatch(file);
}

/** What a verifier reading the registry's edge dir says about each seal. */
async function edgeVerdicts(db: string, seals: string[]): Promise<Verdict[]> {
  const paths = registryPaths(db);
  const root = await rootTrust(JSON.parse(fs.readFileSync(paths.rootPublicJwk, 'utf8')));
  const now = new Date(NOW);
  const problems: string[] = [];
  const trust = await trustFromEdge(paths.edgeDir, { root, clock: () => now, onProblem: (serial, error) => problems.push(`${serial}: ${error.message}`) });
  expect(trust.problems).toEqual([]);
  const results = await verifyAll(trust, seals);
  expect(problems).toEqual([]);
  return results;
}

async function verifyAll(trust: TrustContext, seals: string[]): Promise<Verdict[]> {
  const now = new Date(NOW);
  return Promise.all(seals.map((seal) => verifySeal(seal, now, trust)));
}

/** The part of a verdict a change moves: code, status shown, address, products. */
function shown(result: Verdict) {
  const l = result.licence;
  return { code: result.code, status: l?.status ?? null, address: l?.holder.address ?? null, products: l?.products ?? null };
}
type Shown = ReturnType<typeof shown>;

function pendingTargets(db: string) {
  const registry = openRegistry(db, { now: new Date(NOW) });
  try {
    return unpublished(registry.db);
  } finally {
    registry.close();
  }
}

function ok(run: Run): Run {
  expect(run.code, run.stderr).toBe(0);
  return run;
}

describe('a change committed, its publication killed (SIGKILL before the first edge write)', () => {
  async function setup() {
    const reg = await cliRegistry();
    ok(await reg.run(['holder', 'add', '--uscc', USCC.a, '--name', '青岛海滨食品有限公司', '--address', '青岛市黄岛区', '--region', '370211']));
    const issue = ['licence', 'issue', '--holder', USCC.a, '--tier', 'product', '--sector', 'marine', '--product', '海参', '--until', '2028-12-31', '--json'];
    const a = ok(await reg.run(issue)).json<{ number: string; seal: string }>();
    const b = ok(await reg.run(issue)).json<{ number: string; seal: string }>();
    expect((await edgeVerdicts(reg.db, [a.seal, b.seal])).map((r) => r.code)).toEqual(['authorized', 'authorized']);
    expect(pendingTargets(reg.db).filter((t) => t.target === 'local')).toEqual([]);

    const killed = await runAndKill(reg.db, ['licence', 'revoke', a.number, '--reason', '冒用标识']);
    expectKilledBefore(killed, /^licence\/\d+\/\d+\.2$/); // the revoked entry, the first thing published
    expect(killed.stdout).toMatch(/is revoked/); // the command reported the change (it was committed)
    return { reg, a, b };
  }

  /** The state right after the kill, and what the commands say about it. */
  async function checkBetween({ reg, a, b }: Awaited<ReturnType<typeof setup>>) {
    // The database has the revocation; the edge still says authorized.
    const show = ok(await reg.run(['licence', 'show', a.number, '--json']));
    expect(show.json()).toMatchObject({ number: a.number, status: 'revoked', statusReason: '冒用标识' });
    expect(show.stderr).toMatch(NOT_PUBLISHED);
    expect(show.stderr).toMatch(/1 licence entry not yet published to local/);
    expect((await edgeVerdicts(reg.db, [a.seal, b.seal])).map((r) => r.code)).toEqual(['authorized', 'authorized']);

    // Revoking again is refused (it is revoked), still warns, and publishes nothing.
    const again = await reg.run(['licence', 'revoke', a.number, '--reason', '冒用标识']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already revoked/);
    expect(again.stderr).toMatch(NOT_PUBLISHED);
    expect((await edgeVerdicts(reg.db, [a.seal, b.seal])).map((r) => r.code)).toEqual(['authorized', 'authorized']);
    expect(pendingTargets(reg.db).find((t) => t.target === 'local')).toMatchObject({ pendingEntries: 1 });
  }

  it('qdyp publish then publishes the revocation and the warning goes', async () => {
    const setupState = await setup();
    await checkBetween(setupState);
    const { reg, a, b } = setupState;
    const published = ok(await reg.run(['publish', '--json']));
    expect(published.json()).toMatchObject({ local: { entries: 1 } });
    expect(published.stderr).not.toMatch(NOT_PUBLISHED);
    const [ra, rb] = await edgeVerdicts(reg.db, [a.seal, b.seal]);
    expect(shown(ra!)).toMatchObject({ code: 'revoked', status: 'revoked' });
    expect(ra!.licence?.statusReason).toBe('冒用标识');
    expect(rb!.code).toBe('authorized');
    expect(ok(await reg.run(['licence', 'show', a.number])).stderr).not.toMatch(NOT_PUBLISHED);
    expect(pendingTargets(reg.db).filter((t) => t.target === 'local')).toEqual([]);
  });

  it('the next changing command (licence suspend B) publishes it too', async () => {
    const setupState = await setup();
    await checkBetween(setupState);
    const { reg, a, b } = setupState;
    const suspend = ok(await reg.run(['licence', 'suspend', b.number, '--reason', '抽检']));
    expect(suspend.stderr).not.toMatch(NOT_PUBLISHED);
    expect((await edgeVerdicts(reg.db, [a.seal, b.seal])).map((r) => r.code)).toEqual(['revoked', 'suspended']);
    expect(ok(await reg.run(['licence', 'show', a.number])).stderr).not.toMatch(NOT_PUBLISHED);
    expect(pendingTargets(reg.db).filter((t) => t.target === 'local')).toEqual([]);
  });
});

describe('qdyp publish killed part-way through a large publication', () => {
  const BIG_HOLDER = 250; // licences of holder 0
  const TOTAL = 300; // then 25 holders of 2 licences each
  const NEW_ADDRESS = '青岛市市南区香港中路 100 号';
  const NEW_PRODUCTS = ['冰箱', '洗衣机', '空调'];

  function csv(): string {
    const lines = [HEADER];
    for (let i = 0; i < TOTAL; i++) {
      const h = i < BIG_HOLDER ? 0 : 1 + Math.floor((i - BIG_HOLDER) / 2);
      lines.push(`2026,${i + 1},${usccFor(h)},青岛品牌企业${h}有限公司,青岛市市南区香港中路${h}号,370202,product,manufacturing,智能家电,冰箱;洗衣机,海尔,2026-01-01,2028-12-31`);
    }
    return `${lines.join('\r\n')}\r\n`;
  }

  type Fixture = { db: string; seals: string[]; before: Shown[]; after: Shown[] };
  let fixture: Promise<Fixture> | undefined;

  /** 300 licences published; then three changes each committed but their publication killed. */
  async function pendingProgramme(): Promise<Fixture> {
    const reg = await cliRegistry();
    const file = path.join(reg.dir, 'batch.csv');
    fs.writeFileSync(file, csv());
    expect(ok(await reg.run(['import', file, '--json'])).json()).toMatchObject({ licencesIssued: TOTAL, published: true });
    const licences = ok(await reg.run(['licence', 'list', '--json'])).json<{ number: string; serial: number; seal: string; holder: { uscc: string } }[]>();
    licences.sort((x, y) => x.serial - y.serial);
    expect(licences.length).toBe(TOTAL);
    const seals = licences.map((l) => l.seal);
    const before = (await edgeVerdicts(reg.db, seals)).map(shown);
    expect(new Set(before.map((s) => s.code))).toEqual(new Set(['authorized']));

    const revoked = licences[BIG_HOLDER]!; // holder 1
    const updated = licences[BIG_HOLDER + 2]!; // holder 2
    const changes = [
      ['holder', 'update', usccFor(0), '--address', NEW_ADDRESS, '--reason', '迁址'],
      ['licence', 'revoke', revoked.number, '--reason', '冒用标识'],
      ['licence', 'update', updated.number, ...NEW_PRODUCTS.flatMap((p) => ['--product', p])],
    ];
    for (const change of changes) {
      const killed = await runAndKill(reg.db, change);
      expectKilledBefore(killed, /^licence\//);
    }
    const show = ok(await reg.run(['licence', 'show', revoked.number]));
    expect(show.stderr).toMatch(new RegExp(`${BIG_HOLDER + 2} licence entries not yet published to local`));
    // Still the old state everywhere on the edge.
    expect((await edgeVerdicts(reg.db, seals)).map(shown)).toEqual(before);

    const after = before.map((s, i): Shown => {
      if (i < BIG_HOLDER) return { ...s, address: NEW_ADDRESS };
      if (licences[i] === revoked) return { ...s, code: 'revoked', status: 'revoked' };
      if (licences[i] === updated) return { ...s, products: NEW_PRODUCTS };
      return s;
    });
    return { db: reg.db, seals, before, after };
  }

  /** A copy of the fixture's registry (database, keys, edge), so each kill starts from the same state. */
  async function copyOfFixture(): Promise<Fixture> {
    const f = await (fixture ??= pendingProgramme());
    const dir = tempDir();
    fs.cpSync(path.dirname(f.db), dir, { recursive: true });
    return { ...f, db: path.join(dir, path.basename(f.db)) };
  }

  /** Every licence shows its old state or its new one; returns how many show the new one. */
  async function oldOrNew(f: Fixture): Promise<number> {
    const now = (await edgeVerdicts(f.db, f.seals)).map(shown);
    let fresh = 0;
    now.forEach((s, i) => {
      // A licence authorized before is never cannot_confirm; each is exactly one of its two states.
      expect([f.before[i], f.after[i]], `licence ${i + 1}`).toContainEqual(s);
      if (JSON.stringify(s) === JSON.stringify(f.after[i]) && JSON.stringify(s) !== JSON.stringify(f.before[i])) fresh += 1;
    });
    return fresh;
  }

  async function completes(f: Fixture): Promise<void> {
    const run = (argv: string[]) => qdyp([...argv, '--db', f.db]);
    const again = ok(await run(['publish', '--json']));
    expect(again.stderr).not.toMatch(NOT_PUBLISHED);
    expect(again.json()).toMatchObject({ local: { entries: BIG_HOLDER + 2 } });
    expect((await edgeVerdicts(f.db, f.seals)).map(shown)).toEqual(f.after);
    expect(pendingTargets(f.db)).toEqual([]);
    expect(ok(await run(['licence', 'list', '--json'])).stderr).not.toMatch(NOT_PUBLISHED);

    // The offline bundle, rebuilt by this publish, says the same.
    const paths = registryPaths(f.db);
    const root = await rootTrust(JSON.parse(fs.readFileSync(paths.rootPublicJwk, 'utf8')));
    const bundle = await openBundle((await readEdgeBytes(paths.edgeDir, 'bundle'))!, root);
    expect(bundle.count).toBe(f.seals.length);
    expect((await verifyAll(bundle.context, f.seals)).map(shown)).toEqual(f.after);

    // Idempotent: publishing again writes no entry and changes no verdict.
    const third = ok(await run(['publish', '--json']));
    expect(third.json()).toMatchObject({ local: { entries: 0 } });
    expect((await edgeVerdicts(f.db, f.seals)).map(shown)).toEqual(f.after);
  }

  it('killed at the 50th licence entry: every licence still verifies in its old state; publishing again completes it', async () => {
    const f = await copyOfFixture();
    const killed = await runAndKill(f.db, ['publish'], { at: 50 });
    expectKilledBefore(killed, /^licence\/0\/50\.\d+$/);
    expect(await oldOrNew(f)).toBe(0); // no list written yet: all old
    await completes(f);
  }, 120_000);

  it('killed after the revision list, before the status list: every licence old or new, none cannot_confirm; publishing again completes it', async () => {
    const f = await copyOfFixture();
    const killed = await runAndKill(f.db, ['publish'], { at: 1, match: '^status-list$' });
    expectKilledBefore(killed, 'status-list');
    // The new revision list points at the new entries (new address, new products); the revocation
    // is in the status list, not yet written: that licence still shows as authorized.
    expect(await oldOrNew(f)).toBe(BIG_HOLDER + 1);
    await completes(f);
  }, 120_000);
});
