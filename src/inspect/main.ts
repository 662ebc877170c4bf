// The inspector's page (/inspect): scan a seal by camera or photo, judge it on the device from a
// trust bundle verified here by src/core against the root built into the page, and say every
// time how old that data is and where the verdict was made. It syncs when it opens, when the
// network comes back and on request; a failed sync keeps the last good data and says so.

import { csvDocument, isRegionCode, MESSAGES, REGIONS, rootTrust, type Locale, type PublicJwk, type RootTrust } from '../core/index.ts';
import { Device, STALE_AFTER_MS, trustedNow, type DeviceTrust, type SyncError } from './device.ts';
import { DeviceDatabase, type CheckRecord } from './idb.ts';
import { classifyCode, judgeOnDevice, judgeOnline, type Judged } from './judge.ts';
import { INSPECT_MESSAGES, type InspectMessages } from './messages.ts';
import { age, foreignView, h, instant, problemView, verdictView } from './render.ts';
import { Scanner, type PhotoResult } from './scanner.ts';

interface PageConfig {
  root: PublicJwk | null;
  /** Hosts whose /v/ URLs are this programme's seals (the official origin's, this page's). */
  hosts: string[];
}

/** While the page is open and visible it syncs this often. */
const RESYNC_MS = 15 * 60 * 1000;
const LANG_KEY = 'qdyp-inspect-lang';
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
  },
  en: {
    offline: 'the server could not be reached',
    http: 'the server answered with an error',
    not_published: 'the server has no inspection data yet',
    refused: 'the data failed its signature or format check and was refused',
    rolled_back: 'the server’s data is older than this device’s and was refused',
    stale: 'the server’s data has expired and was refused',
    storage: 'this device is out of storage',
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
  };

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
    this.app.replaceChildren(this.ui.banners, this.ui.scan, this.ui.video, this.ui.result, this.ui.data, this.ui.history);
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
    });
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
    this.ui.result.replaceChildren(h('p', { class: 'notice', 'data-outcome': 'decoding' }, this.t.decoding));
    const result: PhotoResult = await this.scanner.readPhoto(file);
    if (result.ok) return this.judge(result.text);
    const t = this.t;
    const message =
      result.reason === 'no_code' ? t.noCode : result.reason === 'not_image' ? t.notImage : result.reason === 'too_large' ? t.tooLarge(result.width ?? 0, result.height ?? 0) : result.reason === 'too_many_bytes' ? t.tooManyBytes : t.decodeFailed;
    this.ui.result.replaceChildren(problemView(message, result.reason));
  }

  private async judge(text: string): Promise<void> {
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
    this.ui.result.replaceChildren(verdictView(judged, this.now().now, this.locale));
    // On a small screen the verdict may open below the fold: bring it into view.
    this.ui.result.scrollIntoView?.({ block: 'start', behavior: 'smooth' });
    const l = judged.verdict.licence;
    await this.record({ at: judged.verdict.checkedAt, number: l?.number ?? null, holder: l?.holder.name ?? null, code: judged.verdict.code, statusAsOf: judged.verdict.statusAsOf, where: judged.where, text: scanned.text.slice(0, 500) });
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
  const device = db && root ? new Device(db, root) : null;
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('/inspect/sw.js', { scope: '/inspect' }).catch(() => {});
  }
  await new InspectPage(db, device, config).start();
}

void boot();
