// The shopper's report form (/report), and the pages it answers with: thanks, or why it could
// not be taken. Plain HTML (no script): labels tied to their inputs, a refused field named in a
// role=alert box that links to it, and words on who sees the report and the contact.

import type { Locale } from '../../core/index.ts';
import { LANG_PARAM } from '../locale.ts';
import { PAGE_MESSAGES, type ReportRefusal } from '../messages.ts';
import { FIELD_LIMITS, SHOPPER_PROBLEMS, type FieldProblem, type FormField, type FormValues } from '../reports/form-fields.ts';
import { stateIcon } from './icons.ts';
import { Layout } from './layout.tsx';
import { REPORT_CSS } from './style.ts';

export interface ReportFormProps {
  locale: Locale;
  officialHost: string | null;
  /** The scanned seal, or null for a mark seen with no QR code at all. */
  seal: string | null;
  /** Whether contacts can be taken (the office's contact key is configured). */
  takesContact: boolean;
  values?: FormValues;
  error?: { field: FormField; problem: FieldProblem };
}

/** The form's own address in a language, keeping the seal. */
function formHref(seal: string | null, locale: Locale): string {
  const query = new URLSearchParams();
  if (seal) query.set('seal', seal);
  query.set('lang', LANG_PARAM[locale]);
  return `/report?${query.toString()}`;
}

const FIELD_ID: Record<FormField, string> = { seal: 'problem-not_listed', problem: 'problem-not_listed', place: 'place', note: 'note', contact: 'contact' };

export function ReportForm({ locale, officialHost, seal, takesContact, values, error }: ReportFormProps) {
  const t = PAGE_MESSAGES[locale].report;
  const other: Locale = locale === 'en' ? 'zh-CN' : 'en';
  const invalid = (field: FormField) => (error?.field === field ? 'true' : undefined);
  const describedBy = (field: FormField, hint: string) => (error?.field === field ? `${hint} report-error` : hint);
  const labels: Record<FormField, string> = { seal: t.problemLegend, problem: t.problemLegend, place: t.place, note: t.note, contact: t.contact };
  const placeRequired = seal === null;
  return (
    <Layout locale={locale} title={t.title} officialHost={officialHost} switchHref={formHref(seal, other)} extraCss={REPORT_CSS}>
      <section class="card report">
        <h1>{t.title}</h1>
        <p>{seal ? t.introSeal : t.introNoSeal}</p>
        {seal && (
          <p class="back">
            <a href={`/V/${seal}?lang=${LANG_PARAM[locale]}`}>{t.backToVerdict}</a>
          </p>
        )}
        {error && (
          <div class="alert" role="alert" id="report-error">
            <h2>{t.errorHeading}</h2>
            <p>
              <a href={`#${error.field === 'problem' && seal === null ? 'place' : FIELD_ID[error.field]}`}>{labels[error.field]}</a>
              {locale === 'en' ? ': ' : '：'}
              {t.errors[error.problem]}
            </p>
          </div>
        )}
        <form method="post" action="/report" accept-charset="UTF-8">
          <input type="hidden" name="lang" value={LANG_PARAM[locale]} />
          {seal ? <input type="hidden" name="seal" value={seal} /> : <input type="hidden" name="problem" value="no_seal" />}
          {seal && (
            <fieldset aria-describedby={error?.field === 'problem' ? 'report-error' : undefined}>
              <legend>
                {t.problemLegend} <span class="hint">{`(${t.required})`}</span>
              </legend>
              {SHOPPER_PROBLEMS.map((problem) => (
                <label class="choice" for={`problem-${problem}`}>
                  <input type="radio" id={`problem-${problem}`} name="problem" value={problem} required checked={values?.problem === problem} />
                  {t.problems[problem]}
                </label>
              ))}
            </fieldset>
          )}
          <div class="field">
            <label for="place">
              {t.place} <span>{`(${placeRequired ? t.required : t.optional})`}</span>
            </label>
            <p class="hint" id="place-hint">
              {placeRequired ? t.placeHintNoSeal : t.placeHintSeal}
            </p>
            <input type="text" id="place" name="place" maxlength={FIELD_LIMITS.place} required={placeRequired} autocomplete="off" value={values?.place ?? ''} aria-describedby={describedBy('place', 'place-hint')} aria-invalid={invalid('place')} />
          </div>
          <div class="field">
            <label for="note">
              {t.note} <span>{`(${t.optional})`}</span>
            </label>
            <p class="hint" id="note-hint">
              {t.noteHint}
            </p>
            <textarea id="note" name="note" maxlength={FIELD_LIMITS.note} rows={4} aria-describedby={describedBy('note', 'note-hint')} aria-invalid={invalid('note')}>
              {values?.note ?? ''}
            </textarea>
          </div>
          {takesContact ? (
            <div class="field">
              <label for="contact">
                {t.contact} <span>{`(${t.optional})`}</span>
              </label>
              <p class="hint" id="contact-hint">
                {t.contactHint}
              </p>
              <input type="text" id="contact" name="contact" maxlength={FIELD_LIMITS.contact} autocomplete="off" value={values?.contact ?? ''} aria-describedby={describedBy('contact', 'contact-hint')} aria-invalid={invalid('contact')} />
            </div>
          ) : (
            <p class="hint" data-contact="unavailable">
              {t.noContact}
            </p>
          )}
          <button type="submit">{t.submit}</button>
        </form>
      </section>
      <section class="card">
        <h2>{t.privacyHeading}</h2>
        <p>{t.privacy}</p>
        {takesContact && <p>{t.privacyContact}</p>}
      </section>
    </Layout>
  );
}

