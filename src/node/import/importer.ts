// The selection batch import: read and check the whole file, then issue its licences in
// chunks, each chunk one transaction with its rows' audit events (and the holders registered
// with them). A crash loses at most the chunk in flight; running the same file again skips
// every (batch, ref) already issued and completes it.
//
// Speed: a chunk's licences are planned on the main thread, signed on a worker thread while the
// main thread writes the chunk before, then written. Plans are numbered ahead of the writes; if
// the registry moved meanwhile (another process issued), the write refuses and the import plans
// again from what is there.

import fs from 'node:fs';
import path from 'node:path';
import { RefusedError } from '../errors.ts';
import { Conflict, issueStart, planIssues, signingKey, writePlan, type CheckedIssue, type IssuePlan, type IssuerContext } from '../issuer.ts';
import type { HolderRecord } from '../registry/holders.ts';
import { BatchSigner } from './batch-signer.ts';
import { MAX_CSV_BYTES, readSelectionCsv, type CsvEncoding } from './csv.ts';
import { ImportRefused } from './errors.ts';
import { checkRows, type CheckedBatch, type HolderDifference } from './rows.ts';

export const DEFAULT_CHUNK_ROWS = 1000;
const ATTEMPTS = 5;

export interface ImportOptions {
  /** Check and count only; change nothing. */
  dryRun?: boolean;
  /** Rows per transaction. */
  chunkRows?: number;
  /** Called after each committed chunk (and once before the first) with rows done so far. */
  onProgress?: (done: number, total: number) => void;
}

export interface ImportSummary {
  file: string;
  encoding: CsvEncoding;
  rows: number;
  /** With dryRun: what the import would do. */
  holdersAdded: number;
  licencesIssued: number;
  /** Rows whose (batch, ref) was issued before: nothing changed for them. */
  skipped: number;
  differences: HolderDifference[];
  dryRun: boolean;
}

function readFile(file: string): Uint8Array {
  let handle: number | undefined;
  try {
    handle = fs.openSync(file, 'r');
    const size = fs.fstatSync(handle).size;
    if (size > MAX_CSV_BYTES) throw new ImportRefused('file_too_large', `${file} is over ${MAX_CSV_BYTES / 1024 / 1024} MB`);
    return fs.readFileSync(handle);
  } catch (error) {
    if (error instanceof ImportRefused) throw error;
    throw new ImportRefused('unreadable_file', `cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'read failed'})`);
  } finally {
    if (handle !== undefined) fs.closeSync(handle);
  }
}

/** Reads and checks the file: the checked batch, or ImportRefused listing every bad row. */
async function checkFile(ctx: IssuerContext, file: string): Promise<{ encoding: CsvEncoding; batch: CheckedBatch }> {
  const csv = readSelectionCsv(readFile(file));
  const { key } = await signingKey(ctx);
  const { problems, batch } = checkRows(ctx, csv.rows, key, path.basename(file));
  problems.push(...csv.problems);
  if (problems.length > 0) {
    problems.sort((a, b) => a.line - b.line);
    throw new ImportRefused('invalid_rows', `${problems.length} bad row(s); nothing was imported`, problems);
  }
  return { encoding: csv.encoding, batch };
}

/** Imports a selection batch CSV. Throws ImportRefused (nothing imported) for a bad file or rows. */
export async function importSelectionBatch(ctx: IssuerContext, file: string, options: ImportOptions = {}): Promise<ImportSummary> {
  const { encoding, batch } = await checkFile(ctx, file);
  const summary: ImportSummary = {
    file,
    encoding,
    rows: batch.requests.length,
    holdersAdded: batch.newHolders,
    licencesIssued: batch.requests.length - batch.alreadyImported,
    skipped: batch.alreadyImported,
    differences: batch.differences,
    dryRun: options.dryRun === true,
  };
  if (options.dryRun) return summary;
  const done = await issueInChunks(ctx, batch.requests, options.chunkRows ?? DEFAULT_CHUNK_ROWS, options.onProgress);
  return { ...summary, ...done };
}

interface InFlight {
  plan: IssuePlan;
  rows: number;
  signatures: Promise<Uint8Array[]>;
}

/**
 * Issues `requests` in chunks of `chunkRows`, each chunk signed on the worker while the one
 * before it is written. After a Conflict the chunks not yet written are planned again.
 */
async function issueInChunks(
  ctx: IssuerContext,
  requests: CheckedIssue[],
  chunkRows: number,
  onProgress: ImportOptions['onProgress'],
): Promise<Pick<ImportSummary, 'holdersAdded' | 'licencesIssued' | 'skipped'>> {
  const counts = { holdersAdded: 0, licencesIssued: 0, skipped: 0 };
  let done = 0;
  let attempts = 0;
  onProgress?.(0, requests.length);
  await ctx.registry.exclusive(async () => {
    while (done < requests.length) {
      const { key, signer } = await signingKey(ctx);
      const signing = new BatchSigner(signer.keyObject);
      // Each plan starts where the one before it will end, before that one is written.
      let start = issueStart(ctx);
      let next = done;
      const pending = new Map<string, HolderRecord>();
      const launch = (): InFlight | null => {
        if (next >= requests.length) return null;
        const chunk = requests.slice(next, next + chunkRows);
        next += chunk.length;
        const plan = planIssues(ctx, chunk, key, start, pending);
        start = plan.next;
        const signatures = signing.sign(plan.signingInputs);
        // A chunk signed ahead is dropped unread when the one before it fails.
        signatures.catch(() => undefined);
        return { plan, rows: chunk.length, signatures };
      };
      try {
        for (let current = launch(); current; ) {
          const signatures = await current.signatures;
          const following = launch();
          const outcome = writePlan(ctx, current.plan, signatures);
          for (const issued of outcome.issued) counts[issued.created ? 'licencesIssued' : 'skipped']++;
          counts.holdersAdded += outcome.holdersAdded.length;
          done += current.rows;
          attempts = 0;
          onProgress?.(done, requests.length);
          current = following;
        }
      } catch (error) {
        if (!(error instanceof Conflict)) throw error;
        if (++attempts >= ATTEMPTS) throw new RefusedError('conflict', `the registry kept changing during the import; ${done} of ${requests.length} rows are imported: run it again`);
      } finally {
        await signing.close();
      }
    }
  });
  return counts;
}
