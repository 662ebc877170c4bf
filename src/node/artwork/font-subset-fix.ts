// pdf-lib subsets TrueType fonts through @pdf-lib/fontkit, whose TTFSubset copies each glyph's
// bytes unpadded and then, for a subset under 64 KB, writes a short `loca` table, which stores
// offsets halved. One odd-length glyph (common in CJK fonts) shifts every glyph after it, and
// viewers draw blanks where the characters should be while text extraction still works
// (pdf-lib issues #494 and #1232). Padding each glyph to 4 bytes, as the OpenType spec
// recommends, keeps every offset even. The fix is applied to one embedded font's own subset
// object, never to the library's classes.

import type { PDFFont } from 'pdf-lib';

interface TtfSubset {
  glyf: Uint8Array[];
  offset: number;
  _addGlyph(gid: number): number;
  encodeStream(): unknown;
}

export function padSubsetGlyphs(font: PDFFont): void {
  const subset = (font as unknown as { embedder?: { subset?: Partial<TtfSubset> } }).embedder?.subset;
  if (!subset || typeof subset._addGlyph !== 'function' || typeof subset.encodeStream !== 'function') {
    // A pdf-lib that no longer looks like this needs the fix re-checked, not skipped silently.
    throw new Error('pdf-lib font subset internals changed: re-check the glyph padding fix');
  }
  const target = subset as TtfSubset;
  const addGlyph = target._addGlyph.bind(target);
  target._addGlyph = (gid: number) => {
    const index = addGlyph(gid);
    const glyph = target.glyf[index]!;
    const padding = (4 - (glyph.length % 4)) % 4;
    if (padding > 0) {
      // The library's stream takes only its own Buffer class, so allocate through the glyph's.
      const padded = (glyph.constructor as unknown as { alloc(size: number): Uint8Array }).alloc(glyph.length + padding);
      padded.set(glyph);
      target.glyf[index] = padded;
      target.offset += padding;
    }
    return index;
  };
}
