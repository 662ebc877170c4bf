// The trust context verifySeal takes: published artifacts verified and parsed once, rebuilt
// only when they change. Trust flows one way: pinned root → key list → issuing keys → status
// list and register. An artifact that fails its checks is left out and noted in `problems`;
// verdicts that need it then say cannot_confirm.

import type { TrustArtifacts } from './bundle.ts';
import { cstDate } from './dates.ts';
import { defaultEngine, importVerifyKey, type Ed25519Engine, type VerifyKey } from './ed25519.ts';
import { QdypError, type QdypErrorCode } from './errors.ts';
import { peekHeader, TYP, verifyJws } from './jws.ts';
import { verifyKeyList, type RootTrust } from './key-list.ts';
import type { IssuingKey } from './keys.ts';
import { decodeRegisterClaims, type Register } from './register.ts';
import { decodeStatusListClaims, type DecodedStatusList } from './status-list.ts';

export interface TrustedKey extends IssuingKey {
  key: VerifyKey;
}

export interface TrustedKeyList {
  version: number;
  iat: number;
  exp: number;
  bySid: Map<string, TrustedKey>;
  byKid: Map<string, TrustedKey>;
}

export interface ArtifactProblem {
  artifact: 'keyList' | 'statusList' | 'register';
  code: QdypErrorCode | 'ERR_ARTIFACT_MISSING';
  message: string;
}

export interface TrustContext {
  keyList: TrustedKeyList | null;
  statusList: DecodedStatusList | null;
  register: Register | null;
  problems: ArtifactProblem[];
}

const MAX_STATUS_LIST_BYTES = 1024 * 1024;
const MAX_REGISTER_BYTES = 32 * 1024 * 1024;

export interface TrustOptions {
  root: RootTrust;
  /** The highest key-list version this verifier has seen: a lower one is refused. */
  minKeyListVersion?: number;
  /** How issuing keys verify (default: WebCrypto where the runtime has Ed25519, else noble). */
  engine?: Ed25519Engine;
}

export async function buildTrustContext(artifacts: TrustArtifacts, options: TrustOptions): Promise<TrustContext> {
  const problems: ArtifactProblem[] = [];
  const engine = options.engine ?? (await defaultEngine());
  const attempt = async <T>(artifact: ArtifactProblem['artifact'], text: string | null | undefined, run: (text: string) => Promise<T>): Promise<T | null> => {
    if (!text) {
      problems.push({ artifact, code: 'ERR_ARTIFACT_MISSING', message: `${artifact} is not published` });
      return null;
    }
    try {
      return await run(text);
    } catch (error) {
      if (!(error instanceof QdypError)) throw error;
      problems.push({ artifact, code: error.code, message: error.message });
      return null;
    }
  };

  const keyList = await attempt('keyList', artifacts.keyList, async (text) => {
    const list = await verifyKeyList(text, options.root, { minVersion: options.minKeyListVersion });
    const trusted: TrustedKeyList = { version: list.version, iat: list.iat, exp: list.exp, bySid: new Map(), byKid: new Map() };
    for (const k of list.keys) {
      const entry: TrustedKey = { ...k, key: await importVerifyKey(k.jwk, engine) };
      trusted.bySid.set(k.sid, entry);
      trusted.byKid.set(k.kid, entry);
    }
    return trusted;
  });

  // A status list or register is trusted only under the listed key that is active now, and
  // only if issued inside that key's signing window: a retired key (whose private half still
  // sits in backups) cannot re-sign an old status and so un-revoke a licence.
  const verifyIssued = async <T extends { iat: number }>(
    text: string,
    typ: (typeof TYP)['statusList' | 'register'],
    maxBytes: number,
    decode: (payload: unknown) => T,
  ): Promise<T> => {
    const kid = peekHeader(text, maxBytes).kid;
    const signer = keyList?.byKid.get(kid);
    if (!signer) throw new QdypError('ERR_ARTIFACT_UNKNOWN_KEY', 'signed by a key not in the trusted key list');
    if (signer.status === 'compromised') throw new QdypError('ERR_ARTIFACT_KEY_COMPROMISED', 'signed by a compromised key');
    if (signer.status !== 'active') throw new QdypError('ERR_KEY_NOT_SIGNING', `signed by key ${signer.sid}, which is ${signer.status}`);
    const decoded = decode((await verifyJws(text, signer.key, typ, maxBytes)).payload);
    const issued = cstDate(new Date(decoded.iat * 1000));
    if (issued < signer.signFrom || issued > signer.signUntil) {
      throw new QdypError('ERR_KEY_NOT_SIGNING', `issued ${issued}, outside key ${signer.sid}'s signing window`);
    }
    return decoded;
  };

  const statusList = await attempt('statusList', artifacts.statusList, (text) => verifyIssued(text, TYP.statusList, MAX_STATUS_LIST_BYTES, decodeStatusListClaims));
  const register = await attempt('register', artifacts.register, (text) => verifyIssued(text, TYP.register, MAX_REGISTER_BYTES, decodeRegisterClaims));
  return { keyList, statusList, register, problems };
}
