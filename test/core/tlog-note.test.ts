// Signed notes, checkpoints and tlog-proof files (C2SP signed-note, tlog-checkpoint,
// tlog-proof): formats read strictly, signatures by known keys verified, unknown ones ignored,
// and a whole proof — entry, inclusion proof from tiles, signed checkpoint — checked end to end.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  addNoteSignatures,
  encodeBase64,
  decodeBase64,
  formatCheckpoint,
  formatNote,
  formatSignerKey,
  formatTlogProof,
  formatVerifierKey,
  generateKeyPair,
  inclusionProofFromTiles,
  leafHashes,
  MAX_NOTE_SIGNATURES,
  noteSigner,
  noteVerifier,
  openCheckpoint,
  parseCheckpoint,
  parseNote,
  parseSignerKey,
  parseTlogProof,
  parseVerifierKey,
  publicJwk,
  signCheckpoint,
  signNote,
  TileBuilder,
  tilePath,
  verifyNote,
  verifyTlogProof,
  type NoteSigner,
  type NoteVerifier,
  type PrivateJwk,
  type TileReader,
} from '../../src/core/index.ts';

const ORIGIN = 'v.qdyp.cn/log';
const encoder = new TextEncoder();
let jwk: PrivateJwk;
let signer: NoteSigner;
let verifier: NoteVerifier;
let witness: NoteSigner;
let witnessVerifier: NoteVerifier;

beforeAll(async () => {
  jwk = await generateKeyPair();
  signer = await noteSigner(ORIGIN, jwk);
  verifier = await noteVerifier(ORIGIN, publicJwk(jwk));
  const w = await generateKeyPair();
  witness = await noteSigner('witness.example/w1', w);
  witnessVerifier = await noteVerifier('witness.example/w1', publicJwk(w));
});

const code = (code: string) => expect.objectContaining({ code });

