// A licence's .tlog-proof (log-proof.ts): made from a published checkpoint and its tiles, it
// carries the logged entry's bytes as `extra`, and opens only when those bytes are the leaf the
// proof shows under a checkpoint the key list's log key signed. Web APIs only: this runs in
// Node and in workerd.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  buildTrustContext,
  decodeBase64,
  describeIssuingKey,
  encodeBase64,
  encodeLogEntry,
  formatTlogProof,
  generateKeyPair,
  leafHashes,
  logEntryProof,
  logOrigin,
  noteSigner,
  openLogEntryProof,
  parseTlogProof,
  publicJwk,
  signCheckpoint,
  signKeyList,
  TileBuilder,
  tilePath,
  type LicenceLogEntry,
  type PrivateJwk,
  type TileReader,
  type TrustedKeyList,
} from '../../src/core/index.ts';
import { newProgramme, T0, type Programme } from '../support/programme.ts';

const ORIGIN = logOrigin('HTTPS://VERIFY.EXAMPLE');
const N = 300; // one full level-0 tile and a partial one
const encoder = new TextEncoder();

function licenceEntry(i: number): LicenceLogEntry {
  return {
    v: 1,
    event: i % 3 === 0 ? 'licence.issue' : 'licence.update',
    time: new Date(T0.getTime() + i * 1000).toISOString(),
    licence: {
      number: `QDYP-2026-${String(i).padStart(6, '0')}`,
      serial: i + 1,
      rev: 1 + (i % 3),
      sealKid: 'A'.repeat(43),
      holder: { name: '青岛海滨食品有限公司', uscc: '91370200MA3C5X8Y1K', address: null },
      tier: 'product',
      sector: 'agriculture',
      chain: '食品饮料',
      region: '370211',
      products: [`海参 ${i}`],
      trademarks: [],
      validFrom: '2026-11-27',
      validUntil: '2029-11-26',
      status: 'valid',
      statusReason: null,
      statusChangedAt: T0.toISOString(),
    },
  };
}

let p: Programme;
let logJwk: PrivateJwk;
let keyList: TrustedKeyList;
const texts: string[] = Array.from({ length: N }, (_, i) => encodeLogEntry(licenceEntry(i)));
const store = new Map<string, Uint8Array>();
const readTile: TileReader = async (level, index, width) => {
  const tile = store.get(tilePath(level, index, width));
  if (!tile) throw new Error(`no tile ${tilePath(level, index, width)}`);
  return tile;
};
let root: Uint8Array;
let checkpoint: string;

async function keyListWith(...logKeys: { jwk: PrivateJwk; status?: 'active' | 'retired' | 'compromised' }[]): Promise<TrustedKeyList> {
  const records = [p.keys[0]!.record];
  for (const k of logKeys) records.push({ ...(await describeIssuingKey(publicJwk(k.jwk), T0, {}, 'log')), status: k.status ?? 'active' });
  const ctx = await buildTrustContext({ keyList: await signKeyList(records, 2, T0, p.rootSigner) }, { root: p.root });
  return ctx.keyList!;
}

beforeAll(async () => {
  p = await newProgramme();
  logJwk = await generateKeyPair();
  keyList = await keyListWith({ jwk: logJwk });
  const builder = new TileBuilder();
  for (const tile of await builder.append(await leafHashes(texts.map((t) => encoder.encode(t))))) store.set(tilePath(tile.level, tile.index, tile.width), tile.hashes);
  root = await builder.root();
  checkpoint = await signCheckpoint({ origin: ORIGIN, size: N, root }, await noteSigner(ORIGIN, logJwk));
});

const code = (code: string) => expect.objectContaining({ code });

