// qdyp bundle pull: downloads a verifier's offline trust bundle, checks it against the pinned
// root (signature, digest, region, lists current now, not older than the file it replaces)
// and only then writes it, atomically. What `qdyp verify SEAL --bundle FILE` checks offline.

import fs from 'node:fs';
import path from 'node:path';
import {
  isRegionCode,
  MAX_BUNDLE_BYTES,
  openBundle,
  QdypError,
  rootTrust,
  type OpenedBundle,
  type RootTrust,
} from '../../core/index.ts';
import { nodeCodecs } from '../codecs.ts';
import { RefusedError } from '../errors.ts';
import { writeFileAtomic } from '../files.ts';
import { errorBody, exchange, HttpFailure, type HttpAnswer } from '../http-client.ts';
import { command, EXIT, group, required, text, UsageError } from './command.ts';
import { fields } from './format.ts';
import { ageText, bundleRegionText, bundleSummary, keyListFloor, readPinnedRoot, shownText } from './verify.ts';

const DEFAULT_TIMEOUT_S = 60;
/** Lists dated further ahead of this clock are refused (as the verifier does). */
const MAX_FUTURE_SKEW_MS = 5 * 60 * 1000;
/** The city itself: its licences are in every district's bundle, and it has none of its own. */
const CITY_REGION = '370200';
const MAX_ERROR_BODY_BYTES = 4 * 1024;
const GZIP_MAGIC = [0x1f, 0x8b];

/** `${base}/api/v1/bundle[?region=CODE]` from a verifier's base URL (http or https only). */
export function bundleUrl(base: string, region: string | null): URL {
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    throw new UsageError(`${shownText(base)} is not a URL: give the verifier's base URL, e.g. https://verify.example.cn`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`the verifier's URL must be http:// or https://, not ${shownText(url.protocol)}`);
  if (url.username || url.password) throw new UsageError('the verifier\'s URL must not carry a user name or password');
  if (url.search || url.hash) throw new UsageError('give the verifier\'s base URL without a query (use --region for a district)');
  const prefix = url.pathname.replace(/\/+$/, '').replace(/\/api\/v1\/bundle$/, '');
  url.pathname = `${prefix}/api/v1/bundle`;
  if (region !== null) url.searchParams.set('region', region);
  return url;
}

function regionOption(value: string | undefined): string | null {
  if (value === undefined) return null;
  if (!/^\d{6}$/.test(value) || !isRegionCode(value)) throw new UsageError(`--region must be one of the programme's district codes (GB/T 2260), e.g. 370212; not ${shownText(value)}`);
  if (value === CITY_REGION) throw new UsageError(`${CITY_REGION} is the whole city: leave out --region for the bundle of every licence`);
  return value;
}

function timeoutOption(value: string | undefined): number {
  if (value === undefined) return DEFAULT_TIMEOUT_S;
  if (!/^\d{1,4}$/.test(value) || Number(value) === 0) throw new UsageError('--timeout must be a whole number of seconds, at least 1');
  return Number(value);
}

/** GETs `url`, reading at most `max` bytes of its body (src/node/http-client.ts). Throws RefusedError. */
async function download(url: URL, max: number, timeoutS: number): Promise<Uint8Array> {
  let answer: HttpAnswer;
  try {
    // Redirects are followed: trust comes from the bundle's signature, not from where it is served.
    answer = await exchange(url, { headers: { accept: 'application/gzip', 'accept-encoding': 'identity' }, redirect: 'follow' }, { max, timeoutS, errorMax: MAX_ERROR_BODY_BYTES });
  } catch (error) {
    if (error instanceof HttpFailure) throw new RefusedError('invalid_bundle', `${error.message}; nothing was written`);
    throw error;
  }
  if (answer.status !== 200) {
    const detail = errorDetail(answer.bytes);
    throw new RefusedError('invalid_bundle', `${url.href} answered ${answer.status}${answer.statusText ? ` ${answer.statusText}` : ''}${detail ? `: ${detail}` : ''}; nothing was written`);
  }
  return answer.bytes;
}

/** The message of a JSON error answer ({ error, message }), or the start of a text one. */
function errorDetail(bytes: Uint8Array): string {
  const body = Buffer.from(bytes).subarray(0, MAX_ERROR_BODY_BYTES).toString('utf8');
  const { message } = errorBody({ status: 0, statusText: '', headers: new Headers(), bytes });
  if (message !== null) return shownText(message);
  return body.trim() ? shownText(body.trim()) : '';
}

interface Opened {
  opened: OpenedBundle;
  /** Each list the bundle carries that verified (at or above the key-list floor), else undefined. */
  keyListVersion?: number;
  keyListExp?: number;
  statusIat?: number;
  statusExp?: number;
  revisionIat?: number;
  manifestIat: number;
}

