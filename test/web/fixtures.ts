// A programme with a seal for every outcome, and its published artifacts as an edge would hold
// them: the lists, one entry per licence under `licence/{serial}/{r}`, and the bundles. Web
// APIs only: the Node, workerd and Chromium tests and the bench all use it.
import {
  buildBundle,
  createSeal,
  publicJwk,
  rootTrust,
  signerFor,
  type Outcome,
  type PrivateJwk,
  type PublicJwk,
} from '../../src/core/index.ts';
import type { ArtifactSource } from '../../src/web/index.ts';
import { bundleRows, issue, newKey, newProgramme, publish, T0, type Programme, type PublishOptions } from '../support/programme.ts';

export { T0 };

/** What a publish leaves in a store: texts (lists, entries) and bundles, by store key. */
export interface Artifacts {
  texts: Record<string, string>;
  bundles: Record<string, Uint8Array>;
}

export interface Edge {
  p: Programme;
  rootJwk: PublicJwk;
  seals: Record<Outcome, string>;
  /** Revoked, with no entry published: the verdict still says revoked, without details. */
  revokedWithoutEntry: string;
  artifacts: Artifacts;
}

/** A holder whose every text field tries to break out of HTML. */
export const HOSTILE = {
  holder: { name: '<img src=x onerror=alert(1)>', uscc: '91370200MA3C5X8Y1K', address: '青岛市 <script>alert(3)</script> 路 1 号' },
  products: ['海参礼盒 "特级" </script><script>alert(2)</script>', "O'Brien's <b>tea</b>"],
  trademarks: ['&amp; 海滨'],
};

/** Serials whose entries a programme's publish leaves out of the store (see artifactsOf). */
const withheld = new WeakMap<Programme, ReadonlySet<number>>();

/** Root: made here unless given (the workerd tests pin the one vitest.config.ts made). */
export async function edgeWithEveryOutcome(root?: PrivateJwk): Promise<Edge> {
  const p = await newProgramme();
  if (root) {
    p.root = await rootTrust(publicJwk(root));
    p.rootJwk = publicJwk(root);
    p.rootSigner = await signerFor(root);
  }
  const compromised = await newKey();
  compromised.record = { ...compromised.record, status: 'compromised' };
  p.keys.push(compromised);
  const stranger = await newKey();

  const seals = {
    authorized: await issue(p, 1),
    suspended: await issue(p, 2, { status: 'suspended', statusReason: '抽检不合格，整改中', statusChangedAt: '2026-10-08T02:00:00.000Z' }),
    revoked: await issue(p, 3, { status: 'revoked', statusReason: '冒用授权范围', statusChangedAt: '2026-09-01T06:30:00.000Z' }),
    expired: await issue(p, 4, { validFrom: '2023-01-01', validUntil: '2025-12-31' }),
    not_yet_valid: await issue(p, 5, { validFrom: '2027-01-01', validUntil: '2029-12-31' }),
    cannot_confirm: await issue(p, 6),
    key_compromised: await issue(p, 7, {}, compromised),
    unknown_key: await createSeal({ serial: 1, horizon: '2040-01-01' }, stranger.signer),
    bad_signature: await createSeal({ serial: 1, horizon: '2040-01-01' }, { ...stranger.signer, sid: p.keys[0]!.signer.sid }),
    malformed: 'A'.repeat(120),
  } satisfies Record<Outcome, string>;
  // Serial 6 has a seal but no licence at all: nothing to stand behind.
  p.entries.delete(6);
  p.revisions.delete(6);
  await issue(p, 8, HOSTILE);
  const revokedWithoutEntry = await issue(p, 9, { status: 'revoked', statusReason: '冒用授权范围', statusChangedAt: '2026-09-01T06:30:00.000Z' });
  withheld.set(p, new Set([9]));

  return { p, rootJwk: p.rootJwk, seals, revokedWithoutEntry, artifacts: await artifactsOf(p) };
}

export interface ArtifactsOptions extends PublishOptions {
  /** Build no bundles (they take a moment at scale). */
  bundles?: boolean;
}

/** What publishing `p` writes: lists, entries (but the withheld ones), the whole and one district's bundle. */
export async function artifactsOf(p: Programme, options: ArtifactsOptions = {}): Promise<Artifacts> {
  const published = await publish(p, options);
  const texts: Record<string, string> = {
    'key-list': published.keyList,
    'status-list': published.statusList,
    'revision-list': published.revisionList,
  };
  const skip = withheld.get(p);
  for (const [key, text] of published.store) {
    if (!skip?.has(Number(key.split('/')[1]))) texts[key] = text;
  }
  const bundles: Record<string, Uint8Array> = {};
  if (options.bundles !== false) {
    const signer = (options.issuer ?? p.keys[0]!).signer;
    for (const region of [null, '370211']) {
      const input = { keyList: published.keyList, statusList: published.statusList, revisionList: published.revisionList, rows: bundleRows(p, region), region, time: options.time ?? T0 };
      bundles[region === null ? 'bundle' : `bundle/${region}`] = await buildBundle(input, signer);
    }
  }
  return { texts, bundles };
}

/** An in-memory artifact source the tests can republish into; it counts reads by key. */
export function memorySource(initial: Artifacts): ArtifactSource & { artifacts: Artifacts; reads: Map<string, number>; readsOf(prefix: string): number } {
  const reads = new Map<string, number>();
  const count = (key: string) => reads.set(key, (reads.get(key) ?? 0) + 1);
  const source = {
    artifacts: { texts: { ...initial.texts }, bundles: { ...initial.bundles } },
    reads,
    /** Reads of keys equal to `prefix` or under it (`licence/` counts every entry read). */
    readsOf: (prefix: string) => [...reads].filter(([key]) => key === prefix || (prefix.endsWith('/') && key.startsWith(prefix))).reduce((n, [, c]) => n + c, 0),
    async getText(key: string) {
      count(key);
      return source.artifacts.texts[key] ?? null;
    },
    async getBytes(key: string) {
      count(key);
      return source.artifacts.bundles[key] ?? null;
    },
  };
  return source;
}

/** Reads of the three lists (what a trust refresh reads). */
export const listReads = (source: ReturnType<typeof memorySource>) => source.readsOf('key-list') + source.readsOf('status-list') + source.readsOf('revision-list');
