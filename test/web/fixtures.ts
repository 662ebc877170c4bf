// A programme with a seal for every outcome, and its published artifacts as an edge would hold
// them. Web APIs only: the Node, workerd and Chromium tests and the bench all use it.
import {
  createBundle,
  createSeal,
  publicJwk,
  rootTrust,
  signerFor,
  type Outcome,
  type PrivateJwk,
  type PublicJwk,
} from '../../src/core/index.ts';
import type { ArtifactName, ArtifactSource } from '../../src/web/index.ts';
import { issue, newKey, newProgramme, publish, T0, type Programme, type PublishOptions } from '../support/programme.ts';

export { T0 };

export type Artifacts = Partial<Record<ArtifactName, string>>;

export interface Edge {
  p: Programme;
  rootJwk: PublicJwk;
  seals: Record<Outcome, string>;
  artifacts: Artifacts;
}

/** A holder whose every text field tries to break out of HTML. */
export const HOSTILE = {
  holder: { name: '<img src=x onerror=alert(1)>', uscc: '91370200MA3C5X8Y1K' },
  products: ['海参礼盒 "特级" </script><script>alert(2)</script>', "O'Brien's <b>tea</b>"],
  trademarks: ['&amp; 海滨'],
};

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
  // Serial 6 has a seal but no register entry: nothing to stand behind.
  p.entries.delete(6);
  await issue(p, 8, HOSTILE);

  return { p, rootJwk: p.rootJwk, seals, artifacts: await artifactsOf(p) };
}

export async function artifactsOf(p: Programme, options: PublishOptions = {}): Promise<Artifacts> {
  const published = await publish(p, options);
  const trust = { keyList: published.keyList!, statusList: published.statusList!, register: published.register! };
  return {
    'key-list': trust.keyList,
    'status-list': trust.statusList,
    register: trust.register,
    bundle: JSON.stringify(createBundle(trust, options.time ?? T0)),
  };
}

/** An in-memory artifact source the tests can republish into. */
export function memorySource(initial: Artifacts): ArtifactSource & { artifacts: Artifacts; reads: number } {
  const source = {
    artifacts: { ...initial },
    reads: 0,
    async get(name: ArtifactName) {
      source.reads++;
      return source.artifacts[name] ?? null;
    },
  };
  return source;
}
