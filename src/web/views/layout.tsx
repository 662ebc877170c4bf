// The frame every page shares: mark, programme name, language switch, and the official site
// shoppers are taught to check in the address bar.

import type { Child } from 'hono/jsx';
import { raw } from 'hono/html';
import type { Locale } from '../../core/index.ts';
import { LANG_PARAM } from '../locale.ts';
import { PAGE_MESSAGES } from '../messages.ts';
import { MARK, MARK_ICON_HREF } from './icons.ts';
import { CSS } from './style.ts';

export interface LayoutProps {
  locale: Locale;
  title: string;
  /** The official verify origin's host, as an address bar shows it. */
  officialHost: string | null;
  /** The language switch's link (default `?lang=…`); a page with query parameters keeps them. */
  switchHref?: string;
  /** Page-specific rules after the shared stylesheet (their hash is the page's CSP). */
  extraCss?: string;
  children?: Child;
}

export function Layout({ locale, title, officialHost, switchHref, extraCss, children }: LayoutProps) {
  const t = PAGE_MESSAGES[locale];
  const other: Locale = locale === 'en' ? 'zh-CN' : 'en';
  return (
    <>
      {raw('<!DOCTYPE html>')}
      <html lang={locale}>
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width,initial-scale=1" />
          <meta name="robots" content="noindex" />
          <title>{`${title} · ${t.programme}`}</title>
          <link rel="icon" href={MARK_ICON_HREF} />
          <style>{raw(extraCss ? CSS + extraCss : CSS)}</style>
        </head>
        <body>
          <div class="page">
            <header class="top">
              {MARK}
              <div class="brand">
                <b>{t.programme}</b>
                <span>{t.service}</span>
              </div>
              <a class="lang" href={switchHref ?? `?lang=${LANG_PARAM[other]}`} hreflang={other} lang={other}>
                {t.otherLanguage}
              </a>
            </header>
            <main>
              {children}
              {officialHost && (
                <section class="card">
                  <h2>{t.officialSite}</h2>
                  <p class="domain">{officialHost}</p>
                  <p>{t.officialSiteAdvice}</p>
                </section>
              )}
            </main>
            <footer>{t.footer}</footer>
          </div>
        </body>
      </html>
    </>
  );
}
