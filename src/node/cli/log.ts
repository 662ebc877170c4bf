// qdyp log …: the transparency log. `show` and `search` read the office's own log (the
// registry); `verify` audits the published one as anyone outside the office would, from a
// verifier (--from URL) or the registry's edge/ directory, with the pinned root only.

import fs from 'node:fs';
import {
  decodeLogEntry,
  encodeBase64,
  leafHash,
  logOrigin,
  MESSAGES,
  rootTrust,
  type LogEntry,
} from '../../core/index.ts';
import { RefusedError } from '../errors.ts';
import { edgeBase, HttpFailure } from '../http-client.ts';
import { auditLog, edgeLogSource, httpLogSource, readLogState, writeLogState, type LogAuditReport } from '../log-audit.ts';
import { nodeSha256 } from '../codecs.ts';
import { readConfig } from '../registry/config.ts';
import { openDatabase, registryPaths } from '../registry/db.ts';
import { getLicence } from '../registry/licences.ts';
import { logEntriesOfHolder, logEntriesOfLicence, logEntryAt, logSize } from '../registry/log.ts';
import { command, EXIT, group, required, text, UsageError, type Cli } from './command.ts';
import { fields, regionLabel, sectorLabel, tierLabel } from './format.ts';
import { keyListFloor, readPinnedRoot } from './verify.ts';

const zh = MESSAGES['zh-CN'];
const DEFAULT_TIMEOUT_S = 30;

/** The entry's lines for a terminal: every field of it, in the entry's order. */
export function logEntryLines(index: number, entry: LogEntry, leaf: Uint8Array): [string, string][] {
  const rows: [string, string][] = [
    ['entry', String(index)],
    ['event', entry.event],
    ['time', entry.time],
    ['leaf hash', encodeBase64(leaf)],
  ];
  if ('licence' in entry) {
    const l = entry.licence;
    rows.push(['licence', `${l.number} (serial ${l.serial}, revision ${l.rev})`]);
    rows.push(['holder', `${l.holder.name} (${l.holder.uscc})`]);
    rows.push(['address', l.holder.address ?? '-']);
    rows.push(['tier', tierLabel(l.tier)], ['sector', sectorLabel(l.sector)], ['chain', l.chain ?? '-'], ['region', regionLabel(l.region)]);
    for (const product of l.products) rows.push(['product', product]);
    for (const trademark of l.trademarks) rows.push(['trademark', trademark]);
    rows.push(['valid', `${l.validFrom} to ${l.validUntil} (China Standard Time)`]);
    rows.push(['status', `${l.status} ${zh.statuses[l.status]} since ${l.statusChangedAt}${l.statusReason ? `: ${l.statusReason}` : ''}`]);
    rows.push(['seal key', l.sealKid]);
  } else if ('holder' in entry) {
    rows.push(['holder', `${entry.holder.name} (${entry.holder.uscc})`], ['address', entry.holder.address ?? '-']);
  } else {
    for (const key of entry.keys) rows.push(['key', `${key.kid} ${key.role} ${key.status}`]);
    const list = entry.keyList;
    rows.push(['key list', `version ${list.version}, signed ${new Date(list.iat * 1000).toISOString()}, expires ${new Date(list.exp * 1000).toISOString()}`]);
    rows.push(['key list SHA-256', list.sha256]);
  }
  return rows;
}

/** One line of a search result. */
function entrySummary(index: number, entry: LogEntry): string {
  const head = `#${index}  ${entry.time}  ${entry.event}`;
  if ('licence' in entry) {
    const l = entry.licence;
    return `${head}  ${l.number} rev ${l.rev}  ${l.status}${l.statusReason ? ` (${l.statusReason})` : ''}  ${l.validFrom} to ${l.validUntil}  ${l.products.join('; ')}`;
  }
  if ('holder' in entry) return `${head}  ${entry.holder.uscc}  ${entry.holder.name}${entry.holder.address ? `, ${entry.holder.address}` : ''}`;
  return `${head}  key list version ${entry.keyList.version}`;
}

function entryIndex(value: string): number {
  if (!/^(0|[1-9][0-9]{0,14})$/.test(value)) throw new UsageError('the entry index is a whole number, e.g. qdyp log show 0');
  return Number(value);
}

