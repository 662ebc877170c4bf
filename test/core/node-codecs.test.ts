// src/node/codecs.ts: Node's zlib and Buffer behind the core's `inflate` and `base64` hooks,
// refusing what the core's own codecs refuse. Node only (workerd has neither).
import { base64url } from 'jose';
import { describe, expect, it } from 'vitest';
import { compressBytes, decodePackedList, inflateWith, type Codecs } from '../../src/core/index.ts';

const inWorkerd = (globalThis as { navigator?: { userAgent?: string } }).navigator?.userAgent === 'Cloudflare-Workers';

describe.skipIf(inWorkerd)('nodeCodecs', () => {
  const codecs = async (): Promise<Required<Codecs>> => (await import('../../src/node/codecs.ts')).nodeCodecs;

  it('inflates both formats up to the cap, refusing past it or corrupt input with the core codes', async () => {
    const { inflate } = await codecs();
    const data = new Uint8Array(100_000);
    data.set(crypto.getRandomValues(new Uint8Array(50_000)));
    for (const format of ['deflate', 'gzip'] as const) {
      const packed = await compressBytes([data], format);
      const out = await inflate(packed, format, data.length);
      expect(out).toBeInstanceOf(Uint8Array);
      expect(out).toEqual(data);
      expect(() => inflate(packed, format, data.length - 1)).toThrow(expect.objectContaining({ code: 'ERR_ARTIFACT_TOO_LARGE' }));
      expect(() => inflate(packed.subarray(0, 100), format, data.length)).toThrow(expect.objectContaining({ code: 'ERR_ARTIFACT_MALFORMED' }));
      await expect(inflateWith(inflate, packed, format, 1000)).rejects.toMatchObject({ code: 'ERR_ARTIFACT_TOO_LARGE' });
    }
    // Output far smaller than its chunk is copied out, not kept as a view of the chunk.
    const small = await inflate(await compressBytes([new Uint8Array(10)], 'deflate'), 'deflate', 1 << 20);
    expect(small.buffer.byteLength).toBeLessThan(1024);
  });

  it('decodes base64url as jose does, into plain Uint8Arrays, behind the core canonical check', async () => {
    const { base64 } = await codecs();
    for (const length of [0, 1, 2, 3, 64, 100_000]) {
      const bytes = crypto.getRandomValues(new Uint8Array(Math.min(length, 65_536)));
      const all = new Uint8Array(length);
      for (let at = 0; at < length; at += bytes.length) all.set(bytes.subarray(0, length - at), at);
      const out = base64(base64url.encode(all));
      expect(Object.getPrototypeOf(out)).toBe(Uint8Array.prototype);
      expect(out).toEqual(all);
    }
    const lst = base64url.encode(await compressBytes([new Uint8Array([1, 2, 3])], 'deflate'));
    expect((await decodePackedList(lst, 8, await codecs())).bytes).toEqual(new Uint8Array([1, 2, 3]));
    await expect(decodePackedList(`${lst}=`, 8, await codecs())).rejects.toMatchObject({ code: 'ERR_ARTIFACT_MALFORMED' });
  });
});
