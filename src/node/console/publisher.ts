// Publishing after every change the console makes, with changes in quick succession merged:
// the first change starts a short wait (mergeMs), every change during the wait or during the
// publication rides along, and one publication to the local edge store writes them all. The
// change itself is already committed with its pending state (registry/publishing.ts), so a
// publication that fails or never runs (the process stops) loses nothing: the next one, or
// `qdyp publish` from cron, writes it. After each publication the verifier in the same process
// (npm start) is told to read the store again, so the officer sees the change at once.

import { publishLocal } from '../publish.ts';
import type { Registry } from '../registry/db.ts';

export interface PublisherOptions {
  registry: Registry;
  clock: () => Date;
  log: (line: string) => void;
  /** How long to wait for more changes before publishing (default 500 ms). */
  mergeMs?: number;
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
  readonly state: PublisherState = { lastPublishedAt: null, lastError: null, publications: 0, busy: false };

  constructor(options: PublisherOptions) {
    this.#options = options;
  }

  /** A change was committed: publish it soon, together with whatever follows it quickly. */
  changed(): void {
    if (this.#closed) return;
    this.#dirty = true;
    if (this.#timer || this.#running) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.#run();
    }, this.#options.mergeMs ?? 500);
  }

  /** Publishes now whatever is waiting, and resolves when nothing is (tests, shutdown). */
  async flush(): Promise<void> {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    while (this.#running || this.#dirty) {
      if (this.#running) await this.#running;
      else await this.#run();
    }
  }

  /** Stops taking changes and publishes what is waiting. */
  async close(): Promise<void> {
    await this.flush();
    this.#closed = true;
  }

  #run(): Promise<void> {
    if (this.#running) return this.#running;
    this.#running = (async () => {
      while (this.#dirty) {
        this.#dirty = false;
        this.state.busy = true;
        try {
          const { warnings } = await publishLocal(this.#options.registry, this.#options.clock());
          this.state.lastPublishedAt = this.#options.clock();
          this.state.lastError = null;
          this.state.publications++;
          for (const warning of warnings) this.#options.log(`warning: ${warning}`);
          this.#options.onPublished?.();
        } catch (error) {
          // Pending in the registry: the next change or `qdyp publish` writes it.
          this.state.lastError = error instanceof Error ? error.message : String(error);
          this.#options.log(`publishing failed (${this.state.lastError}); the changes stay pending: run qdyp publish`);
        } finally {
          this.state.busy = false;
        }
      }
    })().finally(() => {
      this.#running = null;
    });
    return this.#running;
  }
}
