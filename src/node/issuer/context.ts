// What every issuer operation runs in: the registry, the instant of the change and who makes
// it, plus the small memos a batch import leans on (kept on the context, never in module state,
// so two registries can be worked on side by side).

import { RefusedError } from '../errors.ts';
import type { Registry } from '../registry/db.ts';

export interface IssuerContext {
  registry: Registry;
  /** The instant of the change (tests and drills set it; the CLI reads QDYP_NOW or the clock). */
  now: Date;
  /** Who: recorded in the audit log. */
  actor: string;
  /** Where to say what is accepted but worth knowing (text the certificate font cannot draw). */
  warn?: (message: string) => void;
  /** Made on first use; see IssuerMemo. */
  memo?: IssuerMemo;
}

/** Work a batch import would otherwise repeat on every row. */
export interface IssuerMemo {
  /** Dates already found valid: a batch checks the same few dates on every row. */
  validDates: Set<string>;
  /** The last instant formatted: a batch asks for the same one on every row. */
  lastAt: { time: number; text: string };
}

export function memo(ctx: IssuerContext): IssuerMemo {
  return (ctx.memo ??= { validDates: new Set(), lastAt: { time: NaN, text: '' } });
}

/** The change's instant as stored (ISO-8601 UTC). */
export function at(ctx: IssuerContext): string {
  const last = memo(ctx).lastAt;
  const time = ctx.now.getTime();
  if (time !== last.time) {
    last.time = time;
    last.text = ctx.now.toISOString();
  }
  return last.text;
}

/** The registry moved between reading and writing: the change starts over. */
export class Conflict extends Error {}

const ATTEMPTS = 5;

/**
 * Runs a change alone within this process, and again if its transaction finds that another
 * process changed the registry while it was signing.
 */
export function withRetry<T>(ctx: IssuerContext, operation: () => Promise<T>): Promise<T> {
  return ctx.registry.exclusive(async () => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await operation();
      } catch (error) {
        if (!(error instanceof Conflict)) throw error;
        if (attempt >= ATTEMPTS) throw new RefusedError('conflict', 'the registry kept changing while this change was being signed; try again');
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 25 * attempt));
      }
    }
  });
}
