// qdyp verify: checks a seal URL, a bare seal, a photo of a label's QR code or a licence
// document exactly as the edge does, from published artifacts only (the registry's edge/
// store, or a trust bundle), never from the database.

import fs from 'node:fs';
import {
  MAX_BUNDLE_BYTES,
  MAX_PHOTO_BYTES,
  MESSAGES,
  NO_ENTRIES,
  openBundle,
  parseSeal,
  QdypError,
  rootTrust,
  sealFromInput,
  verifyLicenceDocument,
  verifySeal,
  type OpenedBundle,
  type PublicJwk,
  type TrustContext,
  type Verdict,
} from '../../core/index.ts';
import { parseVerifierConfig } from '../../web/config.ts';
import { nodeCodecs } from '../codecs.ts';
import { trustFromEdge } from '../edge-store.ts';
import { RefusedError } from '../errors.ts';
import { checkLicenceProof, type ProofCheck } from '../log-proofs.ts';
import { registryPaths } from '../registry/db.ts';
import { command, EXIT, terminalSafe, text, UsageError, type Cli } from './command.ts';
import { fields, regionLabel, sectorLabel, tierLabel } from './format.ts';

const MAX_INPUT_FILE_BYTES = 64 * 1024;
/** A proof file: a checkpoint note (at most 256 KiB) and the entry and hashes before it. */
const MAX_PROOF_FILE_BYTES = 512 * 1024;
const JWS_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
/** PNG, JPEG, GIF and RIFF (WebP) signatures: such a file goes to the QR decoder, which says what it cannot read. */
const IMAGE_MAGIC = [[0x89, 0x50, 0x4e, 0x47], [0xff, 0xd8, 0xff], [0x47, 0x49, 0x46, 0x38], [0x52, 0x49, 0x46, 0x46]];
const IMAGE_NAME = /\.(jpe?g|png|gif|webp)$/i;
/** How much of a QR code's text a refusal shows. */
const SHOWN_QR_TEXT = 200;
/** Text that is not a seal, a seal URL or a licence document: control characters (tab, CR and LF aside). */
const BINARY = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/** The pinned root: --root FILE, else QDYP_ROOT_JWK, else the registry's root.public.jwk. */
export function readPinnedRoot(cli: Cli, file: string | undefined): PublicJwk {
  const dbPaths = registryPaths(cli.dbPath());
  let source: string;
  let raw: string;
  if (file !== undefined) {
    source = file;
    raw = readText(cli.resolve(file), 'the --root file');
  } else if (cli.io.env.QDYP_ROOT_JWK) {
    source = 'QDYP_ROOT_JWK';
    raw = cli.io.env.QDYP_ROOT_JWK;
  } else if (fs.existsSync(dbPaths.rootPublicJwk)) {
    source = dbPaths.rootPublicJwk;
    raw = fs.readFileSync(dbPaths.rootPublicJwk, 'utf8');
  } else {
    throw new UsageError(`no pinned root key: give --root FILE or set QDYP_ROOT_JWK (there is no ${dbPaths.rootPublicJwk})`);
  }
  const { root, problems } = parseVerifierConfig({ rootJwk: raw }, { rootJwk: source });
  if (!root) throw new UsageError(problems[0] ?? `${source} is not a JSON Web Key`);
  return root;
}

/** The key-list version floor from --min-key-list-version or QDYP_MIN_KEY_LIST_VERSION. */
export function keyListFloor(value: string | undefined, source = 'QDYP_MIN_KEY_LIST_VERSION'): number | undefined {
  const { minKeyListVersion, problems } = parseVerifierConfig({ minKeyListVersion: value }, { minKeyListVersion: source });
  if (problems[0]) throw new UsageError(problems[0]);
  return minKeyListVersion;
}

function readText(file: string, what: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    throw new UsageError(`cannot read ${what} ${file}`);
  }
}

function readBytes(file: string, what: string, max: number): Uint8Array {
  try {
    if (fs.statSync(file).size > max) throw new UsageError(`${what} ${file} is too large`);
    return new Uint8Array(fs.readFileSync(file));
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`cannot read ${what} ${file}`);
  }
}

/**
 * Text from outside (a QR code's content) as a refusal may show it: at most SHOWN_QR_TEXT
 * characters, quoted, with newlines and every control, direction or invisible character
 * escaped, so it cannot forge lines or recolour the terminal.
 */
export function shownText(value: string, max = SHOWN_QR_TEXT): string {
  const chars = Array.from(value);
  const cut = chars.length > max ? chars.slice(0, max).join('') : value;
  return `${terminalSafe(JSON.stringify(cut))}${chars.length > max ? ` … (${chars.length} characters)` : ''}`;
}

type Subject = { kind: 'document' | 'seal'; text: string; decoded?: string };

