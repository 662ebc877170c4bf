// The transparency log's pages: /log (the checkpoint this verifier accepted, the newest
// entries, and a split-view warning once one was seen) and /log/entry/N (one entry in plain
// words, with its inclusion proof as this verifier checked it). Everything shown is what the
// checkpoint's root commits to; the pages need no script.

import { encodeBase64, MESSAGES, parseCheckpoint, parseNote, REGIONS, type KeyLogEntry, type LicenceLogEntry, type Locale, type LogEntry } from '../../core/index.ts';
import type { LogView } from '../log-cache.ts';
import { claimedSize, type SplitView } from '../log-keeper.ts';
import type { EntryWithProof, NewestEntries, ShownEntry } from '../log-reader.ts';
import { LANG_PARAM } from '../locale.ts';
import { PAGE_MESSAGES } from '../messages.ts';
import { formatDate, formatInstant } from './format.ts';
import { stateIcon } from './icons.ts';
import { Layout } from './layout.tsx';
import { LOG_CSS } from './style.ts';
import { Row } from './verdict.tsx';

interface PageProps {
  locale: Locale;
  officialHost: string | null;
}

const entryHref = (index: number, locale: Locale) => `/log/entry/${index}?lang=${LANG_PARAM[locale]}`;

export function LogPage({ locale, officialHost, view, newest }: PageProps & { view: LogView; newest: NewestEntries | null }) {
  const t = PAGE_MESSAGES[locale].log;
  const accepted = view.accepted;
  const newestEntry = newest?.verified ? newest.entries[0]?.entry : null;
  return (
    <Layout locale={locale} title={t.title} officialHost={officialHost} extraCss={LOG_CSS}>
      {view.splitView && <SplitViewWarning splitView={view.splitView} locale={locale} />}
      <section class="card log" data-page="log">
        <h1>{t.title}</h1>
        <p>{t.intro}</p>
      </section>
      {view.refused && view.refused.kind !== 'split' && accepted && (
        <section class="card" data-refused={view.refused.kind}>
          <p>
            {view.refused.kind === 'older'
              ? t.refused.older(view.refused.size, accepted.checkpoint.size)
              : view.refused.kind === 'unchecked'
                ? t.refused.unchecked(view.refused.size)
                : t.refused.unverified}
          </p>
        </section>
      )}
      {accepted ? (
        <>
          <section class="card" data-checkpoint={accepted.checkpoint.size}>
            <h2>{t.checkpointHeading}</h2>
            <dl>
              <div>
                <dt>{t.size}</dt>
                <dd>{accepted.checkpoint.size}</dd>
              </div>
              <div>
                <dt>{t.root}</dt>
                <dd class="hash">{encodeBase64(accepted.checkpoint.root)}</dd>
              </div>
              {newestEntry && (
                <div>
                  <dt>{t.time}</dt>
                  <dd>{formatInstant(newestEntry.time, locale)}</dd>
                </div>
              )}
            </dl>
            <p class="more">{t.signed}</p>
            <p class="more">
              <a href="/log/checkpoint">{t.checkpointLink}</a>
            </p>
          </section>
          <section class="card">
            <h2>{t.newestHeading}</h2>
            {!newest ? (
              <p data-newest="unavailable">{t.unavailable.body}</p>
            ) : !newest.verified ? (
              <p data-newest="unverified">{t.newestUnverified}</p>
            ) : newest.entries.length === 0 ? (
              <p>{t.empty}</p>
            ) : (
              <ol class="entries">
                {newest.entries.map((e) => (
                  <EntryLine shown={e} locale={locale} />
                ))}
              </ol>
            )}
          </section>
          <section class="card">
            <h2>{t.auditHeading}</h2>
            <p>{t.audit}</p>
          </section>
        </>
      ) : (
        <section class="card" data-log="not-published">
          <h2>{t.notPublished.title}</h2>
          <p>{t.notPublished.body}</p>
        </section>
      )}
    </Layout>
  );
}

