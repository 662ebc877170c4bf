// No going back (issue 10): once the verifier has accepted a status list or revision list, an
// older one put back into the store is refused, and an older licence entry put back under the
// current key is never shown. On the Node entry over a real edge directory: in memory, across
// a fresh app with the same keeper file, and across a restart of the server.
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { licenceEntryKey, signStatusList, type LicenceEntry } from '../../src/core/index.ts';
import { directorySource, fileTrustKeeper, startServer, TRUST_FILE } from '../../src/node/server.ts';
import { createApp, DEFAULT_TTL_MS, type TrustKeeper } from '../../src/web/index.ts';
import { issue, newKey, newProgramme, revise, STATUS_URI, type Programme } from '../support/programme.ts';
import { writeEdgeDir } from './edge-dir.ts';
import { artifactsOf, T0, type Artifacts } from './fixtures.ts';

const T1 = new Date(T0.getTime() + 5_000);
let p: Programme;
let seals: Record<'revoked' | 'revised' | 'untouched', string>;
/** Before: all three authorized, serial 2 covering two products. */
let v1: Artifacts;
/** After: serial 1 revoked, serial 2 narrowed to one product (revision 2). */
let v2: Artifacts;
const dirs: string[] = [];

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

beforeAll(async () => {
  p = await newProgramme();
  seals = {
    revoked: await issue(p, 1),
    revised: await issue(p, 2, { products: ['海参礼盒', '即食鲍鱼'] }),
    untouched: await issue(p, 3),
  };
  v1 = await artifactsOf(p, { bundles: false });
  const one = p.entries.get(1)!;
  p.entries.set(1, { ...one, status: 'revoked', statusReason: '冒用授权范围', statusChangedAt: T1.toISOString() });
  revise(p, 2, { products: ['海参礼盒'] });
  v2 = await artifactsOf(p, { time: T1, bundles: false });
});

afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

type Verdict = { code: string; licence: LicenceEntry | null; statusAsOf: string | null };

function verifierOn(edgeDir: string, options: { keeper?: TrustKeeper; start?: number } = {}) {
  let now = options.start ?? T1.getTime() + 1_000;
  const logs: string[] = [];
  const app = createApp({ source: directorySource(edgeDir), keeper: options.keeper, root: p.rootJwk, clock: () => new Date(now), log: (l) => logs.push(l) });
  return {
    logs,
    advance: (ms = DEFAULT_TTL_MS) => {
      now += ms;
    },
    verdict: async (seal: string): Promise<Verdict> => (await app.request(`http://localhost/api/v1/verify?seal=${seal}`)).json(),
    text: async (path: string) => (await app.request(`http://localhost${path}`)).text(),
  };
}

/** v1, then v2 published over it (old entries stay, as a publish leaves them). */
async function publishedDir(): Promise<string> {
  const dir = await tempDir('qdyp-replay-edge-');
  await writeEdgeDir(v1, dir);
  await writeEdgeDir(v2, dir);
  return dir;
}

async function putBack(dir: string, ...keys: string[]): Promise<void> {
  await writeEdgeDir({ texts: Object.fromEntries(keys.map((k) => [k, v1.texts[k]!])), bundles: {} }, dir);
}

describe('an older list put back into the edge directory', () => {
  it('status list: the revocation stands, and the newer list is what the verifier serves', async () => {
    const dir = await publishedDir();
    const v = verifierOn(dir);
    expect((await v.verdict(seals.revoked)).code).toBe('revoked');
    await putBack(dir, 'status-list');
    v.advance();
    expect(await v.verdict(seals.revoked)).toMatchObject({ code: 'revoked', statusAsOf: T1.toISOString() });
    expect(await v.text('/api/v1/status-list')).toBe(v2.texts['status-list']);
    expect(await v.text('/healthz')).toContain('(refused: statusList ERR_STATUS_ROLLBACK)');
    expect((await v.verdict(seals.untouched)).code).toBe('authorized');
  });

  it('revision list: the narrower scope stands; the wider one is never shown again', async () => {
    const dir = await publishedDir();
    const v = verifierOn(dir);
    expect((await v.verdict(seals.revised)).licence!.products).toEqual(['海参礼盒']);
    await putBack(dir, 'revision-list');
    v.advance();
    const after = await v.verdict(seals.revised);
    expect(after).toMatchObject({ code: 'authorized', licence: { products: ['海参礼盒'] } });
    expect(await v.text('/api/v1/revision-list')).toBe(v2.texts['revision-list']);
  });

  it('a forged list of the same time does not displace the accepted one, nor get served in its place', async () => {
    const dir = await publishedDir();
    const v = verifierOn(dir);
    expect((await v.verdict(seals.revoked)).code).toBe('revoked');
    const forged = await signStatusList(new Uint8Array(4), { uri: STATUS_URI, time: T1 }, (await newKey()).signer);
    await writeEdgeDir({ texts: { 'status-list': forged }, bundles: {} }, dir);
    v.advance();
    expect((await v.verdict(seals.revoked)).code).toBe('revoked');
    expect(await v.text('/api/v1/status-list')).toBe(v2.texts['status-list']);
    expect(await v.text('/healthz')).toContain('(refused: statusList ERR_ARTIFACT_UNKNOWN_KEY)');
  });

  it('an old entry copied over the current one: cannot_confirm, never its old details', async () => {
    const dir = await publishedDir();
    await writeEdgeDir({ texts: { [licenceEntryKey(2, 2)]: v1.texts[licenceEntryKey(2, 1)]! }, bundles: {} }, dir);
    const v = verifierOn(dir);
    expect(await v.verdict(seals.revised)).toMatchObject({ code: 'cannot_confirm', licence: null });
    expect(v.logs.some((l) => l.includes('licence entry 2/2 refused (ERR_ENTRY_STALE)'))).toBe(true);
    expect((await v.verdict(seals.untouched)).code).toBe('authorized');
  });

  it('both lists at once, to a fresh verifier: without a keeper it has nothing to hold on to (the documented window)', async () => {
    const dir = await publishedDir();
    await putBack(dir, 'status-list', 'revision-list');
    expect((await verifierOn(dir).verdict(seals.revoked)).code).toBe('authorized');
  });
});