/** Reads at most `max` bytes of `file`, refusing (before reading it all) a larger one. */
function readPhoto(file: string, arg: string, max: number): Uint8Array {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    throw new UsageError(`cannot read ${arg}`);
  }
  try {
    const size = fs.fstatSync(fd).size;
    const tooLarge = () => new RefusedError('invalid_text', `${arg} is over ${max / (1024 * 1024)} MiB: too large for a photo of a label (crop it to the label, or photograph the QR code alone)`);
    if (size > max) throw tooLarge();
    // The file may grow while it is read: never more than max + 1 bytes.
    const buffer = Buffer.alloc(Math.min(size, max) + 1);
    let length = 0;
    while (length < buffer.length) {
      const n = fs.readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
    }
    if (length > max) throw tooLarge();
    return new Uint8Array(buffer.buffer, buffer.byteOffset, length);
  } finally {
    fs.closeSync(fd);
  }
}

/** The seal in a photo of a label: refused unless the picture holds a QR code whose text is a seal. */
async function sealFromPhoto(file: string, arg: string): Promise<Subject> {
  const bytes = readPhoto(file, arg, MAX_PHOTO_BYTES);
  // The decoder (WebAssembly) is loaded only when a photo is given.
  const { decodeQrImage } = await import('../qr-decode.ts');
  const result = await decodeQrImage(bytes);
  if (!result.ok) {
    if (result.reason === 'no_code') throw new RefusedError('invalid_text', `no QR code found in ${arg}: ${result.message.replace(/^no QR code[^:]*:\s*/i, '')}`);
    if (result.reason === 'too_large') throw new RefusedError('invalid_text', `${arg}: ${result.message}`);
    throw new RefusedError('invalid_text', `${arg} cannot be read as a photo of a label, and is not a seal or licence document: ${result.message}`);
  }
  // A seal of this programme is what the seal parser accepts, bare or after /v/ in a URL (of
  // any host: the signature, not the address, decides the verdict). Anything else is not one,
  // and is never fetched or followed.
  const seal = sealFromInput(result.text);
  if (parseSeal(seal) === null) {
    throw new RefusedError('invalid_text', `the QR code in ${arg} is not a qdyp seal; it holds ${shownText(result.text)} (not opened)`);
  }
  return { kind: 'seal', text: seal, decoded: result.text };
}

function utf8OrNull(bytes: Uint8Array): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

/** What the argument is: a licence document (JWS), a seal / seal URL, or a photo of a label. */
async function readSubject(cli: Cli, arg: string): Promise<Subject> {
  if (JWS_SHAPE.test(arg)) return { kind: 'document', text: arg };
  const file = cli.resolve(arg);
  let stat: fs.Stats | undefined;
  try {
    stat = fs.statSync(file);
  } catch {
    stat = undefined; // not a file name (a URL, a seal), or one that cannot be looked at
  }
  let content = arg;
  if (stat?.isFile()) {
    const head = Buffer.alloc(4);
    let read = 0;
    try {
      const fd = fs.openSync(file, 'r');
      try {
        read = fs.readSync(fd, head, 0, head.length, 0);
      } finally {
        fs.closeSync(fd);
      }
    } catch {
      throw new UsageError(`cannot read ${arg}`);
    }
    const magic = IMAGE_MAGIC.some((m) => m.length <= read && m.every((b, i) => head[i] === b));
    if (magic || IMAGE_NAME.test(arg)) return sealFromPhoto(file, arg);
    if (stat.size > MAX_INPUT_FILE_BYTES) throw new UsageError(`${arg} is too large to be a seal or licence document`);
    const decoded = utf8OrNull(fs.readFileSync(file));
    if (decoded === null || BINARY.test(decoded)) throw new RefusedError('invalid_text', `${arg} is neither a photo of a label (JPEG, PNG or GIF) nor a seal, seal URL or licence document`);
    content = decoded.replace(/^\ufeff/, '').trim();
  } else if (IMAGE_NAME.test(arg) && !stat) {
    // A seal or its URL never ends in .jpg: this was meant to be a photo.
    throw new UsageError(`cannot read ${arg}: no such file`);
  }
  return JWS_SHAPE.test(content) ? { kind: 'document', text: content } : { kind: 'seal', text: sealFromInput(content) };
}

/** "3 hours ago", for how old a bundle is. */
export function ageText(seconds: number): string {
  const ahead = seconds < 0;
  const s = Math.abs(seconds);
  const [n, unit] = s < 90 ? [s, 'second'] : s < 90 * 60 ? [Math.round(s / 60), 'minute'] : s < 48 * 3600 ? [Math.round(s / 3600), 'hour'] : [Math.round(s / 86400), 'day'];
  const amount = `${n} ${unit}${n === 1 ? '' : 's'}`;
  return ahead ? `${amount} ahead of this clock` : `${amount} ago`;
}

