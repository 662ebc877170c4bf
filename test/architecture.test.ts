// The one-way imports of STYLE.md, checked on every file under src/: core ← web ← worker, and
// node above them all. A small rule engine (one rule per folder of src/) reads each file's
// import and export-from specifiers with a regex, good enough for code written in this style;
// the negative cases below prove each rule can fail. A new folder under src/ (the portal, the
// console, the browser code) is refused until it has a rule in LAYERS.
import fs from 'node:fs';
import { builtinModules } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

interface SourceFile {
  /** Relative to the repository root, with forward slashes: `src/core/seal.ts`. */
  path: string;
  source: string;
}

interface Layer {
  /** Folders of ours (relative to the repository root) this layer may import from. */
  ours: string[];
  /** npm packages it may import (a name covers its subpaths: `hono` allows `hono/jsx`); '*' is any. */
  packages: string[];
  /** Packages it may name in type-only imports (they bring no code into the bundle). */
  typePackages?: string[];
  /** Whether it may import Node's builtins (`node:fs`, `fs`). */
  nodeBuiltins: boolean;
  /** Values it may import by name from a package otherwise allowed for types only. */
  values?: Record<string, string[]>;
  /** More of ours that one named file of the layer may import. */
  files?: Record<string, string[]>;
  /** Why the layer's imports of ours are limited, said when one is refused. */
  why?: string;
}

const LAYERS: Record<string, Layer> = {
  'src/core': { ours: ['src/core'], packages: ['jose', '@noble/ed25519', '@sd-jwt/jwt-status-list'], nodeBuiltins: false },
  'src/web': { ours: ['src/web', 'src/core'], packages: ['hono'], nodeBuiltins: false },
  'src/worker': {
    ours: ['src/worker', 'src/web', 'src/core'],
    packages: [],
    typePackages: ['@cloudflare/workers-types', 'cloudflare:workers'],
    nodeBuiltins: false,
    // The Durable Object that keeps the newest accepted lists must extend the runtime's class.
    values: { 'cloudflare:workers': ['DurableObject'] },
  },
  'src/node': { ours: ['src'], packages: ['*'], nodeBuiltins: true },
  // The inspector page's browser code runs the same core the edge runs, and nothing else of
  // ours (no web: that is the server's); its one package is the QR decoder.
  'src/inspect': {
    ours: ['src/inspect', 'src/core'],
    packages: ['zxing-wasm'],
    nodeBuiltins: false,
    why: 'the browser code judges seals with src/core only, exactly as the edge does',
  },
  // The holder portal runs on an internet-facing host with no private key (DESIGN §2, §7): it
  // reads its snapshot and its own database, and draws downloads from what was signed at
  // issuance. So: no key files, nothing of the issuer (its signing), no registry database.
  'src/node/portal': {
    ours: ['src/node/portal', 'src/node/accounts', 'src/node/artwork', 'src/node/registry/invitations.ts', 'src/core'],
    packages: ['hono', 'better-sqlite3'],
    nodeBuiltins: true,
    // The snapshot's writer, run by the office, reads the registry (read-only) to copy from it,
    // and the log as the registry's edge/ publishes it.
    files: { 'src/node/portal/snapshot.ts': ['src/node/registry/db.ts', 'src/node/registry/config.ts', 'src/node/edge-store.ts'] },
    why: 'the portal reads only its snapshot and its own database: no keys, no signing, no registry database',
  },
  // The authority console acts on the registry only as the CLI does, through the issuer (and
  // reads it through the registry's queries); it is neither the verifier, the CLI nor the portal.
  'src/node/console': {
    ours: [
      'src/node/console',
      'src/node/accounts',
      'src/node/issuer',
      'src/node/registry',
      'src/node/import',
      'src/node/artwork',
      'src/node/publish.ts',
      'src/node/edge-store.ts',
      'src/node/errors.ts',
      'src/node/files.ts',
      'src/node/key-files.ts',
      'src/node/uscc.ts',
      'src/core',
    ],
    packages: ['hono', 'better-sqlite3', 'jose'],
    nodeBuiltins: true,
    why: "the console changes the registry through the issuer's functions, as the CLI does; it is not the verifier, the CLI or the portal",
  },
};

