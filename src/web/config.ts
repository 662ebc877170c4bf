// The verifier's settings arrive as text (wrangler vars, environment variables, files, flags):
// parsed here once for every entry, so the Worker, `qdyp serve` and `qdyp verify` agree on
// what a valid root, origin and key-list floor are. Each entry decides what a problem means
// (the Worker logs it and carries on; the CLI refuses to start).

import { contactPublicJwk, isContactPrivateJwk, isContactPublicJwk, isPublicJwk, publicJwk, type ContactPublicJwk, type PublicJwk } from '../core/index.ts';

/** The settings as given; an absent or empty one is simply not set. */
export interface VerifierSettings {
  /** The programme's pinned root public key, as JSON. */
  rootJwk?: string | null;
  /** The official verify origin the pages name, e.g. https://verify.example.cn. */
  verifyOrigin?: string | null;
  /** The lowest key-list version to accept. */
  minKeyListVersion?: string | null;
  /** The office's X25519 public key that shoppers' contacts are encrypted to, as JSON. */
  reportKeyJwk?: string | null;
}

/** What each setting is called where it came from, for the problems (default: the env vars). */
export type SettingNames = { [K in keyof VerifierSettings]?: string };

export interface VerifierConfig {
  /** Null when not set or not acceptable: every verdict is then cannot_confirm. */
  root: PublicJwk | null;
  /** The origin only (scheme, host, port), or null when not set or not http(s). */
  verifyOrigin: string | null;
  minKeyListVersion: number | undefined;
  /** Null when not set or not acceptable: the report form then takes no contact. */
  contactKey: ContactPublicJwk | null;
  /** One plain sentence per bad setting, naming it; never its value (it may be key material). */
  problems: string[];
}

const ENV_NAMES = {
  rootJwk: 'QDYP_ROOT_JWK',
  verifyOrigin: 'QDYP_VERIFY_ORIGIN',
  minKeyListVersion: 'QDYP_MIN_KEY_LIST_VERSION',
  reportKeyJwk: 'QDYP_REPORT_KEY_JWK',
} as const satisfies Required<SettingNames>;

type Parsed<T> = { value: T } | { problem: string };

/** A bad setting is left out of the result and described in `problems`, never thrown. */
export function parseVerifierConfig(settings: VerifierSettings, names: SettingNames = {}): VerifierConfig {
  const name = { ...ENV_NAMES, ...names };
  const problems: string[] = [];
  const note = <T>(parsed: Parsed<T>, fallback: T): T => {
    if ('value' in parsed) return parsed.value;
    problems.push(parsed.problem);
    return fallback;
  };
  return {
    root: note(rootJwk(settings.rootJwk, name.rootJwk), null),
    verifyOrigin: note(origin(settings.verifyOrigin, name.verifyOrigin), null),
    minKeyListVersion: note(keyListVersion(settings.minKeyListVersion, name.minKeyListVersion), undefined),
    contactKey: note(reportKeyJwk(settings.reportKeyJwk, name.reportKeyJwk), null),
    problems,
  };
}

/** A private key is refused, not trimmed to its public half: it must never sit in a var or a file. */
function rootJwk(text: string | null | undefined, name: string): Parsed<PublicJwk | null> {
  if (!text?.trim()) return { value: null };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { problem: `${name} is not a JSON Web Key` };
  }
  if (typeof value === 'object' && value !== null && 'd' in value) {
    return { problem: `${name} is a private key: the pinned root must be the root's public JWK (without "d")` };
  }
  if (!isPublicJwk(value)) return { problem: `${name} is not an Ed25519 public JWK` };
  return { value: publicJwk(value) };
}

/** As for the root: the office's private contact key must never reach the edge, so it is refused. */
function reportKeyJwk(text: string | null | undefined, name: string): Parsed<ContactPublicJwk | null> {
  if (!text?.trim()) return { value: null };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { problem: `${name} is not a JSON Web Key` };
  }
  if (isContactPrivateJwk(value) || (typeof value === 'object' && value !== null && 'd' in value)) {
    return { problem: `${name} is a private key: the edge must be given only the office's public X25519 JWK (without "d")` };
  }
  if (!isContactPublicJwk(value)) return { problem: `${name} is not an X25519 public JWK (kty OKP, crv X25519)` };
  return { value: contactPublicJwk(value) };
}

function origin(text: string | null | undefined, name: string): Parsed<string | null> {
  if (!text) return { value: null };
  try {
    const url = new URL(text);
    if (url.protocol === 'https:' || url.protocol === 'http:') return { value: url.origin };
  } catch {
    // falls through to the problem
  }
  return { problem: `${name} is not an http(s) origin` };
}

function keyListVersion(text: string | null | undefined, name: string): Parsed<number | undefined> {
  if (!text) return { value: undefined };
  if (/^[1-9]\d{0,8}$/.test(text)) return { value: Number(text) };
  return { problem: `${name} is not a positive whole number` };
}
