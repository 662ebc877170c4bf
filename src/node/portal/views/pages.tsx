// The portal's pages: sign-in, activation, the holder's licences, one licence with its
// downloads, and the notice page for everything that is refused. Plain HTML forms: nothing
// needs JavaScript. Every form carries its CSRF token; nothing typed into a secret field is
// ever written back into a page.

import { cstDateTime, MESSAGES, REGIONS, type Locale } from '../../../core/index.ts';
import { PRINT_DPIS, PRINT_SIZES_MM } from '../../artwork/index.ts';
import type { CertificateLogRecord } from '../../artwork/index.ts';
import { CERTIFICATE_FILE, DOCUMENT_FILE, pngFile, PRINT_GUIDE_FILE, PROOF_FILE, SVG_FILE } from '../downloads.ts';
import { licenceState, renewalDue } from '../licence-state.ts';
import { PORTAL_MESSAGES, type FormProblem, type LicenceState, type NoticeKind } from '../messages.ts';
import type { PortalHolder, PortalLicence } from '../snapshot.ts';
import { Layout, portalHref, type Frame } from './layout.tsx';

/** What a form page says above its fields: a refusal (with detail words) or a confirmation. */
export interface FormNotice {
  problem?: FormProblem | 'password';
  /** Words after (or, for 'password', instead of) the problem's own. */
  detail?: string;
  ok?: string;
}

function Notice({ locale, notice }: { locale: Locale; notice: FormNotice | undefined }) {
  if (!notice) return null;
  if (notice.ok) {
    return (
      <p class="ok" role="status">
        {notice.ok}
      </p>
    );
  }
  if (!notice.problem) return null;
  const words = notice.problem === 'password' ? [] : [PORTAL_MESSAGES[locale].problems[notice.problem]];
  if (notice.detail) words.push(notice.detail);
  return (
    <p class="problem" role="alert" data-problem={notice.problem}>
      {words.join(' ')}
    </p>
  );
}

function Field(props: {
  id: string;
  label: string;
  hint?: string;
  type: 'text' | 'password';
  autocomplete: string;
  value?: string;
  minlength?: number;
  extra?: Record<string, string>;
}) {
  const hintId = props.hint ? `${props.id}-hint` : undefined;
  return (
    <>
      <label for={props.id}>{props.label}</label>
      {props.hint && (
        <span class="hint" id={hintId}>
          {props.hint}
        </span>
      )}
      <input
        type={props.type}
        id={props.id}
        name={props.id}
        autocomplete={props.autocomplete}
        value={props.value}
        required
        minlength={props.minlength}
        aria-describedby={hintId}
        {...(props.extra ?? {})}
      />
    </>
  );
}

const USCC_INPUT = { autocapitalize: 'characters', spellcheck: 'false', maxlength: '40' };

export interface SignInProps {
  frame: Frame;
  csrf: string;
  uscc?: string;
  user?: string;
  notice?: FormNotice;
}

export function SignInPage({ frame, csrf, uscc, user, notice }: SignInProps) {
  const t = PORTAL_MESSAGES[frame.locale];
  return (
    <Layout frame={frame} title={t.signIn.title}>
      <section class="card">
        <h1>{t.signIn.title}</h1>
        <p>{t.signIn.intro}</p>
        <Notice locale={frame.locale} notice={notice} />
        <form method="post" action={portalHref('/sign-in', frame.locale)} data-form="sign-in">
          <input type="hidden" name="csrf" value={csrf} />
          <Field id="uscc" label={t.signIn.uscc} hint={t.signIn.usccHint} type="text" autocomplete="on" value={uscc} extra={USCC_INPUT} />
          <Field id="user" label={t.signIn.user} hint={t.signIn.userHint} type="text" autocomplete="username" value={user} extra={{ autocapitalize: 'none', spellcheck: 'false', maxlength: '256' }} />
          <Field id="password" label={t.signIn.password} type="password" autocomplete="current-password" />
          <button type="submit">{t.signIn.submit}</button>
        </form>
      </section>
      <section class="card">
        <p>
          {t.signIn.firstTime}{' '}
          <a href={portalHref('/activate', frame.locale)} data-link="activate">
            {t.signIn.activateLink}
          </a>
        </p>
        <p>{t.signIn.forgot}</p>
      </section>
    </Layout>
  );
}