/** What verify --json and the human output say about a bundle that opened. */
export function bundleSummary(opened: Pick<OpenedBundle, 'asOf' | 'region' | 'count'>, now: Date) {
  return { asOf: opened.asOf, ageSeconds: Math.floor((now.getTime() - Date.parse(opened.asOf)) / 1000), region: opened.region, count: opened.count };
}

export function bundleRegionText(region: string | null): string {
  return region === null ? 'all (every licence of the programme)' : regionLabel(region);
}

interface VerifyNotes {
  problems: string[];
  /** The QR code's text, for a photo. */
  decoded?: string;
  /** The bundle checked against, or why it was refused. */
  bundle?: { opened: ReturnType<typeof bundleSummary> } | { file: string; refused: QdypError };
  /** What --proof made of the .tlog-proof given. */
  proof?: ProofCheck;
}

function humanVerdict(verdict: Verdict, notes: VerifyNotes): string {
  const zh = MESSAGES['zh-CN'].outcomes[verdict.code];
  const en = MESSAGES.en.outcomes[verdict.code];
  const lines = [`${zh.title} / ${en.title}  (${verdict.code})`, zh.summary, en.summary];
  const l = verdict.licence;
  if (l) {
    const rows: [string, string][] = [
      ['licence', l.number],
      ['holder', `${l.holder.name} (${l.holder.uscc})`],
      ['tier', tierLabel(l.tier)],
      ['sector', sectorLabel(l.sector)],
    ];
    if (l.chain) rows.push(['chain', l.chain]);
    if (l.region) rows.push(['region', regionLabel(l.region)]);
    for (const p of l.products) rows.push(['product', p]);
    for (const t of l.trademarks) rows.push(['trademark', t]);
    rows.push(['valid', `${l.validFrom} to ${l.validUntil}`]);
    rows.push(['status', `${l.status}${l.statusReason ? `: ${l.statusReason}` : ''} (since ${l.statusChangedAt})`]);
    lines.push('', fields(rows));
  } else if (verdict.code === 'revoked' || verdict.code === 'suspended') {
    lines.push('', 'The current status list says so; the licence\'s details could not be confirmed.');
  }
  const rows: [string, string][] = [
    ['status as of', verdict.statusAsOf ?? 'unknown'],
    ['checked at', verdict.checkedAt],
  ];
  if (notes.decoded !== undefined) rows.push(['QR code', shownText(notes.decoded)]);
  lines.push('', fields(rows));
  const b = notes.bundle;
  if (b && 'opened' in b) {
    const o = b.opened;
    lines.push(`bundle as of ${o.asOf} (${ageText(o.ageSeconds)}), region ${bundleRegionText(o.region)}, ${o.count} licence${o.count === 1 ? '' : 's'}`);
  } else if (b) {
    lines.push(`bundle ${b.file} refused, so nothing in it is trusted: ${b.refused.message} (${b.refused.code})`);
  }
  const proof = notes.proof;
  if (proof && proof.ok) lines.push('', `transparency log: ${proof.message}`, `  log ${proof.log}, root ${proof.checkpoint.root}`);
  else if (proof) lines.push('', `transparency log: the proof is refused: ${proof.message}`);
  if (!verdict.authorized) lines.push('', zh.advice, en.advice);
  if (notes.problems.length && verdict.code === 'cannot_confirm') lines.push('', ...notes.problems.map((p) => `note: ${p}`));
  return lines.join('\n');
}

