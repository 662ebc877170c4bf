// The selection batch import: read and check the whole file, then issue its licences in
// chunks, each chunk one transaction with its rows' audit events and log entries (and the
// holders registered with them). A crash loses at most the chunk in flight; running the same file again skips
// every (batch, ref) already issued and completes it.
//
// Speed: a chunk's licences are planned on the main thread, signed on a worker thread while the
// main thread checks the rows after it or writes the chunks before it, then written. Signing
// starts as soon as the first chunk of rows is checked (up to MAX_AHEAD chunks ahead; if a row
// is bad, those signatures are dropped and nothing is written). Plans are numbered ahead of the
// writes; if the registry moved meanwhile (another process issued), the write refuses and the
// import plans again from what is there.

import fs from 'node:fs';
import path from 'node:path';
import { RefusedError } from '../errors.ts';
import { BatchIssue, Conflict, issueStart, signingKey, type BatchCounts, type CheckedIssue, type IssuePlan, type IssuerContext, type IssueStart } from '../issuer/index.ts';
import type { KeyRecord } from '../registry/keys.ts';
import type { HolderRecord } from '../registry/holders.ts';
import { BatchSigner } from './batch-signer.ts';
import { MAX_CSV_BYTES, readSelectionCsv, type CsvEncoding, type SelectionCsv } from './csv.ts';
import { ImportRefused, type RowProblem } from './errors.ts';
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
  /** Rows whose text the certificate font cannot fully draw (imported as given). */
  warnings: RowProblem[];
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
async function checkFile(
  ctx: IssuerContext,
  file: string,
  csv: SelectionCsv,
  onGood?: (requests: readonly CheckedIssue[]) => void,
): Promise<{ encoding: CsvEncoding; batch: CheckedBatch }> {
  const { key } = await signingKey(ctx);
  const { problems, batch } = checkRows(ctx, csv.rows, key, path.basename(file), csv.problems.length === 0 ? onGood : undefined);
  problems.push(...csv.problems);
  if (problems.length > 0) {
    problems.sort((a, b) => a.line - b.line);
    throw new ImportRefused('invalid_rows', `${problems.length} bad row(s); nothing was imported`, problems);
  }
  return { encoding: csv.encoding, batch };
}

/** Imports a selection batch CSV. Throws ImportRefused (nothing imported) for a bad file or rows. */
export async function importSelectionBatch(ctx: IssuerContext, file: string, options: ImportOptions = {}): Promise<ImportSummary> {
  const summarise = (encoding: CsvEncoding, batch: CheckedBatch, counts: BatchCounts): ImportSummary => ({
    file,
    encoding,
    rows: batch.requests.length,
    ...counts,
    differences: batch.differences,
    warnings: batch.warnings,
    dryRun: options.dryRun === true,
  });
  const csv = readSelectionCsv(readFile(file));
  if (options.dryRun) {
    const { encoding, batch } = await checkFile(ctx, file, csv);
    return summarise(encoding, batch, new BatchIssue(ctx).preview(batch.requests));
  }
  return ctx.registry.exclusive(async () => {
    // Signing starts while the rows are still being checked: chunks of good rows are planned and
    // signed ahead (signatures only, nothing is written), and dropped if any row turns out bad.
    const chunks = new ChunkPipeline(ctx, options.chunkRows ?? DEFAULT_CHUNK_ROWS);
    try {
      await chunks.start();
      const { encoding, batch } = await checkFile(ctx, file, csv, (requests) => chunks.offer(requests));
      return summarise(encoding, batch, await chunks.issue(batch.requests, options.onProgress));
    } finally {
      await chunks.close();
    }
  });
}

interface InFlight {
  plan: IssuePlan;
  rows: number;
  signatures: Promise<Uint8Array[]>;
}

/** Chunks planned and signed ahead of the write; at most this many at a time. */
const MAX_AHEAD = 8;

/**
 * Issues requests in chunks of `chunkRows`, each chunk signed on the worker while the ones
 * before it are checked or written. After a Conflict the chunks not yet written are planned
 * again from what the registry holds.
 */
class ChunkPipeline {
  private signing: BatchSigner | null = null;
  private key!: KeyRecord;
  private from!: IssueStart;
  private pending = new Map<string, HolderRecord>();
  private ahead: InFlight[] = [];
  /** Requests planned so far (from the first not yet written). */
  private next = 0;
  private done = 0;
  /** A plan ahead failed: planning starts over when issuing begins. */
  private stale = false;

  /** Plans, writes and counts the chunks. */
  private readonly batch: BatchIssue;

  constructor(
    private readonly ctx: IssuerContext,
    private readonly chunkRows: number,
  ) {
    this.batch = new BatchIssue(ctx);
  }

  /** (Re)starts planning from the first request not yet written, with the active key. */
  async start(): Promise<void> {
    await this.signing?.close();
    this.signing = null;
    for (const chunk of this.ahead) chunk.signatures.catch(() => undefined);
    this.ahead = [];
    const { key, signer } = await signingKey(this.ctx);
    this.key = key;
    this.signing = new BatchSigner(signer.keyObject);
    this.from = issueStart(this.ctx);
    this.pending = new Map();
    this.next = this.done;
    this.stale = false;
  }

  /** Plans and sends for signing the next chunk of `requests`, if it is complete (or `all`). */
  private launch(requests: readonly CheckedIssue[], all: boolean): boolean {
    if (this.ahead.length >= MAX_AHEAD) return false;
    const end = Math.min(this.next + this.chunkRows, requests.length);
    if (end === this.next || (!all && end - this.next < this.chunkRows)) return false;
    const chunk = requests.slice(this.next, end);
    const plan = this.batch.plan(chunk, this.key, this.from, this.pending);
    this.next = end;
    this.from = plan.next;
    const signatures = this.signing!.sign(plan.signingInputs);
    // A chunk signed ahead is dropped unread when one before it fails.
    signatures.catch(() => undefined);
    this.ahead.push({ plan, rows: chunk.length, signatures });
    return true;
  }

  /** Good rows so far, while checking: a complete chunk is planned and signed ahead. */
  offer(requests: readonly CheckedIssue[]): void {
    if (this.stale || requests.length - this.next < this.chunkRows) return;
    try {
      this.launch(requests, false);
    } catch {
      // Not the row's fault (say, serials used up): issuing plans again and reports it.
      this.stale = true;
    }
  }

  async issue(requests: CheckedIssue[], onProgress: ImportOptions['onProgress']): Promise<BatchCounts> {
    let attempts = 0;
    onProgress?.(0, requests.length);
    if (this.stale) await this.start();
    while (this.done < requests.length) {
      try {
        if (this.ahead.length === 0) this.launch(requests, true);
        const current = this.ahead[0]!;
        const signatures = await current.signatures;
        // Keep the worker busy while this chunk is written.
        while (this.launch(requests, true));
        this.batch.write(current.plan, signatures);
        this.ahead.shift();
        this.done += current.rows;
        attempts = 0;
        onProgress?.(this.done, requests.length);
      } catch (error) {
        if (!(error instanceof Conflict)) throw error;
        if (++attempts >= ATTEMPTS) throw new RefusedError('conflict', `the registry kept changing during the import; ${this.done} of ${requests.length} rows are imported: run it again`);
        await this.start();
      }
    }
    return this.batch.counts;
  }

  async close(): Promise<void> {
    for (const chunk of this.ahead) chunk.signatures.catch(() => undefined);
    this.ahead = [];
    await this.signing?.close();
    this.signing = null;
  }
}
