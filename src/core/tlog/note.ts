// C2SP signed-note: a text signed by one or more keys, the envelope of a checkpoint.
//
//   <text, ending in a newline>
//   <a blank line>
//   — <key name> <base64(4-byte key ID || signature)>
//   …one line per signature
//
// The text is separated from the signatures by the note's *last* blank line, so the text may
// hold blank lines of its own (a checkpoint's may not: tlog-checkpoint wants every line
// non-empty). A note is valid UTF-8 with no control character but the newline. A signature
// is matched to a verifier by key name *and* key ID; one from an unknown key is ignored, one
// from a known key must verify (else the whole note is refused), and at least one must.
//
// Only Ed25519 (signature type 0x01) is ours: key ID = SHA-256(name || 0x0A || 0x01 || the
// 32-byte public key)[:4], the signature RFC 8032 over the text's bytes, verified through
// core's strict Ed25519 (WebCrypto, or @noble/ed25519 with zip215 off) like every other
// signature here. Keys travel as Go's note key texts: a verifier key is
// `name+hex(key ID)+base64(0x01 || public key)`, a signer key `PRIVATE+KEY+name+hex(key ID)+
// base64(0x01 || 32-byte seed)`.

import { getPublicKeyAsync } from '@noble/ed25519';
import { base64urlDecode, base64urlEncode, isCanonicalBase64url } from '../base64url.ts';
import { importVerifyKey, verifyEd25519, type Ed25519Engine, type VerifyKey } from '../ed25519.ts';
import { importPrivateKey, signEd25519, type PrivateJwk, type PublicJwk } from '../keys.ts';
import { decodeBase64, encodeBase64 } from './base64.ts';
import { TlogError } from './errors.ts';

/** The signature type byte of Ed25519 note signatures. */
export const NOTE_ED25519 = 0x01;
/** The longest note this code reads (UTF-16 code units), whatever it carries. */
export const MAX_NOTE_LENGTH = 256 * 1024;
/** The most signatures a note may carry (the spec asks verifiers to accept at least 16). */
export const MAX_NOTE_SIGNATURES = 64;
const DASH = '\u2014 ';

export interface NoteSignature {
  /** The key name on the signature line. */
  name: string;
  /** The key ID: the first four bytes of the signature, big-endian. */
  keyId: number;
  /** The signature proper: the bytes after the key ID. */
  signature: Uint8Array<ArrayBuffer>;
}

export interface Note {
  /** The signed text, ending in a newline. */
  text: string;
  signatures: NoteSignature[];
}

/** Checks one signature by the key of this name and ID over a note's text. */
export interface NoteVerifier {
  readonly name: string;
  readonly keyId: number;
  verify(text: Uint8Array<ArrayBuffer>, signature: Uint8Array<ArrayBuffer>): Promise<boolean>;
}

/** Signs a note's text as the key of this name and ID. */
export interface NoteSigner {
  readonly name: string;
  readonly keyId: number;
  sign(text: Uint8Array<ArrayBuffer>): Promise<Uint8Array>;
}

const encoder = new TextEncoder();
const malformed = (message: string) => new TlogError('ERR_TLOG_MALFORMED', message);

// Below U+0020 except the newline; and UTF-16 that is not Unicode (a lone surrogate has no UTF-8).
const CONTROL = /[\u0000-\u0009\u000b-\u001f]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
// Key names: non-empty, no Unicode space, no plus.
const NAME = /^[^\s+]+$/u;

function checkCharacters(text: string, what: string): void {
  if (CONTROL.test(text)) throw malformed(`${what} holds a control character`);
  if (LONE_SURROGATE.test(text)) throw malformed(`${what} is not valid Unicode`);
}

/** Whether `name` may name a note key: non-empty, without spaces or `+`, no control characters. */
export function isNoteKeyName(name: string): boolean {
  return typeof name === 'string' && NAME.test(name) && !CONTROL.test(name) && !LONE_SURROGATE.test(name);
}

