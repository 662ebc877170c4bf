// zlib 'deflate' and 'gzip' through the Web's CompressionStream / DecompressionStream (Node,
// workerd and browsers alike), with a hard cap on what inflating may produce.

import type { Base64Decode } from './base64url.ts';
import { QdypError } from './errors.ts';

export type { Base64Decode } from './base64url.ts';

/**
 * A runtime's faster native codecs, where it has them (src/node/codecs.ts: Node's zlib and
 * Buffer); each defaults to the core's own. Accepted wherever signed lists are read.
 */
export interface Codecs {
  /** How lists and bundles inflate (default: DecompressionStream; see Inflate). */
  inflate?: Inflate;
  /** How long base64url texts decode, once checked canonical (default: see decodeCanonicalBase64url). */
  base64?: Base64Decode;
}

/**
 * How to inflate: inflateCapped by default; a runtime with a faster native inflater (Node's
 * zlib.inflateSync with maxOutputLength inflates a megabyte in a tenth of the time) may pass
 * its own. It must refuse output over `maxBytes` (the result is checked again regardless).
 */
export type Inflate = (bytes: Uint8Array, format: 'deflate' | 'gzip', maxBytes: number) => Promise<Uint8Array> | Uint8Array;

/** Runs `inflate` (default inflateCapped) with errors mapped to QdypError codes. */
export async function inflateWith(inflate: Inflate | undefined, bytes: Uint8Array, format: 'deflate' | 'gzip', maxBytes: number): Promise<Uint8Array> {
  if (!inflate) return inflateCapped(bytes, format, maxBytes);
  let out: Uint8Array;
  try {
    out = await inflate(bytes, format, maxBytes);
  } catch (error) {
    if (error instanceof QdypError) throw error;
    if ((error as { code?: unknown } | null)?.code === 'ERR_BUFFER_TOO_LARGE') throw new QdypError('ERR_ARTIFACT_TOO_LARGE', `inflates past ${maxBytes} bytes`);
    throw new QdypError('ERR_ARTIFACT_MALFORMED', `does not inflate (${format})`);
  }
  if (out.length > maxBytes) throw new QdypError('ERR_ARTIFACT_TOO_LARGE', `inflates past ${maxBytes} bytes`);
  return out;
}

/**
 * Inflates `bytes`, refusing to go on as soon as the output passes `maxBytes`: memory stays
 * bounded whatever the input claims (a zip bomb is refused, not expanded). Throws QdypError
 * ERR_ARTIFACT_TOO_LARGE, or ERR_ARTIFACT_MALFORMED when corrupt or truncated.
 */
export async function inflateCapped(bytes: Uint8Array, format: 'deflate' | 'gzip', maxBytes: number): Promise<Uint8Array> {
  const reader = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream(format)).getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > maxBytes) {
        reader.cancel().catch(() => {});
        throw new QdypError('ERR_ARTIFACT_TOO_LARGE', `inflates past ${maxBytes} bytes`);
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof QdypError) throw error;
    throw new QdypError('ERR_ARTIFACT_MALFORMED', `does not inflate (${format})`);
  }
  return concatBytes(chunks, total);
}

/** Compresses the chunks, in order, into one zlib 'deflate' or 'gzip' stream. */
export async function compressBytes(chunks: Iterable<Uint8Array>, format: 'deflate' | 'gzip'): Promise<Uint8Array> {
  const stream = new CompressionStream(format);
  const reading = (async () => {
    const reader = stream.readable.getReader();
    const parts: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return concatBytes(parts, total);
      parts.push(value);
      total += value.length;
    }
  })();
  const writing = (async () => {
    const writer = stream.writable.getWriter();
    for (const chunk of chunks) await writer.write(chunk as Uint8Array<ArrayBuffer>);
    await writer.close();
  })();
  const [bytes] = await Promise.all([reading, writing]);
  return bytes;
}

export function concatBytes(chunks: Uint8Array[], total = chunks.reduce((n, c) => n + c.length, 0)): Uint8Array {
  if (chunks.length === 1 && chunks[0]!.length === total) return chunks[0]!;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}