export interface ActivateProps {
  frame: Frame;
  csrf: string;
  uscc?: string;
  code?: string;
  notice?: FormNotice;
}

export function ActivatePage({ frame, csrf, uscc, code, notice }: ActivateProps) {
  const t = PORTAL_MESSAGES[frame.locale];
  return (
    <Layout frame={frame} title={t.activate.title}>
      <section class="card">
        <h1>{t.activate.title}</h1>
        <p>{t.activate.intro}</p>
        <Notice locale={frame.locale} notice={notice} />
        <form method="post" action={portalHref('/activate', frame.locale)} data-form="activate">
          <input type="hidden" name="csrf" value={csrf} />
          <Field id="uscc" label={t.signIn.uscc} hint={t.signIn.usccHint} type="text" autocomplete="on" value={uscc} extra={USCC_INPUT} />
          <Field id="code" label={t.activate.code} hint={t.activate.codeHint} type="text" autocomplete="one-time-code" value={code} extra={{ autocapitalize: 'characters', spellcheck: 'false', maxlength: '100' }} />
          <Field id="password" label={t.activate.password} hint={t.activate.passwordHint} type="password" autocomplete="new-password" minlength={15} />
          <Field id="confirm" label={t.activate.confirm} type="password" autocomplete="new-password" minlength={15} />
          <button type="submit">{t.activate.submit}</button>
        </form>
      </section>
      <section class="card">
        <p>
          {t.activate.haveAccount}{' '}
          <a href={portalHref('/sign-in', frame.locale)} data-link="sign-in">
            {t.activate.signInLink}
          </a>
        </p>
      </section>
    </Layout>
  );
}

/** The date a status changed, in Beijing. */
const changedOn = (licence: PortalLicence) => cstDateTime(licence.statusChangedAt).slice(0, 10);

function stateMeaning(locale: Locale, state: LicenceState, licence: PortalLicence): string | null {
  const m = PORTAL_MESSAGES[locale].stateMeaning;
  switch (state) {
    case 'suspended':
      return m.suspended(changedOn(licence), licence.statusReason);
    case 'revoked':
      return m.revoked(changedOn(licence), licence.statusReason);
    case 'expired':
      return m.expired(licence.validUntil);
    case 'not_yet_valid':
      return m.not_yet_valid(licence.validFrom);
    case 'valid':
      return null;
  }
}

function StateAlert({ locale, licence, now, link }: { locale: Locale; licence: PortalLicence; now: Date; link: boolean }) {
  const t = PORTAL_MESSAGES[locale];
  const state = licenceState(licence, now);
  const meaning = stateMeaning(locale, state, licence);
  if (!meaning) return null;
  return (
    <section class={`alert state-${state}`} data-state={state} data-licence={licence.number}>
      <h2>
        {t.states[state]} · {licence.number}
      </h2>
      <p>{meaning}</p>
      {link && (
        <p>
          <a href={portalHref(`/licences/${licence.number}`, locale)}>{t.list.details(licence.number)}</a>
        </p>
      )}
    </section>
  );
}

function Badge({ locale, state }: { locale: Locale; state: LicenceState }) {
  return (
    <span class={`badge state-${state}`} data-badge={state}>
      {PORTAL_MESSAGES[locale].states[state]}
    </span>
  );
}

function Reminder({ locale, licence, now }: { locale: Locale; licence: PortalLicence; now: Date }) {
  const days = renewalDue(licence, now);
  if (days === null) return null;
  return (
    <p class="reminder" data-renewal={days}>
      {PORTAL_MESSAGES[locale].licence.renewal(days, licence.validUntil)}
    </p>
  );
}