describe('signed notes', () => {
  it('signs and verifies, one line per signature, the key ID first', async () => {
    const note = await signNote('hello\n', signer);
    expect(note).toMatch(/^hello\n\n\u2014 v\.qdyp\.cn\/log [A-Za-z0-9+/]{91}=\n$/);
    const parsed = parseNote(note);
    expect(parsed.text).toBe('hello\n');
    expect(parsed.signatures).toHaveLength(1);
    expect(parsed.signatures[0]!.keyId).toBe(signer.keyId);
    expect(parsed.signatures[0]!.signature).toHaveLength(64);
    expect((await verifyNote(note, [verifier])).verifiedBy).toEqual([ORIGIN]);
    expect(formatNote(parsed)).toBe(note);
  });

  it('keys round-trip through their texts, and the verifier key matches the signer key', async () => {
    const vkey = await formatVerifierKey(ORIGIN, publicJwk(jwk));
    expect(vkey).toMatch(/^v\.qdyp\.cn\/log\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}$/);
    const fromText = await parseVerifierKey(vkey);
    expect(fromText.keyId).toBe(signer.keyId);
    const skey = await formatSignerKey(ORIGIN, jwk);
    expect(skey.startsWith('PRIVATE+KEY+v.qdyp.cn/log+')).toBe(true);
    const note = await signNote('text\n', await parseSignerKey(skey));
    expect(note).toBe(await signNote('text\n', signer));
    expect((await verifyNote(note, [fromText])).verifiedBy).toEqual([ORIGIN]);
  });

  it('refuses malformed key texts', async () => {
    const vkey = await formatVerifierKey(ORIGIN, publicJwk(jwk));
    const [name, hash, key] = [vkey.slice(0, vkey.indexOf('+')), vkey.split('+')[1]!, vkey.slice(vkey.indexOf('+', vkey.indexOf('+') + 1) + 1)];
    const otherHash = (parseInt(hash, 16) ^ 1).toString(16).padStart(8, '0');
    const upper = /[a-f]/.test(hash) ? [`${name}+${hash.toUpperCase()}+${key}`] : [];
    for (const bad of [...upper, `${name}+${otherHash}+${key}`, `${name}+0${hash}+${key}`, `${name}+${hash}`, `+${hash}+${key}`, `a b+${hash}+${key}`, `${name}+${hash}+${key.slice(0, -1)}`, `${name}+${hash}+${encodeBase64(new Uint8Array(33).fill(2))}`]) {
      await expect(parseVerifierKey(bad), bad).rejects.toEqual(code('ERR_TLOG_KEY_INVALID'));
    }
    await expect(parseSignerKey(`PRIVATE+KEY+${ORIGIN}+00000000+${encodeBase64(new Uint8Array(33).fill(1))}`)).rejects.toEqual(code('ERR_TLOG_KEY_INVALID'));
    await expect(parseSignerKey(vkey)).rejects.toEqual(code('ERR_TLOG_KEY_INVALID'));
  });

  it('ignores signatures by unknown keys, even one sharing the name or the ID, but needs one known', async () => {
    const other = await noteSigner(ORIGIN, await generateKeyPair());
    const note = await signNote('text\n', [other, witness, signer]);
    const verified = await verifyNote(note, [verifier]);
    expect(verified.verifiedBy).toEqual([ORIGIN]);
    expect(verified.signatures.map((s) => s.name)).toEqual([ORIGIN, 'witness.example/w1', ORIGIN]);
    expect((await verifyNote(note, [verifier, witnessVerifier])).verifiedBy).toEqual(['witness.example/w1', ORIGIN]);
    await expect(verifyNote(await signNote('text\n', other), [verifier])).rejects.toEqual(code('ERR_TLOG_UNKNOWN_KEY'));
    // The same key ID under another name is another key.
    const renamed = parseNote(await signNote('text\n', signer));
    renamed.signatures[0]!.name = 'v.qdyp.cn/other';
    await expect(verifyNote(formatNote(renamed), [verifier])).rejects.toEqual(code('ERR_TLOG_UNKNOWN_KEY'));
  });

  it('refuses the whole note when a known key’s signature fails', async () => {
    const note = parseNote(await signNote('text\n', [witness, signer]));
    note.signatures[1]!.signature[5]! ^= 1;
    await expect(verifyNote(formatNote(note), [verifier, witnessVerifier])).rejects.toEqual(code('ERR_TLOG_SIGNATURE'));
    const good = await signNote('text\n', signer);
    await expect(verifyNote(good.replace('text', 'next'), [verifier])).rejects.toEqual(code('ERR_TLOG_SIGNATURE'));
    const truncated = parseNote(good);
    truncated.signatures[0]!.signature = truncated.signatures[0]!.signature.slice(0, 63);
    await expect(verifyNote(formatNote(truncated), [verifier])).rejects.toEqual(code('ERR_TLOG_SIGNATURE'));
  });

  it('adds cosignatures to a signed note, keeping the signatures it has', async () => {
    const note = await signNote('text\n', signer);
    const cosigned = await addNoteSignatures(note, [witness]);
    expect(cosigned.startsWith(note)).toBe(true);
    expect((await verifyNote(cosigned, [verifier, witnessVerifier])).verifiedBy).toEqual([ORIGIN, 'witness.example/w1']);
  });

  it('takes text with blank lines (the last blank line separates the signatures)', async () => {
    const note = await signNote('one\n\ntwo\n', signer);
    expect((await verifyNote(note, [verifier])).text).toBe('one\n\ntwo\n');
  });

  it('accepts 16 signatures and more, up to the limit', async () => {
    const many = Array.from({ length: MAX_NOTE_SIGNATURES }, () => witness);
    const note = await signNote('text\n', many);
    expect((await verifyNote(note, [witnessVerifier])).signatures).toHaveLength(MAX_NOTE_SIGNATURES);
    const line = note.slice(note.lastIndexOf('\u2014'));
    expect(() => parseNote(note + line)).toThrow(code('ERR_TLOG_TOO_LARGE'));
  });

  it.each([
    ['no trailing newline', (n: string) => n.slice(0, -1)],
    ['no blank line', (n: string) => n.replace('\n\n', '\n')],
    ['a hyphen for the em dash', (n: string) => n.replace('\u2014', '-')],
    ['no space after the dash', (n: string) => n.replace('\u2014 ', '\u2014')],
    ['an empty key name', (n: string) => n.replace(`\u2014 ${ORIGIN}`, '\u2014 ')],
    ['a plus in the key name', (n: string) => n.replace(`\u2014 ${ORIGIN}`, '\u2014 a+b')],
    ['a non-breaking space in the key name', (n: string) => n.replace(`\u2014 ${ORIGIN}`, '\u2014 a\u00a0b')],
    ['two spaces', (n: string) => n.replace(`${ORIGIN} `, `${ORIGIN}  `)],
    ['unpadded base64', (n: string) => n.replace('=\n', '\n')],
    ['base64url', (n: string) => n.replace(/ [^ ]+\n$/, (s) => s.replace(/\+/g, '-').replace(/\//g, '_').replace(/=/, ''))],
    ['a signature of four bytes', (n: string) => n.replace(/ [^ ]+\n$/, ' AAAAAA==\n')],
    ['a control character in the text', (n: string) => `hel\tlo${n.slice(5)}`],
    ['a carriage return', (n: string) => n.replace('hello\n', 'hello\r\n')],
    ['a lone surrogate', (n: string) => `\ud800${n}`],
    ['a trailing blank line', (n: string) => `${n}\n`],
    ['no signatures', () => 'hello\n\n'],
  ])('refuses a note with %s', async (_what, mutate) => {
    const note = await signNote('hello\n', signer);
    expect(() => parseNote(mutate(note))).toThrow(code('ERR_TLOG_MALFORMED'));
    await expect(verifyNote(mutate(note), [verifier])).rejects.toEqual(code('ERR_TLOG_MALFORMED'));
  });

  it('refuses to sign text that is not a note text', async () => {
    await expect(signNote('no newline', signer)).rejects.toEqual(code('ERR_TLOG_MALFORMED'));
    await expect(signNote('bell\u0007\n', signer)).rejects.toEqual(code('ERR_TLOG_MALFORMED'));
  });
});

describe('checkpoints', () => {
  const root = Uint8Array.from({ length: 32 }, (_, i) => i);
  const body = `${ORIGIN}\n70000\n${encodeBase64(root)}\n`;

  it('formats and parses origin, size and root', () => {
    expect(formatCheckpoint({ origin: ORIGIN, size: 70_000, root })).toBe(body);
    expect(parseCheckpoint(body)).toEqual({ origin: ORIGIN, size: 70_000, root });
    expect(parseCheckpoint(`${ORIGIN}\n0\n${encodeBase64(root)}\n`).size).toBe(0);
    const withExtension = `${body}ext one\n`;
    expect(parseCheckpoint(withExtension).extensions).toEqual(['ext one']);
    expect(formatCheckpoint(parseCheckpoint(withExtension))).toBe(withExtension);
  });

  it.each([
    ['a size with a leading zero', body.replace('70000', '070000')],
    ['a negative size', body.replace('70000', '-1')],
    ['a signed size', body.replace('70000', '+70000')],
    ['a fractional size', body.replace('70000', '70000.0')],
    ['a size with a space', body.replace('70000', ' 70000')],
    ['a size in hex', body.replace('70000', '0x11170')],
    ['a size past 2^53', body.replace('70000', '9007199254740993')],
    ['an empty size', body.replace('70000', '')],
    ['an empty origin', body.slice(ORIGIN.length)],
    ['a root of 31 bytes', body.replace(encodeBase64(root), encodeBase64(root.subarray(1)))],
    ['a root of 33 bytes', body.replace(encodeBase64(root), encodeBase64(new Uint8Array(33)))],
    ['a root without padding', body.replace('=\n', '\n')],
    ['a root with spare bits set', body.replace(/.=\n/, (s) => `${String.fromCharCode(s.charCodeAt(0) + 1)}=\n`)],
    ['a base64url root', `${ORIGIN}\n1\n${encodeBase64(new Uint8Array(32).fill(0xfb))}\n`.replace(/\+/g, '-').replace(/\//g, '_')],
    ['no root', `${ORIGIN}\n70000\n`],
    ['no trailing newline', body.slice(0, -1)],
    ['an empty extension line', `${body}\n`],
    ['an empty line inside', body.replace('\n', '\n\n')],
    ['a CR', body.replace('\n', '\r\n')],
  ])('refuses %s', (_what, text) => {
    expect(() => parseCheckpoint(text)).toThrow(code('ERR_TLOG_MALFORMED'));
  });

  it('refuses to format a bad checkpoint', () => {
    expect(() => formatCheckpoint({ origin: '', size: 1, root })).toThrow(code('ERR_TLOG_MALFORMED'));
    expect(() => formatCheckpoint({ origin: 'a\nb', size: 1, root })).toThrow(code('ERR_TLOG_MALFORMED'));
    expect(() => formatCheckpoint({ origin: ORIGIN, size: -1, root })).toThrow(code('ERR_TLOG_MALFORMED'));
    expect(() => formatCheckpoint({ origin: ORIGIN, size: 1.5, root })).toThrow(code('ERR_TLOG_MALFORMED'));
    expect(() => formatCheckpoint({ origin: ORIGIN, size: 1, root: root.subarray(1) })).toThrow(code('ERR_TLOG_MALFORMED'));
    expect(() => formatCheckpoint({ origin: ORIGIN, size: 1, root, extensions: [''] })).toThrow(code('ERR_TLOG_MALFORMED'));
  });

  it('signs, verifies with witnesses, and refuses a tampered checkpoint or another log’s', async () => {
    const note = await signCheckpoint({ origin: ORIGIN, size: 70_000, root }, [signer, witness]);
    const opened = await openCheckpoint(note, [verifier, witnessVerifier], ORIGIN);
    expect(opened.checkpoint).toEqual({ origin: ORIGIN, size: 70_000, root });
    expect(opened.verifiedBy).toEqual([ORIGIN, 'witness.example/w1']);
    expect(opened.text).toBe(body);
    await expect(openCheckpoint(note.replace('70000', '70001'), [verifier], ORIGIN)).rejects.toEqual(code('ERR_TLOG_SIGNATURE'));
    await expect(openCheckpoint(note, [verifier], 'v.qdyp.cn/other')).rejects.toEqual(code('ERR_TLOG_ORIGIN'));
    await expect(openCheckpoint(note, [witnessVerifier], ORIGIN)).resolves.toBeTruthy();
    await expect(openCheckpoint(await signNote('not\na checkpoint\n', signer), [verifier], ORIGIN)).rejects.toEqual(code('ERR_TLOG_MALFORMED'));
  });
});

describe('tlog-proof files, end to end', async () => {
  const N = 1000;
  const entries = Array.from({ length: N }, (_, i) => encoder.encode(JSON.stringify({ n: i, event: 'issue', number: `QDYP-2026-${String(i).padStart(6, '0')}` })));
  const builder = new TileBuilder();
  const store = new Map<string, Uint8Array>();
  for (const tile of await builder.append(await leafHashes(entries))) store.set(tilePath(tile.level, tile.index, tile.width), tile.hashes);
  const readTile: TileReader = async (level, index, width) => store.get(tilePath(level, index, width))!;
  const root = await builder.root();
  let checkpoint: string;
  let proofText: string;
  const INDEX = 777;

  beforeAll(async () => {
    checkpoint = await signCheckpoint({ origin: ORIGIN, size: N, root }, signer);
    const { proof } = await inclusionProofFromTiles(INDEX, N, readTile);
    proofText = formatTlogProof({ index: INDEX, proof, checkpoint });
  });

  it('has the layout of tlog-proof.md: header, index, one hash a line, a blank line, the checkpoint verbatim', () => {
    const lines = proofText.split('\n');
    expect(lines[0]).toBe('c2sp.org/tlog-proof@v1');
    expect(lines[1]).toBe(`index ${INDEX}`);
    expect(lines.slice(2, 12).every((l) => decodeBase64(l)?.length === 32)).toBe(true);
    expect(lines[12]).toBe('');
    expect(proofText.endsWith(`\n\n${checkpoint}`)).toBe(true);
    const parsed = parseTlogProof(proofText);
    expect(parsed.index).toBe(INDEX);
    expect(parsed.proof).toHaveLength(10);
    expect(parsed.checkpoint).toBe(checkpoint);
    expect(formatTlogProof(parsed)).toBe(proofText);
  });

  it('verifies for the logged entry', async () => {
    const verified = await verifyTlogProof(proofText, entries[INDEX]!, [verifier], ORIGIN);
    expect(verified).toEqual({ index: INDEX, checkpoint: { origin: ORIGIN, size: N, root }, verifiedBy: [ORIGIN] });
  });

  it('carries extra data, unauthenticated, and a cosigned checkpoint', async () => {
    const parsed = parseTlogProof(proofText);
    const cosigned = await addNoteSignatures(checkpoint, [witness]);
    const text = formatTlogProof({ ...parsed, checkpoint: cosigned, extra: encoder.encode('opaque') });
    expect(text.split('\n')[1]).toBe(`extra ${encodeBase64(encoder.encode('opaque'))}`);
    expect(new TextDecoder().decode(parseTlogProof(text).extra)).toBe('opaque');
    expect((await verifyTlogProof(text, entries[INDEX]!, [verifier, witnessVerifier], ORIGIN)).verifiedBy).toEqual([ORIGIN, 'witness.example/w1']);
  });

  it('refuses another entry, another index, a changed proof hash, or a shortened proof', async () => {
    await expect(verifyTlogProof(proofText, entries[INDEX + 1]!, [verifier], ORIGIN)).rejects.toEqual(code('ERR_TLOG_PROOF'));
    await expect(verifyTlogProof(proofText.replace(`index ${INDEX}`, `index ${INDEX + 1}`), entries[INDEX]!, [verifier], ORIGIN)).rejects.toEqual(code('ERR_TLOG_PROOF'));
    await expect(verifyTlogProof(proofText.replace(`index ${INDEX}`, `index ${N}`), entries[INDEX]!, [verifier], ORIGIN)).rejects.toEqual(code('ERR_TLOG_PROOF'));
    const parsed = parseTlogProof(proofText);
    parsed.proof[3]![0]! ^= 0x80;
    await expect(verifyTlogProof(formatTlogProof(parsed), entries[INDEX]!, [verifier], ORIGIN)).rejects.toEqual(code('ERR_TLOG_PROOF'));
    const shorter = { ...parseTlogProof(proofText) };
    shorter.proof = shorter.proof.slice(0, -1);
    await expect(verifyTlogProof(formatTlogProof(shorter), entries[INDEX]!, [verifier], ORIGIN)).rejects.toEqual(code('ERR_TLOG_PROOF'));
  });

  it('refuses a tampered checkpoint, an unknown key, another log', async () => {
    await expect(verifyTlogProof(proofText.replace(`\n${N}\n`, `\n${N + 1}\n`), entries[INDEX]!, [verifier], ORIGIN)).rejects.toEqual(code('ERR_TLOG_SIGNATURE'));
    await expect(verifyTlogProof(proofText, entries[INDEX]!, [witnessVerifier], ORIGIN)).rejects.toEqual(code('ERR_TLOG_UNKNOWN_KEY'));
    await expect(verifyTlogProof(proofText, entries[INDEX]!, [verifier], 'v.qdyp.cn/other')).rejects.toEqual(code('ERR_TLOG_ORIGIN'));
    // A checkpoint honestly signed, but of a root the proof does not reach.
    const other = await signCheckpoint({ origin: ORIGIN, size: N, root: new Uint8Array(32) }, signer);
    await expect(verifyTlogProof(proofText.replace(checkpoint, other), entries[INDEX]!, [verifier], ORIGIN)).rejects.toEqual(code('ERR_TLOG_PROOF'));
  });

  it.each([
    ['another header', (t: string) => t.replace('tlog-proof@v1', 'tlog-proof@v2')],
    ['no index line', (t: string) => t.replace(`index ${INDEX}\n`, '')],
    ['an index with a leading zero', (t: string) => t.replace(`index ${INDEX}`, `index 0${INDEX}`)],
    ['a negative index', (t: string) => t.replace(`index ${INDEX}`, 'index -1')],
    ['two spaces after index', (t: string) => t.replace(`index ${INDEX}`, `index  ${INDEX}`)],
    ['a hash of 31 bytes', (t: string) => t.replace(/\n[^\n]{44}\n/, `\n${encodeBase64(new Uint8Array(31))}\n`)],
    ['a hash line without padding', (t: string) => t.replace(/=\n\n/, '\n\n')],
    ['empty extra data', (t: string) => t.replace('\nindex', '\nextra \nindex')],
    ['extra after the index', (t: string) => t.replace(/(index \d+\n)/, `$1extra AAAA\n`)],
    ['no blank line before the checkpoint', (t: string) => t.replace('\n\n', '\n')],
    ['a malformed checkpoint', (t: string) => t.replace(`\n${N}\n`, `\n0${N}\n`)],
    ['a checkpoint without signatures', (t: string) => t.slice(0, t.lastIndexOf('\u2014'))],
  ])('refuses a proof file with %s', async (_what, mutate) => {
    expect(() => parseTlogProof(mutate(proofText))).toThrow(code('ERR_TLOG_MALFORMED'));
    await expect(verifyTlogProof(mutate(proofText), entries[INDEX]!, [verifier], ORIGIN)).rejects.toEqual(code('ERR_TLOG_MALFORMED'));
  });
});
