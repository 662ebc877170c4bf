// qdyp verify: checks a seal URL, a bare seal or a licence document exactly as the edge does,
// from published artifacts only (the registry's edge/ store, or a trust bundle), never from the
// database.

import fs from 'node:fs';
import {
  MAX_BUNDLE_BYTES,
  MESSAGES,
  NO_ENTRIES,
  openBundle,
  QdypError,
  rootTrust,
  sealFromInput,
  verifyLicenceDocument,
  verifySeal,
  type PublicJwk,
  type TrustContext,
  type Verdict,
} from '../../core/index.ts';
import { parseVerifierConfig } from '../../web/config.ts';
import { nodeCodecs } from '../codecs.ts';
import { trustFromEdge } from '../edge-store.ts';
import { RefusedError } from '../errors.ts';
import { registryPaths } from '../registry/db.ts';
import { command, EXIT, text, UsageError, type Cli } from './command.ts';
import { fields, regionLabel, sectorLabel, tierLabel } from './format.ts';

const MAX_INPUT_FILE_BYTES = 64 * 1024;
const JWS_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const IMAGE_MAGIC = [[0x89, 0x50, 0x4e, 0x47], [0xff, 0xd8, 0xff], [0x47, 0x49, 0x46], [0x52, 0x49, 0x46, 0x46]];

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

/** What the argument is: a licence document (JWS) or a seal / seal URL. */
function readSubject(cli: Cli, arg: string): { kind: 'document' | 'seal'; text: string } {
  const file = cli.resolve(arg);
  let content = arg;
  if (!JWS_SHAPE.test(arg) && fs.existsSync(file) && fs.statSync(file).isFile()) {
    if (fs.statSync(file).size > MAX_INPUT_FILE_BYTES) throw new UsageError(`${arg} is too large to be a seal or licence document`);
    const bytes = fs.readFileSync(file);
    if (IMAGE_MAGIC.some((magic) => magic.every((b, i) => bytes[i] === b))) {
      throw new UsageError('reading a seal from an image is not supported yet: scan the QR code and give its URL');
    }
    content = bytes.toString('utf8').trim();
  }
  return JWS_SHAPE.test(content) ? { kind: 'document', text: content } : { kind: 'seal', text: sealFromInput(content) };
}

function humanVerdict(verdict: Verdict, problems: string[]): string {
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
  lines.push('', fields([
    ['status as of', verdict.statusAsOf ?? 'unknown'],
    ['checked at', verdict.checkedAt],
  ]));
  if (!verdict.authorized) lines.push('', zh.advice, en.advice);
  if (problems.length && verdict.code === 'cannot_confirm') lines.push('', ...problems.map((p) => `note: ${p}`));
  return lines.join('\n');
}

export const verify = command({
  summary: 'Verify a seal URL, a bare seal or a licence document (JWS) from published artifacts. Exit 0 only if authorized.',
  usage: 'URL|SEAL|LICENCE.jws [--bundle FILE] [--root FILE] [--min-key-list-version N]',
  help: `The argument may be the scanned URL, the bare seal, a licence document, or a file holding
one of them. Reading a seal from an image is not supported yet: give the QR code's URL.

Options:
  --bundle FILE   check against this trust bundle (offline) instead of the registry's edge/
  --root FILE     the pinned root public key (default: QDYP_ROOT_JWK, else root.public.jwk
                  beside the database)
  --min-key-list-version N
                  refuse key lists older than version N (default QDYP_MIN_KEY_LIST_VERSION): an
                  old bundle replayed after a key compromise then cannot say "authorized"

verify reads only published artifacts, never the database: it sees what the edge sees.
--json prints the verdict exactly as GET /api/v1/verify does.`,
  options: { bundle: { type: 'string' }, root: { type: 'string' }, 'min-key-list-version': { type: 'string' } },
  positionals: { min: 1, max: 1 },
  async run(parsed, cli) {
    const floor = text(parsed, 'min-key-list-version');
    const minKeyListVersion = floor === undefined ? keyListFloor(cli.io.env.QDYP_MIN_KEY_LIST_VERSION) : keyListFloor(floor, '--min-key-list-version');
    const subject = readSubject(cli, parsed.positionals[0]!);
    const root = await rootTrust(readPinnedRoot(cli, text(parsed, 'root')));
    const bundleFile = text(parsed, 'bundle');
    const now = cli.now();
    const problems: string[] = [];
    let ctx: TrustContext;
    if (bundleFile !== undefined) {
      const bytes = readBytes(cli.resolve(bundleFile), 'the bundle', MAX_BUNDLE_BYTES);
      try {
        ctx = (await openBundle(bytes, root, { ...nodeCodecs, minKeyListVersion })).context;
      } catch (error) {
        if (!(error instanceof QdypError)) throw error;
        // Nothing in it can be stood behind: every verdict is cannot_confirm, and says why.
        ctx = { keyList: null, statusList: null, revisionList: null, entries: NO_ENTRIES, problems: [{ artifact: 'keyList', code: error.code, message: `${bundleFile}: ${error.message}` }] };
      }
    } else {
      ctx = await trustFromEdge(registryPaths(cli.dbPath()).edgeDir, {
        root,
        minKeyListVersion,
        clock: () => now,
        onProblem: (serial, error) => problems.push(`licence entry ${serial}: ${error.message}`),
      });
    }
    const result = subject.kind === 'document' ? await verifyLicenceDocument(subject.text, now, ctx) : await verifySeal(subject.text, now, ctx);
    const verdict: Verdict = { code: result.code, authorized: result.authorized, licence: result.licence, statusAsOf: result.statusAsOf, checkedAt: result.checkedAt };
    if (parsed.json) cli.json(verdict);
    else cli.out(humanVerdict(verdict, [...ctx.problems.map((p) => `${p.artifact}: ${p.message}`), ...problems]));
    return verdict.authorized ? EXIT.ok : EXIT.refused;
  },
});
