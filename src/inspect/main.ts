// The inspector's page (/inspect): scan a seal by camera or photo, judge it on the device from a
// trust bundle verified here by src/core against the root built into the page, and say every
// time how old that data is and where the verdict was made. It syncs when it opens, when the
// network comes back and on request; a failed sync keeps the last good data and says so.

import { csvDocument, isRegionCode, MESSAGES, peekHeader, REGIONS, rootTrust, TYP, verifyInspectorToken, type InspectorClaims, type Locale, type Outcome, type PublicJwk, type RootTrust } from '../core/index.ts';
import { Device, STALE_AFTER_MS, trustedNow, type DeviceTrust, type SyncError } from './device.ts';
import { DeviceDatabase, type CheckRecord } from './idb.ts';
import { classifyCode, judgeOnDevice, judgeOnline, type Judged } from './judge.ts';
import { INSPECT_MESSAGES, type InspectMessages } from './messages.ts';
import { age, foreignView, h, instant, problemView, verdictView } from './render.ts';
import { newIdempotencyKey, reportPhoto, sendQueued, type QueuedReport } from './outbox.ts';
import { Scanner, type PhotoResult } from './scanner.ts';

interface PageConfig {
  root: PublicJwk | null;
  /** Hosts whose /v/ URLs are this programme's seals (the official origin's, this page's). */
  hosts: string[];
}

/** While the page is open and visible it syncs this often. */
const RESYNC_MS = 15 * 60 * 1000;
const LANG_KEY = 'qdyp-inspect-lang';
const TOKEN_KEY = 'inspectorToken';
/** What the edge takes in `place` and `note`: at most 500 characters, no control characters. */
const REPORT_TEXT = /^[^\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]{0,500}$/;
const SCOPE_KEY = 'scope';

const SYNC_ERRORS: Record<Locale, Record<SyncError, string>> = {
  'zh-CN': {
    offline: '无法连接服务器',
    http: '服务器出错',
    not_published: '服务器上还没有查验数据',
    refused: '数据签名或格式不对，已拒收',
    rolled_back: '服务器的数据比本机的旧，已拒收',
    stale: '服务器的数据已过期，已拒收',
    storage: '本机存储空间不足',
    log_inconsistent: '公开日志与本机此前看到的不一致（可能被改写），本次同步已拒收',
  },
  en: {
    offline: 'the server could not be reached',
    http: 'the server answered with an error',
    not_published: 'the server has no inspection data yet',
    refused: 'the data failed its signature or format check and was refused',
    rolled_back: 'the server’s data is older than this device’s and was refused',
    stale: 'the server’s data has expired and was refused',
    storage: 'this device is out of storage',
    log_inconsistent: 'the public log contradicts the one this device saw before (it may have been rewritten), so this sync was refused',
  },
};

function pickLocale(): Locale {
  const asked = new URLSearchParams(location.search).get('lang') ?? localStorage.getItem(LANG_KEY) ?? navigator.language ?? '';
  return asked.toLowerCase().startsWith('en') ? 'en' : 'zh-CN';
}

function readConfig(): PageConfig {
  try {
    const value = JSON.parse(document.getElementById('qdyp-config')?.textContent ?? '{}') as Partial<PageConfig>;
    return { root: value.root ?? null, hosts: Array.isArray(value.hosts) ? value.hosts.filter((x) => typeof x === 'string') : [] };
  } catch {
    return { root: null, hosts: [] };
  }
}

/** A decoded code that is an inspector token (to keep on the device), not a seal. */
function isInspectorToken(text: string): boolean {
  try {
    return peekHeader(text.trim(), 4096).typ === TYP.inspector;
  } catch {
    return false;
  }
}

/** The nodes among `items` (conditionals give false or null). */
function present(...items: (Node | false | null | undefined)[]): Node[] {
  return items.filter((x): x is Node => !!x);
}

const fetchPath = (path: string, init?: RequestInit) => fetch(path, { cache: 'no-store', credentials: 'omit', ...init });