function EntryLine({ shown, locale }: { shown: ShownEntry; locale: Locale }) {
  const t = PAGE_MESSAGES[locale].log;
  const e = shown.entry;
  return (
    <li>
      <a href={entryHref(shown.index, locale)}>
        {t.entryLabel(shown.index)}
        {e ? ` · ${t.events[e.event]}` : ''}
      </a>
      <span>{e ? [formatInstant(e.time, locale), ...subject(e, locale)].join(' · ') : t.entry.unreadable}</span>
    </li>
  );
}

/** Whom an entry is about, in a few words: the licence and its holder, the holder, or the key list. */
function subject(e: LogEntry, locale: Locale): string[] {
  if ('licence' in e) return [e.licence.number, e.licence.holder.name];
  if ('holder' in e) return [e.holder.name, e.holder.uscc];
  const t = PAGE_MESSAGES[locale].log.entry;
  return [`${t.keyList} ${t.keyListValue(e.keyList.version)}`];
}

function SplitViewWarning({ splitView, locale }: { splitView: SplitView; locale: Locale }) {
  const t = PAGE_MESSAGES[locale].log.splitView;
  const head = (note: string) => {
    try {
      const c = parseCheckpoint(parseNote(note).text);
      return `${c.size} · ${encodeBase64(c.root)}`;
    } catch {
      return String(claimedSize(note));
    }
  };
  return (
    <section class="card warn" data-split-view={splitView.kind} role="alert">
      <h2>{t.title}</h2>
      <p>{t.body}</p>
      <p class="warn-note">{splitView.kind === 'fork' ? t.fork : t.inconsistent}</p>
      <dl class="warn-note">
        <div>
          <dt>{t.seenAt}</dt>
          <dd>{formatInstant(splitView.seenAt, locale)}</dd>
        </div>
        <div>
          <dt>{t.accepted}</dt>
          <dd class="hash">{head(splitView.accepted)}</dd>
        </div>
        <div>
          <dt>{t.offered}</dt>
          <dd class="hash">{head(splitView.offered)}</dd>
        </div>
      </dl>
      <details>
        <summary>{t.evidence}</summary>
        <pre>{splitView.accepted}</pre>
        <pre>{splitView.offered}</pre>
      </details>
    </section>
  );
}

export function LogEntryPage({ locale, officialHost, found, size, root }: PageProps & { found: EntryWithProof; size: number; root: Uint8Array }) {
  const t = PAGE_MESSAGES[locale].log;
  const e = found.entry;
  return (
    <Layout locale={locale} title={t.entry.title(found.index)} officialHost={officialHost} extraCss={LOG_CSS}>
      <section class="card log" data-page="log-entry">
        <h1>{t.entry.title(found.index)}</h1>
        {e && <p>{t.events[e.event]}</p>}
      </section>
      <section class={`verdict ${found.verified ? 'authorized' : 'revoked'}`} data-proof={found.verified ? 'verified' : 'failed'}>
        {stateIcon(found.verified ? 'authorized' : 'revoked')}
        <div>
          <h2>{found.verified ? t.entry.verified : t.entry.failed}</h2>
          <p>{found.verified ? t.entry.verifiedBody(size) : t.entry.failedBody}</p>
        </div>
      </section>
      {found.verified && (
        <section class="card">
          {e ? <EntryDetails entry={e} locale={locale} /> : <p>{t.entry.unreadable}</p>}
        </section>
      )}
      <section class="card">
        <h2>{t.entry.proofHeading}</h2>
        <dl>
          <div>
            <dt>{t.entry.leafHash}</dt>
            <dd class="hash">{encodeBase64(found.leafHash)}</dd>
          </div>
          <div>
            <dt>{t.entry.treeSize}</dt>
            <dd>{size}</dd>
          </div>
          <div>
            <dt>{t.root}</dt>
            <dd class="hash">{encodeBase64(root)}</dd>
          </div>
        </dl>
        {found.proof.length > 0 && (
          <>
            <p class="more">{t.entry.proofBody}</p>
            <ol class="proof hash">
              {found.proof.map((h) => (
                <li>{encodeBase64(h)}</li>
              ))}
            </ol>
          </>
        )}
        {found.verified && (
          <p class="more">
            <a href={`/log/entry/${found.index}.tlog-proof`} download={`qdyp-log-${found.index}.tlog-proof`}>
              {t.entry.download}
            </a>
          </p>
        )}
        <p class="more">
          <a href={`/log?lang=${LANG_PARAM[locale]}`}>{t.entry.back}</a>
        </p>
      </section>
    </Layout>
  );
}