/** Checks a note's text: a string ending in a newline, valid Unicode, no control characters but newlines. */
export function checkNoteText(text: string): void {
  if (typeof text !== 'string' || !text.endsWith('\n')) throw malformed('a note text ends in a newline');
  if (text.length > MAX_NOTE_LENGTH) throw new TlogError('ERR_TLOG_TOO_LARGE', 'note text too long');
  checkCharacters(text, 'the note text');
}

/** Splits a signed note into its text and its signature lines. Checks the format; verifies nothing. */
export function parseNote(note: string): Note {
  if (typeof note !== 'string') throw malformed('a note is text');
  if (note.length > MAX_NOTE_LENGTH) throw new TlogError('ERR_TLOG_TOO_LARGE', `a note is at most ${MAX_NOTE_LENGTH} characters`);
  checkCharacters(note, 'the note');
  const split = note.lastIndexOf('\n\n');
  if (split < 0) throw malformed('a note has a blank line before its signatures');
  const text = note.slice(0, split + 1);
  const block = note.slice(split + 2);
  if (!block.endsWith('\n')) throw malformed('a note ends with signature lines, each ending in a newline');
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > MAX_NOTE_SIGNATURES) throw new TlogError('ERR_TLOG_TOO_LARGE', `a note carries at most ${MAX_NOTE_SIGNATURES} signatures`);
  const signatures = lines.map((line) => {
    if (!line.startsWith(DASH)) throw malformed('a signature line starts with an em dash and a space');
    const rest = line.slice(DASH.length);
    const space = rest.indexOf(' ');
    const name = rest.slice(0, space);
    const bytes = space < 0 ? null : decodeBase64(rest.slice(space + 1));
    if (!isNoteKeyName(name)) throw malformed('a signature line names no valid key');
    if (!bytes || bytes.length < 5) throw malformed('a signature is base64 of a key ID and a signature');
    return { name, keyId: readUint32(bytes), signature: bytes.subarray(4) };
  });
  return { text, signatures };
}

/** A note's text: its text, the blank line, a line per signature. */
export function formatNote(note: Note): string {
  checkNoteText(note.text);
  if (note.signatures.length === 0) throw malformed('a signed note carries at least one signature');
  if (note.signatures.length > MAX_NOTE_SIGNATURES) throw new TlogError('ERR_TLOG_TOO_LARGE', `a note carries at most ${MAX_NOTE_SIGNATURES} signatures`);
  const lines = note.signatures.map((s) => {
    if (!isNoteKeyName(s.name)) throw malformed('not a note key name');
    const bytes = new Uint8Array(4 + s.signature.length);
    writeUint32(bytes, s.keyId);
    bytes.set(s.signature, 4);
    return `${DASH}${s.name} ${encodeBase64(bytes)}\n`;
  });
  return `${note.text}\n${lines.join('')}`;
}

function readUint32(bytes: Uint8Array): number {
  return ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0;
}

function writeUint32(bytes: Uint8Array, value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new RangeError('a key ID is a uint32');
  bytes[0] = value >>> 24;
  bytes[1] = (value >>> 16) & 0xff;
  bytes[2] = (value >>> 8) & 0xff;
  bytes[3] = value & 0xff;
}

const hex8 = (value: number) => value.toString(16).padStart(8, '0');

/** The Ed25519 key ID: SHA-256(name || 0x0A || 0x01 || public key)[:4], big-endian. */
export async function noteKeyId(name: string, publicKey: Uint8Array): Promise<number> {
  if (!isNoteKeyName(name)) throw new TlogError('ERR_TLOG_KEY_INVALID', 'not a note key name');
  if (publicKey.length !== 32) throw new TlogError('ERR_TLOG_KEY_INVALID', 'an Ed25519 public key is 32 bytes');
  const nameBytes = encoder.encode(name);
  const input = new Uint8Array(nameBytes.length + 2 + 32);
  input.set(nameBytes);
  input[nameBytes.length] = 0x0a;
  input[nameBytes.length + 1] = NOTE_ED25519;
  input.set(publicKey, nameBytes.length + 2);
  return readUint32(new Uint8Array(await crypto.subtle.digest('SHA-256', input)));
}