const LIST_NAMES = { keyList: 'key list', statusList: 'status list', revisionList: 'revision list' } as const;

/** Opens a bundle under the pinned root (signature, manifest, digest). Throws QdypError. */
async function openChecked(bytes: Uint8Array, root: RootTrust, minKeyListVersion: number | undefined): Promise<Opened> {
  const opened = await openBundle(bytes, root, { ...nodeCodecs, minKeyListVersion });
  const { keyList, statusList, revisionList } = opened.context;
  return {
    opened,
    keyListVersion: keyList?.version,
    keyListExp: keyList?.exp,
    statusIat: statusList?.iat,
    statusExp: statusList?.exp,
    revisionIat: revisionList?.iat,
    manifestIat: Math.floor(Date.parse(opened.asOf) / 1000),
  };
}

/**
 * Why an opened bundle cannot be used now, or null: it must carry a key list, status list and
 * revision list that verified, none expired (stale) nor dated ahead of this clock.
 */
function unusableNow(b: Opened, now: Date): string | null {
  const ctx = b.opened.context;
  const iso = (s: number) => new Date(s * 1000).toISOString();
  for (const artifact of ['keyList', 'statusList', 'revisionList'] as const) {
    const list = ctx[artifact];
    if (!list) {
      const why = ctx.problems.filter((p) => p.artifact === artifact).map((p) => p.message).join('; ') || 'missing';
      return `it has no usable ${LIST_NAMES[artifact]} (${why})`;
    }
    if (now.getTime() >= list.exp * 1000) return `it is stale: its ${LIST_NAMES[artifact]} expired at ${iso(list.exp)} (now ${now.toISOString()})`;
    if (list.iat * 1000 > now.getTime() + MAX_FUTURE_SKEW_MS) return `its ${LIST_NAMES[artifact]} is dated ${iso(list.iat)}, ahead of this clock (${now.toISOString()})`;
  }
  return null;
}

/** Why `fresh` would roll `held` back, or null if it does not. */
function rollback(held: Opened, fresh: Opened): string | null {
  const iso = (s: number) => new Date(s * 1000).toISOString();
  const later = (a: number | undefined, b: number | undefined) => a !== undefined && (b === undefined || a > b);
  if (later(held.keyListVersion, fresh.keyListVersion)) return `its key list is version ${held.keyListVersion}, the download's ${fresh.keyListVersion ?? 'not usable'}`;
  if (later(held.statusIat, fresh.statusIat)) return `its status list is of ${iso(held.statusIat!)}, the download's ${fresh.statusIat === undefined ? 'not usable' : `of ${iso(fresh.statusIat)}`}`;
  if (later(held.revisionIat, fresh.revisionIat)) return `its revision list is of ${iso(held.revisionIat!)}, the download's ${fresh.revisionIat === undefined ? 'not usable' : `of ${iso(fresh.revisionIat)}`}`;
  if (held.manifestIat > fresh.manifestIat) return `it was made at ${iso(held.manifestIat)}, the download at ${iso(fresh.manifestIat)}`;
  return null;
}

/**
 * What FILE holds now: nothing, a bundle that opens under the pinned root (to compare the
 * download with, even if stale), or one that does not open (replaced, with a note). A file
 * that is not gzip at all is something else, and is never overwritten.
 */
async function heldBundle(out: string, root: RootTrust, minKeyListVersion: number | undefined): Promise<{ bundle: Opened } | { unusable: string } | null> {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(out);
  } catch {
    return null;
  }
  if (stat.isDirectory()) throw new UsageError(`--out ${out} is a directory`);
  if (!stat.isFile()) throw new UsageError(`--out ${out} is not a regular file`);
  if (stat.size === 0) return { unusable: 'it is empty' };
  const notBundle = () => new RefusedError('invalid_bundle', `${out} exists and is not a qdyp bundle; not replacing it (remove it, or choose another --out)`);
  if (stat.size > MAX_BUNDLE_BYTES) throw notBundle();
  const bytes = new Uint8Array(fs.readFileSync(out));
  if (!GZIP_MAGIC.every((b, i) => bytes[i] === b)) throw notBundle();
  try {
    return { bundle: await openChecked(bytes, root, minKeyListVersion) };
  } catch (error) {
    if (error instanceof QdypError) return { unusable: `${error.message} (${error.code})` };
    throw error;
  }
}