const show = command({
  summary: "Show one entry of the office's log, decoded.",
  usage: 'N',
  help: `N is the entry's index (0 is the first). The entry is read from the registry: the log as
the office keeps it, published or not yet. --json prints {index, leafHash, entry, text}: text
is the entry exactly as logged (its UTF-8 bytes are the leaf).`,
  positionals: { min: 1, max: 1 },
  async run(parsed, cli) {
    const index = entryIndex(parsed.positionals[0]!);
    return cli.withRegistry(async (registry) => {
      const text = logEntryAt(registry.db, index);
      if (text === null) throw new RefusedError('unknown_log_entry', `the log has no entry ${index} (it holds ${logSize(registry.db)})`);
      const entry = decodeLogEntry(text);
      const leaf = await leafHash(new TextEncoder().encode(text), nodeSha256);
      if (parsed.json) cli.json({ index, leafHash: encodeBase64(leaf), entry, text });
      else cli.out(fields(logEntryLines(index, entry, leaf)));
      return EXIT.ok;
    });
  },
});

const search = command({
  summary: "Every log entry of one licence, and the changes of its holder's name or address.",
  usage: '--licence NUMBER',
  help: `Options:
  --licence NUMBER   the licence: every licence.* entry of it, and its holder's holder.update
                     entries (they change what the licence shows), in log order

--json prints [{index, entry}].`,
  options: { licence: { type: 'string' } },
  async run(parsed, cli) {
    const number = required(parsed, 'licence').trim().toUpperCase();
    return cli.withRegistry(async (registry) => {
      const licence = getLicence(registry.db, number);
      if (!licence) throw new RefusedError('unknown_licence', `no licence numbered ${number}`);
      const rows = new Map<number, string>();
      for (const row of logEntriesOfLicence(registry.db, licence.number)) rows.set(row.idx, row.entry);
      for (const row of logEntriesOfHolder(registry.db, licence.holder.uscc)) {
        if (!rows.has(row.idx) && decodeLogEntry(row.entry).event === 'holder.update') rows.set(row.idx, row.entry);
      }
      const found = [...rows].sort(([a], [b]) => a - b).map(([index, text]) => ({ index, entry: decodeLogEntry(text) }));
      if (parsed.json) {
        cli.json(found);
        return EXIT.ok;
      }
      if (found.length === 0) cli.out(`No log entries for ${licence.number}.`);
      for (const { index, entry } of found) cli.out(entrySummary(index, entry));
      return EXIT.ok;
    });
  },
});

function timeoutOption(value: string | undefined): number {
  if (value === undefined) return DEFAULT_TIMEOUT_S;
  if (!/^\d{1,4}$/.test(value) || Number(value) === 0) throw new UsageError('--timeout must be a whole number of seconds, at least 1');
  return Number(value);
}

/** The log's name: from --origin, else the --from URL's host, else the registry's origin. */
function logName(cli: Cli, origin: string | undefined, from: URL | null): string {
  const given = origin ?? (from ? from.origin : registryOrigin(cli));
  try {
    const url = new URL(given);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new TypeError('not http');
    return logOrigin(url.origin);
  } catch {
    throw new UsageError('--origin must be the verify origin, e.g. https://v.qdyp.cn');
  }
}

function registryOrigin(cli: Cli): string {
  const db = openDatabase(cli.dbPath(), { readonly: true });
  try {
    return readConfig(db).origin;
  } finally {
    db.close();
  }
}

function humanReport(report: LogAuditReport, stateFile: string | undefined, written: boolean): string {
  const rows: [string, string][] = [
    ['log', report.log],
    ['source', report.source],
  ];
  if (report.keyListVersion !== null) rows.push(['key list', `version ${report.keyListVersion}, verified under the pinned root`]);
  if (report.checkpoint) rows.push(['checkpoint', `${report.checkpoint.size} entries, root ${report.checkpoint.root}, signed by the log key`]);
  if (report.previous) {
    const how = report.consistency === 'same' ? 'the same checkpoint' : report.consistency === 'extends' ? 'extended (the consistency proof holds)' : 'not extended';
    rows.push(['seen before', `${report.previous.size} entries, root ${report.previous.root}: ${how}`]);
  } else if (stateFile !== undefined) rows.push(['seen before', 'nothing (a first check)']);
  const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  if (report.checkpoint) rows.push(['checked', `${plural(report.entriesChecked, 'entry', 'entries')}, ${plural(report.tilesChecked, 'tile', 'tiles')}`]);
  const lines = [fields(rows), ''];
  if (report.ok) {
    lines.push(`OK: the log verifies: every entry decodes, every leaf hash and tile matches, and the entries give the checkpoint's root.`);
    if (stateFile !== undefined && written) lines.push(`The checkpoint is kept in ${stateFile}.`);
    return lines.join('\n');
  }
  lines.push(`FAILED: the log does not verify (${report.problems.length + report.moreProblems} problem${report.problems.length + report.moreProblems === 1 ? '' : 's'}):`);
  for (const p of report.problems) lines.push(`  ${p.code}: ${p.message}`);
  if (report.moreProblems > 0) lines.push(`  … and ${report.moreProblems} more`);
  if (report.firstBadIndex !== null) lines.push(`first entry that does not match: ${report.firstBadIndex}`);
  if (stateFile !== undefined) lines.push(`${stateFile} is left as it was.`);
  return lines.join('\n');
}

