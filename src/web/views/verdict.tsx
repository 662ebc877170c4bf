// The verdict page: the state first and large, then what to do (the advice asks shoppers to
// compare the product with the list that follows), what the licence covers (only where the core
// allows holder data), where it is recorded in the public log, and when the status data is from. A revoked or suspended licence whose
// details could not be confirmed still says so, without details.

import { MESSAGES, REGIONS, VERDICT_STATE, type LicenceEntry, type Locale, type Verdict } from '../../core/index.ts';
import { LANG_PARAM } from '../locale.ts';
import { PAGE_MESSAGES } from '../messages.ts';
import { formatDate, formatInstant } from './format.ts';
import { stateIcon } from './icons.ts';
import { Layout } from './layout.tsx';

export function VerdictPage({ verdict, seal, locale, officialHost }: { verdict: Verdict; seal: string; locale: Locale; officialHost: string | null }) {
  const text = MESSAGES[locale].outcomes[verdict.code];
  const t = PAGE_MESSAGES[locale];
  const state = VERDICT_STATE[verdict.code];
  return (
    <Layout locale={locale} title={text.title} officialHost={officialHost}>
      <section class={`verdict ${state}`} data-outcome={verdict.code}>
        {stateIcon(state)}
        <div>
          <h1>{text.title}</h1>
          <p>{text.summary}</p>
        </div>
      </section>
      <section class="card">
        <h2>{t.adviceHeading}</h2>
        <p>{text.advice}</p>
        <p class="hotline">
          <a href="tel:12315">12315</a> {t.hotline}
        </p>
        <p class="report-link">
          <a href={`/report?seal=${seal}&lang=${LANG_PARAM[locale]}`}>{t.reportLink}</a>
        </p>
      </section>
      {verdict.licence ? (
        <Licence licence={verdict.licence} locale={locale} />
      ) : (
        (verdict.code === 'revoked' || verdict.code === 'suspended') && (
          <section class="card" data-details="unconfirmed">
            <h2>{t.detailsHeading}</h2>
            <p>{t.detailsUnconfirmed[verdict.code]}</p>
          </section>
        )
      )}
      <p class="meta">
        {verdict.logIndex !== null && (
          <>
            <a href={`/log/entry/${verdict.logIndex}?lang=${LANG_PARAM[locale]}`} data-log-index={verdict.logIndex}>
              {t.log.logged(verdict.logIndex)}
            </a>
            <br />
          </>
        )}
        {verdict.statusAsOf ? `${t.statusAsOf} ${formatInstant(verdict.statusAsOf, locale)}` : t.noStatus}
        <br />
        {`${t.checkedAt} ${formatInstant(verdict.checkedAt, locale)}`}
      </p>
    </Layout>
  );
}

function Licence({ licence, locale }: { licence: LicenceEntry; locale: Locale }) {
  const t = PAGE_MESSAGES[locale];
  const m = MESSAGES[locale];
  const f = m.fields;
  const region = licence.region ? (REGIONS[licence.region]?.[locale === 'en' ? 'en' : 'zh'] ?? licence.region) : null;
  return (
    <section class="card">
      <h2>{t.detailsHeading}</h2>
      <dl>
        <div class="holder">
          <dt>{f.holder}</dt>
          <dd>{licence.holder.name}</dd>
        </div>
        {licence.holder.address && <Row label={f.address} value={licence.holder.address} />}
        {licence.status !== 'valid' && <Row label={f.status} value={m.statuses[licence.status]} />}
        {licence.status !== 'valid' && licence.statusReason && <Row label={f.statusReason} value={licence.statusReason} />}
        {licence.status !== 'valid' && <Row label={f.statusChangedAt} value={formatInstant(licence.statusChangedAt, locale)} />}
        <Row label={f.products} values={licence.products} />
        <Row label={f.trademarks} values={licence.trademarks} />
        <Row label={f.tier} value={m.tiers[licence.tier]} />
        <Row label={f.sector} value={licence.chain ? `${m.sectors[licence.sector]} · ${licence.chain}` : m.sectors[licence.sector]} />
        {region && <Row label={f.region} value={region} />}
        <Row label={f.number} value={licence.number} />
        <Row label={f.validity} value={`${formatDate(licence.validFrom, locale)} – ${formatDate(licence.validUntil, locale)}`} />
        <Row label={f.uscc} value={licence.holder.uscc} />
      </dl>
    </section>
  );
}

/** One term of a description list: a value, or values (one shown plainly, more as a list). */
export function Row({ label, value, values, hash }: { label: string; value?: string; values?: string[]; hash?: boolean }) {
  if (values && values.length === 0) return null;
  return (
    <div>
      <dt>{label}</dt>
      <dd class={hash ? 'hash' : undefined}>
        {values ? (
          values.length === 1 ? (
            values[0]
          ) : (
            <ul>
              {values.map((v) => (
                <li>{v}</li>
              ))}
            </ul>
          )
        ) : (
          value
        )}
      </dd>
    </div>
  );
}
