// The trust bundle: everything an inspector needs to verify offline, in one JSON file.

import { QdypError } from './errors.ts';

export interface TrustArtifacts {
  keyList?: string | null;
  statusList?: string | null;
  register?: string | null;
}

export interface TrustBundle {
  keyList: string;
  statusList: string;
  register: string;
  /** ISO-8601 UTC instant the office published it. */
  asOf: string;
}

export const MAX_BUNDLE_BYTES = 32 * 1024 * 1024;

export function createBundle(artifacts: Omit<TrustBundle, 'asOf'>, time: Date): TrustBundle {
  return { ...artifacts, asOf: time.toISOString() };
}

export function parseBundle(text: string): TrustBundle {
  if (text.length > MAX_BUNDLE_BYTES) throw new QdypError('ERR_ARTIFACT_TOO_LARGE', 'trust bundle is too large');
  let v: Record<string, unknown>;
  try {
    v = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new QdypError('ERR_ARTIFACT_MALFORMED', 'trust bundle is not JSON');
  }
  if (
    typeof v !== 'object' ||
    v === null ||
    typeof v.keyList !== 'string' ||
    typeof v.statusList !== 'string' ||
    typeof v.register !== 'string' ||
    typeof v.asOf !== 'string' ||
    Number.isNaN(Date.parse(v.asOf))
  ) {
    throw new QdypError('ERR_ARTIFACT_MALFORMED', 'trust bundle lacks keyList, statusList, register or asOf');
  }
  return { keyList: v.keyList, statusList: v.statusList, register: v.register, asOf: v.asOf };
}