export function ReportThanks({ locale, officialHost, seal }: { locale: Locale; officialHost: string | null; seal: string | null }) {
  const t = PAGE_MESSAGES[locale].report;
  const other: Locale = locale === 'en' ? 'zh-CN' : 'en';
  return (
    <Layout locale={locale} title={t.thanks.title} officialHost={officialHost} switchHref={thanksSwitch(seal, other)} extraCss={REPORT_CSS}>
      <section class="verdict pending" data-report="received">
        {stateIcon('authorized')}
        <div>
          <h1>{t.thanks.title}</h1>
          <p>{t.thanks.body}</p>
        </div>
      </section>
      <section class="card">
        <p>{t.thanks.next}</p>
        <p class="hotline">
          <a href="tel:12315">12315</a> {PAGE_MESSAGES[locale].hotline}
        </p>
        {seal && (
          <p class="back">
            <a href={`/V/${seal}?lang=${LANG_PARAM[locale]}`}>{t.backToVerdict}</a>
          </p>
        )}
      </section>
    </Layout>
  );
}

/** After a POST, the switch link opens the scan page (or the blank form) in the other language. */
function thanksSwitch(seal: string | null, locale: Locale): string {
  return seal ? `/V/${seal}?lang=${LANG_PARAM[locale]}` : formHref(null, locale);
}

export function ReportRefused({ locale, officialHost, kind, seal }: { locale: Locale; officialHost: string | null; kind: ReportRefusal; seal: string | null }) {
  const text = PAGE_MESSAGES[locale].report.refusals[kind];
  const other: Locale = locale === 'en' ? 'zh-CN' : 'en';
  return (
    <Layout locale={locale} title={text.title} officialHost={officialHost} switchHref={formHref(seal, other)} extraCss={REPORT_CSS}>
      <section class="verdict unknown" data-report-refused={kind}>
        {stateIcon('unknown')}
        <div>
          <h1>{text.title}</h1>
          <p>{text.body}</p>
        </div>
      </section>
      <section class="card">
        <p class="hotline">
          <a href="tel:12315">12315</a> {PAGE_MESSAGES[locale].hotline}
        </p>
        <p class="back">
          <a href={formHref(seal, locale)}>{PAGE_MESSAGES[locale].report.title}</a>
        </p>
      </section>
    </Layout>
  );
}
