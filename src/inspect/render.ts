// The inspector page's DOM, built from data only (text is always set as text, never as HTML):
// the verdict as the scan page shows it (same classes, same icons from the shell's
// templates), then how old its data is and where it was judged.

import { formatDate, formatInstant, MESSAGES, REGIONS, SHOWS_LICENCE, VERDICT_STATE, type LicenceEntry, type Locale } from '../core/index.ts';
import type { Judged } from './judge.ts';
import { INSPECT_MESSAGES, type InspectMessages } from './messages.ts';

type Child = Node | string | null | undefined | false;

export function h(tag: string, attrs: Record<string, string | boolean | undefined> = {}, ...children: (Child | Child[])[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    el.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return el;
}

/** The state icon from the shell's <template id="icon-STATE"> (drawn by the verifier). */
function icon(state: string): Node | null {
  const template = document.getElementById(`icon-${state}`) as HTMLTemplateElement | null;
  return template ? template.content.cloneNode(true) : null;
}

export function instant(iso: string, locale: Locale): string {
  return formatInstant(iso, locale, MESSAGES[locale].beijingTime);
}

export function age(iso: string, now: Date, locale: Locale): string {
  return INSPECT_MESSAGES[locale].ago(Math.max(0, Math.floor((now.getTime() - Date.parse(iso)) / 60000)));
}

export function verdictView(judged: Judged, now: Date, locale: Locale): HTMLElement {
  const { verdict } = judged;
  const text = MESSAGES[locale].outcomes[verdict.code];
  const t = INSPECT_MESSAGES[locale];
  const state = VERDICT_STATE[verdict.code];
  return h(
    'div',
    { class: 'result', 'data-outcome': verdict.code, 'data-where': judged.where },
    h('section', { class: `verdict ${state}` }, icon(state), h('div', {}, h('h2', { class: 'title' }, text.title), h('p', {}, text.summary))),
    h(
      'p',
      { class: 'asof', 'data-asof': verdict.statusAsOf ?? '' },
      h('b', {}, judged.where === 'online' ? t.judgedOnline : t.judgedDevice),
      // A seal that failed its own checks says nothing about status: no data age beside it.
      SHOWS_LICENCE.has(verdict.code) || verdict.code === 'cannot_confirm'
        ? [' · ', verdict.statusAsOf ? t.statusAsOf(instant(verdict.statusAsOf, locale), age(verdict.statusAsOf, now, locale)) : t.noStatusData]
        : [],
    ),
    judged.reason && h('p', { class: 'reason', 'data-reason': judged.reason }, t.reasons[judged.reason]),
    !verdict.authorized && h('section', { class: 'card' }, h('p', {}, text.advice)),
    verdict.licence && SHOWS_LICENCE.has(verdict.code)
      ? licenceView(verdict.licence, locale)
      : (verdict.code === 'revoked' || verdict.code === 'suspended') && h('section', { class: 'card', 'data-details': 'unconfirmed' }, h('p', {}, t.detailsUnconfirmed)),
    h('p', { class: 'meta' }, `${t.checkedAt} ${instant(verdict.checkedAt, locale)}`),
  );
}

function licenceView(licence: LicenceEntry, locale: Locale): HTMLElement {
  const m = MESSAGES[locale];
  const t = m.fields;
  const region = licence.region ? (REGIONS[licence.region]?.[locale === 'en' ? 'en' : 'zh'] ?? licence.region) : null;
  const row = (label: string, value: string | string[] | null, cls?: string) =>
    value === null || (Array.isArray(value) && value.length === 0)
      ? null
      : h('div', { class: cls }, h('dt', {}, label), h('dd', {}, Array.isArray(value) ? (value.length === 1 ? value[0]! : h('ul', {}, value.map((v) => h('li', {}, v)))) : value));
  const changed = licence.status !== 'valid';
  return h(
    'section',
    { class: 'card' },
    h('h3', {}, INSPECT_MESSAGES[locale].detailsHeading),
    h(
      'dl',
      {},
      row(t.holder, licence.holder.name, 'holder'),
      row(t.uscc, licence.holder.uscc),
      row(t.address, licence.holder.address),
      changed && row(t.status, m.statuses[licence.status]),
      changed && row(t.statusReason, licence.statusReason),
      changed && row(t.statusChangedAt, instant(licence.statusChangedAt, locale)),
      row(t.products, licence.products),
      row(t.trademarks, licence.trademarks),
      row(t.tier, m.tiers[licence.tier]),
      row(t.sector, licence.chain ? `${m.sectors[licence.sector]} · ${licence.chain}` : m.sectors[licence.sector]),
      row(t.region, region),
      row(t.number, licence.number),
      row(t.validity, `${formatDate(licence.validFrom, locale)} – ${formatDate(licence.validUntil, locale)}`),
    ),
  );
}

/** A code that is not a seal of this programme: said so, its text shown, never a link. */
export function foreignView(text: string, t: InspectMessages): HTMLElement {
  const shown = text.length > 500 ? `${text.slice(0, 500)}…` : text;
  return h(
    'div',
    { class: 'result', 'data-outcome': 'foreign' },
    h('section', { class: 'verdict invalid' }, icon('invalid'), h('div', {}, h('h2', { class: 'title' }, t.notOurs))),
    h('section', { class: 'card' }, h('p', {}, t.notOursBody), h('p', { class: 'code-text' }, shown)),
  );
}

export function problemView(message: string, kind: string): HTMLElement {
  return h('div', { class: 'result', 'data-outcome': kind }, h('p', { class: 'notice bad', role: 'alert' }, message));
}