describe('the keeper file in the verifier’s own data directory', () => {
  it('a fresh verifier on the same data directory refuses the older lists too', async () => {
    const dir = await publishedDir();
    const data = await tempDir('qdyp-replay-data-');
    const first = verifierOn(dir, { keeper: fileTrustKeeper(data) });
    expect((await first.verdict(seals.revoked)).code).toBe('revoked');
    const kept = JSON.parse(await readFile(join(data, TRUST_FILE), 'utf8'));
    expect(kept).toEqual({ keyList: v2.texts['key-list'], statusList: v2.texts['status-list'], revisionList: v2.texts['revision-list'] });
    expect((await stat(join(data, TRUST_FILE))).mode & 0o777).toBe(0o600);

    await putBack(dir, 'status-list', 'revision-list');
    const fresh = verifierOn(dir, { keeper: fileTrustKeeper(data) });
    expect(await fresh.verdict(seals.revoked)).toMatchObject({ code: 'revoked', statusAsOf: T1.toISOString() });
    expect((await fresh.verdict(seals.revised)).licence!.products).toEqual(['海参礼盒']);
    // And it did not write the older lists back.
    expect(JSON.parse(await readFile(join(data, TRUST_FILE), 'utf8'))).toEqual(kept);
  });

  it('an edge directory still behind the keeper (a slow copy, a lagging KV) is caught up, not refused into cannot_confirm', async () => {
    const behind = await tempDir('qdyp-replay-edge-');
    await writeEdgeDir(v1, behind);
    await writeEdgeDir({ texts: { [licenceEntryKey(2, 2)]: v2.texts[licenceEntryKey(2, 2)]! }, bundles: {} }, behind);
    const data = await tempDir('qdyp-replay-data-');
    await fileTrustKeeper(data).keep({ keyList: v2.texts['key-list'], statusList: v2.texts['status-list'], revisionList: v2.texts['revision-list'] });
    const v = verifierOn(behind, { keeper: fileTrustKeeper(data) });
    expect((await v.verdict(seals.revoked)).code).toBe('revoked');
    expect((await v.verdict(seals.revised)).licence!.products).toEqual(['海参礼盒']);
    expect((await v.verdict(seals.untouched)).code).toBe('authorized');
  });

  it('a corrupt keeper file is logged and replaced; the store carries on meanwhile', async () => {
    const dir = await publishedDir();
    const data = await tempDir('qdyp-replay-data-');
    await writeFile(join(data, TRUST_FILE), '{not json');
    const v = verifierOn(dir, { keeper: fileTrustKeeper(data) });
    expect((await v.verdict(seals.revoked)).code).toBe('revoked');
    expect(v.logs).toContain('trust keeper unreachable (SyntaxError); carrying on with the store and the lists accepted in memory');
    expect(JSON.parse(await readFile(join(data, TRUST_FILE), 'utf8')).statusList).toBe(v2.texts['status-list']);
  });

  it('a keeper that cannot be read or written is logged; the verifier carries on with the store and its memory', async () => {
    const dir = await publishedDir();
    const data = await tempDir('qdyp-replay-data-');
    await mkdir(join(data, TRUST_FILE)); // a directory where the file should be: every read and write fails
    const v = verifierOn(dir, { keeper: fileTrustKeeper(data) });
    expect((await v.verdict(seals.revoked)).code).toBe('revoked');
    expect(v.logs).toContain('trust keeper unreachable (Error); carrying on with the store and the lists accepted in memory');
    expect(v.logs).toContain("trust keeper unreachable (Error); the newer lists stay in this verifier's memory only");
    // Its memory floor still stands.
    await putBack(dir, 'status-list');
    v.advance();
    expect((await v.verdict(seals.revoked)).code).toBe('revoked');
  });
});

describe('across a restart of the Node verifier', () => {
  it('start, accept the newer lists, stop, put the older ones back, start again on the same data directory: still the newer', async () => {
    const dir = await publishedDir();
    const dataDir = join(await tempDir('qdyp-replay-data-'), 'verifier');
    const clock = () => new Date(T1.getTime() + 1_000);
    const options = { port: 0, edgeDir: dir, dataDir, rootJwk: p.rootJwk, clock, log: () => {} };
    const code = async (url: string, seal: string) => ((await (await fetch(`${url}/api/v1/verify?seal=${seal}`)).json()) as Verdict).code;

    const first = await startServer(options);
    try {
      expect(await code(first.url, seals.revoked)).toBe('revoked');
    } finally {
      await first.close();
    }
    await putBack(dir, 'status-list', 'revision-list', 'key-list');
    const second = await startServer(options);
    try {
      expect(await code(second.url, seals.revoked)).toBe('revoked');
      expect(await (await fetch(`${second.url}/api/v1/status-list`)).text()).toBe(v2.texts['status-list']);
      const revised = (await (await fetch(`${second.url}/api/v1/verify?seal=${seals.revised}`)).json()) as Verdict;
      expect(revised.licence!.products).toEqual(['海参礼盒']);
    } finally {
      await second.close();
    }
  });
});
