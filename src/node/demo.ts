// The demo registry behind `npm start`: its own directory (data/demo/: database, keys, edge
// store — never production's), created and seeded on first run with holders and licences in
// every state, reused after. Every run publishes afresh and writes a fresh portal snapshot;
// demo holder accounts are made the way a holder makes one (an invitation, then activation
// through the portal's own code path) whenever the portal's database lacks them.

import fs from 'node:fs';
import path from 'node:path';
import QRCode from 'qrcode';
import { addDays, contactPublicJwk, cstDate, type ContactPublicJwk } from '../core/index.ts';
import { writeFileAtomic } from './files.ts';
import { readPrivateKey } from './key-files.ts';
import { createContactKey, readContactKey } from './issuer/contact-key.ts';
import { hashPassword } from './accounts/index.ts';
import { addHolder, addInspector, addOfficer, completeOfficerSetup, initRegistry, inviteHolderUser, issueLicence, officerActor, revokeLicence, rotateKey, suspendLicence, type IssuerContext, type OfficerRole } from './issuer/index.ts';
import { activateAccount, openPortalSnapshot, PortalStore, writePortalSnapshot } from './portal/index.ts';
import { publishLocal } from './publish.ts';
import { openRegistry, registryPaths, type Registry } from './registry/db.ts';
import { getInspector } from './registry/inspectors.ts';
import { getOfficer } from './registry/officers.ts';
import { activeKey, activeLogKey } from './registry/keys.ts';
import { listLicences, type LicenceRecord } from './registry/licences.ts';
import { usccCheckCharacter } from './uscc.ts';

export const DEMO_DIR = path.join('data', 'demo');
/** The origin printed into demo seals; pages are served on whatever port `serve` runs on. */
const DEMO_ORIGIN = 'http://localhost:8080';
const ACTOR = 'demo-seed';

function uscc(first17: string): string {
  const check = usccCheckCharacter(first17);
  if (check === null) throw new Error(`demo USCC ${first17} is outside the alphabet`);
  return first17 + check;
}

// Invented holders: no real company's name or code.
const HOLDERS = [
  { uscc: uscc('91370212MA3DEM001'), name: '青岛崂山云雾茶业有限公司', address: '青岛市崂山区北宅街道茶园路 8 号', region: '370212' },
  { uscc: uscc('91370211MA3DEM002'), name: '青岛海韵海洋食品有限公司', address: '青岛市黄岛区海港路 66 号', region: '370211' },
  { uscc: uscc('91370214MA3DEM003'), name: '青岛智家电器科技有限公司', address: '青岛市城阳区科创大道 1 号', region: '370214' },
  { uscc: uscc('91370281MA3DEM004'), name: '胶州市田园大白菜专业合作社', address: '胶州市里岔镇 12 号', region: '370281' },
];

export type DemoState = 'authorized' | 'suspended' | 'revoked' | 'expired' | 'not_yet_valid';

export interface DemoLicence {
  state: DemoState;
  licence: LicenceRecord;
}

async function seed(ctx: IssuerContext): Promise<void> {
  for (const h of HOLDERS) await addHolder(ctx, h);
  const today = cstDate(ctx.now);
  const [tea, sea, home, cabbage] = HOLDERS as [(typeof HOLDERS)[number], (typeof HOLDERS)[number], (typeof HOLDERS)[number], (typeof HOLDERS)[number]];
  await issueLicence(ctx, { holder: tea.uscc, tier: 'product', sector: 'agriculture', chain: '食品饮料', products: ['崂山绿茶', '崂山红茶'], trademarks: ['云雾崂山'], validDays: 3 * 365 });
  await issueLicence(ctx, { holder: home.uscc, tier: 'enterprise', sector: 'manufacturing', chain: '智能家电', products: ['智能冰箱', '变频空调'], trademarks: ['智家'], validDays: 3 * 365 });
  const suspended = await issueLicence(ctx, { holder: sea.uscc, tier: 'product', sector: 'marine', chain: '海洋食品', products: ['即食海参'], trademarks: ['海韵'], validDays: 3 * 365 });
  await suspendLicence(ctx, suspended.number, '市场抽检不合格，整改期间暂停使用');
  const revoked = await issueLicence(ctx, { holder: sea.uscc, tier: 'product', sector: 'marine', products: ['鱿鱼丝'], trademarks: ['海韵'], validDays: 3 * 365 });
  await revokeLicence(ctx, revoked.number, '超出授权范围使用标识');
  await issueLicence(ctx, { holder: cabbage.uscc, tier: 'region', sector: 'agriculture', chain: '特色农产品', products: ['胶州大白菜'], trademarks: ['胶州大白菜'], validFrom: addDays(today, -400), validUntil: addDays(today, -30) });
  await issueLicence(ctx, { holder: tea.uscc, tier: 'product', sector: 'agriculture', chain: '食品饮料', products: ['崂山白茶'], trademarks: ['云雾崂山'], validFrom: addDays(today, 30), validUntil: addDays(today, 30 + 3 * 365) });
}