class InspectPage {
  private locale: Locale = pickLocale();
  private trust: DeviceTrust | null = null;
  private syncing = false;
  private lastSyncDetail: string | undefined;
  private stopCamera: (() => void) | null = null;
  private persisted: boolean | null = null;
  private readonly scanner = new Scanner('/inspect/decoder.js');
  private readonly app = document.getElementById('app')!;
  private readonly ui = {
    banners: h('div', { class: 'banners' }),
    result: h('section', { class: 'result-area', 'aria-live': 'polite', 'aria-atomic': 'true', id: 'result' }),
    video: h('video', { class: 'camera', hidden: true, playsinline: true, muted: true, 'aria-hidden': 'true' }) as HTMLVideoElement,
    data: h('section', { class: 'card data', id: 'data' }),
    history: h('section', { class: 'card history', id: 'history' }),
    scan: h('section', { class: 'card scan' }),
    reports: h('section', { class: 'card reports', id: 'reports' }),
  };
  /** The inspector token on this device (a JWS), and the last photo scanned (for a report). */
  private token: string | null = null;
  private lastPhoto: File | null = null;
  private sending = false;

  constructor(
    private readonly db: DeviceDatabase | null,
    private readonly device: Device | null,
    private readonly config: PageConfig,
  ) {}

  private get t(): InspectMessages {
    return INSPECT_MESSAGES[this.locale];
  }

  private now(): { now: Date; clockBehind: boolean } {
    return trustedNow(Date.now(), this.trust?.floors ?? { keyListVersion: 0, statusIat: 0, revisionIat: 0, bundleIat: 0, signedTime: 0 });
  }

