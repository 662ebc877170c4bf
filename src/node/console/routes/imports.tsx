// The selection batch import (批量导入), as `qdyp import` does it, in two steps:
//   GET  /console/import          the upload form and the recent imports
//   POST /console/import          upload (multipart, field `file`): saved under the console's
//                                 uploads/ by its SHA-256 (mode 0600), then checked as
//                                 `qdyp import --dry-run` checks it; nothing is imported
//   GET  /console/import/:id      the check's report (every bad row by line, or what it would
//                                 do), progress while running (reloading itself), the result
//   POST /console/import/:id/run  an officer confirms: the import runs in the background,
//                                 audited under that officer; one import at a time. A failed or
//                                 interrupted import runs again from here and skips the rows
//                                 already issued, as running the same file again at the CLI.
// Clerks upload and check; officers confirm.

import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { DAMAGED_TEXT } from '../../accounts/index.ts';
import { RefusedError } from '../../errors.ts';
import { writeFileAtomic } from '../../files.ts';
import { importSelectionBatch, ImportRefused, type ImportSummary } from '../../import/index.ts';
import type { IssuerContext } from '../../issuer/index.ts';
import { needsRole } from '../app.tsx';
import { frameOf, guardedForm, guardedMultipart, mayAct, officerContext, page, signedIn, done, type ConsoleContext, type ConsoleEnv, type ConsoleKit } from '../kit.ts';
import type { ConsoleImport } from '../store.ts';
import { ImportListPage, ImportPage, importReport, type ImportReport } from '../views/imports.tsx';
import { MAX_UPLOAD_BYTES } from './index.ts';

const RECENT = 20;
const MAX_NAME = 200;
// What an uploaded file's name must not bring into a page: controls, damaged text, direction
// controls and other invisible characters.
const UNSHOWN = new RegExp(`${DAMAGED_TEXT.source}|[\\u00ad\\u061c\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u206f\\ufeff]`, 'g');

/** The name the officer's file had, as a label only (the stored file is named by its hash). */
function uploadName(raw: string): string {
  const base = raw.split(/[\\/]/).pop() ?? '';
  const name = [...base.replace(UNSHOWN, '').trim()].slice(0, MAX_NAME).join('');
  return name === '' ? 'upload.csv' : name;
}

/** The report of a refusal, the stored file's path replaced by the name it was uploaded as. */
function refusedReport(error: ImportRefused | RefusedError, file: string, name: string): ImportReport {
  return { kind: 'refused', code: error.code, message: error.message.split(file).join(name), problems: error instanceof ImportRefused ? error.problems : [] };
}

function labelled(summary: ImportSummary, name: string): ImportSummary {
  return { ...summary, file: name };
}

/**
 * Runs a claimed import to its end: progress into the store after each chunk, the publisher
 * told, the outcome recorded. Never throws: it runs after its request has been answered.
 */
async function runImport(kit: ConsoleKit, ctx: IssuerContext, imp: ConsoleImport): Promise<void> {
  const checked = importReport(imp);
  const checkedSummary = 'summary' in checked ? checked.summary : undefined;
  let state: 'done' | 'failed' | 'refused';
  let report: ImportReport;
  try {
    const summary = await importSelectionBatch(ctx, imp.file, { onProgress: (rows, total) => kit.store.importProgress(imp.id, rows, total) });
    kit.publisher.changed();
    await kit.publisher.flush();
    state = 'done';
    report = { kind: 'done', summary: labelled(summary, imp.name), published: kit.publisher.state.lastError === null };
  } catch (error) {
    // Chunks committed before a failure are in the registry: publish them too.
    kit.publisher.changed();
    if (error instanceof ImportRefused && error.code !== 'unreadable_file') {
      state = 'refused';
      report = refusedReport(error, imp.file, imp.name);
    } else {
      state = 'failed';
      const told = error instanceof RefusedError || error instanceof ImportRefused;
      if (!told) kit.log(`import #${imp.id} failed (${error instanceof Error ? error.name : 'error'}); it can be run again from its page`);
      report = { kind: 'failed', ...(checkedSummary ? { summary: checkedSummary } : {}), message: told ? error.message.split(imp.file).join(imp.name) : 'an unexpected error stopped it (see the console log)' };
    }
  }
  try {
    kit.store.finishImport(imp.id, state, report, kit.clock().toISOString());
  } catch {
    // The console closed under it: the next start marks it interrupted, to be run again.
    kit.log(`import #${imp.id} could not record its end; it shows as interrupted at the next start`);
  }
}