export const verify = command({
  summary: 'Verify a seal URL, a bare seal, a photo of a label or a licence document (JWS) from published artifacts. Exit 0 only if authorized (and, with --proof, the proof holds).',
  usage: 'URL|SEAL|PHOTO|LICENCE.jws [--bundle FILE] [--root FILE] [--min-key-list-version N] [--proof FILE]',
  help: `The argument may be the scanned URL, the bare seal, a licence document, a file holding
one of them, or a photo of a label (JPEG, PNG or GIF, up to ${MAX_PHOTO_BYTES / (1024 * 1024)} MiB): its QR code is
read and its text verified as a scanned URL would be. A photo with no readable QR code, or
whose QR code is not a qdyp seal (its text is shown, never opened), is refused (exit 1).

Options:
  --bundle FILE   check against this trust bundle (offline) instead of the registry's edge/;
                  says how old it is (qdyp bundle pull saves a verified one)
  --root FILE     the pinned root public key (default: QDYP_ROOT_JWK, else root.public.jwk
                  beside the database)
  --min-key-list-version N
                  refuse key lists older than version N (default QDYP_MIN_KEY_LIST_VERSION): an
                  old bundle replayed after a key compromise then cannot say "authorized"
  --proof FILE    with a licence document: its .tlog-proof (the portal's download, or the
                  verifier's /log/entry/N.tlog-proof), checked offline against the same key
                  list: the entry it carries must be in the log under a checkpoint the log key
                  signed, be of this licence and say what the document says. A proof of an
                  older event of the licence is reported as such. Exit 0 only if it holds too.

verify reads only published artifacts, never the database: it sees what the edge sees.
--json prints the verdict exactly as GET /api/v1/verify does, plus "decoded" (the QR code's
text) for a photo, "bundle" ({asOf, ageSeconds, region, count}, or {error, message} if it
was refused) with --bundle, and "proof" with --proof: {ok, match (match, older, differs,
other_licence), index, event, time, checkpoint: {size, root}, log, message}, or {ok: false,
error, message} when the proof does not hold.`,
  options: { bundle: { type: 'string' }, root: { type: 'string' }, 'min-key-list-version': { type: 'string' }, proof: { type: 'string' } },
  positionals: { min: 1, max: 1 },
  async run(parsed, cli) {
    const floor = text(parsed, 'min-key-list-version');
    const minKeyListVersion = floor === undefined ? keyListFloor(cli.io.env.QDYP_MIN_KEY_LIST_VERSION) : keyListFloor(floor, '--min-key-list-version');
    // The cheap usage errors first: a photo takes a while to decode.
    const pinned = readPinnedRoot(cli, text(parsed, 'root'));
    const bundleFile = text(parsed, 'bundle');
    const bundleBytes = bundleFile === undefined ? undefined : readBytes(cli.resolve(bundleFile), 'the bundle', MAX_BUNDLE_BYTES);
    const proofFile = text(parsed, 'proof');
    const proofText = proofFile === undefined ? undefined : readProofFile(cli.resolve(proofFile));
    const subject = await readSubject(cli, parsed.positionals[0]!);
    if (proofText !== undefined && subject.kind !== 'document') throw new UsageError('--proof goes with a licence document (LICENCE.jws): a seal carries no log entry to hold the proof against');
    const root = await rootTrust(pinned);
    const now = cli.now();
    const notes: VerifyNotes = { problems: [], decoded: subject.decoded };
    let ctx: TrustContext;
    if (bundleFile !== undefined && bundleBytes !== undefined) {
      try {
        const opened = await openBundle(bundleBytes, root, { ...nodeCodecs, minKeyListVersion });
        ctx = opened.context;
        notes.bundle = { opened: bundleSummary(opened, now) };
      } catch (error) {
        if (!(error instanceof QdypError)) throw error;
        // Nothing in it can be stood behind: every verdict is cannot_confirm, and says why.
        ctx = { keyList: null, statusList: null, revisionList: null, entries: NO_ENTRIES, problems: [] };
        notes.bundle = { file: bundleFile, refused: error };
      }
    } else {
      ctx = await trustFromEdge(registryPaths(cli.dbPath()).edgeDir, {
        root,
        minKeyListVersion,
        clock: () => now,
        onProblem: (serial, error) => notes.problems.push(`licence entry ${serial}: ${error.message}`),
      });
    }
    const documentResult = subject.kind === 'document' ? await verifyLicenceDocument(subject.text, now, ctx) : null;
    const result = documentResult ?? (await verifySeal(subject.text, now, ctx));
    const verdict: Verdict = { code: result.code, authorized: result.authorized, licence: result.licence, statusAsOf: result.statusAsOf, checkedAt: result.checkedAt, logIndex: result.logIndex };
    if (proofText !== undefined) {
      notes.proof = await checkLicenceProof(proofText, documentResult?.document ?? null, ctx.keyList, verdict.logIndex);
    }
    if (parsed.json) {
      const b = notes.bundle;
      cli.json({
        ...verdict,
        ...(subject.decoded !== undefined ? { decoded: subject.decoded } : {}),
        ...(b ? { bundle: 'opened' in b ? b.opened : { error: b.refused.code, message: `${b.file}: ${b.refused.message}` } } : {}),
        ...(notes.proof ? { proof: notes.proof } : {}),
      });
    } else {
      notes.problems.unshift(...ctx.problems.map((p) => `${p.artifact}: ${p.message}`));
      cli.out(humanVerdict(verdict, notes));
    }
    return verdict.authorized && (notes.proof === undefined || notes.proof.ok) ? EXIT.ok : EXIT.refused;
  },
});

/** A .tlog-proof file's text: UTF-8, of a proof's size. */
function readProofFile(file: string): string {
  const bytes = readBytes(file, 'the proof file', MAX_PROOF_FILE_BYTES);
  const decoded = utf8OrNull(bytes);
  if (decoded === null) throw new RefusedError('invalid_text', `the proof file ${file} is not a c2sp.org/tlog-proof@v1 text file`);
  return decoded;
}
