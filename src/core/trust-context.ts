// The trust context verifySeal takes: published lists verified and parsed once, rebuilt only
// when they change, plus a lookup for the per-licence entries. Trust flows one way: pinned
// root → key list → issuing keys → status list, revision list and licence entries. An
// artifact that fails its checks is left out and noted in `problems`; verdicts that need it
// then say cannot_confirm.

import type { Base64Decode, Codecs, Inflate } from './compression.ts';
import { cstDate } from './dates.ts';
import { defaultEngine, importVerifyKey, type Ed25519Engine, type VerifyKey } from './ed25519.ts';
import type { LicenceEntry } from './entry.ts';
import { QdypError, type QdypErrorCode } from './errors.ts';
import { peekHeader, TYP, verifyJws } from './jws.ts';
import { verifyKeyList, type RootTrust } from './key-list.ts';
import type { IssuingKey } from './keys.ts';
import { decodeRevisionListClaims, decodeStatusListClaims, type DecodedStatusList } from './status-list.ts';

export interface TrustedKey extends IssuingKey {
  key: VerifyKey;
}

export interface TrustedKeyList {
  version: number;
  iat: number;
  exp: number;
  /** Issuing keys only: a log key never vouches for a seal, a document, a list or an entry. */
  bySid: Map<string, TrustedKey>;
  byKid: Map<string, TrustedKey>;
  /** The transparency log's keys (role `log`), in list order: they sign checkpoints only. */
  logKeys: TrustedKey[];
}

/** A text, absent, or several candidates of which the newest that verifies is used. */
export type ArtifactText = string | null | undefined | readonly (string | null | undefined)[];

export interface TrustArtifacts {
  keyList?: ArtifactText;
  statusList?: ArtifactText;
  revisionList?: ArtifactText;
}

export type ArtifactName = 'keyList' | 'statusList' | 'revisionList';

export interface ArtifactProblem {
  artifact: ArtifactName;
  code: QdypErrorCode | 'ERR_ARTIFACT_MISSING';
  message: string;
}

/**
 * Licence entries, already verified (see verifyLicenceEntry): `value` is the revision list's
 * value for the serial. null: missing or refused (the implementation reports why itself).
 */
export interface EntryLookup {
  get(serial: number, value: number): Promise<LicenceEntry | null>;
}

/** The lookup of a context given none: every licence's details are missing. */
export const NO_ENTRIES: EntryLookup = { get: () => Promise.resolve(null) };

export interface TrustContext {
  keyList: TrustedKeyList | null;
  statusList: DecodedStatusList | null;
  revisionList: DecodedStatusList | null;
  problems: ArtifactProblem[];
  /** Replace it freely (e.g. once the key list is known): verify reads it per verdict. */
  entries: EntryLookup;
}

export const MAX_STATUS_LIST_BYTES = 1024 * 1024;
/** Clock skew tolerated before a list dated in the future is refused (as verify.ts does per verdict). */
export const MAX_FUTURE_SKEW_MS = 5 * 60 * 1000;
/** Up to a byte a licence: a million licences with scattered revisions stay well inside. */
export const MAX_REVISION_LIST_BYTES = 4 * 1024 * 1024;

export interface TrustOptions {
  root: RootTrust;
  /** The highest key-list version this verifier has seen: a lower one is refused. */
  minKeyListVersion?: number;
  /** The newest status list `iat` this verifier has accepted: an older list is refused. */
  minStatusIat?: number;
  /** The newest revision list `iat` this verifier has accepted: an older list is refused. */
  minRevisionIat?: number;
  /** How issuing keys verify (default: WebCrypto where the runtime has Ed25519, else noble). */
  engine?: Ed25519Engine;
  /** How lists inflate (default: DecompressionStream; see Inflate). */
  inflate?: Inflate;
  /** How the lists' base64url decodes, once checked canonical (default: see Base64Decode). */
  base64?: Base64Decode;
  /** The verifier's clock: lists dated more than 5 minutes ahead of it are refused. */
  time?: Date;
  /** Licence entries: a lookup, or a function making one from the context (its key list). */
  entries?: EntryLookup | ((ctx: TrustContext) => EntryLookup);
}

