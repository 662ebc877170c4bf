// The page for requests that get no verdict (400, 404, 405, 500): same look, plain words,
// nothing echoed from the request.

import type { Locale } from '../../core/index.ts';
import { LANG_PARAM } from '../locale.ts';
import { PAGE_MESSAGES, type NoticeKind } from '../messages.ts';
import { stateIcon } from './icons.ts';
import { Layout } from './layout.tsx';

export function NoticePage({ kind, locale, officialHost }: { kind: NoticeKind; locale: Locale; officialHost: string | null }) {
  const notice = PAGE_MESSAGES[locale].notices[kind];
  const report = PAGE_MESSAGES[locale].report;
  return (
    <Layout locale={locale} title={notice.title} officialHost={officialHost}>
      <section class="verdict unknown" data-notice={kind}>
        {stateIcon('unknown')}
        <div>
          <h1>{notice.title}</h1>
          <p>{notice.body}</p>
        </div>
      </section>
      {/* Whoever lands here without a QR code can still report a mark seen with none. */}
      {(kind === 'notFound' || kind === 'badRequest') && (
        <section class="card">
          <p class="report-link">
            {report.noSealLinkLead} <a href={`/report?lang=${LANG_PARAM[locale]}`}>{report.noSealLink}</a>
          </p>
        </section>
      )}
    </Layout>
  );
}

/** The verifier's home page (/): scan to check; report a mark seen with no QR code; inspect. */
export function HomePage({ locale, officialHost }: { locale: Locale; officialHost: string | null }) {
  const t = PAGE_MESSAGES[locale];
  const lang = LANG_PARAM[locale];
  return (
    <Layout locale={locale} title={t.home.title} officialHost={officialHost}>
      <section class="card" data-page="home">
        <h1 class="home-title">{t.home.title}</h1>
        <p>{t.home.body}</p>
        <p class="report-link">
          {t.report.noSealLinkLead} <a href={`/report?lang=${lang}`}>{t.report.noSealLink}</a>
        </p>
        <p class="report-link">
          {t.home.inspectLead} <a href="/inspect">{t.home.inspectLink}</a>
        </p>
      </section>
    </Layout>
  );
}