interface Specifier {
  specifier: string;
  typeOnly: boolean;
  line: number;
  /** The names imported as values, where the clause is `{ … }` (else absent). */
  values?: string[];
}

interface Violation {
  file: string;
  line: number;
  specifier: string;
  reason: string;
}

const STATIC = /^[ \t]*(import|export)\s+(type\s+)?([^;'"]*?)\s*from\s*['"]([^'"]+)['"]/gm;
const SIDE_EFFECT = /^[ \t]*import\s*['"]([^'"]+)['"]/gm;
const DYNAMIC = /(typeof\s*)?\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g;
const REFERENCE = /^\/\/\/\s*<reference\s+(types|path)\s*=\s*['"]([^'"]+)['"]/gm;

/** The names of a `{ … }` clause; undefined for other clauses (default, `* as`). */
function clauseNames(clause: string): string[] | undefined {
  const names = /^\{([^}]*)\}$/.exec(clause.trim())?.[1];
  return names?.split(',').map((p) => p.trim()).filter(Boolean);
}

/** `import { type A, type B } from` is type-only too; `import { type A, B }` is not. */
function onlyTypes(clause: string): boolean {
  const parts = clauseNames(clause);
  return parts !== undefined && parts.length > 0 && parts.every((p) => p.startsWith('type '));
}

/** The names a `{ … }` clause imports as values (`type X` left out). */
function valueNames(clause: string): string[] | undefined {
  return clauseNames(clause)?.filter((p) => !p.startsWith('type '));
}

function specifiers(source: string): Specifier[] {
  const lineOf = (index: number) => source.slice(0, index).split('\n').length;
  const found: Specifier[] = [];
  for (const m of source.matchAll(STATIC)) {
    const typeOnly = Boolean(m[2]) || onlyTypes(m[3]!);
    const values = m[1] === 'import' && !typeOnly ? valueNames(m[3]!) : undefined;
    found.push({ specifier: m[4]!, typeOnly, line: lineOf(m.index), ...(values ? { values } : {}) });
  }
  for (const m of source.matchAll(SIDE_EFFECT)) found.push({ specifier: m[1]!, typeOnly: false, line: lineOf(m.index) });
  for (const m of source.matchAll(DYNAMIC)) found.push({ specifier: m[2]!, typeOnly: Boolean(m[1]), line: lineOf(m.index) });
  for (const m of source.matchAll(REFERENCE)) {
    // <reference path> names a file of ours; <reference types> a package, type-only by nature.
    found.push({ specifier: m[1] === 'path' && !m[2]!.startsWith('.') ? `./${m[2]}` : m[2]!, typeOnly: true, line: lineOf(m.index) });
  }
  return found.sort((a, b) => a.line - b.line);
}

const within = (file: string, folder: string) => file === folder || file.startsWith(`${folder}/`);

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/** `node` itself is @types/node, as named by `/// <reference types="node" />`. */
function isNodeBuiltin(specifier: string): boolean {
  return specifier === 'node' || specifier.startsWith('node:') || builtinModules.includes(specifier.split('/')[0]!);
}

