// qdyp inspector add|list|revoke: inspector tokens (市场监管), the credential a market
// inspector's device files reports with.

import fs from 'node:fs';
import path from 'node:path';
import QRCode from 'qrcode';
import { addInspector, INSPECTOR_DAYS, inspectorStatus, revokeInspector } from '../issuer/index.ts';
import { writeFileAtomic } from '../files.ts';
import { listInspectors, type InspectorRecord } from '../registry/inspectors.ts';
import { command, EXIT, group, text, UsageError, wholeNumber, type Cli } from './command.ts';

/** Refuses, before any token is made, a file that could not be written (a token shown nowhere). */
function writableFile(cli: Cli, option: string, file: string | undefined): string | undefined {
  if (file === undefined) return undefined;
  const resolved = cli.resolve(file);
  if (fs.existsSync(resolved) && fs.statSync(resolved).isDirectory()) throw new UsageError(`--${option} ${resolved} is a directory`);
  try {
    fs.accessSync(path.dirname(resolved), fs.constants.W_OK);
  } catch {
    throw new UsageError(`--${option}: cannot write to ${path.dirname(resolved)}`);
  }
  return resolved;
}

function inspectorJson(inspector: InspectorRecord, now: Date) {
  return { ...inspector, status: inspectorStatus(inspector, now) };
}

/** A QR code easy to scan off a screen or a printout: error correction M, the full quiet zone. */
const PNG_OPTIONS = { type: 'png', errorCorrectionLevel: 'M', margin: 4, scale: 6 } as const;

const add = command({
  summary: 'Issue an inspector token: a signed credential for a market inspector, shown once, as text, a QR code and a PNG.',
  usage: 'NAME [--days N] [--out FILE] [--png FILE]',
  help: `Options:
  --days N       how long the token works: ${INSPECTOR_DAYS.min} to ${INSPECTOR_DAYS.max} days (default ${INSPECTOR_DAYS.default})
  --out FILE     write the token (one line of text, mode 0600) to FILE instead of printing it,
                 and its QR code as a PNG to FILE.png
  --png FILE     write the QR code PNG (mode 0600) here instead

The token is a JWS (typ qdyp-inspector+jwt) signed by the active issuing key, naming a new
inspector id (two inspectors may share a name), the name, and a random token id (jti). It is
shown only now, also as a QR code in the terminal: the inspector page (/inspect) imports it by
scanning that code or the PNG, or from the file. The registry keeps the id, the name, the jti
and the dates, never the token. Treat the token like a password: whoever holds it can file
reports. If it leaks, qdyp inspector revoke ID puts its jti on the revoked-inspectors list.`,
  options: { days: { type: 'string' }, out: { type: 'string' }, png: { type: 'string' } },
  positionals: { min: 1, max: 1 },
  async run(parsed, cli) {
    const days = wholeNumber(parsed, 'days');
    const out = writableFile(cli, 'out', text(parsed, 'out'));
    const png = writableFile(cli, 'png', text(parsed, 'png') ?? (text(parsed, 'out') === undefined ? undefined : `${text(parsed, 'out')}.png`));
    if (out !== undefined && out === png) throw new UsageError('--out and --png must be different files');
    return cli.withRegistry(async (registry) => {
      const ctx = cli.context(registry);
      const { inspector, token } = await addInspector(ctx, parsed.positionals[0], days === undefined ? {} : { days });
      let status: number = EXIT.ok;
      const write = (what: string, file: string, data: string | Uint8Array): boolean => {
        try {
          writeFileAtomic(file, data, 0o600);
          return true;
        } catch (error) {
          status = EXIT.refused;
          cli.err(`error: the token is issued, but its ${what} could not be written to ${file} (${(error as Error).message})`);
          return false;
        }
      };
      const tokenWritten = out !== undefined && write('text', out, `${token}\n`);
      const pngWritten = png !== undefined && write('QR code', png, await QRCode.toBuffer(token, PNG_OPTIONS));
      const shown = !tokenWritten;
      if (parsed.json) {
        cli.json({ ...inspectorJson(inspector, ctx.now), ...(shown ? { token } : {}), out: tokenWritten ? out : null, png: pngWritten ? png : null });
      } else {
        cli.out(`Inspector token for ${inspector.name} (inspector id ${inspector.id}), valid until ${inspector.expiresAt}:`);
        // Our own drawing (ANSI colours and block characters): written as it is, not escaped.
        cli.io.stdout.write(await QRCode.toString(token, { type: 'terminal', small: true, errorCorrectionLevel: 'M' }));
        if (shown) cli.out(token);
        if (tokenWritten) cli.out(`Token written to ${out}.`);
        if (pngWritten) cli.out(`QR code written to ${png}.`);
      }
      cli.err(`note: the token is shown only now (the registry keeps its id, never the token); if it leaks: qdyp inspector revoke ${inspector.id}`);
      return status;
    });
  },
});

const list = command({
  summary: 'List inspector tokens issued: id, status, dates and name (never the tokens, which are stored nowhere).',
  usage: '',
  help: 'Status: active, expired (past its date) or revoked (with when and why).',
  async run(parsed, cli) {
    return cli.withRegistry(async (registry) => {
      const now = cli.now();
      const inspectors = listInspectors(registry.db);
      if (parsed.json) cli.json(inspectors.map((i) => inspectorJson(i, now)));
      else if (inspectors.length === 0) cli.out('No inspector tokens.');
      else {
        for (const i of inspectors) {
          const revoked = i.revokedAt === null ? '' : `  revoked ${i.revokedAt}${i.revokeReason ? `: ${i.revokeReason}` : ''}`;
          cli.out(`${i.id}  ${inspectorStatus(i, now).padEnd(7)}  issued ${i.issuedAt}  until ${i.expiresAt}  ${i.name}${revoked}`);
        }
      }
      return EXIT.ok;
    });
  },
});

const revoke = command({
  summary: "Revoke an inspector's token: its id (jti, never the token) goes on the signed revoked-inspectors list.",
  usage: 'ID [--reason TEXT]',
  help: `Options:
  --reason TEXT   why, for the audit trail

ID is the inspector id qdyp inspector add printed (qdyp inspector list shows them all).
Revocation is final and is published at once to the local edge store (like every change);
Cloudflare gets it at the next qdyp publish --to cloudflare. The inspector gets a new token
with qdyp inspector add.`,
  options: { reason: { type: 'string' } },
  positionals: { min: 1, max: 1 },
  async run(parsed, cli) {
    return cli.withRegistry(async (registry) => {
      const ctx = cli.context(registry);
      const inspector = await revokeInspector(ctx, parsed.positionals[0], text(parsed, 'reason'));
      if (parsed.json) cli.json(inspectorJson(inspector, ctx.now));
      else cli.out(`Revoked the token of inspector ${inspector.id} (${inspector.name}); its jti ${inspector.jti} goes on the revoked-inspectors list.`);
      return cli.publishAfterChange(registry, ctx.now);
    });
  },
});

export const inspector = group({ summary: 'Inspector tokens (市场监管): add, list, revoke.', commands: { add, list, revoke } });
