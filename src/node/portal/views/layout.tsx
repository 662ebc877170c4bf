// The frame every portal page shares: programme and portal name, the language switch, the
// signed-in account with its sign-out button, and the time the snapshot was taken ("as of").

import type { Child } from 'hono/jsx';
import { raw } from 'hono/html';
import { cstDateTime, type Locale } from '../../../core/index.ts';
import { PORTAL_MESSAGES } from '../messages.ts';
import { CSS } from './style.ts';

export const PORTAL_PATH = '/portal';

/** `/portal/…` in the page's language: zh-CN needs no parameter, English carries `?lang=en`. */
export function portalHref(path: string, locale: Locale, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams(extra);
  if (locale === 'en') params.set('lang', 'en');
  const query = params.toString();
  return `${PORTAL_PATH}${path}${query ? `?${query}` : ''}`;
}

/** The same page in the other language (the switch link). */
export function switchHref(path: string, locale: Locale): string {
  return `${PORTAL_PATH}${path}?lang=${locale === 'en' ? 'zh' : 'en'}`;
}

export interface Frame {
  locale: Locale;
  /** The path of this page under /portal (for the language switch), e.g. `/sign-in`. */
  path: string;
  /** When the snapshot was written (ISO-8601). */
  asOf: string;
  /** Set on private pages. */
  account?: { holderName: string; user: string; csrf: string };
}

export function Layout({ frame, title, children }: { frame: Frame; title: string; children?: Child }) {
  const { locale } = frame;
  const t = PORTAL_MESSAGES[locale];
  const other: Locale = locale === 'en' ? 'zh-CN' : 'en';
  return (
    <>
      {raw('<!DOCTYPE html>')}
      <html lang={locale}>
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width,initial-scale=1" />
          <meta name="robots" content="noindex" />
          <title>{`${title} · ${t.programme} ${t.portal}`}</title>
          <style>{raw(CSS)}</style>
        </head>
        <body>
          <a class="skip" href="#main">
            {t.skipToContent}
          </a>
          <div class="page">
            <header class="top">
              <a class="brand" href={portalHref('/', locale)}>
                <b>{t.programme}</b>
                <span>{t.portal}</span>
              </a>
              <a class="lang" href={switchHref(frame.path, locale)} hreflang={other} lang={other}>
                {t.otherLanguage}
              </a>
              {frame.account && (
                <div class="account" data-account="">
                  <span>
                    {t.signedInAs}: {frame.account.holderName} · {frame.account.user}
                  </span>
                  <form method="post" action={portalHref('/sign-out', locale)}>
                    <input type="hidden" name="csrf" value={frame.account.csrf} />
                    <button type="submit" data-action="sign-out">
                      {t.signOut}
                    </button>
                  </form>
                </div>
              )}
            </header>
            <main id="main">
              <p class="asof" data-as-of={frame.asOf}>
                {t.asOf(cstDateTime(frame.asOf))}
              </p>
              {children}
            </main>
            <footer>{t.footer}</footer>
          </div>
        </body>
      </html>
    </>
  );
}
