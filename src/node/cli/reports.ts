// qdyp reports pull|list|show|triage: the office's side of reports of misuse. Pull brings them
// from an edge's inbox into the registry; the rest read and triage them there.

import fs from 'node:fs';
import { decryptContact, isCalendarDate } from '../../core/index.ts';
import { RefusedError } from '../errors.ts';
import { writeFileAtomic } from '../files.ts';
import { DEFAULT_TIMEOUT_S, edgeBase, HttpFailure } from '../http-client.ts';
import { readContactKey } from '../issuer/contact-key.ts';
import { checkTriageState, findReport, pullReports, triageReport } from '../issuer/reports.ts';
import { readConfig } from '../registry/config.ts';
import { hasReports, listReports, reportPhoto, type StoredReport } from '../registry/reports.ts';
import { command, EXIT, group, text, UsageError } from './command.ts';

function timeoutOption(value: string | undefined): number {
  if (value === undefined) return DEFAULT_TIMEOUT_S;
  if (!/^\d{1,4}$/.test(value) || Number(value) === 0) throw new UsageError('--timeout must be a whole number of seconds, at least 1');
  return Number(value);
}

function base(value: string, option: string): URL {
  try {
    return edgeBase(value, option);
  } catch (error) {
    if (error instanceof HttpFailure) throw new UsageError(error.message);
    throw error;
  }
}

/** A report without its contact (never shown in a list) or photo bytes. */
function reportJson(r: StoredReport) {
  const { contactJwe, ...rest } = r;
  return { ...rest, hasContact: contactJwe !== null, hasPhoto: r.photoType !== null };
}

function line(r: StoredReport): string {
  const what = [r.licence ?? (r.seal === null ? 'no seal' : 'seal not in registry'), r.outcome, r.count > 1 ? `×${r.count}` : null, r.photoType ? 'photo' : null, r.contactJwe ? 'contact' : null]
    .filter(Boolean)
    .join('  ');
  return `${String(r.id).padStart(5)}  ${r.state.padEnd(8)}  ${r.receivedAt}  ${r.source.padEnd(9)}  ${what}${r.place ? `  at ${r.place}` : ''}`;
}

function requireReports(registry: { db: Parameters<typeof hasReports>[0] }): void {
  if (!hasReports(registry.db)) throw new RefusedError('registry_too_new', 'this registry has no reports table yet');
}

const pull = command({
  summary: "Bring new reports and their photos from an edge's inbox into the registry, then acknowledge them there.",
  usage: '[--from URL] [--timeout SECONDS]',
  help: `Options:
  --from URL          the edge (default: the registry's origin); http or https
  --timeout SECONDS   per request (default ${DEFAULT_TIMEOUT_S})

Reads GET /api/v1/reports?after=CURSOR page by page, fetches each new report's photo, stores
the page (one audit event a report) with the new cursor in one transaction, then POSTs
/api/v1/reports/ack: the edge deletes the photos it no longer needs to keep. Every request is
signed by the active issuing key (no shared secret). Safe to repeat: a report already stored
is not stored again (its count is updated if more shoppers reported the same), and a pull cut
short resumes where it stopped; a page that failed leaves the registry as it was.`,
  options: { from: { type: 'string' }, timeout: { type: 'string' } },
  async run(parsed, cli) {
    const timeoutS = timeoutOption(text(parsed, 'timeout'));
    const given = text(parsed, 'from');
    const fromOption = given === undefined ? undefined : base(given, '--from');
    return cli.withRegistry(async (registry) => {
      requireReports(registry);
      const from = fromOption ?? base(readConfig(registry.db).origin.toLowerCase(), "the registry's origin");
      const ctx = cli.context(registry);
      const result = await pullReports(ctx, { from, timeoutS });
      for (const warning of result.warnings) cli.err(`warning: ${warning}`);
      if (parsed.json) cli.json(result);
      else {
        cli.out(`Pulled from ${result.from}: ${result.stored.length} new report${result.stored.length === 1 ? '' : 's'}${result.updated.length ? `, ${result.updated.length} with a higher count` : ''}; cursor ${result.cursor}.`);
        if (result.stored.length) cli.out(`New: ${result.stored.join(' ')} (qdyp reports show ID)`);
      }
      return EXIT.ok;
    });
  },
});

