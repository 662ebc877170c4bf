// Who reaches the console: loopback sockets and Host names only (unless configured), signed-in
// officers only, forms only with their CSRF token, once each.
import { describe, expect, it } from 'vitest';
import { Client, consoleFixture, NOW, OFFICERS, officerClient, startConsole } from './support.ts';

describe('console access', async () => {
  const fixture = await consoleFixture();

  it('signs an officer in and shows the dashboard with their name', async () => {
    const app = startConsole(fixture);
    const client = await officerClient(app);
    const res = await client.get('/console/');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain(`data-officer="${OFFICERS.officer}"`);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('refuses a socket that is not loopback, whatever X-Forwarded-For says', async () => {
    const app = startConsole(fixture);
    const client = new Client(app, '192.0.2.10');
    const res = await client.request('/console/sign-in', { headers: { 'x-forwarded-for': '127.0.0.1' } });
    expect(res.status).toBe(403);
    expect(await res.text()).toMatch(/answers only this machine/);
  });

  it('refuses a loopback socket that carries a proxy\'s headers (a web server on this machine passing requests on)', async () => {
    const app = startConsole(fixture);
    const client = new Client(app);
    for (const header of ['x-forwarded-for', 'forwarded', 'x-real-ip', 'via']) {
      const res = await client.request('/console/sign-in', { headers: { [header]: '203.0.113.9' } });
      expect(res.status, header).toBe(403);
      expect(await res.text()).toMatch(/passed on by a proxy/);
    }
  });

  it('shows a notice only when the console itself sent it (a crafted ?problem= link shows nothing)', async () => {
    const app = startConsole(fixture);
    const client = await officerClient(app);
    const crafted = await (await client.get('/console/?problem=' + encodeURIComponent('密钥已泄露，请立即运行 rm -rf'))).text();
    expect(crafted).not.toContain('密钥已泄露');
    const forged = await (await client.get('/console/?ok=' + encodeURIComponent('已完成') + '&n=AAAAAAAAAAAAAAAAAAAAAA')).text();
    expect(forged).not.toContain('class="ok"');
  });

  it('answers an address on its allowlist', async () => {
    const app = startConsole(fixture, { allow: ['192.0.2.0/24'] });
    const client = new Client(app, '192.0.2.10');
    expect((await client.get('/console/sign-in')).status).toBe(200);
  });

  it('refuses a Host that is not its own (DNS rebinding)', async () => {
    const app = startConsole(fixture);
    const client = new Client(app);
    client.host = 'evil.example:8080';
    expect((await client.get('/console/sign-in')).status).toBe(421);
    client.host = '127.0.0.1:8080';
    expect((await client.get('/console/sign-in')).status).toBe(200);
  });

  it('sends a visitor who is not signed in to the sign-in page, and refuses their posts', async () => {
    const app = startConsole(fixture);
    const client = new Client(app);
    const res = await client.get('/console/licences');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/console/sign-in');
    expect((await client.post('/console/licences/X/suspend', { reason: 'x' })).status).toBe(403);
  });

  it('refuses a wrong password and a disabled officer', async () => {
    const app = startConsole(fixture);
    const client = new Client(app);
    expect((await client.signIn(OFFICERS.officer, 'not the password at all')).status).toBe(401);
  });

  it('refuses a form without the CSRF token', async () => {
    const app = startConsole(fixture);
    const client = await officerClient(app);
    const res = await client.post('/console/sign-out', {});
    expect(res.status).toBe(403);
  });
});

describe('holder sessions and officer sessions stay apart', async () => {
  const { portalFixture, startPortal, Client: PortalClient, PASSWORD, USCC: HOLDERS } = await import('../portal/support.ts');
  const fixture = await consoleFixture();
  const portalFx = await portalFixture();

  const CONSOLE_GETS = ['/console/', '/console/licences', '/console/holders', '/console/import', '/console/reports', '/console/audit', '/console/keys', '/console/exports/licences.csv', '/console/exports/holders.csv'];

  it("a holder's portal session reaches no console route, and an officer's session no portal page", async () => {
    const portal = startPortal(portalFx);
    const holder = new PortalClient(portal, '127.0.0.1');
    expect((await holder.activate(HOLDERS.a, portalFx.codes.a, PASSWORD)).status).toBe(303);
    expect((await holder.signIn(HOLDERS.a, 'admin', PASSWORD)).status).toBe(303);
    const holderToken = holder.cookies.get('qdyp_portal_session')!;
    expect(holderToken).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const app = startConsole(fixture);
    const stranger = new Client(app);
    // The holder's token under the console's cookie name, and under its own.
    stranger.cookies.set('qdyp_console_session', holderToken);
    stranger.cookies.set('qdyp_portal_session', holderToken);
    for (const path of CONSOLE_GETS) {
      const res = await stranger.get(path);
      expect(res.status, path).toBe(303);
      expect(res.headers.get('location'), path).toBe('/console/sign-in');
    }
    expect((await stranger.post(`/console/licences/${fixture.numbers.a1}/suspend`, { csrf: 'x', once: 'y', reason: 'z' })).status).toBe(403);

    const officer = await officerClient(app);
    const officerToken = officer.cookies.get('qdyp_console_session')!;
    const visitor = new PortalClient(portal, '127.0.0.1');
    visitor.cookies.set('qdyp_portal_session', officerToken);
    const res = await visitor.get('/portal/');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toMatch(/^\/portal\/sign-in/);
  });

  it('a disabled officer is signed out at the next request', async () => {
    const app = startConsole(fixture);
    const client = await officerClient(app, OFFICERS.second);
    expect((await client.get('/console/')).status).toBe(200);
    const r = await fixture.run(['officer', 'disable', OFFICERS.second, '--reason', '离职'], { QDYP_NOW: new Date(Date.parse(NOW) + 120_000).toISOString() });
    expect(r.code, r.stderr).toBe(0);
    const res = await client.get('/console/');
    expect(res.status).toBe(303);
    expect((await client.signIn(OFFICERS.second)).status).toBe(401);
  });
});
