// A request body read with a cap, for the report endpoints and the shopper's form: refused by
// its Content-Length before anything is read, else as soon as the count passes the cap.

import { concatBytes } from '../../core/index.ts';

/** The whole body, or 'too_large' as soon as it passes `cap` (by Content-Length or by count). */
export async function readCapped(request: Request, cap: number): Promise<Uint8Array | 'too_large' | 'unreadable'> {
  const declared = request.headers.get('content-length');
  if (declared !== null && (!/^\d+$/.test(declared) || Number(declared) > cap)) return /^\d+$/.test(declared) ? 'too_large' : 'unreadable';
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > cap) {
        await reader.cancel().catch(() => {});
        return 'too_large';
      }
      chunks.push(value);
    }
  } catch {
    return 'unreadable';
  }
  return concatBytes(chunks, size);
}
