// What the reports inbox tests share (Web APIs only: the Node and workerd suites use it):
// inspector tokens and revoked-inspectors lists signed with a programme's issuing key, signed
// office requests, a small PNG, and report requests as an inspector's device sends them.
import { officeNonce, signInspectorToken, signOfficeRequest, signRevokedInspectors, type Signer } from '../../src/core/index.ts';

const DAY_S = 24 * 60 * 60;

/** A PNG's signature and IHDR (all the probe reads), then some bytes standing for the image. */
export function png(width = 640, height = 480, extra = 64): Uint8Array {
  const b = new Uint8Array(33 + extra);
  b.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52], 0);
  new DataView(b.buffer).setUint32(16, width);
  new DataView(b.buffer).setUint32(20, height);
  b.set([8, 2, 0, 0, 0], 24);
  for (let i = 33; i < b.length; i++) b[i] = i & 0xff;
  return b;
}

let serial = 0;

/** A fresh inspector token (a new jti each call) valid for 30 days from `time`. */
export async function inspectorToken(signer: Pick<Signer, 'kid' | 'privateKey'>, time: Date, sub = 'K3M9QXA2BT'): Promise<{ token: string; jti: string; sub: string }> {
  const jti = `jti${String(++serial).padStart(4, '0')}${officeNonce().slice(0, 12)}`.replace(/[^A-Za-z0-9_-]/g, 'x');
  const iat = Math.floor(time.getTime() / 1000);
  return { token: await signInspectorToken({ jti, sub, name: '王海', iat, exp: iat + 30 * DAY_S }, signer), jti, sub };
}

export function revokedList(signer: Pick<Signer, 'kid' | 'privateKey'>, version: number, jtis: string[], time: Date): Promise<string> {
  return signRevokedInspectors({ version, jtis, time }, signer);
}

/** `Authorization` for an office request of `method` to `path` (with its query). */
export async function officeAuth(signer: Pick<Signer, 'kid' | 'privateKey'>, method: string, path: string, time: Date, nonce = officeNonce()): Promise<string> {
  return `QDYP-Office ${await signOfficeRequest({ method, path, nonce, time }, signer)}`;
}

export interface ReportBody {
  seal?: string | null;
  outcome?: string;
  place?: string;
  note?: string;
  observedAt?: string;
  idempotencyKey?: string;
  [field: string]: unknown;
}

/** A report request's init: JSON, or multipart with the photo. */
export function reportInit(token: string | null, report: ReportBody, photo?: Uint8Array, photoType = 'image/png'): RequestInit {
  const headers: Record<string, string> = token === null ? {} : { authorization: `Bearer ${token}` };
  if (!photo) return { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(report) };
  const form = new FormData();
  form.set('report', JSON.stringify(report));
  form.set('photo', new Blob([photo as BlobPart], { type: photoType }), 'photo');
  return { method: 'POST', headers, body: form };
}