  async start(): Promise<void> {
    this.app.replaceChildren(this.ui.banners, this.ui.scan, this.ui.video, this.ui.result, this.ui.data, this.ui.reports, this.ui.history);
    this.token = (await this.db?.get<string>(TOKEN_KEY).catch(() => undefined)) ?? null;
    this.renderAll();
    document.getElementById('lang')?.addEventListener('click', () => this.switchLanguage());
    if (this.device) {
      this.trust = await this.device.load();
      this.renderAll();
      if (navigator.onLine) void this.sync();
    }
    window.addEventListener('online', () => {
      this.renderBanners();
      void this.sync();
      void this.sendReports();
    });
    if (navigator.onLine) void this.sendReports();
    window.addEventListener('offline', () => this.renderBanners());
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible' && navigator.onLine && Date.now() - (this.trust?.lastAttempt?.at ?? 0) > RESYNC_MS) void this.sync();
    });
    setInterval(() => {
      if (document.visibilityState === 'visible' && navigator.onLine) void this.sync();
    }, RESYNC_MS);
  }

  private switchLanguage(): void {
    this.locale = this.locale === 'en' ? 'zh-CN' : 'en';
    localStorage.setItem(LANG_KEY, this.locale === 'en' ? 'en' : 'zh');
    this.ui.result.replaceChildren();
    this.renderAll();
  }

  private renderAll(): void {
    const t = this.t;
    document.documentElement.lang = this.locale;
    document.title = `${t.title} · ${t.programme}`;
    const lang = document.getElementById('lang');
    if (lang) {
      lang.textContent = t.otherLanguage;
      lang.setAttribute('lang', this.locale === 'en' ? 'zh-CN' : 'en');
    }
    const service = document.getElementById('service');
    if (service) service.textContent = t.title;
    const programme = document.getElementById('programme');
    if (programme) programme.textContent = t.programme;
    this.renderScan();
    this.renderBanners();
    this.renderData();
    void this.renderReports();
    void this.renderHistory();
  }

  private renderScan(): void {
    const t = this.t;
    const cameraButton = h('button', { type: 'button', class: 'primary', id: 'camera' }, this.stopCamera ? t.stopCamera : t.camera);
    cameraButton.addEventListener('click', () => void this.toggleCamera());
    const take = h('input', { type: 'file', accept: 'image/*', capture: 'environment', id: 'photo-take', class: 'file' }) as HTMLInputElement;
    const choose = h('input', { type: 'file', accept: 'image/*', id: 'photo', class: 'file' }) as HTMLInputElement;
    for (const input of [take, choose]) {
      input.addEventListener('change', () => {
        const file = input.files?.[0];
        input.value = '';
        if (file) void this.photo(file);
      });
    }
    const hasCamera = typeof navigator.mediaDevices?.getUserMedia === 'function';
    this.ui.scan.replaceChildren(
      ...present(h('h2', {}, t.scanHeading),
      hasCamera && cameraButton,
      hasCamera && h('p', { class: 'hint' }, t.cameraHint),
      h('label', { class: 'button', for: 'photo-take' }, t.photo),
      take,
      h('label', { class: 'button', for: 'photo' }, t.choosePhoto),
      choose,
      h('p', { class: 'hint' }, t.photoHint)),
    );
  }

  private renderBanners(): void {
    const t = this.t;
    const banners: HTMLElement[] = [];
    if (/MicroMessenger/i.test(navigator.userAgent)) {
      const copy = h('button', { type: 'button', class: 'small' }, t.copyLink);
      copy.addEventListener('click', () => {
        void navigator.clipboard?.writeText(location.href).then(() => (copy.textContent = t.copied));
      });
      banners.push(h('div', { class: 'notice warn', 'data-banner': 'wechat' }, h('p', {}, t.wechat), copy));
    }
    const { now, clockBehind } = this.now();
    if (clockBehind && this.trust) {
      banners.push(h('p', { class: 'notice warn', 'data-banner': 'clock' }, t.clockBehind(instant(new Date().toISOString(), this.locale), instant(new Date(this.trust.floors.signedTime * 1000).toISOString(), this.locale))));
    }
    const status = this.trust?.opened?.context.statusList;
    if (status) {
      if (now.getTime() >= status.exp * 1000) banners.push(h('p', { class: 'notice bad', 'data-banner': 'expired' }, t.dataExpired(instant(new Date(status.exp * 1000).toISOString(), this.locale))));
      else {
        // Stale when neither the data nor the last good sync is fresh (a quiet office publishes rarely).
        const freshest = Math.max(status.iat * 1000, Math.min(this.trust?.saved?.syncedAt ?? 0, now.getTime()));
        if (now.getTime() - freshest > STALE_AFTER_MS) banners.push(h('p', { class: 'notice warn', 'data-banner': 'stale' }, t.staleWarning(Math.floor((now.getTime() - freshest) / 3600000))));
      }
    }
    const attempt = this.trust?.lastAttempt;
    if (attempt && !attempt.ok && attempt.error) {
      const reason = SYNC_ERRORS[this.locale][attempt.error];
      banners.push(h('p', { class: 'notice bad', 'data-banner': 'sync-failed' }, t.syncFailed(instant(new Date(attempt.at).toISOString(), this.locale), reason), this.lastSyncDetail && this.locale === 'en' ? ` (${this.lastSyncDetail})` : '', ' ', this.trust?.opened ? t.stillUsing : ''));
    }
    if (!navigator.onLine) banners.push(h('p', { class: 'notice', 'data-banner': 'offline' }, t.offlineNow));
    if (this.persisted === false && this.trust?.opened) banners.push(h('p', { class: 'notice', 'data-banner': 'storage' }, t.storageNotPersisted));
    this.ui.banners.replaceChildren(...banners);
  }

  private renderData(): void {
    const t = this.t;
    const opened = this.trust?.opened;
    const { now } = this.now();
    const scope = h('select', { id: 'scope' }) as HTMLSelectElement;
    const current = this.trust?.saved?.region ?? '';
    scope.append(h('option', { value: '', selected: current === '' }, t.wholeCity));
    for (const [code, name] of Object.entries(REGIONS)) {
      if (code === '370200') continue;
      scope.append(h('option', { value: code, selected: current === code }, this.locale === 'en' ? name.en : name.zh));
    }
    scope.addEventListener('change', () => void this.sync(scope.value || null, true));
    const sync = h('button', { type: 'button', id: 'sync', disabled: this.syncing || !this.device }, this.syncing ? t.syncing : t.sync);
    sync.addEventListener('click', () => void this.sync(scope.value || null, true));
    const status = opened?.context.statusList;
    const scopeName = opened?.region ? (this.locale === 'en' ? REGIONS[opened.region]?.en : REGIONS[opened.region]?.zh) ?? opened.region : t.wholeCity;
    this.ui.data.replaceChildren(
      ...present(h('h2', {}, t.dataHeading),
      opened && status
        ? h(
            'p',
            { class: 'data-asof', 'data-asof': status.asOf, 'data-count': String(opened.count) },
            t.statusAsOf(instant(status.asOf, this.locale), age(status.asOf, now, this.locale)),
            h('br'),
            t.synced(opened.count, scopeName),
          )
        : h('p', { class: 'data-asof', 'data-asof': '' }, t.noData, ' ', t.noDataAdvice),
      this.trust?.problem ? h('p', { class: 'notice bad' }, this.trust.problem) : null,
      h('label', { for: 'scope' }, t.scope),
      scope,
      sync),
    );
  }

  private async renderHistory(): Promise<void> {
    const t = this.t;
    const checks = this.db ? await this.db.checks().catch(() => []) : [];
    const exportButton = h('button', { type: 'button', id: 'export', disabled: checks.length === 0 }, t.exportCsv);
    exportButton.addEventListener('click', () => this.exportCsv(checks));
    const clear = h('button', { type: 'button', id: 'clear', disabled: checks.length === 0 }, t.clearHistory);
    clear.addEventListener('click', () => {
      if (!confirm(t.confirmClear)) return;
      void this.db?.clearChecks().then(() => this.renderHistory());
    });
    const titleOf = (c: CheckRecord) => (c.code === 'foreign' ? t.notOurs : MESSAGES[this.locale].outcomes[c.code].title);
    this.ui.history.replaceChildren(
      h('h2', {}, t.historyHeading),
      checks.length === 0
        ? h('p', {}, t.historyEmpty)
        : h(
            'ol',
            { class: 'checks' },
            checks.slice(0, 30).map((c) =>
              h(
                'li',
                { 'data-code': c.code },
                h('b', {}, titleOf(c)),
                ' ',
                c.number ?? '',
                h('br'),
                h('small', {}, `${instant(c.at, this.locale)}${c.where ? ` · ${t.judgedShort[c.where]}` : ''}${c.statusAsOf ? ` · ${t.statusAsOf(instant(c.statusAsOf, this.locale), age(c.statusAsOf, new Date(c.at), this.locale))}` : ''}`),
              ),
            ),
          ),
      h('div', { class: 'row' }, exportButton, clear),
    );
  }

  private exportCsv(checks: CheckRecord[]): void {
    const t = this.t;
    const rows = [t.csvColumns as readonly string[], ...checks.map((c) => [c.at, c.number, c.holder, c.code, c.code === 'foreign' ? `${t.notOurs}: ${c.text ?? ''}` : MESSAGES[this.locale].outcomes[c.code].title, c.statusAsOf, c.where ? t.judgedShort[c.where] : '', c.text ?? ''])];
    const blob = new Blob([csvDocument(rows)], { type: 'text/csv;charset=utf-8' });
    const link = h('a', { href: URL.createObjectURL(blob), download: `qdyp-checks-${new Date().toISOString().slice(0, 10)}.csv` }) as HTMLAnchorElement;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  }

  /** `full`: the bundle too, whatever its age (the button, a change of district). */
  private async sync(region?: string | null, full = false): Promise<void> {
    if (!this.device || this.syncing) return;
    const scope = region === undefined ? (this.trust?.saved?.region ?? null) : region;
    if (scope !== null && !isRegionCode(scope)) return;
    this.syncing = true;
    this.renderData();
    try {
      const result = await this.device.sync(fetchPath, scope, { full });
      this.trust = result.trust;
      this.lastSyncDetail = result.detail;
      if (result.ok && this.persisted === null) this.persisted = (await navigator.storage?.persist?.().catch(() => false)) ?? false;
    } finally {
      this.syncing = false;
      this.renderData();
      this.renderBanners();
      void this.renderReports();
    }
  }

  private async toggleCamera(): Promise<void> {
    if (this.stopCamera) {
      this.stopCamera();
      this.stopCamera = null;
      this.ui.video.hidden = true;
      this.renderScan();
      return;
    }
    this.ui.video.hidden = false;
    try {
      this.stopCamera = await this.scanner.startCamera(this.ui.video, (text) => {
        this.stopCamera = null;
        this.ui.video.hidden = true;
        this.renderScan();
        void this.judge(text);
      });
    } catch (error) {
      this.ui.video.hidden = true;
      const denied = error instanceof DOMException && (error.name === 'NotAllowedError' || error.name === 'SecurityError');
      this.ui.result.replaceChildren(problemView(denied ? this.t.cameraDenied : this.t.cameraUnavailable, 'camera'));
    }
    this.renderScan();
  }

  private async photo(file: File): Promise<void> {
    this.lastPhoto = file;
    this.ui.result.replaceChildren(h('p', { class: 'notice', 'data-outcome': 'decoding' }, this.t.decoding));
    const result: PhotoResult = await this.scanner.readPhoto(file);
    if (result.ok) return this.judge(result.text);
    const t = this.t;
    const message =
      result.reason === 'no_code' ? t.noCode : result.reason === 'not_image' ? t.notImage : result.reason === 'too_large' ? t.tooLarge(result.width ?? 0, result.height ?? 0) : result.reason === 'too_many_bytes' ? t.tooManyBytes : t.decodeFailed;
    this.ui.result.replaceChildren(problemView(message, result.reason));
  }

  private async judge(text: string): Promise<void> {
    if (isInspectorToken(text)) return this.importToken(text);
    const hosts = [...this.config.hosts, location.host];
    const scanned = classifyCode(text, hosts);
    const { now } = this.now();
    if (scanned.kind === 'foreign') {
      this.ui.result.replaceChildren(foreignView(text, this.t));
      await this.record({ at: now.toISOString(), number: null, holder: null, code: 'foreign', statusAsOf: null, where: null, text: text.slice(0, 500) });
      return;
    }
    let judged: Judged = await judgeOnDevice(scanned.seal, this.trust?.opened ?? null, now);
    // What the device cannot confirm (another district, a change since, old data) is asked online.
    if (judged.reason && navigator.onLine) {
      const online = await judgeOnline(scanned.seal, fetchPath);
      if (online) judged = online;
      else if (judged.reason === 'no_data') judged = { ...judged, reason: 'online_failed' };
    }
    this.ui.result.replaceChildren(verdictView(judged, this.now().now, this.locale), this.reportButton(scanned.seal, judged.verdict.code));
    // On a small screen the verdict may open below the fold: bring it into view.
    this.ui.result.scrollIntoView?.({ block: 'start', behavior: 'smooth' });
    const l = judged.verdict.licence;
    await this.record({ at: judged.verdict.checkedAt, number: l?.number ?? null, holder: l?.holder.name ?? null, code: judged.verdict.code, statusAsOf: judged.verdict.statusAsOf, where: judged.where, text: scanned.text.slice(0, 500) });
  }

  /** The claims of the device's token if it verifies under the device's key list; null if not (yet). */
  private async tokenClaims(token: string): Promise<{ claims: InspectorClaims | null; verified: boolean; refused: boolean }> {
    const keyList = this.trust?.opened?.context.keyList;
    if (keyList) {
      const result = await verifyInspectorToken(token, { keyList }, this.now().now, null);
      return result.ok ? { claims: result.claims, verified: true, refused: false } : { claims: null, verified: false, refused: true };
    }
    try {
      const payload = JSON.parse(atob(token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))) as InspectorClaims;
      return { claims: typeof payload.sub === 'string' && typeof payload.name === 'string' ? payload : null, verified: false, refused: false };
    } catch {
      return { claims: null, verified: false, refused: true };
    }
  }

  private async importToken(text: string): Promise<void> {
    const token = text.trim();
    const { claims, refused } = await this.tokenClaims(token);
    if (refused || !claims) {
      this.ui.result.replaceChildren(problemView(this.t.tokenRefused, 'token_refused'));
      return;
    }
    this.token = token;
    await this.db?.put({ [TOKEN_KEY]: token }).catch(() => {});
    this.ui.result.replaceChildren(h('p', { class: 'notice', 'data-outcome': 'token_saved', role: 'status' }, this.t.tokenSaved));
    await this.renderReports();
    void this.sendReports();
  }

  private reportButton(seal: string | null, outcome: Outcome | 'no_seal'): HTMLElement {
    const button = h('button', { type: 'button', id: seal ? 'report-this' : 'report-no-seal' }, seal ? this.t.reportThis : this.t.reportNoSeal);
    button.addEventListener('click', () => this.openReportForm(seal, outcome));
    return button;
  }

  private openReportForm(seal: string | null, outcome: Outcome | 'no_seal'): void {
    const t = this.t;
    const place = h('input', { id: 'report-place', type: 'text', maxlength: '500', autocomplete: 'off' }) as HTMLInputElement;
    const note = h('textarea', { id: 'report-note', maxlength: '500', rows: '3' }) as HTMLTextAreaElement;
    const photo = h('input', { id: 'report-photo', type: 'file', accept: 'image/jpeg,image/png', capture: 'environment' }) as HTMLInputElement;
    const message = h('p', { class: 'form-message', role: 'alert' });
    const usesLast = this.lastPhoto !== null && seal !== null;
    const form = h(
      'form',
      { class: 'card report-form', id: 'report-form', novalidate: true },
      h('h3', {}, t.reportFormHeading),
      h('p', {}, `${t.reportOutcome}: `, h('b', {}, outcome === 'no_seal' ? t.noSealOutcome : MESSAGES[this.locale].outcomes[outcome].title)),
      h('label', { for: 'report-place' }, t.reportPlace),
      place,
      h('label', { for: 'report-note' }, t.reportNote),
      note,
      h('label', { for: 'report-photo' }, t.reportPhoto, usesLast ? ` (${this.lastPhoto!.name})` : ''),
      photo,
      message,
      h('button', { type: 'submit', class: 'primary' }, t.reportSubmit),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void (async () => {
        if (!this.token) return void (message.textContent = t.reportNeedsToken);
        const placeText = place.value.trim();
        const noteText = note.value.trim();
        if (!REPORT_TEXT.test(placeText) || !REPORT_TEXT.test(noteText)) return void (message.textContent = t.reportBadText);
        const file = photo.files?.[0] ?? (usesLast ? this.lastPhoto : null);
        if (outcome === 'no_seal' && (!placeText || !file)) return void (message.textContent = t.reportNeedsPlacePhoto);
        let blob: Blob | null = null;
        if (file) {
          try {
            blob = await reportPhoto(file);
          } catch {
            return void (message.textContent = t.decodeFailed);
          }
        }
        const key = newIdempotencyKey();
        const queued: QueuedReport = {
          key,
          report: { seal, outcome, place: placeText || null, note: noteText || null, observedAt: this.now().now.toISOString(), idempotencyKey: key },
          photo: blob,
          queuedAt: Date.now(),
          state: 'queued',
        };
        await this.db?.outbox().save(queued);
        form.replaceWith(h('p', { class: 'notice', 'data-outcome': 'report_queued', role: 'status' }, t.reportQueued));
        await this.renderReports();
        if (navigator.onLine) void this.sendReports();
      })();
    });
    this.ui.result.append(form);
    place.focus();
  }

  private async sendReports(): Promise<void> {
    if (!this.db || !this.token || this.sending) return;
    this.sending = true;
    try {
      await sendQueued(this.db.outbox(), this.token, fetchPath);
    } finally {
      this.sending = false;
      await this.renderReports();
    }
  }

  private async renderReports(): Promise<void> {
    const t = this.t;
    const parts: (Node | null)[] = [h('h2', {}, t.reportsHeading)];
    if (this.token) {
      const { claims, verified } = await this.tokenClaims(this.token);
      const until = claims ? instant(new Date(claims.exp * 1000).toISOString(), this.locale) : '';
      parts.push(h('p', { 'data-token': claims?.sub ?? '' }, claims ? t.tokenShown(claims.name, claims.sub, until) : t.tokenRefused, verified ? '' : t.tokenUnverified));
      const remove = h('button', { type: 'button', id: 'remove-token' }, t.removeToken);
      remove.addEventListener('click', () => {
        this.token = null;
        void this.db?.put({ [TOKEN_KEY]: null }).then(() => this.renderReports());
      });
      parts.push(remove);
    } else {
      const file = h('input', { type: 'file', id: 'token-file', class: 'file', accept: '.jwt,.jws,.txt,text/plain' }) as HTMLInputElement;
      file.addEventListener('change', () => {
        const chosen = file.files?.[0];
        file.value = '';
        if (chosen && chosen.size < 8192) void chosen.text().then((text) => this.importToken(text));
      });
      parts.push(h('p', {}, t.noToken), h('label', { class: 'button', for: 'token-file' }, t.importToken), file, h('p', { class: 'hint' }, t.tokenHint));
    }
    parts.push(this.reportButton(null, 'no_seal'));
    const queue = this.db ? (await this.db.outbox().all().catch(() => [])).sort((a, b) => b.queuedAt - a.queuedAt) : [];
    parts.push(
      queue.length === 0
        ? h('p', {}, t.queueEmpty)
        : h(
            'ol',
            { class: 'checks outbox' },
            queue.slice(0, 30).map((r) =>
              h(
                'li',
                { 'data-state': r.state },
                h('b', {}, t.queueState[r.state]),
                ' ',
                r.report.outcome === 'no_seal' ? t.noSealOutcome : MESSAGES[this.locale].outcomes[r.report.outcome as Outcome]?.title ?? r.report.outcome,
                h('br'),
                h('small', {}, `${instant(new Date(r.queuedAt).toISOString(), this.locale)}${r.report.place ? ` · ${r.report.place}` : ''}${r.problem && r.state !== 'sent' ? ` · ${r.problem}` : ''}`),
              ),
            ),
          ),
    );
    this.ui.reports.replaceChildren(...parts.filter((x): x is Node => x !== null));
  }

  private async record(check: CheckRecord): Promise<void> {
    await this.db?.addCheck(check).catch(() => {});
    await this.renderHistory();
  }
}

async function boot(): Promise<void> {
  const config = readConfig();
  let db: DeviceDatabase | null = null;
  try {
    db = await DeviceDatabase.open();
  } catch {
    db = null; // private mode or an in-app browser without storage: photo checks online still work
  }
  let root: RootTrust | null = null;
  try {
    root = config.root ? await rootTrust(config.root) : null;
  } catch {
    root = null;
  }
  // The log's name is the verify origin's host and /log: the hosts built into the page, or this one.
  const logNames = [...new Set([...config.hosts, location.host].map((host) => `${host.toLowerCase()}/log`))];
  const device = db && root ? new Device(db, root, Date.now, {}, logNames) : null;
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('/inspect/sw.js', { scope: '/inspect' }).catch(() => {});
  }
  await new InspectPage(db, device, config).start();
}

void boot();