function List({ items }: { items: string[] }) {
  return items.length === 1 ? <>{items[0]}</> : <ul>{items.map((item) => <li>{item}</li>)}</ul>;
}

function LicenceFacts({ locale, licence, now, full }: { locale: Locale; licence: PortalLicence; now: Date; full: boolean }) {
  const t = PORTAL_MESSAGES[locale].licence;
  const core = MESSAGES[locale];
  const region = licence.region ? REGIONS[licence.region] : undefined;
  const state = licenceState(licence, now);
  return (
    <dl>
      <div>
        <dt>{t.status}</dt>
        <dd>
          <Badge locale={locale} state={state} />
          {(state === 'suspended' || state === 'revoked') && (
            <>
              {' '}
              {changedOn(licence)}
              {licence.statusReason && <> · {licence.statusReason}</>}
            </>
          )}
        </dd>
      </div>
      <div>
        <dt>{t.validity}</dt>
        <dd>{t.validRange(licence.validFrom, licence.validUntil)}</dd>
      </div>
      <div>
        <dt>{t.products}</dt>
        <dd>
          <List items={licence.products} />
        </dd>
      </div>
      {licence.trademarks.length > 0 && (
        <div>
          <dt>{t.trademarks}</dt>
          <dd>
            <List items={licence.trademarks} />
          </dd>
        </div>
      )}
      {full && (
        <>
          <div>
            <dt>{t.tier}</dt>
            <dd>{core.tiers[licence.tier]}</dd>
          </div>
          <div>
            <dt>{t.sector}</dt>
            <dd>{core.sectors[licence.sector]}</dd>
          </div>
          {licence.chain && (
            <div>
              <dt>{t.chain}</dt>
              <dd>{licence.chain}</dd>
            </div>
          )}
          {region && (
            <div>
              <dt>{t.region}</dt>
              <dd>{locale === 'en' ? region.en : region.zh}</dd>
            </div>
          )}
          <div>
            <dt>{t.issuedAt}</dt>
            <dd>{cstDateTime(licence.issuedAt).slice(0, 10)}</dd>
          </div>
        </>
      )}
      <div>
        <dt>{t.scanUrl}</dt>
        <dd class="url" data-scan-url="">
          {licence.sealUrl}
        </dd>
      </div>
    </dl>
  );
}

function HolderCard({ locale, holder }: { locale: Locale; holder: PortalHolder }) {
  const t = PORTAL_MESSAGES[locale].list;
  return (
    <section class="card">
      <dl>
        <div>
          <dt>{t.holder}</dt>
          <dd>{holder.name}</dd>
        </div>
        <div>
          <dt>{t.uscc}</dt>
          <dd>{holder.uscc}</dd>
        </div>
      </dl>
    </section>
  );
}

export function LicenceListPage({ frame, holder, licences, now }: { frame: Frame; holder: PortalHolder; licences: PortalLicence[]; now: Date }) {
  const { locale } = frame;
  const t = PORTAL_MESSAGES[locale];
  // Suspended and revoked first, plainly, before anything else.
  const urgent = licences.filter((l) => l.status !== 'valid');
  return (
    <Layout frame={frame} title={t.list.title}>
      <h1>{t.list.title}</h1>
      {urgent.map((licence) => (
        <StateAlert locale={locale} licence={licence} now={now} link />
      ))}
      <HolderCard locale={locale} holder={holder} />
      {licences.length === 0 && (
        <section class="card">
          <p>{t.list.none}</p>
        </section>
      )}
      {licences.map((licence) => (
        <section class="card" data-licence={licence.number} aria-labelledby={`l-${licence.serial}`}>
          <h2 id={`l-${licence.serial}`}>{licence.number}</h2>
          <Reminder locale={locale} licence={licence} now={now} />
          <LicenceFacts locale={locale} licence={licence} now={now} full={false} />
          <p>
            <a href={portalHref(`/licences/${licence.number}`, locale)} data-link="licence">
              {t.list.details(licence.number)}
            </a>
          </p>
        </section>
      ))}
    </Layout>
  );
}

