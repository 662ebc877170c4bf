// The CJK font for certificates and outlined artwork text: Noto Sans SC (SIL OFL 1.1) from npm,
// so output never depends on the fonts of the machine it is rendered on.

import fontkit from '@pdf-lib/fontkit';
import type { Font } from '@pdf-lib/fontkit';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { ArtworkError, type BilingualText } from './errors.ts';

export type FontWeight = 'regular' | 'bold';

const FILES: Record<FontWeight, string> = {
  regular: '@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf',
  bold: '@expo-google-fonts/noto-sans-sc/700Bold/NotoSansSC_700Bold.ttf',
};

export interface LoadedFont {
  bytes: Uint8Array;
  font: Font;
}

// Each file is 10 MB: read and parse it once per process.
const loaded = new Map<FontWeight, LoadedFont>();
const require = createRequire(import.meta.url);

export function loadFont(weight: FontWeight): LoadedFont {
  let entry = loaded.get(weight);
  if (!entry) {
    const bytes = new Uint8Array(readFileSync(require.resolve(FILES[weight])));
    entry = { bytes, font: fontkit.create(bytes) };
    loaded.set(weight, entry);
  }
  return entry;
}

/** Printable ASCII, CJK punctuation, the unified ideographs up to U+9FEF and full-width forms: all in the font. */
const SURELY_DRAWABLE = /^[\u0020-\u007e\u3000-\u303f\u4e00-\u9fef\uff01-\uff5e]*$/;

/** The characters of `text` the certificate font has no glyph for (it would print boxes). */
export function undrawable(text: string): string[] {
  // Loading the font costs ~0.2 s: only rare characters need it.
  if (SURELY_DRAWABLE.test(text)) return [];
  const { font } = loadFont('regular');
  return [...new Set(text)].filter((ch) => !/\s/.test(ch) && !font.hasGlyphForCodePoint(ch.codePointAt(0)!));
}

/** Throws if the font lacks a glyph for any character of `text`: it would print as a box. */
export function assertDrawable(text: string, what: BilingualText): void {
  const missing = undrawable(text);
  if (missing.length === 0) return;
  const listed = missing.map((ch) => `“${ch}” (U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')})`).join(', ');
  throw new ArtworkError('ERR_ARTWORK_GLYPH', {
    zh: `${what.zh}中有证书字体无法显示的字符：${listed}。请联系工程办公室更正登记信息。`,
    en: `The ${what.en} has characters the certificate font cannot draw: ${listed}. Ask the programme office to correct the record.`,
  });
}
