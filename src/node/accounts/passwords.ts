// Passwords, after NIST SP 800-63B: length over composition (15 to 256 characters, counted in
// code points after NFC normalisation), a blocklist of common and context-specific values, no
// composition rules. Stored as scrypt hashes whose encoding names their parameters, so the
// parameters can grow later and old hashes still verify (`needsRehash` says when to upgrade).

import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type BinaryLike, type ScryptOptions } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Locale } from '../../core/index.ts';
import { PASSWORD_PROBLEMS, type PasswordProblemCode } from './messages.ts';

/**
 * scrypt at N = 2^15, r = 8, p = 1: 32 MiB and roughly 50–100 ms per hash on a server core,
 * OWASP's recommended minimum (Password Storage Cheat Sheet); a 16-byte random salt and a
 * 32-byte key.
 */
export const SCRYPT_PARAMETERS = { N: 2 ** 15, r: 8, p: 1, keyLength: 32, saltLength: 16 } as const;

export const MIN_PASSWORD_LENGTH = 15;
export const MAX_PASSWORD_LENGTH = 256;

/** Words of the service itself, refused inside any password like the caller's context. */
const SERVICE_WORDS = ['qdyp', '青岛优品', 'qingdaoyoupin'];

// What a stored hash may ask for: a tampered or corrupt row must not make a sign-in allocate
// gigabytes.
const LIMITS = { logN: [10, 20], r: [1, 32], p: [1, 16], bytes: [16, 64] } as const;

