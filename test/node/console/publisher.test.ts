// The console's publisher: changes in quick succession make one publication, a failure keeps
// them pending for the next, and each publication tells the verifier in the same process.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Publisher } from '../../../src/node/console/index.ts';
import { suspendLicence, reinstateLicence } from '../../../src/node/issuer/index.ts';
import { openRegistry } from '../../../src/node/registry/db.ts';
import { lastPublication } from '../../../src/node/registry/search.ts';
import { startServer } from '../../../src/node/server.ts';
import { consoleFixture, NOW, startConsole } from './support.ts';

describe('the console publisher', async () => {
  const fixture = await consoleFixture();

  it('merges changes in quick succession into one publication, and says when it is done', async () => {
    const registry = openRegistry(fixture.db);
    try {
      let at = Date.parse(NOW) + 3_600_000;
      const clock = () => new Date((at += 1000));
      let published = 0;
      const publisher = new Publisher({ registry, clock, log: () => {}, mergeMs: 50, onPublished: () => published++ });
      const ctx = { registry, now: clock(), actor: 'officer:王芳' };
      await suspendLicence(ctx, fixture.numbers.a1, '抽检');
      publisher.changed();
      await reinstateLicence({ ...ctx, now: clock() }, fixture.numbers.a1, '整改完成');
      publisher.changed();
      expect(lastPublication(registry.db).pendingEntries).toBeGreaterThan(0);
      await publisher.flush();
      expect(published).toBe(1);
      expect(publisher.state.publications).toBe(1);
      expect(lastPublication(registry.db).pendingEntries).toBe(0);
      await publisher.close();
    } finally {
      registry.close();
    }
  });

  it('keeps a failed publication pending and publishes it with the next change', async () => {
    const registry = openRegistry(fixture.db);
    const edge = registry.edgeDir;
    const aside = `${edge}.aside`;
    try {
      let at = Date.parse(NOW) + 7_200_000;
      const clock = () => new Date((at += 1000));
      const logs: string[] = [];
      const publisher = new Publisher({ registry, clock, log: (l) => logs.push(l), mergeMs: 5, retryFirstMs: 60_000 });
      await suspendLicence({ registry, now: clock(), actor: 'officer:王芳' }, fixture.numbers.b1, '抽检');
      // The edge directory replaced by a file: writing into it fails.
      fs.renameSync(edge, aside);
      fs.writeFileSync(edge, 'not a directory');
      publisher.changed();
      await publisher.flush();
      expect(publisher.state.lastError).not.toBeNull();
      expect(logs.join('\n')).toMatch(/publishing failed .*stay pending/);
      expect(lastPublication(registry.db).pendingEntries).toBeGreaterThan(0);
      fs.rmSync(edge);
      fs.renameSync(aside, edge);
      await reinstateLicence({ registry, now: clock(), actor: 'officer:王芳' }, fixture.numbers.b1, '整改完成');
      publisher.changed();
      await publisher.flush();
      expect(publisher.state.lastError).toBeNull();
      expect(lastPublication(registry.db).pendingEntries).toBe(0);
      await publisher.close();
    } finally {
      if (!fs.existsSync(edge) || fs.statSync(edge).isFile()) {
        fs.rmSync(edge, { force: true });
        if (fs.existsSync(aside)) fs.renameSync(aside, edge);
      }
      registry.close();
    }
  });

  it('tries a failed publication again by itself, without waiting for another change', async () => {
    const registry = openRegistry(fixture.db);
    const edge = registry.edgeDir;
    const aside = `${edge}.aside2`;
    try {
      let at = Date.parse(NOW) + 9_000_000;
      const clock = () => new Date((at += 1000));
      let published = 0;
      const publisher = new Publisher({ registry, clock, log: () => {}, mergeMs: 5, retryFirstMs: 30, onPublished: () => published++ });
      await suspendLicence({ registry, now: clock(), actor: 'officer:王芳' }, fixture.numbers.aEnding, '抽检');
      fs.renameSync(edge, aside);
      fs.writeFileSync(edge, 'not a directory');
      publisher.changed();
      await publisher.flush();
      expect(publisher.state.lastError).not.toBeNull();
      fs.rmSync(edge);
      fs.renameSync(aside, edge);
      await expect.poll(() => published, { timeout: 3000 }).toBe(1);
      expect(lastPublication(registry.db).pendingEntries).toBe(0);
      await publisher.close();
    } finally {
      if (fs.existsSync(aside)) {
        fs.rmSync(edge, { force: true, recursive: true });
        fs.renameSync(aside, edge);
      }
      registry.close();
    }
  });

  it('makes the verifier in the same process show a suspension at once (not after its cache TTL)', async () => {
    let at = Date.parse(NOW) + 10_800_000;
    const clock = () => new Date(at);
    let refresh = () => {};
    const app = startConsole(fixture, { clock, onPublished: () => refresh() });
    const root = JSON.parse(fs.readFileSync(path.join(fixture.dir, 'root.public.jwk'), 'utf8'));
    const server = await startServer({ port: 0, edgeDir: path.join(fixture.dir, 'edge'), rootJwk: root, clock, log: () => {}, mounts: [{ path: '/', app: app.app }] });
    refresh = () => server.refresh();
    try {
      const registry = openRegistry(fixture.db, { readonly: true });
      const seal = registry.db.prepare('SELECT seal FROM licences WHERE number = ?').pluck().get(fixture.numbers.a1) as string;
      registry.close();
      const verdict = async () => ((await (await fetch(`${server.url}/api/v1/verify?seal=${seal}`)).json()) as { code: string }).code;
      expect(await verdict()).toBe('authorized');
      at += 1000;
      await app.kit.publisher.flush();
      // Changed through the issuer as the console does, then published by the console's publisher.
      await suspendLicence({ registry: app.kit.registry, now: clock(), actor: 'officer:王芳' }, fixture.numbers.a1, '抽检不合格');
      app.kit.publisher.changed();
      await app.kit.publisher.flush();
      expect(await verdict()).toBe('suspended');
    } finally {
      await server.close();
    }
  });
});