export function LicenceDetailPage(props: { frame: Frame; licence: PortalLicence; now: Date; qrDataUrl: string; log?: CertificateLogRecord; verifyOrigin: string }) {
  const { frame, licence, now, log } = props;
  const { locale } = frame;
  const t = PORTAL_MESSAGES[locale];
  const d = t.downloads;
  const file = (name: string) => portalHref(`/licences/${licence.number}/${name}`, locale);
  const state = licenceState(licence, now);
  const [before, after] = d.documentNote(`${licence.number}.jws`);
  return (
    <Layout frame={frame} title={t.licence.title(licence.number)}>
      <h1>{t.licence.title(licence.number)}</h1>
      {state !== 'valid' && <StateAlert locale={locale} licence={licence} now={now} link={false} />}
      <section class="card" data-licence={licence.number}>
        <Reminder locale={locale} licence={licence} now={now} />
        <img class="qr" src={props.qrDataUrl} alt={t.licence.preview(licence.number)} width="160" height="160" />
        <LicenceFacts locale={locale} licence={licence} now={now} full />
      </section>
      <section class="card downloads" aria-labelledby="downloads">
        <h2 id="downloads">{d.title}</h2>
        <p>{d.intro}</p>
        <ul>
          <li>
            <a href={file(SVG_FILE)} data-download="svg">
              {d.svg}
            </a>
            <p>{d.svgNote}</p>
          </li>
          <li>
            <h3 id="png">{d.png}</h3>
            <p>{d.pngNote}</p>
            <ul class="sizes" aria-labelledby="png">
              {PRINT_SIZES_MM.flatMap((mm) =>
                PRINT_DPIS.map((dpi) => (
                  <li>
                    <a href={file(pngFile(mm, dpi))} data-download={`png-${mm}-${dpi}`}>
                      {d.pngLink(mm, dpi)}
                    </a>
                  </li>
                )),
              )}
            </ul>
          </li>
          <li>
            <a href={file(CERTIFICATE_FILE)} data-download="pdf">
              {d.certificate}
            </a>
            <p>{d.certificateNote}</p>
          </li>
          <li>
            <a href={file(PRINT_GUIDE_FILE)} data-download="print-guide">
              {d.printGuide}
            </a>
            <p>{d.printGuideNote}</p>
          </li>
          <li>
            <a href={file(DOCUMENT_FILE)} data-download="jws">
              {d.document}
            </a>
            <p data-verify-hint="">
              {before} <span class="url">{licence.sealUrl}</span> {after}
            </p>
          </li>
          {log?.proof !== undefined && (
            <li>
              <a href={file(PROOF_FILE)} data-download="tlog-proof">
                {d.proof}
              </a>
              <p>{d.proofNote(log.index, `${licence.number}.jws`, `${licence.number}.tlog-proof`)}</p>
            </li>
          )}
          {log && log.proof === undefined && (
            <li data-log-pending="">
              <p>{d.proofPending(log.index, `${props.verifyOrigin}/log/entry/${log.index}`)}</p>
            </li>
          )}
        </ul>
      </section>
      <p>
        <a href={portalHref('/', locale)} data-link="licences">
          {t.licence.back}
        </a>
      </p>
    </Layout>
  );
}

export function NoticePage({ frame, kind, detail }: { frame: Frame; kind: NoticeKind; detail?: string }) {
  const t = PORTAL_MESSAGES[frame.locale];
  const notice = t.notices[kind];
  return (
    <Layout frame={frame} title={notice.title}>
      <section class="card" data-notice={kind}>
        <h1>{notice.title}</h1>
        <p>{notice.body}</p>
        {detail && <p>{detail}</p>}
        <p>
          <a href={portalHref('/', frame.locale)}>{t.backToStart}</a>
        </p>
      </section>
    </Layout>
  );
}