export async function buildTrustContext(artifacts: TrustArtifacts, options: TrustOptions): Promise<TrustContext> {
  const problems: ArtifactProblem[] = [];
  const engine = options.engine ?? (await defaultEngine());

  /** Verifies every candidate; keeps the newest that verified, notes why the others did not. */
  const newest = async <T>(artifact: ArtifactName, texts: ArtifactText, run: (text: string) => Promise<T>, newer: (a: T, b: T) => boolean): Promise<T | null> => {
    const candidates = [...new Set(typeof texts === 'string' || !texts ? [texts] : texts)].filter((t): t is string => typeof t === 'string' && t !== '');
    if (candidates.length === 0) {
      problems.push({ artifact, code: 'ERR_ARTIFACT_MISSING', message: `${artifact} is not published` });
      return null;
    }
    let best: T | null = null;
    for (const text of candidates) {
      try {
        const t = await run(text);
        if (best === null || newer(t, best)) best = t;
      } catch (error) {
        if (!(error instanceof QdypError)) throw error;
        problems.push({ artifact, code: error.code, message: error.message });
      }
    }
    return best;
  };

  const keyList = await newest(
    'keyList',
    artifacts.keyList,
    async (text) => {
      const list = await verifyKeyList(text, options.root, { minVersion: options.minKeyListVersion });
      const trusted: TrustedKeyList = { version: list.version, iat: list.iat, exp: list.exp, bySid: new Map(), byKid: new Map(), logKeys: [] };
      for (const k of list.keys) {
        const entry: TrustedKey = { ...k, key: await importVerifyKey(k.jwk, engine) };
        if (k.role === 'log') {
          trusted.logKeys.push(entry);
          continue;
        }
        trusted.bySid.set(k.sid, entry);
        trusted.byKid.set(k.kid, entry);
      }
      return trusted;
    },
    (a, b) => a.version > b.version || (a.version === b.version && a.iat > b.iat),
  );

  const codecs: Codecs = { inflate: options.inflate, base64: options.base64 };
  const list = (artifact: 'statusList' | 'revisionList', min: number | undefined) => async (text: string) => {
    const decoded = await verifyIssued(
      text,
      keyList,
      artifact === 'statusList' ? TYP.statusList : TYP.revisionList,
      artifact === 'statusList' ? MAX_STATUS_LIST_BYTES : MAX_REVISION_LIST_BYTES,
      (payload) => (artifact === 'statusList' ? decodeStatusListClaims : decodeRevisionListClaims)(payload, codecs),
      codecs,
    );
    if (min !== undefined && decoded.iat < min) {
      throw new QdypError('ERR_STATUS_ROLLBACK', `${artifact} of ${decoded.asOf} is older than one already accepted`);
    }
    // A list dated ahead of the verifier's clock would become a floor no correct list could
    // pass: refused here (a wrong office clock, or a forger), not only per verdict.
    if (options.time && decoded.iat * 1000 > options.time.getTime() + MAX_FUTURE_SKEW_MS) {
      throw new QdypError('ERR_ARTIFACT_FUTURE', `${artifact} of ${decoded.asOf} is dated ahead of this verifier's clock`);
    }
    return decoded;
  };
  const statusList = await newest('statusList', artifacts.statusList, list('statusList', options.minStatusIat), (a, b) => a.iat > b.iat);
  const revisionList = await newest('revisionList', artifacts.revisionList, list('revisionList', options.minRevisionIat), (a, b) => a.iat > b.iat);
  const ctx: TrustContext = { keyList, statusList, revisionList, problems, entries: NO_ENTRIES };
  if (options.entries) ctx.entries = typeof options.entries === 'function' ? options.entries(ctx) : options.entries;
  return ctx;
}

/**
 * Verifies a list or manifest that only the key active now may sign: a retired key (whose
 * private half still sits in backups) cannot re-sign an old status and so un-revoke a
 * licence. It must also be issued inside that key's signing window. Throws QdypError.
 */
export async function verifyIssued<T extends { iat: number }>(
  text: string,
  keyList: TrustedKeyList | null,
  typ: (typeof TYP)['statusList' | 'revisionList' | 'bundle' | 'revokedInspectors'],
  maxBytes: number,
  decode: (payload: unknown) => T | Promise<T>,
  codecs: Pick<Codecs, 'base64'> = {},
): Promise<T> {
  const kid = peekHeader(text, maxBytes).kid;
  const signer = keyList?.byKid.get(kid);
  if (!signer) throw new QdypError('ERR_ARTIFACT_UNKNOWN_KEY', 'signed by a key not in the trusted key list');
  if (signer.status === 'compromised') throw new QdypError('ERR_ARTIFACT_KEY_COMPROMISED', 'signed by a compromised key');
  if (signer.status !== 'active') throw new QdypError('ERR_KEY_NOT_SIGNING', `signed by key ${signer.sid}, which is ${signer.status}`);
  const decoded = await decode((await verifyJws(text, signer.key, typ, maxBytes, { base64: codecs.base64 })).payload);
  const issued = cstDate(new Date(decoded.iat * 1000));
  if (issued < signer.signFrom || issued > signer.signUntil) {
    throw new QdypError('ERR_KEY_NOT_SIGNING', `issued ${issued}, outside key ${signer.sid}'s signing window`);
  }
  return decoded;
}
