// The device's storage: IndexedDB, one database with the trust state (written in one
// transaction, so a sync is saved whole or not at all) and the history of checks. The page asks
// for persistent storage so a cheap phone short of space does not evict the bundle.

import type { Outcome } from '../core/index.ts';
import type { DeviceStore } from './device.ts';
import type { OutboxStore, QueuedReport } from './outbox.ts';

export interface CheckRecord {
  id?: number;
  /** When it was checked (the trusted present, ISO-8601 UTC). */
  at: string;
  number: string | null;
  holder: string | null;
  code: Outcome | 'foreign';
  statusAsOf: string | null;
  where: 'device' | 'online' | null;
  /** What the QR held, for a code that was not one of ours. */
  text?: string;
}

const DB_NAME = 'qdyp-inspect';
const STATE = 'state';
const CHECKS = 'checks';
const OUTBOX = 'outbox';
/** The history keeps this many checks, dropping the oldest. */
export const MAX_CHECKS = 5000;

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error('aborted'));
  });
}

export class DeviceDatabase implements DeviceStore {
  private constructor(private readonly db: IDBDatabase) {}

  static async open(): Promise<DeviceDatabase> {
    // Version 2 added the outbox of reports; upgrading keeps the bundle and the history.
    const open = indexedDB.open(DB_NAME, 2);
    open.onupgradeneeded = () => {
      const db = open.result;
      if (!db.objectStoreNames.contains(STATE)) db.createObjectStore(STATE);
      if (!db.objectStoreNames.contains(CHECKS)) db.createObjectStore(CHECKS, { keyPath: 'id', autoIncrement: true });
      if (!db.objectStoreNames.contains(OUTBOX)) db.createObjectStore(OUTBOX, { keyPath: 'key' });
    };
    return new DeviceDatabase(await request(open));
  }

  async get<T>(key: string): Promise<T | undefined> {
    return (await request(this.db.transaction(STATE).objectStore(STATE).get(key))) as T | undefined;
  }

  async put(entries: Record<string, unknown>): Promise<void> {
    const tx = this.db.transaction(STATE, 'readwrite');
    const store = tx.objectStore(STATE);
    for (const [key, value] of Object.entries(entries)) store.put(value, key);
    await done(tx);
  }

  async addCheck(record: CheckRecord): Promise<void> {
    const tx = this.db.transaction(CHECKS, 'readwrite');
    const store = tx.objectStore(CHECKS);
    store.add(record);
    const count = await request(store.count());
    if (count > MAX_CHECKS) {
      const cursor = store.openCursor();
      let left = count - MAX_CHECKS;
      cursor.onsuccess = () => {
        const c = cursor.result;
        if (c && left-- > 0) {
          c.delete();
          c.continue();
        }
      };
    }
    await done(tx);
  }

  /** Newest first. */
  async checks(): Promise<CheckRecord[]> {
    const all = (await request(this.db.transaction(CHECKS).objectStore(CHECKS).getAll())) as CheckRecord[];
    return all.reverse();
  }

  /** The reports made on this device, queued or sent. */
  outbox(): OutboxStore {
    return {
      all: async () => (await request(this.db.transaction(OUTBOX).objectStore(OUTBOX).getAll())) as QueuedReport[],
      save: async (report) => {
        const tx = this.db.transaction(OUTBOX, 'readwrite');
        tx.objectStore(OUTBOX).put(report);
        await done(tx);
      },
    };
  }

  async clearChecks(): Promise<void> {
    const tx = this.db.transaction(CHECKS, 'readwrite');
    tx.objectStore(CHECKS).clear();
    await done(tx);
  }
}
