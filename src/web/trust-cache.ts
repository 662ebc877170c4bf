// The verifier's trust context, built from the published artifacts and kept in isolate memory
// for a short TTL. Every request judges status against the current context; the artifacts are
// re-read once the TTL has passed, and verified again only when their text has changed.
//
// Staleness cannot turn into "authorized": verifySeal checks the key list's, status list's and
// register's own expiry at the request's time. What this cache bounds is how long a newly
// published revocation can stay unseen: one TTL.

import { buildTrustContext, isPublicJwk, rootTrust, type PublicJwk, type RootTrust, type TrustContext } from '../core/index.ts';
import type { ArtifactName, ArtifactSource } from './artifact-source.ts';

/** Production default: with Workers KV's own propagation (up to about a minute) on top. */
export const DEFAULT_TTL_MS = 30_000;

interface TrustTexts {
  keyList: string | null;
  statusList: string | null;
  register: string | null;
}

export interface TrustSnapshot {
  context: TrustContext;
  /** The texts the context was built from: what /api/v1/key-list etc. serve. */
  texts: TrustTexts;
}

export interface TrustCacheOptions {
  source: ArtifactSource;
  /** The pinned root public key; null when it is not configured (nothing can be confirmed). */
  root: PublicJwk | null;
  ttlMs: number;
  clock: () => Date;
  log: (line: string) => void;
  /**
   * The lowest key-list version to accept even in a fresh isolate or process (raised at each
   * rotate or compromise ceremony): memory alone forgets what it has seen on restart.
   */
  minKeyListVersion?: number;
}

interface Entry<T> {
  value: T;
  freshUntil: number;
}

/** Artifacts the verifier only passes on: cached as text, never parsed here. */
const PASSED_ON = new Set<ArtifactName>(['bundle', 'revoked-inspectors']);

export class TrustCache {
  readonly #options: TrustCacheOptions;
  readonly #root: Promise<RootTrust | null>;
  /** The snapshot and the texts as fetched (which differ from the snapshot's after a refused key list). */
  #current: (Entry<TrustSnapshot> & { fetched: TrustTexts }) | null = null;
  #refreshing: Promise<TrustSnapshot> | null = null;
  /** The highest-version key list that verified: a lower one is refused, as is its rollback. */
  #acceptedKeyList: { text: string; version: number } | null = null;
  readonly #others = new Map<ArtifactName, Entry<string | null>>();

  constructor(options: TrustCacheOptions) {
    this.#options = options;
    this.#root = options.root && isPublicJwk(options.root) ? rootTrust(options.root).catch(() => null) : Promise.resolve(null);
  }