/** The demo inspector token's file (one line, mode 0600), beside the demo registry; its QR code is FILE.png. */
export const DEMO_INSPECTOR_TOKEN_FILE = 'inspector-demo.jwt';
const DEMO_INSPECTOR_NAME = '演示查验员 (demo inspector)';
/** As `qdyp inspector add` draws it: error correction M, the full quiet zone. */
const PNG_OPTIONS = { type: 'png', errorCorrectionLevel: 'M', margin: 4, scale: 6 } as const;
const DAY_MS = 86_400_000;

export interface DemoReportLoop {
  /** The office contact key's public half: what the demo edge encrypts shoppers' contacts to. */
  contactKey: ContactPublicJwk;
  /** The demo inspector token's file and its QR code PNG (the token itself is printed nowhere). */
  tokenFile: string;
  tokenPng: string;
}

/** Whether the token in `file` still works here: readable, signed by the active key, its inspector not revoked, not expiring within a day. */
function usableToken(registry: Registry, file: string, now: Date): boolean {
  try {
    const [header, payload] = fs.readFileSync(file, 'utf8').trim().split('.');
    const { kid } = JSON.parse(Buffer.from(header!, 'base64url').toString('utf8')) as { kid?: unknown };
    const { sub, exp } = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8')) as { sub?: unknown; exp?: unknown };
    if (typeof sub !== 'string' || typeof exp !== 'number' || kid !== activeKey(registry.db)?.kid) return false;
    const inspector = getInspector(registry.db, sub);
    return inspector !== undefined && inspector.revokedAt === null && exp * 1000 > now.getTime() + DAY_MS;
  } catch {
    return false;
  }
}

/**
 * Gives the demo registry what the report loop needs, when it lacks it: the office's contact
 * key (kept once made), and a demo inspector token in data/demo/inspector-demo.jwt (+ .png, as
 * `qdyp inspector add --out` writes them), issued afresh only if the file is missing or the
 * token in it no longer works.
 */
export async function prepareDemoReportLoop(registry: Registry, now: Date): Promise<DemoReportLoop> {
  const ctx: IssuerContext = { registry, now, actor: ACTOR };
  const existing = readContactKey(registry);
  const contactKey = existing ? contactPublicJwk(existing) : createContactKey(ctx).publicJwk;
  const dir = path.dirname(registry.dbPath);
  const tokenFile = path.join(dir, DEMO_INSPECTOR_TOKEN_FILE);
  const tokenPng = `${tokenFile}.png`;
  if (!usableToken(registry, tokenFile, now) || !fs.existsSync(tokenPng)) {
    const { token } = await addInspector(ctx, DEMO_INSPECTOR_NAME);
    writeFileAtomic(tokenFile, `${token}\n`, 0o600);
    writeFileAtomic(tokenPng, await QRCode.toBuffer(token, PNG_OPTIONS), 0o600);
  }
  return { contactKey, tokenFile, tokenPng };
}

/** Opens the demo registry under `baseDir`, creating and seeding it on first run, and publishes. */
export async function openDemoRegistry(baseDir: string, now: Date): Promise<{ registry: Registry; created: boolean; reportLoop: DemoReportLoop }> {
  const dir = path.join(baseDir, DEMO_DIR);
  const dbPath = path.join(dir, 'qdyp.sqlite');
  let created = false;
  if (!fs.existsSync(dbPath)) {
    // Seeded beside its final place and renamed into it whole: a run stopped mid-seed leaves
    // no half-seeded registry that later runs would take for a finished one.
    const staging = `${dir}.seeding-${process.pid}`;
    fs.rmSync(staging, { recursive: true, force: true });
    const { registry } = await initRegistry({ dbPath: path.join(staging, 'qdyp.sqlite'), origin: DEMO_ORIGIN, now, actor: ACTOR });
    try {
      await seed({ registry, now, actor: ACTOR });
    } finally {
      registry.close();
    }
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(staging, dir);
    created = true;
  }
  const registry = openRegistry(dbPath, { now });
  let reportLoop: DemoReportLoop;
  try {
    reportLoop = await prepareDemoReportLoop(registry, now);
    // A demo registry made before the transparency log gets its log key (the demo's root key is
    // beside it), so the log it already holds is published as a production registry's would be.
    if (!activeLogKey(registry.db)) {
      await rotateKey({ registry, now, actor: ACTOR }, readPrivateKey(registryPaths(dbPath).defaultRootKey), 'the demo registry gets the transparency log key', { role: 'log' });
    }
    await publishLocal(registry, now, { full: true, bundles: true });
  } catch (error) {
    registry.close();
    throw error;
  }
  return { registry, created, reportLoop };
}

/** One licence per state, for the printed scan URLs. */
export function demoLicences(registry: Registry, now: Date): DemoLicence[] {
  const today = cstDate(now);
  const stateOf = (l: LicenceRecord): DemoState =>
    l.status === 'revoked' ? 'revoked' : l.status === 'suspended' ? 'suspended' : today > l.validUntil ? 'expired' : today < l.validFrom ? 'not_yet_valid' : 'authorized';
  return listLicences(registry.db).map((licence) => ({ state: stateOf(licence), licence }));
}