/** Why `file` (in `layer`) may not import `s`, or null when it may. */
function refusal(file: string, folder: string, layer: Layer, s: Specifier): string | null {
  if (s.specifier.startsWith('.') || s.specifier.startsWith('/')) {
    const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), s.specifier));
    if (within(target, 'test')) return 'src/ never imports test/';
    if (!within(target, 'src')) return 'src/ imports nothing outside src/';
    const ours = [...layer.ours, ...(layer.files?.[file] ?? [])];
    if (!ours.some((f) => within(target, f))) return `${folder} may import only ${layer.ours.join(', ')} of ours${layer.why ? ` (${layer.why})` : ''}`;
    return null;
  }
  if (isNodeBuiltin(s.specifier)) return layer.nodeBuiltins ? null : `${folder} runs outside Node: no Node builtins`;
  const name = packageName(s.specifier);
  if (layer.packages.includes('*') || layer.packages.includes(name)) return null;
  if (layer.typePackages?.includes(name)) {
    if (s.typeOnly) return null;
    const allowed = layer.values?.[name];
    if (allowed && s.values?.every((v) => allowed.includes(v))) return null;
    return allowed ? `${folder} may import ${name} for types, and ${allowed.join(', ')}` : `${folder} may import ${name} for types only`;
  }
  const allowed = [...layer.packages, ...(layer.typePackages ?? []).map((p) => `${p} (types)`)];
  return `${folder} may import only these packages: ${allowed.join(', ') || 'none'}`;
}

function violations(files: SourceFile[], layers: Record<string, Layer> = LAYERS): Violation[] {
  const found: Violation[] = [];
  for (const file of files) {
    // The most specific rule: src/node/portal's, not src/node's, for a file of the portal.
    const folder = Object.keys(layers)
      .filter((f) => within(file.path, f))
      .sort((x, y) => y.length - x.length)[0];
    if (!folder) {
      found.push({ file: file.path, line: 1, specifier: '', reason: 'no layer rule covers this folder: add one to LAYERS' });
      continue;
    }
    for (const s of specifiers(file.source)) {
      const reason = refusal(file.path, folder, layers[folder]!, s);
      if (reason) found.push({ file: file.path, line: s.line, specifier: s.specifier, reason });
    }
  }
  return found;
}