/** The bytes of a JWK member (canonical base64url of 32 bytes), or a refusal. */
function jwkBytes(text: string): Uint8Array {
  const bytes = typeof text === 'string' && isCanonicalBase64url(text) ? base64urlDecode(text) : null;
  if (!bytes || bytes.length !== 32) throw new TlogError('ERR_TLOG_KEY_INVALID', 'not an Ed25519 key');
  return bytes;
}

function rawPublicKey(key: Uint8Array | PublicJwk): Uint8Array {
  if (!(key instanceof Uint8Array)) return jwkBytes(key.x);
  if (key.length !== 32) throw new TlogError('ERR_TLOG_KEY_INVALID', 'an Ed25519 public key is 32 bytes');
  return key;
}

/** The verifier key text `name+hex(key ID)+base64(0x01 || public key)`. */
export async function formatVerifierKey(name: string, publicKey: Uint8Array | PublicJwk): Promise<string> {
  const raw = rawPublicKey(publicKey);
  const keyId = await noteKeyId(name, raw);
  return `${name}+${hex8(keyId)}+${encodeBase64(Uint8Array.of(NOTE_ED25519, ...raw))}`;
}

/** A verifier for the Ed25519 key `publicKey` (raw bytes or a public JWK) under `name`. */
export async function noteVerifier(name: string, publicKey: Uint8Array | PublicJwk, engine?: Ed25519Engine): Promise<NoteVerifier> {
  const raw = rawPublicKey(publicKey);
  const keyId = await noteKeyId(name, raw);
  let key: VerifyKey;
  try {
    key = await importVerifyKey({ kty: 'OKP', crv: 'Ed25519', x: base64urlEncode(raw) }, engine);
  } catch {
    throw new TlogError('ERR_TLOG_KEY_INVALID', 'not an Ed25519 public key');
  }
  return { name, keyId, verify: (text, signature) => verifyEd25519(key, signature, text) };
}

/**
 * Splits a key text at its first `parts - 1` plus signs (the name holds none; the base64 key
 * at the end may); checks the key ID field is 8 lowercase hex digits.
 */
function splitKeyText(text: string, parts: number): string[] {
  const fields: string[] = [];
  let rest = typeof text === 'string' ? text : '';
  for (let i = 0; i < parts - 1; i++) {
    const plus = rest.indexOf('+');
    if (plus < 0) throw new TlogError('ERR_TLOG_KEY_INVALID', 'not a note key text');
    fields.push(rest.slice(0, plus));
    rest = rest.slice(plus + 1);
  }
  fields.push(rest);
  if (!/^[0-9a-f]{8}$/.test(fields[parts - 2]!)) throw new TlogError('ERR_TLOG_KEY_INVALID', 'not a note key text');
  return fields;
}

/** Decodes `base64(0x01 || 32 bytes)`: the key bytes, or a refusal. */
function keyBytes(text: string): Uint8Array {
  const bytes = decodeBase64(text);
  if (!bytes || bytes.length !== 33 || bytes[0] !== NOTE_ED25519) throw new TlogError('ERR_TLOG_KEY_INVALID', 'not an Ed25519 note key');
  return bytes.subarray(1);
}

/**
 * A verifier from its key text `name+hex(key ID)+base64(0x01 || public key)`. Refuses another
 * algorithm, a key of another length, and a key ID that is not the key's own.
 */
export async function parseVerifierKey(vkey: string, engine?: Ed25519Engine): Promise<NoteVerifier> {
  const [name, hash, key] = splitKeyText(vkey, 3) as [string, string, string];
  const raw = keyBytes(key);
  if (!isNoteKeyName(name)) throw new TlogError('ERR_TLOG_KEY_INVALID', 'not a note key name');
  const verifier = await noteVerifier(name, raw, engine);
  if (hex8(verifier.keyId) !== hash) throw new TlogError('ERR_TLOG_KEY_INVALID', 'the key ID is not this key’s');
  return verifier;
}

