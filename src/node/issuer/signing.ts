// Signing seals and licence documents for the issuer. Signing is node:crypto's synchronous
// Ed25519: byte for byte what the core's WebCrypto functions make, at a fraction of the cost per
// call. Operations that sign read first, sign, then write in a transaction that re-checks what
// they read (see context.ts's withRetry).

import { sign as ed25519Sign, type KeyObject } from 'node:crypto';
import {
  assembleJws,
  assembleSeal,
  cstDate,
  licenceClaims,
  licenceDocumentSigningInput,
  sealSigningInput,
  sealUrl,
  statusListUri,
} from '../../core/index.ts';
import { RefusedError } from '../errors.ts';
import { loadSigner, type NodeSigner } from '../key-files.ts';
import { readConfig, type RegistryConfig } from '../registry/config.ts';
import type { Registry } from '../registry/db.ts';
import { activeKey, type KeyRecord } from '../registry/keys.ts';
import type { LicenceRecord } from '../registry/licences.ts';
import type { IssuerContext } from './context.ts';

/** The active issuing key and its signer, refusing if its signing window does not cover today. */
export async function signingKey(ctx: IssuerContext): Promise<{ key: KeyRecord; signer: NodeSigner }> {
  const key = activeKey(ctx.registry.db);
  if (!key) throw new RefusedError('key_not_signing', 'the registry has no active issuing key: run qdyp keys rotate');
  const today = cstDate(ctx.now);
  if (today < key.signFrom || today > key.signUntil) {
    throw new RefusedError('key_not_signing', `the active issuing key ${key.kid} may sign from ${key.signFrom} to ${key.signUntil}, not on ${today}: run qdyp keys rotate`);
  }
  return { key, signer: await loadSigner(ctx.registry, key.kid) };
}

export function ed25519(keyObject: KeyObject, data: Uint8Array): Uint8Array {
  return ed25519Sign(null, data, keyObject);
}

const encoder = new TextEncoder();

function documentSigningInput(ctx: IssuerContext, licence: LicenceRecord, config: RegistryConfig, kid: string): string {
  const claims = licenceClaims(licence, { iat: Math.floor(ctx.now.getTime() / 1000), serial: licence.serial, statusListUri: statusListUri(config.origin) });
  return licenceDocumentSigningInput(claims, kid);
}

export function signDocument(ctx: IssuerContext, licence: LicenceRecord, config: RegistryConfig, signer: NodeSigner): string {
  const input = documentSigningInput(ctx, licence, config, signer.kid);
  return assembleJws(input, ed25519(signer.keyObject, encoder.encode(input)));
}

export function signSeal(key: KeyRecord, signer: NodeSigner, serial: number): string {
  const input = sealSigningInput({ sid: signer.sid, serial, horizon: key.verifyUntil });
  return assembleSeal(input, ed25519(signer.keyObject, input));
}

/**
 * Licence documents' signing inputs for many licences under one key: documentSigningInput's
 * text exactly (the same header, the same claims from the same builder), with the header
 * encoded once and the claims through Buffer's native base64url encoder.
 */
export class DocumentInputs {
  private header: string | null = null;
  private readonly iat: number;
  private readonly uri: string;

  constructor(
    private readonly ctx: IssuerContext,
    private readonly config: RegistryConfig,
    private readonly kid: string,
  ) {
    this.iat = Math.floor(ctx.now.getTime() / 1000);
    this.uri = statusListUri(config.origin);
  }

  signingInput(licence: LicenceRecord): string {
    if (this.header === null) {
      // The first one through the core, which fixes the header for the rest.
      const input = documentSigningInput(this.ctx, licence, this.config, this.kid);
      this.header = input.slice(0, input.indexOf('.') + 1);
      return input;
    }
    const claims = licenceClaims(licence, { iat: this.iat, serial: licence.serial, statusListUri: this.uri });
    return this.header + Buffer.from(JSON.stringify(claims), 'utf8').toString('base64url');
  }
}

/** The seal URL the QR code carries. */
export function licenceSealUrl(registry: Registry, licence: Pick<LicenceRecord, 'seal'>): string {
  return sealUrl(readConfig(registry.db).origin, licence.seal);
}