describe('logEntryProof', () => {
  it('writes a tlog-proof whose extra is the entry as logged, then the index, the hashes and the checkpoint', async () => {
    const text = await logEntryProof(257, texts[257]!, checkpoint, readTile);
    const lines = text.split('\n');
    expect(lines[0]).toBe('c2sp.org/tlog-proof@v1');
    expect(lines[1]).toBe(`extra ${encodeBase64(encoder.encode(texts[257]!))}`);
    expect(lines[2]).toBe('index 257');
    expect(text.endsWith(`\n\n${checkpoint}`)).toBe(true);
    const parsed = parseTlogProof(text);
    expect(new TextDecoder().decode(parsed.extra)).toBe(texts[257]);
    // Leaf 257 of 300: five siblings inside [256, 288), then [288, 300) and [0, 256).
    expect(parsed.proof).toHaveLength(7);
  });

  it('opens to the entry, decoded, its index and the verified checkpoint', async () => {
    for (const index of [0, 1, 255, 256, N - 1]) {
      const opened = await openLogEntryProof(await logEntryProof(index, texts[index]!, checkpoint, readTile), keyList, ORIGIN);
      expect(opened.index).toBe(index);
      expect(opened.entry).toEqual(licenceEntry(index));
      expect(opened.entryText).toBe(texts[index]);
      expect(opened.checkpoint).toEqual({ origin: ORIGIN, size: N, root });
      expect(opened.checkpointNote).toBe(checkpoint);
    }
  });

  it('refuses an entry the checkpoint does not cover yet, and an entry that is not the one logged there', async () => {
    await expect(logEntryProof(N, texts[0]!, checkpoint, readTile)).rejects.toEqual(code('ERR_TLOG_PROOF'));
    await expect(logEntryProof(-1, texts[0]!, checkpoint, readTile)).rejects.toEqual(code('ERR_TLOG_MALFORMED'));
    await expect(logEntryProof(5, texts[6]!, checkpoint, readTile)).rejects.toEqual(code('ERR_TLOG_PROOF'));
    // Tiles that do not match the checkpoint give no proof either.
    const bad: TileReader = async (level, index, width) => {
      const tile = (await readTile(level, index, width)).slice();
      tile[0]! ^= 1;
      return tile;
    };
    await expect(logEntryProof(5, texts[5]!, checkpoint, bad)).rejects.toEqual(code('ERR_TLOG_PROOF'));
  });
});

