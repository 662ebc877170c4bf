// A registry made through the CLI (two holders, licences in several states), officers of each
// role with their passwords set, and the console app over it, driven through app.request by a
// cookie-keeping client from a socket address and Host of its choice (loopback by default).
// `submit` opens a page and sends one of its forms with its hidden fields (csrf, once) as a
// browser would.
import path from 'node:path';
import { afterAll, expect } from 'vitest';
import { hashPassword } from '../../../src/node/accounts/index.ts';
import { createConsoleApp, type ConsoleApp, type ConsoleOptions } from '../../../src/node/console/index.ts';
import { addOfficer, completeOfficerSetup } from '../../../src/node/issuer/index.ts';
import { openRegistry } from '../../../src/node/registry/db.ts';
import { AppClient } from '../../support/app-client.ts';
import { NOW, tempDir, twoHolderRegistry, USCC, type TwoHolderRegistry } from '../support.ts';

export { NOW, USCC };
export const OFFICER_PASSWORD = 'harbour lights over the bay';
export const OFFICERS = { officer: '王芳', second: '李强', clerk: '张敏', admin: 'Admin Chen' } as const;

/** The two-holder registry of test/node/support.ts, with four officers set up. */
export type ConsoleFixture = TwoHolderRegistry;

/** A registry with holders A and B and licences in every state, and four officers set up. */
export async function consoleFixture(): Promise<ConsoleFixture> {
  const reg = await twoHolderRegistry();
  const registry = openRegistry(reg.db);
  try {
    const now = new Date(NOW);
    const hash = await hashPassword(OFFICER_PASSWORD);
    for (const [role, name] of [['officer', OFFICERS.officer], ['officer', OFFICERS.second], ['clerk', OFFICERS.clerk], ['admin', OFFICERS.admin]] as const) {
      const ctx = { registry, now, actor: 'test-admin' };
      const { setupCode } = await addOfficer(ctx, name, role);
      await completeOfficerSetup({ ...ctx, actor: `officer:${name}` }, name, setupCode, hash);
    }
  } finally {
    registry.close();
  }
  return reg;
}

/** A clock that starts at NOW (plus a minute, after the officers' set-up) and moves only when told. */
export function testClock(start = Date.parse(NOW) + 60_000): { now: () => Date; advance: (seconds: number) => void } {
  let at = start;
  return { now: () => new Date(at), advance: (s) => void (at += s * 1000) };
}

const apps: ConsoleApp[] = [];
afterAll(async () => {
  for (const a of apps.splice(0)) await a.close();
});

export interface TestConsole extends ConsoleApp {
  dataDir: string;
  logs: string[];
}

export function startConsole(fixture: ConsoleFixture, options: Partial<ConsoleOptions> = {}): TestConsole {
  const dataDir = options.dataDir ?? path.join(tempDir('qdyp-console-data-'), 'console');
  const logs: string[] = [];
  const clock = options.clock ?? testClock().now;
  const app = createConsoleApp({ dbPath: fixture.db, dataDir, clock, log: (line) => logs.push(line), mergeMs: 10, ...options });
  apps.push(app);
  return { ...app, dataDir, logs };
}

/** One officer's browser: keeps its cookies, sends Host and Origin as a browser would, from one socket address. */
export class Client extends AppClient {
  host = 'localhost';
  constructor(
    readonly console: ConsoleApp,
    address = '127.0.0.1',
  ) {
    super(console.app, address);
  }

  protected override baseHeaders(): Record<string, string> {
    return { host: this.host };
  }

  /** The hidden fields of the form on `html` whose action is `action` (its path, query ignored). */
  static hiddenFields(html: string, action: string): Record<string, string> {
    const forms = html.match(/<form\b[^>]*>[\s\S]*?<\/form>/g) ?? [];
    const form = forms.find((f) => {
      const a = /action="([^"]*)"/.exec(f)?.[1]?.replace(/&amp;/g, '&');
      return a !== undefined && a.split('?')[0] === action.split('?')[0];
    });
    if (!form) throw new Error(`no form posting to ${action}`);
    const fields: Record<string, string> = {};
    for (const m of form.matchAll(/<input\b[^>]*type="hidden"[^>]*>/g)) {
      const name = /name="([^"]+)"/.exec(m[0])?.[1];
      const value = /value="([^"]*)"/.exec(m[0])?.[1] ?? '';
      if (name) fields[name] = value.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>');
    }
    return fields;
  }

  /** Opens `pagePath` and sends its form posting to `action`, with `fields` filled in. */
  async submit(pagePath: string, action: string, fields: Record<string, string> = {}): Promise<Response> {
    const html = await (await this.get(pagePath)).text();
    return this.post(action, { ...Client.hiddenFields(html, action), ...fields });
  }

  async signIn(name: string, password = OFFICER_PASSWORD): Promise<Response> {
    return this.submit('/console/sign-in', '/console/sign-in', { name, password });
  }
}

/** A signed-in officer's client. */
export async function officerClient(app: ConsoleApp, name: string = OFFICERS.officer): Promise<Client> {
  const client = new Client(app);
  const res = await client.signIn(name);
  expect(res.status, `sign-in of ${name}`).toBe(303);
  expect(res.headers.get('location')).toBe('/console/');
  return client;
}
