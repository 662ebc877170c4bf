// The keys page: each issuing key with its status and windows, the key list's version and
// expiry, the officers read-only, and the exact CLI commands (with this registry's database
// path) for the ceremonies the root key is needed for. After a compromise it lists the licences
// to reseal. Never any key material: no JWK, no private "d".
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { qdypCommand } from '../../../src/node/console/views/parts.tsx';
import { listKeys } from '../../../src/node/registry/keys.ts';
import { consoleFixture, OFFICERS, officerClient, startConsole } from './support.ts';

/** Every private key member ("d") in the registry's key files. */
function privateParts(dir: string): string[] {
  const found: string[] = [];
  const walk = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const file = path.join(d, entry.name);
      if (entry.isDirectory()) walk(file);
      else {
        try {
          const jwk = JSON.parse(fs.readFileSync(file, 'utf8')) as { d?: unknown };
          if (typeof jwk.d === 'string') found.push(jwk.d);
        } catch {
          // not a JWK
        }
      }
    }
  };
  walk(dir);
  return found;
}

function expectNoKeyMaterial(html: string, keysDir: string): void {
  expect(html).not.toMatch(/"d"|&quot;d&quot;|&#34;d&#34;/);
  expect(html).not.toMatch(/"kty"|&quot;kty&quot;/);
  const secrets = privateParts(keysDir);
  expect(secrets.length).toBeGreaterThan(0);
  for (const d of secrets) expect(html).not.toContain(d);
}

describe('console keys page', async () => {
  const fixture = await consoleFixture();

  it('shows each key with its windows, the key list, the officers and the commands with the db path', async () => {
    const app = startConsole(fixture);
    const client = await officerClient(app);
    const res = await client.get('/console/keys');
    expect(res.status).toBe(200);
    const html = await res.text();
    const db = app.kit.registry.dbPath;
    const keys = listKeys(app.kit.registry.db);
    expect(keys.length).toBeGreaterThan(0);
    for (const k of keys) {
      expect(html).toContain(`<tr data-kid="${k.kid}"><td class="mono">${k.kid}</td><td class="mono">${k.sid}</td>`);
      expect(html).toContain(`${k.signFrom} 至 ${k.signUntil}`);
      expect(html).toContain(`<td>${k.verifyUntil}</td>`);
    }
    expect(html).toContain('<span class="badge">使用中</span>');
    expect(html).toContain('<dd data-field="key-list-version">1</dd>');
    expect(html).toMatch(/<dd data-field="key-list-expires">\d{4}-\d{2}-\d{2} \d{2}:\d{2}（北京时间）<\/dd>/);
    expect(html).toContain(`npx qdyp --db ${db} keys rotate --root-key FILE`);
    expect(html).toContain(`npx qdyp --db ${db} keys rotate --log --root-key FILE`);
    // Each key's role: the issuing key and the transparency log's.
    for (const k of keys) expect(html).toContain(`<td class="mono">${k.sid}</td><td>${k.role === 'log' ? '透明日志（签署检查点）' : '签发'}</td>`);
    expect(keys.map((k) => k.role ?? 'issue').sort()).toEqual(['issue', 'log']);
    expect(html).toContain(`npx qdyp --db ${db} keys compromise KID --root-key FILE`);
    expect(html).toContain(`npx qdyp --db ${db} keys compromise ${keys[0]!.kid} --root-key FILE`);
    expect(html).toContain(`npx qdyp --db ${db} licence reseal NUMBER`);
    expect(html).toContain('根密钥从不经过浏览器');
    expect(html).toContain('data-reseal="none"');
    // No form on the page but sign-out: nothing here takes a key, or changes anything.
    expect([...html.matchAll(/<form\b/g)]).toHaveLength(1);
    expect(html).not.toMatch(/type="file"/);

    for (const [name, role] of [
      [OFFICERS.officer, '主管'],
      [OFFICERS.clerk, '办事员'],
      [OFFICERS.admin, '管理员'],
    ] as const) {
      expect(html).toContain(`<tr data-officer-row="${name}"><td>${name}</td><td>${role}</td><td>已启用`);
    }
    expect(html).toContain(`npx qdyp --db ${db} officer add NAME --role clerk|officer|admin`);
    expect(html).toContain(`npx qdyp --db ${db} officer disable NAME`);
    expect(html).toContain(`npx qdyp --db ${db} officer reset NAME`);
    expectNoKeyMaterial(html, app.kit.registry.keysDir);
  });

  it('quotes a database path with spaces for the shell', async () => {
    expect(qdypCommand("/srv/qd yp/it's.sqlite", ['keys', 'rotate', '--root-key', 'FILE'])).toBe(`npx qdyp --db '/srv/qd yp/it'\\''s.sqlite' keys rotate --root-key FILE`);
  });

  it('after a compromise, lists the licences to reseal with links and commands (and the dashboard counts them)', async () => {
    const app = startConsole(fixture);
    // The active issuing key (the log key is active too, and compromising it reseals nothing).
    const [active] = listKeys(app.kit.registry.db).filter((k) => k.status === 'active' && k.role !== 'log');
    const r = await fixture.run(['keys', 'compromise', active!.kid, '--root-key', path.join(fixture.dir, 'keys', 'root.jwk'), '--reason', '测试']);
    expect(r.code, r.stderr).toBe(0);
    const client = await officerClient(app);
    const html = await (await client.get('/console/keys')).text();
    const db = app.kit.registry.dbPath;
    expect(html).toContain(`<tr data-kid="${active!.kid}">`);
    expect(html).toContain('已泄露（其封签验证失败）');
    expect(html).toContain('<dd data-field="key-list-version">2</dd>');
    const { a1, aSuspended, aEnding, b1, aRevoked } = fixture.numbers;
    for (const number of [a1, aSuspended, aEnding, b1]) {
      expect(html).toContain(`<a href="/console/licences/${number}">${number}</a>`);
      expect(html).toContain(`<code>npx qdyp --db ${db} licence reseal ${number}</code>`);
    }
    // A revoked licence is never resealed.
    expect(html).not.toContain(`licence reseal ${aRevoked}`);
    // The compromised key is offered no second compromise command.
    expect(html).not.toContain(`keys compromise ${active!.kid}`);
    expectNoKeyMaterial(html, app.kit.registry.keysDir);

    const dashboard = await (await client.get('/console/')).text();
    expect(dashboard).toContain('<a href="/console/keys">需要重新签发封签的许可（密钥已泄露）：4 个</a>');
  });
});
