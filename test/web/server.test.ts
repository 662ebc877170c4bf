// The Node entry over real HTTP: an edge directory in a temp dir, an ephemeral port.
import { rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { directorySource, startServer, type RunningServer } from '../../src/node/server.ts';
import { writeEdgeDir } from './edge-dir.ts';
import { edgeWithEveryOutcome, T0, type Edge } from './fixtures.ts';

let edge: Edge;
let dir: string;
let server: RunningServer;

/** Sends raw bytes and returns the status line's code (null if the server closed without one). */
function rawRequest(port: number, bytes: Buffer): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk) => (received += chunk.toString('latin1')));
    socket.on('end', () => resolve(received ? Number(/^HTTP\/1\.1 (\d{3})/.exec(received)?.[1]) : null));
    socket.on('error', reject);
    // Not end(): a half-close may be taken as the client leaving; the server closes after answering.
    socket.write(bytes);
  });
}

beforeAll(async () => {
  edge = await edgeWithEveryOutcome();
  dir = await writeEdgeDir(edge.artifacts);
  const portal = new Hono().get('/', (c) => c.text('portal home'));
  server = await startServer({ port: 0, edgeDir: dir, rootJwk: edge.rootJwk, clock: () => T0, verifyOrigin: 'https://verify.example.cn', mounts: [{ path: '/portal', app: portal }], log: () => {} });
});

afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('startServer', () => {
  it('binds loopback on the port it was given (0: a free one)', () => {
    expect(server.host).toBe('127.0.0.1');
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
  });

  it('serves verdicts from the edge directory', async () => {
    for (const outcome of ['authorized', 'suspended', 'revoked', 'malformed'] as const) {
      const page = await fetch(`${server.url}/V/${edge.seals[outcome]}`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain(`data-outcome="${outcome}"`);
      const api = await fetch(`${server.url}/api/v1/verify?seal=${edge.seals[outcome]}`);
      expect((await api.json()).code).toBe(outcome);
    }
    expect(await (await fetch(`${server.url}/api/v1/key-list`)).text()).toBe(edge.artifacts.texts['key-list']);
    const bundle = await fetch(`${server.url}/api/v1/bundle?region=370211`);
    expect(bundle.headers.get('content-type')).toBe('application/gzip');
    expect(new Uint8Array(await bundle.arrayBuffer())).toEqual(edge.artifacts.bundles['bundle/370211']);
  });

  it('serves mounted apps beside the verifier, without the verifier’s headers', async () => {
    const res = await fetch(`${server.url}/portal`);
    expect(await res.text()).toBe('portal home');
    expect(res.headers.get('content-security-policy')).toBeNull();
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('answers garbage on the wire with a 4xx', async () => {
    const cases = [
      Buffer.from(`GET /V/${'A'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`),
      Buffer.concat([Buffer.from('GET /V/'), Buffer.from([0xff, 0xfe, 0x00, 0x7f]), Buffer.from(' HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')]),
      Buffer.from(`GET /api/v1/verify?seal=${'%FF'.repeat(3000)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`),
      Buffer.from('BREW /V/AAAA HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'),
      Buffer.from('\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 not http at all\r\n\r\n', 'latin1'),
    ];
    for (const bytes of cases) {
      const status = await rawRequest(server.port, bytes);
      expect(status).toBeGreaterThanOrEqual(400);
      expect(status).toBeLessThan(500);
    }
  });

  it('closes even with a keep-alive connection open', async () => {
    const other = await startServer({ port: 0, edgeDir: dir, rootJwk: edge.rootJwk, clock: () => T0, log: () => {} });
    await fetch(`${other.url}/healthz`, { keepalive: true });
    await other.close();
    await expect(fetch(`${other.url}/healthz`)).rejects.toThrow();
  });
});

describe('directorySource', () => {
  it('reads artifacts by store key; a missing file is not published; nothing else is read', async () => {
    const source = directorySource(dir);
    expect(await source.getText('status-list')).toBe(edge.artifacts.texts['status-list']);
    expect(await source.getText('licence/1/1')).toBe(edge.artifacts.texts['licence/1/1']);
    expect(await source.getBytes('bundle')).toEqual(edge.artifacts.bundles.bundle);
    expect(await source.getText('revoked-inspectors')).toBeNull();
    for (const key of ['register', '../key-list', 'licence/1/256', 'licence/01/1', 'bundle/../key-list', '']) expect(await source.getText(key)).toBeNull();
  });

  it('an unreadable edge store gives cannot_confirm pages, not errors', async () => {
    const notADir = join(dir, 'key-list');
    await expect(directorySource(notADir).getText('status-list')).rejects.toThrow();
    const broken = await startServer({ port: 0, edgeDir: notADir, rootJwk: edge.rootJwk, clock: () => T0, log: () => {} });
    try {
      const res = await fetch(`${broken.url}/V/${edge.seals.authorized}`);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('data-outcome="cannot_confirm"');
    } finally {
      await broken.close();
    }
  });
});