/** The demo's sign-in password (a phrase, as the portal asks for): printed by `npm start`. */
export const DEMO_PORTAL_PASSWORD = 'laoshan tea in the spring rain';
const DEMO_PORTAL_USER = 'admin';

export interface DemoPortal {
  snapshotFile: string;
  dataDir: string;
  /** Holder accounts with the demo password: one with valid licences, one with suspended and revoked ones. */
  signIns: { uscc: string; user: string; password: string; holderName: string }[];
}

/**
 * Writes the demo portal's snapshot (data/demo/portal-snapshot.sqlite) and makes sure its
 * database (data/demo/portal/) has the demo holder accounts: a missing one is invited in the
 * registry (an audit event by demo-seed), and activated with the demo password from the fresh
 * snapshot, as a holder would activate it.
 */
export async function prepareDemoPortal(registry: Registry, now: Date): Promise<DemoPortal> {
  const dir = path.dirname(registry.dbPath);
  const snapshotFile = path.join(dir, 'portal-snapshot.sqlite');
  const dataDir = path.join(dir, 'portal');
  const holders = [HOLDERS[0]!, HOLDERS[1]!];
  const store = new PortalStore(dataDir);
  try {
    const codes: { uscc: string; code: string }[] = [];
    for (const h of holders) {
      if (store.account(h.uscc, DEMO_PORTAL_USER)) continue;
      codes.push({ uscc: h.uscc, code: (await inviteHolderUser({ registry, now, actor: ACTOR }, h.uscc, DEMO_PORTAL_USER)).code });
    }
    writePortalSnapshot({ dbPath: registry.dbPath, out: snapshotFile, now });
    if (codes.length > 0) {
      const snapshot = openPortalSnapshot(snapshotFile);
      try {
        for (const { uscc, code } of codes) {
          const password = DEMO_PORTAL_PASSWORD;
          const result = await activateAccount({ store, log: () => {} }, snapshot, { uscc, code, password, confirm: password, address: '127.0.0.1', now });
          if (!result.ok) throw new Error(`the demo holder account of ${uscc} could not be activated (${result.reason})`);
        }
      } finally {
        snapshot.close();
      }
    }
  } finally {
    store.close();
  }
  return {
    snapshotFile,
    dataDir,
    signIns: holders.map((h) => ({ uscc: h.uscc, user: DEMO_PORTAL_USER, password: DEMO_PORTAL_PASSWORD, holderName: h.name })),
  };
}

/** The demo officers' password (a phrase): printed by `npm start`. */
export const DEMO_CONSOLE_PASSWORD = 'qingdao harbour at high tide';

/** Two officers (a bulk revocation needs a second one to confirm) and a clerk. */
const DEMO_OFFICERS: { name: string; role: OfficerRole }[] = [
  { name: '王芳', role: 'officer' },
  { name: '李强', role: 'officer' },
  { name: '张敏', role: 'clerk' },
];

export interface DemoConsole {
  dataDir: string;
  signIns: { name: string; role: OfficerRole; password: string }[];
  /** A selection-batch CSV to try the import page with (one new holder, two licences). */
  sampleCsv: string;
}

/**
 * Makes sure the demo registry has the demo officers, each set up with the demo password the
 * way `qdyp officer add` and the console's set-up page do it (a one-time code, then the
 * password), and writes a small selection batch to import (data/demo/selection-demo.csv).
 */
export async function prepareDemoConsole(registry: Registry, now: Date): Promise<DemoConsole> {
  const dir = path.dirname(registry.dbPath);
  let hash: string | null = null;
  for (const o of DEMO_OFFICERS) {
    if (getOfficer(registry.db, o.name)) continue;
    const { setupCode } = await addOfficer({ registry, now, actor: ACTOR }, o.name, o.role);
    hash ??= await hashPassword(DEMO_CONSOLE_PASSWORD);
    await completeOfficerSetup({ registry, now, actor: officerActor(o.name) }, o.name, setupCode, hash);
  }
  const sampleCsv = path.join(dir, 'selection-demo.csv');
  const today = cstDate(now);
  const rows = [
    'batch,ref,uscc,holder_name,address,region,tier,sector,chain,products,trademarks,valid_from,valid_until',
    `演示批次,D-001,${uscc('91370203MA3DEM005')},青岛啤酒花园餐饮有限公司,青岛市市北区登州路 56 号,370203,product,services,餐饮服务,啤酒花园套餐,花园,${today},${addDays(today, 3 * 365)}`,
    `演示批次,D-002,${uscc('91370203MA3DEM005')},青岛啤酒花园餐饮有限公司,青岛市市北区登州路 56 号,370203,product,services,餐饮服务,海鲜大排档,花园,${today},${addDays(today, 3 * 365)}`,
  ];
  if (!fs.existsSync(sampleCsv)) writeFileAtomic(sampleCsv, `${rows.join('\n')}\n`, 0o600);
  return { dataDir: path.join(dir, 'console'), signIns: DEMO_OFFICERS.map((o) => ({ ...o, password: DEMO_CONSOLE_PASSWORD })), sampleCsv };
}