/** Every .ts/.tsx file under `root`/src, with its path relative to `root`. */
function readSources(root: string): SourceFile[] {
  return fs
    .readdirSync(path.join(root, 'src'), { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.tsx?$/.test(f))
    .map((f) => {
      const rel = path.posix.join('src', f.split(path.sep).join('/'));
      return { path: rel, source: fs.readFileSync(path.join(root, rel), 'utf8') };
    })
    .sort((a, b) => a.path.localeCompare(b.path));
}

const format = (v: Violation) => `${v.file}:${v.line} ${v.specifier ? `'${v.specifier}'` : ''}: ${v.reason}`;
const REPO = fileURLToPath(new URL('..', import.meta.url));

describe('the architecture', () => {
  it('src/ keeps its imports one way: core ← web ← worker, node above them', () => {
    const files = readSources(REPO);
    // Not vacuous: every layer has files, and the walker sees their imports.
    for (const folder of Object.keys(LAYERS)) expect(files.some((f) => within(f.path, folder)), folder).toBe(true);
    expect(specifiers(files.find((f) => f.path === 'src/worker/index.ts')!.source).map((s) => s.specifier)).toContain('../web/index.ts');
    expect(violations(files).map(format)).toEqual([]);
  });
});

const CONSOLE_REFUSAL =
  "src/node/console may import only src/node/console, src/node/accounts, src/node/issuer, src/node/registry, src/node/import, src/node/artwork, src/node/publish.ts, src/node/edge-store.ts, src/node/errors.ts, src/node/files.ts, src/node/key-files.ts, src/node/uscc.ts, src/core of ours (the console changes the registry through the issuer's functions, as the CLI does; it is not the verifier, the CLI or the portal)";
const PORTAL_REFUSAL =
  'src/node/portal may import only src/node/portal, src/node/accounts, src/node/artwork, src/node/registry/invitations.ts, src/core of ours (the portal reads only its snapshot and its own database: no keys, no signing, no registry database)';

describe('the architecture rules', () => {
  /** Lays `files` out under a temporary src/ and reads them back as the real test does. */
  function check(files: Record<string, string>): string[] {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'qdyp-architecture-'));
    try {
      for (const [file, source] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
        fs.writeFileSync(path.join(root, file), source);
      }
      return violations(readSources(root)).map(format);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  }

  it('accepts what each layer may import', () => {
    expect(
      check({
        'src/core/a.ts': `import { jwtVerify } from 'jose';\nimport * as ed from '@noble/ed25519';\nexport * from './b.ts';\n`,
        'src/core/b.ts': `export { StatusList } from '@sd-jwt/jwt-status-list';\n`,
        'src/web/app.tsx': `import { Hono } from 'hono';\nimport { html } from 'hono/html';\nimport type { PublicJwk } from '../core/index.ts';\n`,
        'src/worker/index.ts': `import type { KVNamespace } from '@cloudflare/workers-types';\nimport { type DurableObjectState } from 'cloudflare:workers';\nimport { DurableObject } from 'cloudflare:workers';\nimport { createApp } from '../web/index.ts';\ntype M = typeof import('../core/a.ts');\n`,
        'src/node/x.ts': `import fs from 'node:fs';\nimport path from 'path';\nimport Database from 'better-sqlite3';\nimport { createApp } from '../web/index.ts';\nimport { kvSource } from '../worker/kv-source.ts';\nconst m = await import('./y.ts');\n`,
        'src/node/portal/app.tsx': `import { Hono } from 'hono';\nimport { csrf } from 'hono/csrf';\nimport Database from 'better-sqlite3';\nimport { createHash } from 'node:crypto';\nimport { SessionStore } from '../accounts/index.ts';\nimport { renderArtwork } from '../artwork/index.ts';\nimport { normaliseUserName } from '../registry/invitations.ts';\nimport type { Locale } from '../../core/index.ts';\nimport { openPortalSnapshot } from './snapshot.ts';\n`,
        'src/node/portal/snapshot.ts': `import { openDatabase } from '../registry/db.ts';\nimport { readConfig } from '../registry/config.ts';\n`,
        'src/node/console/app.tsx': `import { Hono } from 'hono';\nimport { suspendLicence } from '../issuer/index.ts';\nimport { searchLicences } from '../registry/search.ts';\nimport { SessionStore } from '../accounts/index.ts';\nimport { publishLocal } from '../publish.ts';\nimport type { Tier } from '../../core/index.ts';\n`,
        'src/inspect/main.ts': `import { verifySeal } from '../core/index.ts';\nimport { readBarcodes } from 'zxing-wasm/reader';\nimport { h } from './render.ts';\n`,
      }),
    ).toEqual([]);
  });

  it.each([
    ['core importing node/', 'src/core/a.ts', `import { issue } from '../node/x.ts';`, `src/core/a.ts:1 '../node/x.ts': src/core may import only src/core of ours`],
    ['core importing web/', 'src/core/a.ts', `export { createApp } from '../web/index.ts';`, `src/core/a.ts:1 '../web/index.ts': src/core may import only src/core of ours`],
    ['core importing node:fs', 'src/core/a.ts', `import fs from 'node:fs';`, `src/core/a.ts:1 'node:fs': src/core runs outside Node: no Node builtins`],
    ['core importing a bare builtin', 'src/core/a.ts', `import { Buffer } from 'buffer';`, `src/core/a.ts:1 'buffer': src/core runs outside Node: no Node builtins`],
    ['core importing a package off its list', 'src/core/a.ts', `import { Hono } from 'hono';`, `src/core/a.ts:1 'hono': src/core may import only these packages: jose, @noble/ed25519, @sd-jwt/jwt-status-list`],
    ['core pulling in Node types', 'src/core/a.ts', `/// <reference types="node" />`, `src/core/a.ts:1 'node': src/core runs outside Node: no Node builtins`],
    ['web importing node/', 'src/web/app.tsx', `import {\n  directorySource,\n} from '../node/server.ts';`, `src/web/app.tsx:1 '../node/server.ts': src/web may import only src/web, src/core of ours`],
    ['web importing worker/', 'src/web/app.tsx', `import { kvSource } from '../worker/kv-source.ts';`, `src/web/app.tsx:1 '../worker/kv-source.ts': src/web may import only src/web, src/core of ours`],
    ['web importing @hono/node-server', 'src/web/app.tsx', `import { serve } from '@hono/node-server';`, `src/web/app.tsx:1 '@hono/node-server': src/web may import only these packages: hono`],
    ['web importing node:path lazily', 'src/web/app.tsx', `const p = await import('node:path');`, `src/web/app.tsx:1 'node:path': src/web runs outside Node: no Node builtins`],
    ['worker importing better-sqlite3', 'src/worker/index.ts', `import Database from 'better-sqlite3';`, `src/worker/index.ts:1 'better-sqlite3': src/worker may import only these packages: @cloudflare/workers-types (types), cloudflare:workers (types)`],
    ['worker importing node/', 'src/worker/index.ts', `import { startServer } from '../node/server.ts';`, `src/worker/index.ts:1 '../node/server.ts': src/worker may import only src/worker, src/web, src/core of ours`],
    ['worker importing workers-types for values', 'src/worker/index.ts', `import { KVNamespace } from '@cloudflare/workers-types';`, `src/worker/index.ts:1 '@cloudflare/workers-types': src/worker may import @cloudflare/workers-types for types only`],
    ['worker importing a value beside a type', 'src/worker/index.ts', `import { type Env, env } from 'cloudflare:workers';`, `src/worker/index.ts:1 'cloudflare:workers': src/worker may import cloudflare:workers for types, and DurableObject`],
    ['worker importing a whole namespace of values', 'src/worker/index.ts', `import * as workers from 'cloudflare:workers';`, `src/worker/index.ts:1 'cloudflare:workers': src/worker may import cloudflare:workers for types, and DurableObject`],
    ['worker importing a value from workers-types', 'src/worker/index.ts', `import { type KVNamespace, DurableObject } from '@cloudflare/workers-types';`, `src/worker/index.ts:1 '@cloudflare/workers-types': src/worker may import @cloudflare/workers-types for types only`],
    ['worker importing node:buffer', 'src/worker/index.ts', `import 'node:buffer';`, `src/worker/index.ts:1 'node:buffer': src/worker runs outside Node: no Node builtins`],
    ['node importing test/', 'src/node/x.ts', `\n\nimport { tempDir } from '../../test/node/support.ts';`, `src/node/x.ts:3 '../../test/node/support.ts': src/ never imports test/`],
    ['core importing test/', 'src/core/a.ts', `import type { Vectors } from '../../test/support/vectors.ts';`, `src/core/a.ts:1 '../../test/support/vectors.ts': src/ never imports test/`],
    ['src importing outside src/', 'src/node/x.ts', `import { run } from '../../bench/run.ts';`, `src/node/x.ts:1 '../../bench/run.ts': src/ imports nothing outside src/`],
    ['the portal importing key files', 'src/node/portal/app.tsx', `import { readPrivateKey } from '../key-files.ts';`, `src/node/portal/app.tsx:1 '../key-files.ts': ${PORTAL_REFUSAL}`],
    ["the portal importing the issuer's signing", 'src/node/portal/app.tsx', `import { signLicence } from '../issuer/signing.ts';`, `src/node/portal/app.tsx:1 '../issuer/signing.ts': ${PORTAL_REFUSAL}`],
    ['the portal importing the issuer', 'src/node/portal/downloads.ts', `import { licenceSealUrl } from '../issuer/index.ts';`, `src/node/portal/downloads.ts:1 '../issuer/index.ts': ${PORTAL_REFUSAL}`],
    ['the portal importing the registry database', 'src/node/portal/app.tsx', `import { openRegistry } from '../registry/db.ts';`, `src/node/portal/app.tsx:1 '../registry/db.ts': ${PORTAL_REFUSAL}`],
    ["the portal importing the registry's licences", 'src/node/portal/app.tsx', `import { getLicence } from '../registry/licences.ts';`, `src/node/portal/app.tsx:1 '../registry/licences.ts': ${PORTAL_REFUSAL}`],
    ["the snapshot's writer importing key files", 'src/node/portal/snapshot.ts', `import { readPrivateKey } from '../key-files.ts';`, `src/node/portal/snapshot.ts:1 '../key-files.ts': ${PORTAL_REFUSAL}`],
    ['the portal importing the verifier app', 'src/node/portal/app.tsx', `import { createApp } from '../../web/index.ts';`, `src/node/portal/app.tsx:1 '../../web/index.ts': ${PORTAL_REFUSAL}`],
    ['the browser code importing web/', 'src/inspect/main.ts', `import { CSS } from '../web/views/style.ts';`, `src/inspect/main.ts:1 '../web/views/style.ts': src/inspect may import only src/inspect, src/core of ours (the browser code judges seals with src/core only, exactly as the edge does)`],
    ['the browser code importing node/', 'src/inspect/main.ts', `import { decodeQrImage } from '../node/qr-decode.ts';`, `src/inspect/main.ts:1 '../node/qr-decode.ts': src/inspect may import only src/inspect, src/core of ours (the browser code judges seals with src/core only, exactly as the edge does)`],
    ['the browser code importing node:fs', 'src/inspect/main.ts', `import fs from 'node:fs';`, `src/inspect/main.ts:1 'node:fs': src/inspect runs outside Node: no Node builtins`],
    ['the browser code importing a package off its list', 'src/inspect/main.ts', `import { Hono } from 'hono';`, `src/inspect/main.ts:1 'hono': src/inspect may import only these packages: zxing-wasm`],
    ['the console importing the verifier app', 'src/node/console/app.tsx', `import { createApp } from '../../web/index.ts';`, `src/node/console/app.tsx:1 '../../web/index.ts': ${CONSOLE_REFUSAL}`],
    ['the console importing the CLI', 'src/node/console/routes/licences.tsx', `import { licence } from '../../cli/licence.ts';`, `src/node/console/routes/licences.tsx:1 '../../cli/licence.ts': ${CONSOLE_REFUSAL}`],
    ['the console importing the portal', 'src/node/console/app.tsx', `import { createPortalApp } from '../portal/index.ts';`, `src/node/console/app.tsx:1 '../portal/index.ts': ${CONSOLE_REFUSAL}`],
    ['a folder with no rule yet', 'src/portal/app.ts', `import { Hono } from 'hono';`, `src/portal/app.ts:1 : no layer rule covers this folder: add one to LAYERS`],
  ])('refuses %s', (_, file, source, expected) => {
    expect(check({ [file]: `${source}\n` })).toEqual([expected]);
  });

  it('reads every form of import, and ignores look-alikes in comments', () => {
    const source = [
      `import type { A } from './a.ts';`,
      `import { type B, type C } from './b.ts';`,
      `import D, { E } from './d.ts';`,
      `export * as F from './f.ts';`,
      `export type { G } from './g.ts';`,
      `import './side-effect.ts';`,
      `type H = typeof import('./h.ts');`,
      `const i = () => import('./i.ts');`,
      `// import { nothing } from './comment.ts';`,
    ].join('\n');
    expect(specifiers(source)).toEqual([
      { specifier: './a.ts', typeOnly: true, line: 1 },
      { specifier: './b.ts', typeOnly: true, line: 2 },
      { specifier: './d.ts', typeOnly: false, line: 3 },
      { specifier: './f.ts', typeOnly: false, line: 4 },
      { specifier: './g.ts', typeOnly: true, line: 5 },
      { specifier: './side-effect.ts', typeOnly: false, line: 6 },
      { specifier: './h.ts', typeOnly: true, line: 7 },
      { specifier: './i.ts', typeOnly: false, line: 8 },
    ]);
  });
});
