// Publishing after every change the console makes, with changes in quick succession merged:
// the first change starts a short wait (mergeMs), every change during the wait or during the
// publication rides along, and one publication to the local edge store writes them all. The
// change itself is already committed with its pending state (registry/publishing.ts), so a
// publication that fails or never runs (the process stops) loses nothing: the next one, or
// `qdyp publish` from cron, writes it. After each publication the verifier in the same process
// (npm start) is told to read the store again, so the officer sees the change at once.

import { publishLocal } from '../publish.ts';
import type { Registry } from '../registry/db.ts';

const RETRY_FIRST_MS = 5_000;
const RETRY_MAX_MS = 5 * 60_000;

export interface PublisherOptions {
  registry: Registry;
  clock: () => Date;
  log: (line: string) => void;
  /** How long to wait for more changes before publishing (default 500 ms). */
  mergeMs?: number;
  /** The first wait before a failed publication is tried again (default 5 s; doubles, up to 5 min). */
  retryFirstMs?: number;
  /** Called after each publication that succeeded. */
  onPublished?: () => void;
}

export interface PublisherState {
  lastPublishedAt: Date | null;
  lastError: string | null;
  publications: number;
  busy: boolean;
}

export class Publisher {
  readonly #options: PublisherOptions;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #running: Promise<void> | null = null;
  #dirty = false;
  #closed = false;
  /** Publications failed in a row (the retry waits double each time, up to RETRY_MAX_MS). */
  #failures = 0;
  readonly state: PublisherState = { lastPublishedAt: null, lastError: null, publications: 0, busy: false };

  constructor(options: PublisherOptions) {
    this.#options = options;
  }

  /** A change was committed: publish it soon, together with whatever follows it quickly. */
  changed(): void {
    if (this.#closed) return;
    this.#dirty = true;
    this.#arm(this.#options.mergeMs ?? 500);
  }

  /**
   * Publishes now whatever is waiting, and resolves when nothing is (tests, shutdown), or when a
   * publication has just failed (its retry stays armed; state.lastError says why).
   */
  async flush(): Promise<void> {
    while (this.#running || this.#dirty) {
      if (this.#running) await this.#running;
      else {
        this.#disarm();
        await this.#run();
      }
      if (this.state.lastError !== null) return;
    }
  }

  /** Stops taking changes and publishes what is waiting. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.flush();
    this.#disarm();
  }

  /** Publishes after `ms` unless a publication is running (it re-arms when it ends) or a wait is set. */
  #arm(ms: number): void {
    if (this.#timer || this.#running) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.#run();
    }, ms);
    this.#timer.unref?.();
  }

  #disarm(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #run(): Promise<void> {
    if (this.#running) return this.#running;
    const run = async () => {
      let failed = false;
      while (this.#dirty && !failed) {
        this.#dirty = false;
        this.state.busy = true;
        try {
          const { warnings } = await publishLocal(this.#options.registry, this.#options.clock());
          this.state.lastPublishedAt = this.#options.clock();
          this.state.lastError = null;
          this.state.publications++;
          this.#failures = 0;
          for (const warning of warnings) this.#options.log(`warning: ${warning}`);
          this.#options.onPublished?.();
        } catch (error) {
          // Pending in the registry: tried again after a pause, at the next change, or by `qdyp publish`.
          this.state.lastError = error instanceof Error ? error.message : String(error);
          this.#options.log(`publishing failed (${this.state.lastError}); the changes stay pending and are tried again: qdyp publish writes them too`);
          this.#dirty = true;
          this.#failures++;
          failed = true;
        } finally {
          this.state.busy = false;
        }
      }
      // Cleared here, inside the run, so a change that arrives from now on arms its own wait.
      this.#running = null;
      if (this.#dirty && !this.#closed) this.#arm(failed ? Math.min(RETRY_MAX_MS, (this.#options.retryFirstMs ?? RETRY_FIRST_MS) * 2 ** (this.#failures - 1)) : (this.#options.mergeMs ?? 500));
    };
    this.#running = run();
    return this.#running;
  }
}
