// The Node entry: the same verifier app, reading published artifacts from an edge directory
// (what `qdyp publish --to local` writes: one file per artifact name), served by
// @hono/node-server. Other apps (portal, console) can be mounted beside it on the same port.

import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import type { Hono } from 'hono';
import type { PublicJwk } from '../core/index.ts';
import { createApp, type ArtifactSource, type Mount } from '../web/index.ts';
import { readEdgeArtifact } from './edge-store.ts';

/** Reads `dir/key-list`, `dir/status-list`, …; a missing file is an unpublished artifact. */
export function directorySource(dir: string): ArtifactSource {
  return { get: (name) => readEdgeArtifact(dir, name) };
}

export interface ServerOptions {
  /** 0 picks a free port (tests). */
  port: number;
  /** Loopback unless told otherwise: exposing the server is a deliberate choice. */
  host?: string;
  edgeDir: string;
  rootJwk: PublicJwk | null;
  verifyOrigin?: string | null;
  mounts?: Mount[];
  minKeyListVersion?: number;
  clock?: () => Date;
  log?: (line: string) => void;
}

export interface RunningServer {
  /** e.g. http://127.0.0.1:8080 */
  url: string;
  port: number;
  host: string;
  app: Hono;
  server: ServerType;
  close(): Promise<void>;
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const app = createApp({
    source: directorySource(options.edgeDir),
    root: options.rootJwk,
    verifyOrigin: options.verifyOrigin,
    mounts: options.mounts,
    minKeyListVersion: options.minKeyListVersion,
    clock: options.clock,
    log: options.log,
  });
  const server = await new Promise<ServerType>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: options.port, hostname: host }, () => resolve(s));
    s.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    host,
    app,
    server,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive connections would otherwise hold close() open.
        if ('closeAllConnections' in server) server.closeAllConnections();
      }),
  };
}