export function importRoutes(app: Hono<ConsoleEnv>, kit: ConsoleKit): void {
  const maxMiB = MAX_UPLOAD_BYTES / 1024 / 1024;

  function importOf(c: ConsoleContext): ConsoleImport {
    const id = c.req.param('id') ?? '';
    const imp = /^\d{1,12}$/.test(id) ? kit.store.import(Number(id)) : undefined;
    if (!imp) throw new HTTPException(404);
    return imp;
  }

  function importPage(c: ConsoleContext, status: ContentfulStatusCode, imp: ConsoleImport, problem?: string) {
    const running = kit.store.runningImport();
    const autoRefresh = c.req.query('refresh') !== '0';
    // While it runs, the page reloads itself every 2 s (no script): an HTTP Refresh header, and
    // the page says so with a link that turns it off (WCAG 2.2.1's "turn off").
    const headers = imp.state === 'running' && autoRefresh ? { refresh: '2' } : undefined;
    return page(
      c,
      status,
      <ImportPage
        frame={frameOf(c, 'import')}
        imp={imp}
        mayRun={mayAct(signedIn(c), 'officer')}
        other={running && running.id !== imp.id ? running : undefined}
        autoRefresh={autoRefresh}
        {...(problem === undefined ? {} : { problem })}
      />,
      headers,
    );
  }

  app.get('/console/import', (c) => page(c, 200, <ImportListPage frame={frameOf(c, 'import')} imports={kit.store.imports(RECENT)} maxMiB={maxMiB} />));

  app.post('/console/import', async (c) => {
    const { files } = await guardedMultipart(kit, c, {}, ['file']);
    const file = files.file;
    if (!file || (file.size === 0 && file.name === '')) {
      return page(c, 400, <ImportListPage frame={frameOf(c, 'import')} imports={kit.store.imports(RECENT)} maxMiB={maxMiB} problem="请选择要上传的 CSV 文件。" />);
    }
    if (file.size > MAX_UPLOAD_BYTES) throw new HTTPException(413);
    const bytes = new Uint8Array(await file.arrayBuffer());
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const stored = path.join(kit.store.uploadsDir, `${sha256}.csv`);
    if (!fs.existsSync(stored)) writeFileAtomic(stored, bytes, 0o600);
    const name = uploadName(file.name);
    const ctx = officerContext(kit, c);
    let state: 'checked' | 'refused';
    let report: ImportReport;
    let rows = 0;
    try {
      const summary = await importSelectionBatch(ctx, stored, { dryRun: true });
      state = 'checked';
      report = { kind: 'checked', summary: labelled(summary, name) };
      rows = summary.rows;
    } catch (error) {
      if (!(error instanceof ImportRefused) && !(error instanceof RefusedError)) throw error;
      state = 'refused';
      report = refusedReport(error, stored, name);
    }
    const imp = kit.store.addImport({ file: stored, name, sha256, bytes: bytes.length, uploadedBy: signedIn(c).name, uploadedAt: ctx.now.toISOString(), state, report, totalRows: rows });
    return c.redirect(`/console/import/${imp.id}`, 303);
  });

  app.get('/console/import/:id', (c) => importPage(c, 200, importOf(c)));

  app.post('/console/import/:id/run', needsRole('officer'), async (c) => {
    await guardedForm(kit, c, {});
    const imp = importOf(c);
    const ctx = officerContext(kit, c);
    const outcome = kit.store.startImport(imp.id, signedIn(c).name, ctx.now.toISOString());
    if (outcome === 'busy') {
      const other = kit.store.runningImport();
      const which = other ? `（#${other.id}）` : '';
      return importPage(c, 409, imp, `另一个导入${which}正在进行：同一时间只能运行一个导入。请等它完成后再试。`);
    }
    if (outcome === 'state') {
      const why =
        imp.state === 'done'
          ? '这个导入已经完成，不会再导入一次。'
          : imp.state === 'refused'
            ? '这个文件被拒绝了，不能导入：请改正后重新上传。'
            : '这个导入正在进行。';
      return importPage(c, 409, imp, `没有开始导入：${why}`);
    }
    void runImport(kit, ctx, kit.store.import(imp.id)!);
    return done(c, `/import/${imp.id}`, { ok: '导入已开始：本页显示进度。' });
  });
}
