// qdyp import FILE.csv: a selection batch (遴选结果) in one go. Every row is checked before
// anything is written; licences are issued in chunks that each commit durably; the edge is
// published once at the end. Progress goes to stderr: a bar on a terminal, else a line per
// chunk (`imported 12000/100000`) for whatever is watching.

import cliProgress from 'cli-progress';
import { CSV_COLUMNS, importSelectionBatch, ImportRefused, refusalLines, summaryLines, type ImportSummary } from '../import/index.ts';
import { command, EXIT, flag, type Cli } from './command.ts';

interface Progress {
  update(done: number, total: number): void;
  stop(): void;
}

function progressReporter(cli: Cli): Progress {
  const stderr = cli.io.stderr as NodeJS.WritableStream & { isTTY?: boolean };
  if (stderr.isTTY === true) {
    const bar = new cliProgress.SingleBar(
      { stream: stderr, format: 'importing [{bar}] {percentage}% | {value}/{total} rows | ETA {eta_formatted}', hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      update(done, total) {
        if (!started) bar.start(total, done);
        else bar.update(done);
        started = true;
      },
      stop: () => started && bar.stop(),
    };
  }
  return {
    update: (done, total) => done > 0 && cli.err(`imported ${done}/${total}`),
    stop: () => undefined,
  };
}

function refusal(cli: Cli, json: boolean, error: ImportRefused): number {
  const [first, ...rows] = refusalLines(error);
  cli.err(`qdyp: ${first}`);
  for (const line of rows) cli.err(line);
  if (json) cli.json({ refused: error.code, message: error.message, problems: error.problems });
  return EXIT.refused;
}

export const importBatch = command({
  summary: 'Import a selection batch (遴选结果) from CSV: holders and licences, signed, then published.',
  usage: 'FILE.csv [--dry-run]',
  help: `Options:
  --dry-run   check every row and say what the import would do; change nothing

The file: CSV, UTF-8 (with or without BOM) or GB18030/GBK (Excel's "CSV" on Chinese
Windows). Line 1 names the columns, in any order:
  ${CSV_COLUMNS.join(', ')}
  batch, ref        the selection batch and the row's reference in it (required): importing
                    a (batch, ref) again changes nothing, so re-running a file completes it
  uscc, holder_name, address
                    the holder (品牌主体); one already registered is matched by USCC and keeps
                    its record (a different name or address is reported as a warning)
  region            GB/T 2260 code or name (370202 or 市南区); default: the holder's
  tier, sector      as for licence issue (product, 产品 …; manufacturing, 工业 …)
  products, trademarks   lists separated by ; or ；
  valid_from, valid_until   YYYY-MM-DD (or Excel's 2026/1/5); valid_from defaults to today

Every row is checked first: if any is bad, each bad row is listed by line number and nothing
is imported. Licences are committed in chunks; after an interruption, run the same file again.`,
  options: { 'dry-run': { type: 'boolean' } },
  positionals: { min: 1, max: 1 },
  async run(parsed, cli) {
    const file = cli.resolve(parsed.positionals[0]!);
    const dryRun = flag(parsed, 'dry-run');
    return cli.withRegistry(async (registry) => {
      const ctx = cli.context(registry);
      const progress = progressReporter(cli);
      let summary: ImportSummary;
      try {
        summary = await importSelectionBatch(ctx, file, { dryRun, onProgress: progress.update });
      } catch (error) {
        if (error instanceof ImportRefused) return refusal(cli, parsed.json, error);
        throw error;
      } finally {
        progress.stop();
      }
      // Always, even when every row was skipped: an interrupted run never reached its publish.
      const code = dryRun ? EXIT.ok : await cli.publishAfterChange(registry, ctx.now);
      const published = !dryRun && code === EXIT.ok;
      if (parsed.json) cli.json({ ...summary, published });
      else for (const line of summaryLines(summary, published)) cli.out(line);
      return code;
    });
  },
});