const verify = command({
  summary: 'Audit the published log: signature, every entry and tile, the root, and consistency with the last checkpoint seen.',
  usage: '[--from URL] [--state FILE] [--root FILE] [--origin URL]',
  help: `Fetches the key list and the log's checkpoint, tiles and entry bundles, and checks them with
the pinned root key only: the key list under the root, the checkpoint's signature by its log
key and its log name, every entry decoded, the whole tree rebuilt from the entries and compared
with every tile and with the checkpoint's root. Reports the first entry that does not match.

Options:
  --from URL       the verifier to fetch from (e.g. https://v.qdyp.cn); default: the registry's
                   edge/ directory (what qdyp publish writes)
  --state FILE     the last checkpoint seen: a smaller checkpoint now (a rollback), one of the
                   same size with another root (a fork) or one that does not prove it extends
                   it is refused; the new checkpoint is written to FILE only when everything held
  --root FILE      the pinned root public key (default: QDYP_ROOT_JWK, else root.public.jwk
                   beside the database; the programme's is keys/root.public.jwk in the repo)
  --origin URL     the verify origin the log is named after (default: the --from URL's, else
                   the registry's)
  --min-key-list-version N   refuse key lists older than version N
  --timeout S      seconds to wait for each answer (default ${DEFAULT_TIMEOUT_S})

Exit status 0 only when everything holds. --json prints the report: {ok, log, source,
keyListVersion, checkpoint: {size, root}, previous, consistency, entriesChecked, tilesChecked,
problems: [{code, message, index?, tile?}], firstBadIndex, stateWritten}.`,
  options: {
    from: { type: 'string' },
    state: { type: 'string' },
    root: { type: 'string' },
    origin: { type: 'string' },
    'min-key-list-version': { type: 'string' },
    timeout: { type: 'string' },
  },
  async run(parsed, cli) {
    const fromText = text(parsed, 'from');
    let from: URL | null = null;
    if (fromText !== undefined) {
      try {
        from = edgeBase(fromText, '--from');
      } catch (error) {
        if (error instanceof HttpFailure) throw new UsageError(error.message);
        throw error;
      }
    }
    const timeoutS = timeoutOption(text(parsed, 'timeout'));
    const floor = text(parsed, 'min-key-list-version');
    const minKeyListVersion = floor === undefined ? keyListFloor(cli.io.env.QDYP_MIN_KEY_LIST_VERSION) : keyListFloor(floor, '--min-key-list-version');
    const root = await rootTrust(readPinnedRoot(cli, text(parsed, 'root')));
    const log = logName(cli, text(parsed, 'origin'), from);
    let source;
    if (from) source = httpLogSource(from, timeoutS);
    else {
      const dir = registryPaths(cli.dbPath()).edgeDir;
      if (!fs.existsSync(dir)) throw new UsageError(`nothing is published at ${dir}: run qdyp publish, or give --from URL`);
      source = edgeLogSource(dir);
    }
    const stateOption = text(parsed, 'state');
    const stateFile = stateOption === undefined ? undefined : cli.resolve(stateOption);
    if (stateFile !== undefined && fs.existsSync(stateFile) && fs.statSync(stateFile).isDirectory()) throw new UsageError(`--state ${stateFile} is a directory`);
    const previous = stateFile === undefined ? null : readLogState(stateFile);

    const report = await auditLog(source, { root, log, previous, now: cli.now(), minKeyListVersion });
    let written = false;
    if (report.ok && report.state && stateFile !== undefined) {
      writeLogState(stateFile, report.state);
      written = true;
    }
    if (parsed.json) {
      const { state: _state, ...shown } = report;
      cli.json({ ...shown, stateWritten: written });
    } else cli.out(humanReport(report, stateFile, written));
    return report.ok ? EXIT.ok : EXIT.refused;
  },
});

export const log = group({ summary: 'The transparency log: show an entry, search a licence, audit the published log.', commands: { show, search, verify } });
