// The office's contact key: an X25519 key pair whose public half the edge encrypts shoppers'
// contacts to (QDYP_REPORT_KEY_JWK) and whose private half, in the registry's keys/ directory
// (mode 0600, like the issuing keys), is the only thing that opens them (qdyp reports show).
// Replacing it makes every contact encrypted to the old one unreadable, so it is refused unless
// asked for by name.

import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { contactPublicJwk, isContactPrivateJwk, type ContactPrivateJwk, type ContactPublicJwk } from '../../core/index.ts';
import { RefusedError } from '../errors.ts';
import { writeFileAtomic, writeNewFile } from '../files.ts';
import { ensureKeysDir } from '../key-files.ts';
import { appendAudit } from '../registry/audit.ts';
import type { Registry } from '../registry/db.ts';
import { at, type IssuerContext } from './context.ts';

export const CONTACT_KEY_FILE = 'contact.x25519.jwk';

export function contactKeyFile(registry: Pick<Registry, 'keysDir'>): string {
  return path.join(registry.keysDir, CONTACT_KEY_FILE);
}

/** The office's contact private key, or null if this registry has none. */
export function readContactKey(registry: Pick<Registry, 'keysDir'>): ContactPrivateJwk | null {
  const file = contactKeyFile(registry);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new RefusedError('missing_contact_key', `cannot read the contact key file ${file}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = null;
  }
  if (!isContactPrivateJwk(value)) throw new RefusedError('invalid_private_key', `${file} is not an X25519 private JWK`);
  return { kty: 'OKP', crv: 'X25519', x: value.x, d: value.d };
}

/**
 * Makes a new contact key pair and writes its private half to keys/; returns the public half
 * to set as QDYP_REPORT_KEY_JWK at the edge. Audited (`contact-key.create`, with the public key).
 */
export function createContactKey(ctx: IssuerContext, options: { replace?: boolean } = {}): { publicJwk: ContactPublicJwk; replaced: ContactPublicJwk | null; file: string } {
  const file = contactKeyFile(ctx.registry);
  const old = readContactKey(ctx.registry);
  if (old && !options.replace) {
    throw new RefusedError(
      'contact_key_exists',
      `this registry already has a contact key (${file}); a new one makes every contact encrypted to the old one unreadable. Give --replace to do it anyway`,
    );
  }
  const { privateKey } = generateKeyPairSync('x25519');
  const jwk = privateKey.export({ format: 'jwk' });
  if (!isContactPrivateJwk(jwk)) throw new Error('node:crypto made an X25519 key that is not a JWK');
  const text = `${JSON.stringify({ kty: 'OKP', crv: 'X25519', x: jwk.x, d: jwk.d })}\n`;
  ensureKeysDir(ctx.registry.keysDir);
  try {
    if (old) writeFileAtomic(file, text, 0o600);
    else writeNewFile(file, text, 0o600);
  } catch (error) {
    throw new RefusedError('invalid_private_key', `cannot write the contact key file ${file} (${(error as NodeJS.ErrnoException).code ?? 'write failed'})`);
  }
  const publicJwk = contactPublicJwk(jwk);
  const replaced = old && contactPublicJwk(old);
  appendAudit(ctx.registry.db, { at: at(ctx), actor: ctx.actor, action: 'contact-key.create', subject: 'registry', before: replaced, after: publicJwk });
  return { publicJwk, replaced, file };
}
