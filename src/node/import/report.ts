// The import's report as people read it: what a check found or an import did (the summary's
// lines), or why a file was refused (every bad row by line). One text for `qdyp import` and for
// the console's import page, so the office reads the same words wherever it imports.

import type { RowProblem } from './errors.ts';
import type { ImportSummary } from './importer.ts';

/** The summary's lines: the counts, then each holder difference and warning by line. */
export function summaryLines(summary: ImportSummary, published: boolean): string[] {
  const encoding = summary.encoding === 'gb18030' ? 'read as GB18030: it is not valid UTF-8' : 'UTF-8';
  const lines = summary.dryRun
    ? [
        `Checked ${summary.file} (${encoding}): ${summary.rows} rows, all good. Nothing was changed (--dry-run). Importing it would:`,
        `  add holders          ${summary.holdersAdded}`,
        `  issue licences       ${summary.licencesIssued}`,
        `  skip rows            ${summary.skipped} (already imported)`,
      ]
    : [
        `Imported ${summary.file} (${encoding}): ${summary.rows} rows.`,
        `  holders added        ${summary.holdersAdded}`,
        `  licences issued      ${summary.licencesIssued}`,
        `  rows skipped         ${summary.skipped} (already imported)`,
      ];
  for (const d of summary.differences) {
    lines.push(
      `warning: line ${d.line}: holder ${d.uscc} has ${d.field} ${JSON.stringify(d.file)} in the file but ${JSON.stringify(d.registered)} in the registry; ` +
        `the registry's record was kept (qdyp holder update ${d.uscc} changes it)`,
    );
  }
  for (const w of summary.warnings) lines.push(`warning: line ${w.line}: ${w.message}`);
  if (published) lines.push('Published to the edge store.');
  return lines;
}

/** A refusal's lines: `refused: MESSAGE`, then `  line N: PROBLEM` for every bad row. */
export function refusalLines(refusal: { message: string; problems: readonly RowProblem[] }): string[] {
  return [`refused: ${refusal.message}`, ...refusal.problems.map((problem) => `  line ${problem.line}: ${problem.message}`)];
}
