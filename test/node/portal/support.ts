// A registry made through the CLI (two holders, licences in several states, invitations),
// published, its portal snapshot written, and then its keys/ directory DELETED: the portal
// under test runs with no key anywhere. A small cookie-keeping client drives the app through
// app.request, from a socket address of its choice.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, expect } from 'vitest';
import { createPortalApp, type PortalApp, type PortalOptions } from '../../../src/node/portal/index.ts';
import { AppClient } from '../../support/app-client.ts';
import { NOW, ok, tempDir, twoHolderRegistry, USCC, type Run } from '../support.ts';

export { NOW, USCC };
export const PASSWORD = 'harbour lights over the bay';
export const PASSWORD_B = 'green tea terraces at dawn';

export interface Fixture {
  dir: string;
  db: string;
  run: (argv: string[], env?: Record<string, string | undefined>) => Promise<Run>;
  snapshotFile: string;
  numbers: { a1: string; aSuspended: string; aRevoked: string; aEnding: string; b1: string };
  codes: { a: string; b: string; aStaff: string };
}

/** A registry with holders A and B, published and snapshotted, its keys/ then removed. */
export async function portalFixture(): Promise<Fixture> {
  const reg = await twoHolderRegistry();
  const { run, numbers } = reg;
  const invite = async (uscc: string, user?: string) => JSON.parse(await ok(run, ['holder', 'invite', uscc, ...(user ? ['--user', user] : []), '--json'])).code as string;
  const codes = { a: await invite(USCC.a), aStaff: await invite(USCC.a, 'Zhang'), b: await invite(USCC.b) };
  await ok(run, ['publish']);
  const snapshotFile = path.join(tempDir('qdyp-portal-host-'), 'portal.sqlite');
  await ok(run, ['portal', 'snapshot', '--out', snapshotFile]);
  fs.rmSync(path.join(reg.dir, 'keys'), { recursive: true });
  return { dir: reg.dir, db: reg.db, run, snapshotFile, numbers, codes };
}

/** A clock that starts at NOW and moves only when told. */
export function testClock(start = NOW): { now: () => Date; advance: (seconds: number) => void } {
  let at = Date.parse(start);
  return { now: () => new Date(at), advance: (s) => void (at += s * 1000) };
}

const apps: PortalApp[] = [];
afterAll(() => {
  for (const p of apps.splice(0)) p.close();
});

export interface TestPortal extends PortalApp {
  dataDir: string;
  logs: string[];
}

export function startPortal(fixture: Fixture, options: Partial<PortalOptions> = {}): TestPortal {
  const dataDir = options.dataDir ?? path.join(tempDir('qdyp-portal-data-'), 'portal');
  const logs: string[] = [];
  const portal = createPortalApp({ snapshotFile: fixture.snapshotFile, dataDir, log: (line) => logs.push(line), ...options });
  apps.push(portal);
  return { ...portal, dataDir, logs };
}

/** A browser of one person: keeps its cookies, sends the Origin a browser sends, from one address. */
export class Client extends AppClient {
  constructor(
    readonly portal: PortalApp,
    address = '203.0.113.7',
  ) {
    super(portal.app, address);
  }

  /** The CSRF token of the (first) form on the page at `pathname`. */
  async csrf(pathname: string): Promise<string> {
    const html = await (await this.get(pathname)).text();
    const token = /name="csrf" value="([^"]+)"/.exec(html)?.[1];
    if (!token) throw new Error(`no form token on ${pathname}`);
    return token;
  }

  async activate(uscc: string, code: string, password: string): Promise<Response> {
    const csrf = await this.csrf('/portal/activate');
    return this.post('/portal/activate', { csrf, uscc, code, password, confirm: password });
  }

  async signIn(uscc: string, user: string, password: string): Promise<Response> {
    const csrf = await this.csrf('/portal/sign-in');
    return this.post('/portal/sign-in', { csrf, uscc, user, password });
  }
}
