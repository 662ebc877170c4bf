// The CLI's small framework: commands declare their options and help; groups dispatch to
// subcommands; every command takes --db, --json and --help wherever they appear.
// Exit codes: 0 success, 1 a refused action or a negative verdict, 2 a usage error.

import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { IssuerContext } from '../issuer/index.ts';
import { publishLocal } from '../publish.ts';
import { openRegistry, type Registry } from '../registry/db.ts';
import { unpublished } from '../registry/publishing.ts';

export const EXIT = { ok: 0, refused: 1, usage: 2 } as const;

/**
 * Control characters (ESC sequences recolour, clear or retitle a terminal), line separators,
 * direction controls and zero-width characters, except the newlines our own output is made of.
 */
const UNSAFE_FOR_TERMINAL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u00ad\u061c\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2069\ufeff]/g;

/** Human output as the terminal should show it: text from a hostile CSV or argument escaped, as \u001b. */
export function terminalSafe(text: string): string {
  return text.replace(UNSAFE_FOR_TERMINAL, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export const DEFAULT_DB = path.join('data', 'qdyp.sqlite');

export interface CliIO {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  env: Record<string, string | undefined>;
  cwd: string;
}

/** A mistake in how the command was called: exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface Globals {
  db?: string;
  json?: boolean;
  help?: boolean;
}

type OptionSpec = { type: 'string' | 'boolean'; multiple?: boolean; short?: string };
type Value = string | boolean | string[] | undefined;

export interface Parsed {
  values: Record<string, Value>;
  positionals: string[];
  json: boolean;
}

export const COMMON_OPTIONS: Record<string, OptionSpec> = {
  db: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

export class Cli {
  readonly globals: Globals;
  constructor(
    readonly io: CliIO,
    globals: Globals = {},
  ) {
    this.globals = { ...globals };
  }

  out(text = ''): void {
    this.io.stdout.write(`${terminalSafe(text)}\n`);
  }

  err(text: string): void {
    this.io.stderr.write(`${terminalSafe(text)}\n`);
  }

  json(value: unknown): void {
    this.io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /** --db (before or after the command), else QDYP_DB, else data/qdyp.sqlite. */
  dbPath(): string {
    const given = this.globals.db ?? this.io.env.QDYP_DB ?? DEFAULT_DB;
    if (given === '') throw new UsageError('--db needs a file name');
    return path.resolve(this.io.cwd, given);
  }

  resolve(file: string): string {
    return path.resolve(this.io.cwd, file);
  }

  /** QDYP_NOW (an ISO-8601 instant, for tests and drills) or the clock. */
  now(): Date {
    const fixed = this.io.env.QDYP_NOW;
    if (fixed === undefined || fixed === '') return new Date();
    const time = new Date(fixed);
    if (!/^\d{4}-\d{2}-\d{2}T/.test(fixed) || Number.isNaN(time.getTime())) throw new UsageError('QDYP_NOW must be an ISO-8601 instant such as 2026-11-27T04:00:00Z');
    return time;
  }

  /** QDYP_ACTOR, else the operating-system user. */
  actor(): string {
    const named = this.io.env.QDYP_ACTOR;
    if (named) return named.slice(0, 100);
    try {
      return os.userInfo().username;
    } catch {
      return 'unknown';
    }
  }

  context(registry: Registry): IssuerContext {
    return { registry, now: this.now(), actor: this.actor(), warn: (message) => this.err(`warning: ${message}`) };
  }

  /** Opens the registry for the command and always closes it. */
  async withRegistry<T>(run: (registry: Registry) => Promise<T>): Promise<T> {
    const registry = openRegistry(this.dbPath(), { now: this.now() });
    try {
      return await run(registry);
    } finally {
      // Refused or not: an officer should know the edge is behind the registry.
      this.warnUnpublished(registry);
      registry.close();
    }
  }

  /**
   * Every change is published to the local edge store straight away, with whatever an earlier,
   * interrupted command left pending. Cloudflare gets it at the next `qdyp publish --to
   * cloudflare` (cron): the change stays recorded as pending for it until then.
   */
  async publishAfterChange(registry: Registry, now: Date): Promise<number> {
    try {
      const { warnings } = await publishLocal(registry, now);
      for (const warning of warnings) this.err(`warning: ${warning}`);
      return EXIT.ok;
    } catch (error) {
      this.err(`error: the change is saved, but publishing it failed (${(error as Error).message}); it stays pending: run qdyp publish`);
      return EXIT.refused;
    }
  }

  /** Says which targets have changes not yet published (read-only commands, and after a change). */
  warnUnpublished(registry: Registry): void {
    for (const t of unpublished(registry.db)) {
      const what = t.pendingEntries > 0 ? `${t.pendingEntries} licence entr${t.pendingEntries === 1 ? 'y' : 'ies'}` : 'changes';
      const how = t.target === 'local' ? 'qdyp publish' : `qdyp publish --to ${t.target}`;
      this.err(`warning: ${what} not yet published to ${t.target}${t.publishedAt ? ` (last published ${t.publishedAt})` : ''}: run ${how}`);
    }
  }
}

export interface Command {
  summary: string;
  run(args: string[], cli: Cli, name: string): Promise<number>;
}

export interface CommandSpec {
  summary: string;
  /** The usage line after "qdyp NAME". */
  usage: string;
  /** Option lines and notes for --help. */
  help: string;
  options?: Record<string, OptionSpec>;
  positionals?: { min: number; max: number };
  run(parsed: Parsed, cli: Cli): Promise<number>;
}

const COMMON_HELP = `
Common options:
  --db FILE    the registry database (default ${DEFAULT_DB}, or QDYP_DB); before or after the command
  --json       machine-readable output
  -h, --help   this help`;

export function command(spec: CommandSpec): Command {
  return {
    summary: spec.summary,
    async run(args, cli, name) {
      const helpText = `Usage: qdyp ${name} ${spec.usage}\n\n${spec.summary}\n${spec.help ? `\n${spec.help}\n` : ''}${COMMON_HELP}\n`;
      let parsed: ReturnType<typeof parseArgs>;
      try {
        parsed = parseArgs({ args, options: { ...spec.options, ...COMMON_OPTIONS }, allowPositionals: true, strict: true });
      } catch (error) {
        throw new UsageError(`${(error as Error).message}\n(see: qdyp ${name} --help)`);
      }
      const values = parsed.values as Record<string, Value>;
      if (typeof values.db === 'string') cli.globals.db = values.db;
      if (values.json) cli.globals.json = true;
      if (values.help || cli.globals.help) {
        cli.io.stdout.write(helpText);
        return EXIT.ok;
      }
      const { min, max } = spec.positionals ?? { min: 0, max: 0 };
      if (parsed.positionals.length < min || parsed.positionals.length > max) {
        const unexpected = parsed.positionals.length > max ? `unexpected argument "${parsed.positionals[max]}"` : 'missing argument';
        throw new UsageError(`${unexpected}\nUsage: qdyp ${name} ${spec.usage}`);
      }
      return spec.run({ values, positionals: parsed.positionals, json: cli.globals.json === true }, cli);
    },
  };
}

export function group(spec: { summary: string; commands: Record<string, Command> }): Command {
  return {
    summary: spec.summary,
    async run(args, cli, name) {
      const [sub, ...rest] = args;
      const wantsHelp = cli.globals.help || sub === '--help' || sub === '-h';
      if (sub === undefined || sub.startsWith('-')) {
        const lines = Object.entries(spec.commands).map(([n, c]) => `  ${`${name} ${n}`.padEnd(22)} ${c.summary}`);
        const text = `Usage: qdyp ${name} COMMAND [options]\n\n${spec.summary}\n\nCommands:\n${lines.join('\n')}\n\nRun qdyp ${name} COMMAND --help for a command's options.\n`;
        if (wantsHelp) {
          cli.io.stdout.write(text);
          return EXIT.ok;
        }
        throw new UsageError(`which ${name} command?\n${text.trimEnd()}`);
      }
      const chosen = Object.hasOwn(spec.commands, sub) ? spec.commands[sub] : undefined;
      if (!chosen) throw new UsageError(`unknown command "${name} ${sub}" (see: qdyp ${name} --help)`);
      return chosen.run(rest, cli, `${name} ${sub}`);
    },
  };
}

// Typed accessors for parsed values.

export function text(parsed: Parsed, name: string): string | undefined {
  const v = parsed.values[name];
  return typeof v === 'string' ? v : undefined;
}

export function required(parsed: Parsed, name: string): string {
  const v = text(parsed, name);
  if (v === undefined) throw new UsageError(`--${name} is required`);
  return v;
}

export function list(parsed: Parsed, name: string): string[] | undefined {
  const v = parsed.values[name];
  return Array.isArray(v) ? v : undefined;
}

export function flag(parsed: Parsed, name: string): boolean {
  return parsed.values[name] === true;
}

export function wholeNumber(parsed: Parsed, name: string): number | undefined {
  const v = text(parsed, name);
  if (v === undefined) return undefined;
  if (!/^\d{1,6}$/.test(v)) throw new UsageError(`--${name} must be a whole number`);
  return Number(v);
}