  /** The current snapshot, refreshed once the TTL has passed (one refresh at a time). */
  async snapshot(): Promise<TrustSnapshot> {
    const now = this.#options.clock().getTime();
    if (this.#current && now < this.#current.freshUntil) return this.#current.value;
    this.#refreshing ??= this.#refresh(now).finally(() => {
      this.#refreshing = null;
    });
    return this.#refreshing;
  }

  /** A published artifact's text as this verifier serves it, or null when not published. */
  async artifact(name: ArtifactName): Promise<string | null> {
    if (!PASSED_ON.has(name)) {
      const { texts } = await this.snapshot();
      return name === 'key-list' ? texts.keyList : name === 'status-list' ? texts.statusList : texts.register;
    }
    const now = this.#options.clock().getTime();
    const cached = this.#others.get(name);
    if (cached && now < cached.freshUntil) return cached.value;
    const value = await this.#options.source.get(name);
    this.#others.set(name, { value, freshUntil: now + this.#options.ttlMs });
    return value;
  }

  async #refresh(now: number): Promise<TrustSnapshot> {
    let fetched: TrustTexts;
    try {
      const [keyList, statusList, register] = await Promise.all([
        this.#options.source.get('key-list'),
        this.#options.source.get('status-list'),
        this.#options.source.get('register'),
      ]);
      fetched = { keyList, statusList, register };
    } catch (error) {
      // A blip in the store does not throw away what was verified: the last context keeps
      // answering (its artifacts' own exp still bounds it, and pages say "status as of") for
      // one more TTL before the store is tried again. With nothing verified yet, fail closed.
      const last = this.#current;
      if (last) {
        this.#options.log(`artifact store unavailable (${errorName(error)}); keeping the last verified artifacts for one more TTL`);
        this.#current = { ...last, freshUntil: now + this.#ttl(last.value.context) };
        return last.value;
      }
      this.#options.log(`artifact store unavailable (${errorName(error)}); verdicts say cannot_confirm`);
      return unavailable('ERR_ARTIFACT_MISSING', 'the artifact store could not be read');
    }
    const current = this.#current;
    if (current && sameTexts(current.fetched, fetched)) {
      this.#current = { ...current, freshUntil: now + this.#ttl(current.value.context) };
      return current.value;
    }
    let value: TrustSnapshot;
    try {
      value = await this.#build(fetched);
    } catch (error) {
      // Only a defect gets here (core reports bad artifacts as problems, not throws): fail
      // closed, uncached, rather than answer every scan with an error.
      this.#options.log(`trust context could not be built (${errorName(error)}); verdicts say cannot_confirm`);
      return unavailable('ERR_ARTIFACT_MALFORMED', 'the trust context could not be built');
    }
    this.#current = { value, fetched, freshUntil: now + this.#ttl(value.context) };
    return value;
  }

  async #build(fetched: TrustTexts): Promise<TrustSnapshot> {
    const root = await this.#root;
    if (!root) return unavailable('ERR_KEY_INVALID', 'no valid pinned root key is configured');
    const accepted = this.#acceptedKeyList;
    const options = { root, minKeyListVersion: Math.max(accepted?.version ?? 0, this.#options.minKeyListVersion ?? 0) || undefined };
    let texts = fetched;
    let context = await buildTrustContext(fetched, options);
    if (!context.keyList && accepted && fetched.keyList !== accepted.text) {
      // A refused key list (rolled back, not root-signed, malformed, missing) does not
      // replace the one already verified in this isolate.
      texts = { ...fetched, keyList: accepted.text };
      const refused = context.problems.find((p) => p.artifact === 'keyList');
      context = await buildTrustContext(texts, options);
      if (refused) context.problems.unshift(refused);
    }
    if (context.keyList && (!accepted || context.keyList.version >= accepted.version)) {
      this.#acceptedKeyList = { text: texts.keyList!, version: context.keyList.version };
    }
    this.#options.log(describe(context));
    return { context, texts };
  }

  /** Our TTL, or the status list's own `ttl` if that is shorter. */
  #ttl(context: TrustContext): number {
    const listed = context.statusList ? context.statusList.ttl * 1000 : Infinity;
    return Math.min(this.#options.ttlMs, listed);
  }
}

function sameTexts(a: TrustTexts, b: TrustTexts): boolean {
  return a.keyList === b.keyList && a.statusList === b.statusList && a.register === b.register;
}

const errorName = (error: unknown) => (error instanceof Error ? error.name : 'error');

function unavailable(code: 'ERR_ARTIFACT_MISSING' | 'ERR_ARTIFACT_MALFORMED' | 'ERR_KEY_INVALID', message: string): TrustSnapshot {
  return {
    context: { keyList: null, statusList: null, register: null, problems: [{ artifact: 'keyList', code, message }] },
    texts: { keyList: null, statusList: null, register: null },
  };
}

/** One log line per rebuild: key list version, status time, problems; never artifact text. */
function describe(context: TrustContext): string {
  const parts = [
    context.keyList ? `key list v${context.keyList.version} (${context.keyList.byKid.size} keys)` : 'no key list',
    context.statusList ? `status list of ${new Date(context.statusList.iat * 1000).toISOString()}` : 'no status list',
    context.register ? `register of ${context.register.entries.size} licences` : 'no register',
  ];
  const problems = context.problems.map((p) => `${p.artifact} ${p.code}`);
  return `trust context rebuilt: ${parts.join(', ')}${problems.length ? `; refused: ${problems.join(', ')}` : ''}`;
}