function scrypt(password: BinaryLike, salt: BinaryLike, keyLength: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scryptCallback(password, salt, keyLength, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

interface Encoded {
  N: number;
  r: number;
  p: number;
  salt: Buffer;
  hash: Buffer;
}

function derive(password: string, { N, r, p, salt }: Omit<Encoded, 'hash'>, keyLength: number): Promise<Buffer> {
  // Node refuses scrypt above maxmem (default 32 MiB, exactly what N = 2^15, r = 8 needs).
  return scrypt(password.normalize('NFC'), salt, keyLength, { N, r, p, maxmem: 256 * N * r });
}

/** `scrypt$N$r$p$salt$hash`, salt and hash in unpadded base64url. */
export async function hashPassword(password: string): Promise<string> {
  const { N, r, p, keyLength, saltLength } = SCRYPT_PARAMETERS;
  const salt = randomBytes(saltLength);
  const hash = await derive(password, { N, r, p, salt }, keyLength);
  return ['scrypt', N, r, p, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

function within(value: number, [low, high]: readonly [number, number]): boolean {
  return Number.isSafeInteger(value) && value >= low && value <= high;
}

function decode(encoded: string): Encoded {
  const parts = encoded.split('$');
  const [scheme, n, r, p, salt, hash] = parts;
  const decoded = {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    salt: Buffer.from(salt ?? '', 'base64url'),
    hash: Buffer.from(hash ?? '', 'base64url'),
  };
  const ok =
    parts.length === 6 &&
    scheme === 'scrypt' &&
    [n, r, p].every((d) => /^[1-9][0-9]*$/.test(d!)) &&
    within(Math.log2(decoded.N), LIMITS.logN) &&
    within(decoded.r, LIMITS.r) &&
    within(decoded.p, LIMITS.p) &&
    within(decoded.salt.length, LIMITS.bytes) &&
    within(decoded.hash.length, LIMITS.bytes);
  // Never echo the stored value: it is a password hash.
  if (!ok) throw new Error('unrecognised password hash (expected scrypt$N$r$p$salt$hash within the supported limits)');
  return decoded;
}

let unknownAccountHash: Promise<Encoded> | undefined;

/**
 * Whether `password` matches the stored `encoded` hash, compared in constant time. Pass null
 * for an account that does not exist: the same work is done against a throwaway hash, so the
 * answer's timing does not tell which accounts exist. Throws on a malformed stored hash.
 */
export async function verifyPassword(password: string, encoded: string | null): Promise<boolean> {
  const target = encoded === null ? await (unknownAccountHash ??= hashPassword(randomBytes(16).toString('hex')).then(decode)) : decode(encoded);
  // Longer than any password we accept: refuse without spending a hash on it.
  if (password.length > 2 * MAX_PASSWORD_LENGTH) return false;
  const candidate = await derive(password, target, target.hash.length);
  return timingSafeEqual(candidate, target.hash) && encoded !== null;
}

/** Whether `encoded` was made with weaker (or just other) parameters than today's. */
export function needsRehash(encoded: string): boolean {
  const { N, r, p, salt, hash } = decode(encoded);
  const now = SCRYPT_PARAMETERS;
  return N !== now.N || r !== now.r || p !== now.p || salt.length !== now.saltLength || hash.length !== now.keyLength;
}

export interface PasswordProblem {
  code: PasswordProblemCode;
  message: Record<Locale, string>;
}

function problem(code: PasswordProblemCode): PasswordProblem {
  return { code, message: PASSWORD_PROBLEMS[code] };
}

/**
 * Why `password` may not be set, or null when it may. `context` holds what the attacker knows
 * about this account (the user name, the USCC, the holder's name): the password may be neither
 * one of them nor contain one (of four or more characters).
 */
export function checkNewPassword(password: string, context: readonly string[] = []): PasswordProblem | null {
  const length = [...password.normalize('NFC')].length;
  if (length > MAX_PASSWORD_LENGTH) return problem('too_long');
  if (length < MIN_PASSWORD_LENGTH) return problem('too_short');
  const key = matchKey(password);
  for (const item of [...context, ...SERVICE_WORDS]) {
    const word = matchKey(item);
    if (word !== '' && (key === word || ([...word].length >= 4 && key.includes(word)))) return problem('context');
  }
  return isCommonPassword(password) ? problem('common') : null;
}

// --- The blocklist ----------------------------------------------------------------------------

let blocklist: Set<string> | undefined;

/** The shipped list (common-passwords.txt beside this file), read once and kept as match keys. */
function commonPasswords(): Set<string> {
  if (!blocklist) {
    const text = readFileSync(new URL('./common-passwords.txt', import.meta.url), 'utf8');
    blocklist = new Set(
      text
        .split('\n')
        .filter((line) => !line.startsWith('# '))
        .map(matchKey)
        .filter((entry) => entry !== ''),
    );
  }
  return blocklist;
}

/** Case, full-width forms, spaces and the separators . _ - do not make a password different. */
function matchKey(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/[\s._-]+/gu, '');
}

const LEET: Record<string, string> = { '@': 'a', '4': 'a', '8': 'b', '(': 'c', '3': 'e', '6': 'g', '1': 'i', '!': 'i', '|': 'l', '0': 'o', $: 's', '5': 's', '7': 't', '+': 't' };

function unleet(text: string): string {
  return text.replace(/[@48(361!|0$57+]/g, (c) => LEET[c]!);
}

/** One unit said over and over ("abcabcabc…", "passwordpassword"). */
function isRepetitive(text: string): boolean {
  const cps = [...text];
  for (let period = 1; period <= cps.length / 2; period++) {
    if (cps.every((c, i) => i < period || c === cps[i - period])) return true;
  }
  return false;
}

/** A run up or down the alphabet or the digits, the digits wrapping ("…8901234…"). */
function isSequential(text: string): boolean {
  const cps = [...text].map((c) => c.codePointAt(0)!);
  if (cps.length < 3) return false;
  const step = (a: number, b: number): number => {
    const digits = a >= 0x30 && a <= 0x39 && b >= 0x30 && b <= 0x39;
    if (digits && a === 0x39 && b === 0x30) return 1;
    if (digits && a === 0x30 && b === 0x39) return -1;
    return b - a;
  };
  const first = step(cps[0]!, cps[1]!);
  return (first === 1 || first === -1) && cps.every((c, i) => i === 0 || step(cps[i - 1]!, c) === first);
}

function isWeak(key: string): boolean {
  return key === '' || commonPasswords().has(key) || isRepetitive(key) || isSequential(key);
}

/** A year or a date as people type them: 1988, 19880814, 14081988, 08141988. */
const DATE = /^(?:(?:19|20)\d\d(?:[01]\d[0-3]\d)?|[0-3]\d[01]\d(?:19|20)\d\d|[01]\d[0-3]\d(?:19|20)\d\d)$/;

function isTrivialPiece(piece: string): boolean {
  return [...piece].length <= 4 || DATE.test(piece) || isWeak(piece);
}

/** Padding that adds next to nothing: short, a date, weak, or two such pieces ("2024!!!!!!"). */
function isTrivialPadding(pad: string): boolean {
  if (isTrivialPiece(pad)) return true;
  const cps = [...pad];
  if (cps.length > 32) return false;
  for (let i = 1; i < cps.length; i++) {
    if (isTrivialPiece(cps.slice(0, i).join('')) && isTrivialPiece(cps.slice(i).join(''))) return true;
  }
  return false;
}

const PADDED = /^([\p{N}\p{P}\p{S}]*)(.*?)([\p{N}\p{P}\p{S}]*)$/u;

/**
 * Whether the password is on the shipped list, or is one of its entries (or a repeated unit, a
 * sequence, a leet spelling) with trivial padding before or after: "P@ssw0rd123456789!".
 */
export function isCommonPassword(password: string): boolean {
  const key = matchKey(password);
  if (isWeak(key) || isWeak(unleet(key))) return true;
  const [, head = '', core = '', tail = ''] = PADDED.exec(key)!;
  if (core === '') return isTrivialPadding(key);
  const weakCore = [...core].length <= 3 || isWeak(core) || isWeak(unleet(core));
  return weakCore && isTrivialPadding(head) && isTrivialPadding(tail);
}
