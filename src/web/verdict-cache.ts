// Verdicts for seals scanned again and again (a popular product's QR). A verdict depends on
// the seal, the trust context, the time and the licence's entry; in time it can change only at
// a CST midnight (dates in the seal, key and entry) or when a list expires. So a verdict is
// kept while the context is the same object (a new publish makes a new one), until the next
// such instant, and for at most `maxAgeMs` (one TTL): an entry missing when the verdict was
// made (not yet propagated, say) is looked for again then. `checkedAt` is always the request's
// own time. core's verifySeal itself caches nothing.

import { cstDate, endOfCstDate, foldCase, verifySeal, type TrustContext, type Verdict } from '../core/index.ts';

/** A bound: garbage seals cannot grow it past this (a popular seal comes back soon enough). */
const MAX_ENTRIES = 5_000;

export class VerdictCache {
  readonly #maxAgeMs: number;
  #context: TrustContext | null = null;
  #from = 0;
  #until = 0;
  #verdicts = new Map<string, Verdict>();

  constructor(maxAgeMs: number) {
    this.#maxAgeMs = maxAgeMs;
  }

  async verify(seal: string, time: Date, context: TrustContext): Promise<Verdict> {
    const now = time.getTime();
    if (context !== this.#context || now < this.#from || now >= this.#until) {
      this.#context = context;
      this.#from = now;
      this.#until = Math.min(nextChange(context, time), now + this.#maxAgeMs);
      this.#verdicts = new Map();
    }
    const verdicts = this.#verdicts;
    const key = foldCase(seal);
    const known = verdicts.get(key);
    if (known) return { ...known, checkedAt: time.toISOString() };
    const verdict = await verifySeal(seal, time, context);
    // Kept only if no other request started a new context or window meanwhile.
    if (verdicts === this.#verdicts) {
      if (verdicts.size >= MAX_ENTRIES) verdicts.clear();
      verdicts.set(key, verdict);
    }
    return verdict;
  }
}

/** The first instant after `time` at which any verdict under `context` could change. */
function nextChange(context: TrustContext, time: Date): number {
  const now = time.getTime();
  const instants = [endOfCstDate(cstDate(time)).getTime()];
  for (const artifact of [context.keyList, context.statusList, context.revisionList]) {
    if (artifact && artifact.exp * 1000 > now) instants.push(artifact.exp * 1000);
  }
  return Math.min(...instants);
}