function EntryDetails({ entry, locale }: { entry: LogEntry; locale: Locale }) {
  const t = PAGE_MESSAGES[locale].log;
  const f = MESSAGES[locale].fields;
  const head = [
    <Row label={t.entry.event} value={t.events[entry.event]} />,
    <Row label={t.entry.time} value={formatInstant(entry.time, locale)} />,
  ];
  if ('licence' in entry) return <dl>{[...head, ...licenceRows(entry, locale)]}</dl>;
  if ('holder' in entry) {
    return (
      <dl>
        {head}
        <Row label={f.holder} value={entry.holder.name} />
        <Row label={f.uscc} value={entry.holder.uscc} />
        {entry.holder.address && <Row label={f.address} value={entry.holder.address} />}
      </dl>
    );
  }
  return <dl>{[...head, ...keyRows(entry, locale)]}</dl>;
}

function licenceRows({ licence: l }: LicenceLogEntry, locale: Locale) {
  const t = PAGE_MESSAGES[locale].log;
  const m = MESSAGES[locale];
  const f = m.fields;
  const region = l.region ? (REGIONS[l.region]?.[locale === 'en' ? 'en' : 'zh'] ?? l.region) : null;
  return [
    <Row label={f.number} value={l.number} />,
    <Row label={f.holder} value={l.holder.name} />,
    <Row label={f.uscc} value={l.holder.uscc} />,
    l.holder.address && <Row label={f.address} value={l.holder.address} />,
    <Row label={f.status} value={m.statuses[l.status]} />,
    l.statusReason && <Row label={f.statusReason} value={l.statusReason} />,
    <Row label={f.statusChangedAt} value={formatInstant(l.statusChangedAt, locale)} />,
    <Row label={f.products} values={l.products} />,
    <Row label={f.trademarks} values={l.trademarks} />,
    <Row label={f.tier} value={m.tiers[l.tier]} />,
    <Row label={f.sector} value={l.chain ? `${m.sectors[l.sector]} · ${l.chain}` : m.sectors[l.sector]} />,
    region && <Row label={f.region} value={region} />,
    <Row label={f.validity} value={`${formatDate(l.validFrom, locale)} – ${formatDate(l.validUntil, locale)}`} />,
    <Row label={t.entry.serial} value={`${l.serial} / ${l.rev}`} />,
    <Row label={t.entry.sealKid} value={l.sealKid} hash />,
  ];
}

function keyRows({ keys, keyList }: KeyLogEntry, locale: Locale) {
  const t = PAGE_MESSAGES[locale].log;
  return [
    <Row label={t.entry.keys} values={keys.map((k) => `${k.kid} (${t.keyRoles[k.role]}, ${t.keyStatuses[k.status]})`)} hash />,
    <Row label={t.entry.keyList} value={t.entry.keyListValue(keyList.version)} />,
    <Row label={t.entry.keyListSha256} value={keyList.sha256} hash />,
  ];
}


/** The log's own notices: not published yet (404), the entry not in it (404), unreadable (503). */
export function LogNoticePage({ locale, officialHost, title, body }: PageProps & { title: string; body: string }) {
  const t = PAGE_MESSAGES[locale].log;
  return (
    <Layout locale={locale} title={title} officialHost={officialHost} extraCss={LOG_CSS}>
      <section class="verdict unknown" data-notice="log">
        {stateIcon('unknown')}
        <div>
          <h1>{title}</h1>
          <p>{body}</p>
        </div>
      </section>
      <section class="card">
        <p class="more">
          <a href={`/log?lang=${LANG_PARAM[locale]}`}>{t.entry.back}</a>
        </p>
      </section>
    </Layout>
  );
}