describe('openLogEntryProof refuses', () => {
  let good: string;
  beforeAll(async () => {
    good = await logEntryProof(42, texts[42]!, checkpoint, readTile);
  });

  it('a proof that carries no entry', async () => {
    const bare = formatTlogProof({ ...parseTlogProof(good), extra: undefined });
    expect(bare).not.toContain('extra ');
    await expect(openLogEntryProof(bare, keyList, ORIGIN)).rejects.toEqual(code('ERR_TLOG_MALFORMED'));
  });

  it('a forged entry: another well-formed entry, or the same one changed', async () => {
    const other = formatTlogProof({ ...parseTlogProof(good), extra: encoder.encode(texts[43]!) });
    await expect(openLogEntryProof(other, keyList, ORIGIN)).rejects.toEqual(code('ERR_TLOG_PROOF'));
    const changed = formatTlogProof({ ...parseTlogProof(good), extra: encoder.encode(texts[42]!.replace('"valid"', '"revoked"')) });
    await expect(openLogEntryProof(changed, keyList, ORIGIN)).rejects.toEqual(code('ERR_TLOG_PROOF'));
    // The right entry at another index.
    await expect(openLogEntryProof(good.replace('index 42', 'index 43'), keyList, ORIGIN)).rejects.toEqual(code('ERR_TLOG_PROOF'));
  });

  it('a tampered proof hash, a shortened proof', async () => {
    const parsed = parseTlogProof(good);
    parsed.proof[2]![7]! ^= 0x10;
    await expect(openLogEntryProof(formatTlogProof(parsed), keyList, ORIGIN)).rejects.toEqual(code('ERR_TLOG_PROOF'));
    const shorter = parseTlogProof(good);
    await expect(openLogEntryProof(formatTlogProof({ ...shorter, proof: shorter.proof.slice(0, -1) }), keyList, ORIGIN)).rejects.toEqual(code('ERR_TLOG_PROOF'));
  });

  it('a tampered checkpoint, or one of a root the proof does not reach', async () => {
    await expect(openLogEntryProof(good.replace(`\n${N}\n`, `\n${N + 1}\n`), keyList, ORIGIN)).rejects.toEqual(code('ERR_TLOG_SIGNATURE'));
    const rootLine = encodeBase64(root);
    const otherRoot = encodeBase64(new Uint8Array(32));
    await expect(openLogEntryProof(good.replace(rootLine, otherRoot), keyList, ORIGIN)).rejects.toEqual(code('ERR_TLOG_SIGNATURE'));
    const honest = await signCheckpoint({ origin: ORIGIN, size: N, root: decodeBase64(otherRoot)! }, await noteSigner(ORIGIN, logJwk));
    await expect(openLogEntryProof(good.replace(checkpoint, honest), keyList, ORIGIN)).rejects.toEqual(code('ERR_TLOG_PROOF'));
  });

  it("a foreign log's proof, and a checkpoint no log key of this key list vouches for", async () => {
    await expect(openLogEntryProof(good, keyList, 'other.example/log')).rejects.toEqual(code('ERR_TLOG_UNKNOWN_KEY'));
    // Another log, well signed by its own key: this key list does not know it.
    const foreignJwk = await generateKeyPair();
    const foreign = await signCheckpoint({ origin: ORIGIN, size: N, root }, await noteSigner(ORIGIN, foreignJwk));
    await expect(openLogEntryProof(good.replace(checkpoint, foreign), keyList, ORIGIN)).rejects.toEqual(code('ERR_TLOG_UNKNOWN_KEY'));
    // The same key under another log's name: the origin line decides.
    const renamed = await signCheckpoint({ origin: 'other.example/log', size: N, root }, await noteSigner(ORIGIN, logJwk));
    await expect(openLogEntryProof(good.replace(checkpoint, renamed), keyList, ORIGIN)).rejects.toEqual(code('ERR_TLOG_ORIGIN'));
    await expect(openLogEntryProof(good, await keyListWith(), ORIGIN)).rejects.toEqual(code('ERR_TLOG_UNKNOWN_KEY'));
    await expect(openLogEntryProof(good, await keyListWith({ jwk: logJwk, status: 'compromised' }), ORIGIN)).rejects.toEqual(code('ERR_TLOG_UNKNOWN_KEY'));
    // A retired log key still vouches for the checkpoints it signed.
    await expect(openLogEntryProof(good, await keyListWith({ jwk: logJwk, status: 'retired' }), ORIGIN)).resolves.toMatchObject({ index: 42 });
  });

  it('a logged entry that is not in the documented encoding, once its inclusion held', async () => {
    // A log (of someone's making) whose entry 0 has a space in it: included, but no entry of ours.
    const odd = [texts[0]!.replace('{"v":1,', '{"v":1, '), texts[1]!];
    const builder = new TileBuilder();
    const tiles = new Map<string, Uint8Array>();
    for (const tile of await builder.append(await leafHashes(odd.map((t) => encoder.encode(t))))) tiles.set(tilePath(tile.level, tile.index, tile.width), tile.hashes);
    const cp = await signCheckpoint({ origin: ORIGIN, size: 2, root: await builder.root() }, await noteSigner(ORIGIN, logJwk));
    const text = await logEntryProof(0, odd[0]!, cp, async (l, i, w) => tiles.get(tilePath(l, i, w))!);
    await expect(openLogEntryProof(text, keyList, ORIGIN)).rejects.toEqual(code('ERR_LOG_ENTRY_MALFORMED'));
  });

  it('text that is not a tlog-proof', async () => {
    await expect(openLogEntryProof('hello', keyList, ORIGIN)).rejects.toEqual(code('ERR_TLOG_MALFORMED'));
    await expect(openLogEntryProof(good.replace('tlog-proof@v1', 'tlog-proof@v2'), keyList, ORIGIN)).rejects.toEqual(code('ERR_TLOG_MALFORMED'));
  });
});