const list = command({
  summary: 'List the reports in the registry (never their contacts).',
  usage: '[--licence NUMBER] [--since DATE] [--state new|checking|closed]',
  help: `Options:
  --licence NUMBER   only reports about this licence's seal
  --since DATE       only reports received on or after DATE (YYYY-MM-DD, UTC, or an ISO instant)
  --state STATE      only reports in this triage state`,
  options: { licence: { type: 'string' }, since: { type: 'string' }, state: { type: 'string' } },
  async run(parsed, cli) {
    const sinceText = text(parsed, 'since');
    let since: string | undefined;
    if (sinceText !== undefined) {
      const time = isCalendarDate(sinceText) ? new Date(`${sinceText}T00:00:00Z`) : /^\d{4}-\d{2}-\d{2}T/.test(sinceText) ? new Date(sinceText) : new Date(NaN);
      if (Number.isNaN(time.getTime())) throw new UsageError('--since must be a date (YYYY-MM-DD) or an ISO-8601 instant');
      since = time.toISOString();
    }
    const stateText = text(parsed, 'state');
    const state = stateText === undefined ? undefined : checkTriageState(stateText);
    const licence = text(parsed, 'licence')?.trim();
    return cli.withRegistry(async (registry) => {
      requireReports(registry);
      const reports = listReports(registry.db, { ...(licence ? { licence } : {}), ...(since ? { since } : {}), ...(state ? { state } : {}) });
      if (parsed.json) cli.json(reports.map(reportJson));
      else if (reports.length === 0) cli.out('No reports.');
      else for (const r of reports) cli.out(line(r));
      return EXIT.ok;
    });
  },
});

const show = command({
  summary: "Show one report, its contact decrypted with the office's contact key; --photo-out saves its photo.",
  usage: 'ID [--photo-out FILE]',
  help: `Options:
  --photo-out FILE   write the report's photo (JPEG or PNG, as the reporter sent it) to FILE

A shopper's contact was encrypted at the edge to the office's contact key (qdyp keys
contact-key); it is decrypted here only, with the private key in the registry's keys/.`,
  options: { 'photo-out': { type: 'string' } },
  positionals: { min: 1, max: 1 },
  async run(parsed, cli) {
    const photoOut = text(parsed, 'photo-out');
    return cli.withRegistry(async (registry) => {
      requireReports(registry);
      const report = findReport({ registry }, parsed.positionals[0]);
      let contact: string | null = null;
      let contactProblem: string | null = null;
      if (report.contactJwe !== null) {
        const key = readContactKey(registry);
        if (!key) contactProblem = 'encrypted; this registry has no contact key to open it (qdyp keys contact-key)';
        else {
          try {
            contact = await decryptContact(report.contactJwe, key);
          } catch {
            contactProblem = 'encrypted to another contact key (replaced?); it cannot be read here';
          }
        }
      }
      let photoFile: string | null = null;
      if (photoOut !== undefined) {
        const photo = reportPhoto(registry.db, report.id);
        if (!photo) throw new RefusedError('unknown_report', `report ${report.id} has no photo; nothing was written`);
        photoFile = cli.resolve(photoOut);
        if (fs.existsSync(photoFile) && fs.statSync(photoFile).isDirectory()) throw new UsageError(`--photo-out ${photoFile} is a directory`);
        try {
          writeFileAtomic(photoFile, photo.bytes, 0o600);
        } catch (error) {
          throw new RefusedError('unknown_report', `cannot write the photo to ${photoFile} (${(error as NodeJS.ErrnoException).code ?? 'write failed'})`);
        }
      }
      if (parsed.json) cli.json({ ...reportJson(report), contact, contactProblem, photoOut: photoFile });
      else {
        cli.out(`Report ${report.id} (${report.state}${report.stateNote ? `: ${report.stateNote}` : ''})`);
        cli.out(`  from        ${report.source}${report.inspectorId ? ` ${report.inspectorId}` : ''}, via ${report.sourceUrl} (edge id ${report.edgeId})`);
        cli.out(`  licence     ${report.licence ?? '-'}`);
        cli.out(`  seal        ${report.seal ?? 'none (the mark with no QR)'}`);
        cli.out(`  outcome     ${report.outcome}${report.count > 1 ? ` (reported ${report.count} times)` : ''}`);
        if (report.place) cli.out(`  place       ${report.place}`);
        if (report.note) cli.out(`  note        ${report.note}`);
        if (report.observedAt) cli.out(`  observed    ${report.observedAt}`);
        cli.out(`  received    ${report.receivedAt}; pulled ${report.pulledAt}`);
        if (report.contactJwe !== null) cli.out(`  contact     ${contact ?? contactProblem}`);
        cli.out(`  photo       ${report.photoType ?? 'none'}${photoFile ? `, written to ${photoFile}` : ''}`);
      }
      return EXIT.ok;
    });
  },
});

const triage = command({
  summary: "Set a report's triage state: new, checking or closed (audited).",
  usage: 'ID new|checking|closed [--note TEXT]',
  help: `Options:
  --note TEXT   what was found or done, for the audit trail and reports show`,
  options: { note: { type: 'string' } },
  positionals: { min: 2, max: 2 },
  async run(parsed, cli) {
    return cli.withRegistry(async (registry) => {
      requireReports(registry);
      const report = await triageReport(cli.context(registry), parsed.positionals[0], parsed.positionals[1], text(parsed, 'note'));
      if (parsed.json) cli.json(reportJson(report));
      else cli.out(`Report ${report.id} is now ${report.state}.`);
      return EXIT.ok;
    });
  },
});

export const reports = group({ summary: "Reports of misuse, the office's side: pull, list, show, triage.", commands: { pull, list, show, triage } });

