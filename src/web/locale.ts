// zh-CN by default; English when asked for by `?lang=` or, failing that, by Accept-Language.

import type { Locale } from '../core/index.ts';

export const DEFAULT_LOCALE: Locale = 'zh-CN';

/** The `?lang=` value that selects each locale (the switch link uses it). */
export const LANG_PARAM: Record<Locale, string> = { 'zh-CN': 'zh', en: 'en' };

function localeOf(tag: string): Locale | null {
  const primary = tag.trim().toLowerCase().split('-')[0];
  return primary === 'zh' ? 'zh-CN' : primary === 'en' ? 'en' : null;
}

export function pickLocale(lang: string | undefined, acceptLanguage: string | undefined): Locale {
  const asked = lang ? localeOf(lang) : null;
  if (asked) return asked;
  let best: { locale: Locale; q: number } | null = null;
  // Headers are capped by the servers in front of us; the slice keeps a hostile one cheap.
  for (const part of (acceptLanguage ?? '').slice(0, 512).split(',')) {
    const [tag = '', ...params] = part.split(';');
    const locale = localeOf(tag);
    if (!locale) continue;
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    if (Number.isFinite(q) && q > 0 && (!best || q > best.q)) best = { locale, q };
  }
  return best?.locale ?? DEFAULT_LOCALE;
}