/** A signer for the Ed25519 private JWK under `name`. */
export async function noteSigner(name: string, jwk: PrivateJwk): Promise<NoteSigner> {
  const keyId = await noteKeyId(name, rawPublicKey(jwk));
  let privateKey: CryptoKey;
  try {
    privateKey = await importPrivateKey(jwk);
  } catch {
    throw new TlogError('ERR_TLOG_KEY_INVALID', 'not an Ed25519 private key');
  }
  return { name, keyId, sign: (text) => signEd25519(privateKey, text) };
}

/** The signer key text `PRIVATE+KEY+name+hex(key ID)+base64(0x01 || seed)` for a private JWK. */
export async function formatSignerKey(name: string, jwk: PrivateJwk): Promise<string> {
  const keyId = await noteKeyId(name, rawPublicKey(jwk));
  const seed = jwkBytes(jwk.d);
  return `PRIVATE+KEY+${name}+${hex8(keyId)}+${encodeBase64(Uint8Array.of(NOTE_ED25519, ...seed))}`;
}

/** A signer from its key text `PRIVATE+KEY+name+hex(key ID)+base64(0x01 || seed)`. */
export async function parseSignerKey(skey: string): Promise<NoteSigner> {
  const [p, k, name, hash, key] = splitKeyText(skey, 5) as [string, string, string, string, string];
  if (p !== 'PRIVATE' || k !== 'KEY' || !isNoteKeyName(name)) throw new TlogError('ERR_TLOG_KEY_INVALID', 'not a note signer key');
  const seed = keyBytes(key);
  const publicKey = await getPublicKeyAsync(seed);
  const jwk: PrivateJwk = { kty: 'OKP', crv: 'Ed25519', x: base64urlEncode(publicKey), d: base64urlEncode(seed) };
  const signer = await noteSigner(name, jwk);
  if (hex8(signer.keyId) !== hash) throw new TlogError('ERR_TLOG_KEY_INVALID', 'the key ID is not this key’s');
  return signer;
}

/** Signs `text` (ending in a newline) with every signer, in order: the signed note. */
export async function signNote(text: string, signers: NoteSigner | readonly NoteSigner[]): Promise<string> {
  checkNoteText(text);
  const list = Array.isArray(signers) ? (signers as readonly NoteSigner[]) : [signers as NoteSigner];
  const bytes = encoder.encode(text);
  const signatures: NoteSignature[] = [];
  for (const signer of list) {
    const signature = await signer.sign(bytes);
    signatures.push({ name: signer.name, keyId: signer.keyId, signature: new Uint8Array(signature) });
  }
  return formatNote({ text, signatures });
}

/** Adds signatures to a signed note (a witness's cosignature, say), keeping those it has. */
export async function addNoteSignatures(note: string, signers: readonly NoteSigner[]): Promise<string> {
  const parsed = parseNote(note);
  const extra = parseNote(await signNote(parsed.text, signers)).signatures;
  return formatNote({ text: parsed.text, signatures: [...parsed.signatures, ...extra] });
}

export interface VerifiedNote extends Note {
  /** The names of the verifiers whose signatures verified, each once, in signature order. */
  verifiedBy: string[];
}

/**
 * Verifies a signed note against `verifiers`: every signature whose key name and ID match a
 * verifier must verify (ERR_TLOG_SIGNATURE otherwise), others are ignored, and at least one
 * must have matched (ERR_TLOG_UNKNOWN_KEY otherwise). Only then is the text to be trusted.
 */
export async function verifyNote(note: string, verifiers: readonly NoteVerifier[]): Promise<VerifiedNote> {
  const parsed = parseNote(note);
  const bytes = encoder.encode(parsed.text);
  const verifiedBy: string[] = [];
  for (const signature of parsed.signatures) {
    const verifier = verifiers.find((v) => v.name === signature.name && v.keyId === signature.keyId);
    if (!verifier) continue;
    if (!(await verifier.verify(bytes, signature.signature))) throw new TlogError('ERR_TLOG_SIGNATURE', `the signature by ${signature.name} does not verify`);
    if (!verifiedBy.includes(verifier.name)) verifiedBy.push(verifier.name);
  }
  if (verifiedBy.length === 0) throw new TlogError('ERR_TLOG_UNKNOWN_KEY', 'no signature by a known key');
  return { ...parsed, verifiedBy };
}
