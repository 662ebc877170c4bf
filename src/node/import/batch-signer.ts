// Ed25519 signing on a worker thread, so that a batch import signs chunks while the main
// thread checks the rows after them or stores the ones before. Checking and storing a licence
// (three rows, seven indexes, ~2.5 KB) costs about as much as its two signatures, so doing both
// on one thread would halve throughput.
// The worker runs node:crypto's `sign`, exactly what the issuer calls on the main thread.

import type { KeyObject } from 'node:crypto';
import { Worker } from 'node:worker_threads';

// Plain CommonJS, evaluated: a worker does not inherit the TypeScript loader (tsx, vitest).
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { sign } = require('node:crypto');
const key = workerData.key;
parentPort.on('message', ({ bytes, ends }) => {
  const signatures = new Uint8Array(64 * ends.length);
  let start = 0;
  for (let i = 0; i < ends.length; i++) {
    signatures.set(sign(null, bytes.subarray(start, ends[i]), key), 64 * i);
    start = ends[i];
  }
  parentPort.postMessage(signatures, [signatures.buffer]);
});
`;

/** Signs batches of messages in order with one private key, off the main thread. */
export class BatchSigner {
  private readonly worker: Worker;
  private readonly waiting: { resolve: (signatures: Uint8Array[]) => void; reject: (error: Error) => void }[] = [];
  private failure: Error | null = null;

  constructor(key: KeyObject) {
    // No execArgv: the parent's loader flags (tsx's --import) would only slow its start-up.
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { key }, execArgv: [] });
    this.worker.on('message', (signatures: Uint8Array) => {
      const out: Uint8Array[] = [];
      for (let i = 0; i < signatures.length; i += 64) out.push(signatures.subarray(i, i + 64));
      this.waiting.shift()?.resolve(out);
    });
    const fail = (error: Error) => {
      this.failure ??= error;
      for (const waiter of this.waiting.splice(0)) waiter.reject(error);
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`the signing thread stopped (exit ${code})`)));
  }

  /** The signatures over `messages`, in order. Batches are signed in the order given. */
  sign(messages: Uint8Array[]): Promise<Uint8Array[]> {
    if (this.failure) return Promise.reject(this.failure);
    let total = 0;
    for (const m of messages) total += m.length;
    const bytes = new Uint8Array(total);
    const ends = new Uint32Array(messages.length);
    let offset = 0;
    messages.forEach((m, i) => {
      bytes.set(m, offset);
      ends[i] = offset += m.length;
    });
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.worker.postMessage({ bytes, ends }, [bytes.buffer, ends.buffer]);
    });
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}