const pull = command({
  summary: 'Download a verifier\'s offline trust bundle, check it against the pinned root, and save it.',
  usage: 'URL --out FILE [--region CODE] [--root FILE] [--min-key-list-version N] [--timeout SECONDS]',
  help: `URL is the verifier's base URL (http or https), e.g. https://verify.example.cn: the bundle
is GET URL/api/v1/bundle[?region=CODE], at most ${MAX_BUNDLE_BYTES / (1024 * 1024)} MiB.

Options:
  --out FILE      where to save it (replaced atomically; mode 0644: bundles are public)
  --region CODE   a district's bundle (its licences, plus city-wide ones), e.g. 370212;
                  default: every licence
  --root FILE     the pinned root public key (default: QDYP_ROOT_JWK, else root.public.jwk
                  beside the database)
  --min-key-list-version N
                  refuse key lists older than version N (default QDYP_MIN_KEY_LIST_VERSION)
  --timeout SECONDS
                  give up when the verifier does not answer, or stalls, this long (default ${DEFAULT_TIMEOUT_S})

Nothing is written (and FILE is left as it was) unless the bundle is signed under the pinned
root's key list, matches its manifest, is the region asked for, carries a key list, status
list and revision list in force now, and is not older than a valid bundle FILE already holds
(a lower key-list version, or an earlier status list or bundle time: "rolled back").
Then: qdyp verify SEAL --bundle FILE --root ROOT checks offline.`,
  options: {
    out: { type: 'string' },
    region: { type: 'string' },
    root: { type: 'string' },
    'min-key-list-version': { type: 'string' },
    timeout: { type: 'string' },
  },
  positionals: { min: 1, max: 1 },
  async run(parsed, cli) {
    const region = regionOption(text(parsed, 'region'));
    const url = bundleUrl(parsed.positionals[0]!, region);
    const out = cli.resolve(required(parsed, 'out'));
    const timeoutS = timeoutOption(text(parsed, 'timeout'));
    const floor = text(parsed, 'min-key-list-version');
    const minKeyListVersion = floor === undefined ? keyListFloor(cli.io.env.QDYP_MIN_KEY_LIST_VERSION) : keyListFloor(floor, '--min-key-list-version');
    const dir = path.dirname(out);
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new UsageError(`--out: no directory ${dir}`);
    const root = await rootTrust(readPinnedRoot(cli, text(parsed, 'root')));
    const now = cli.now();
    const held = await heldBundle(out, root, minKeyListVersion);

    const bytes = await download(url, MAX_BUNDLE_BYTES, timeoutS);
    const what = `the bundle from ${url.href}`;
    let fresh: Opened;
    try {
      fresh = await openChecked(bytes, root, minKeyListVersion);
    } catch (error) {
      if (!(error instanceof QdypError)) throw error;
      const hint = error.code === 'ERR_ARTIFACT_SIGNATURE' ? ' (signed under another programme\'s root than the pinned one?)' : '';
      throw new RefusedError('invalid_bundle', `${what} does not open: ${error.message} (${error.code})${hint}; nothing was written`);
    }
    if (fresh.opened.region !== region) {
      throw new RefusedError('invalid_bundle', `${what} is the bundle for region ${bundleRegionText(fresh.opened.region)}, not ${bundleRegionText(region)}; nothing was written`);
    }
    const unusable = unusableNow(fresh, now);
    if (unusable) throw new RefusedError('invalid_bundle', `${what} cannot be used: ${unusable}; nothing was written`);
    if (held && 'bundle' in held) {
      const why = rollback(held.bundle, fresh);
      if (why) throw new RefusedError('invalid_bundle', `${out} already holds a newer bundle (${why}): the download would roll it back, so nothing was written`);
    }
    writeFileAtomic(out, bytes, 0o644);

    const summary = bundleSummary(fresh.opened, now);
    const result = {
      file: out,
      url: url.href,
      bytes: bytes.length,
      licences: summary.count,
      region: summary.region,
      asOf: summary.asOf,
      ageSeconds: summary.ageSeconds,
      keyListVersion: fresh.keyListVersion!,
      statusListExp: new Date(fresh.statusExp! * 1000).toISOString(),
    };
    if (held && 'unusable' in held) cli.err(`note: replaced ${out}, which did not hold a bundle that opens (${held.unusable})`);
    if (parsed.json) cli.json(result);
    else {
      cli.out(`Saved the verified trust bundle to ${out} (${bytes.length} bytes).`);
      cli.out(
        fields([
          ['licences', String(summary.count)],
          ['region', bundleRegionText(summary.region)],
          ['as of', `${summary.asOf} (${ageText(summary.ageSeconds)})`],
          ['key list', `version ${fresh.keyListVersion}`],
          ['status list', `expires ${result.statusListExp}`],
        ]),
      );
      cli.out(`Check offline with: qdyp verify SEAL --bundle ${out} --root ROOT.jwk`);
    }
    return EXIT.ok;
  },
});

export const bundle = group({ summary: 'Offline trust bundles for inspectors.', commands: { pull } });

