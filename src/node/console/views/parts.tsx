// Small pieces the dashboard, licences, reports, audit and keys pages share: a refusal box (our words, or
// the issuer's English message as the CLI prints it), a table box that scrolls on a phone and
// can be reached by keyboard, the filter form of a list and its choices, and a CLI command for
// this registry, quoted for the shell.

import type { Child } from 'hono/jsx';
import { consoleHref } from './layout.tsx';

/**
 * A refusal to show: our own words (zh-CN), or the issuer's message as the CLI prints it
 * (English), then after our words of `lead` (what was not done) when there are some.
 */
export interface Problem {
  text: string;
  english: boolean;
  lead?: string;
}

export function ProblemBox({ problem }: { problem?: Problem | undefined }) {
  if (!problem) return null;
  return (
    <p class="problem" role="alert">
      {problem.lead}
      {problem.lead ? ' ' : ''}
      {problem.english ? <span lang="en">{problem.text}</span> : problem.text}
    </p>
  );
}

/** A table's box: it scrolls sideways on a narrow screen, so it takes the focus and has a name. */
export function TableBox({ label, children }: { label: string; children?: Child }) {
  return (
    <div class="table" role="region" aria-label={label} tabindex={0}>
      {children}
    </div>
  );
}

/** A list's filters: a GET form to the list's `path` with the `children` fields, 筛选, and a link that clears them. */
export function FilterForm({ path, label, children }: { path: string; label: string; children?: Child }) {
  return (
    <form class="card" method="get" action={consoleHref(path)} role="search" aria-label={label}>
      <div class="filters">{children}</div>
      <div class="actions">
        <button type="submit">筛选</button>
        <a class="button plain" href={consoleHref(path)}>
          清除筛选
        </a>
      </div>
    </form>
  );
}

/** A filter's choice (field `id`) of one of `options` ([value, text]), or 全部 (''). */
export function Choice({ id, label, value, options }: { id: string; label: string; value: string; options: readonly (readonly [string, string])[] }) {
  return (
    <div>
      <label for={id}>{label}</label>
      <select id={id} name={id}>
        <option value="" selected={value === ''}>
          全部
        </option>
        {options.map(([v, text]) => (
          <option value={v} selected={v === value}>
            {text}
          </option>
        ))}
      </select>
    </div>
  );
}

/** A word a POSIX shell reads as itself: as it is when it is safe, else in single quotes. */
export function shellWord(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * `npx qdyp --db PATH ARGS…`, each word quoted for the shell where it must be; a usage
 * placeholder (FILE, KID, `clerk|officer|admin`) is shown as it is.
 */
export function qdypCommand(dbPath: string, args: readonly string[]): string {
  return ['npx', 'qdyp', '--db', shellWord(dbPath), ...args.map((a) => (/^[A-Za-z]+(\|[A-Za-z]+)+$/.test(a) ? a : shellWord(a)))].join(' ');
}

/** Commands to copy, one a line; the box scrolls on a phone, so it takes the focus. */
export function Commands({ lines, label }: { lines: string[]; label: string }) {
  return (
    <pre tabindex={0} data-commands={label}>
      <code>{lines.join('\n')}</code>
    </pre>
  );
}
