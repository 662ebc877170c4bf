// qdyp keys list|rotate|compromise: the issuing keys and the transparency log's key. Rotating
// and compromising re-sign the key list, so they need the root key.

import fs from 'node:fs';
import { keyRole } from '../../core/index.ts';
import { createContactKey } from '../issuer/contact-key.ts';
import { compromiseKey, rotateKey } from '../issuer/index.ts';
import { licencesToReseal } from '../registry/licences.ts';
import { issuingKeyFile, resolveRootKey } from '../key-files.ts';
import { keyListExpiry } from '../publish.ts';
import { readConfig } from '../registry/config.ts';
import { registryPaths } from '../registry/db.ts';
import { listKeys } from '../registry/keys.ts';
import { command, EXIT, flag, group, text, type Cli, type Parsed } from './command.ts';

const ROOT_HELP = `  --root-key FILE   the root private key (default: QDYP_ROOT_KEY, else keys/root.jwk)
  --reason TEXT     why, for the audit trail`;

function rootKey(cli: Cli, parsed: Parsed) {
  const file = text(parsed, 'root-key');
  return resolveRootKey({ file: file === undefined ? undefined : cli.resolve(file), env: cli.io.env, defaultFile: registryPaths(cli.dbPath()).defaultRootKey });
}

const list = command({
  summary: 'List the keys (issuing and log) with their role, status and windows, and the key list version.',
  usage: '',
  help: '',
  async run(parsed, cli) {
    return cli.withRegistry(async (registry) => {
      const config = readConfig(registry.db);
      const keys = listKeys(registry.db).map((k) => ({ ...k, role: keyRole(k), privateKeyPresent: fs.existsSync(issuingKeyFile(registry.keysDir, k.kid)) }));
      const reseal = licencesToReseal(registry.db).map((l) => l.number);
      const expires = keyListExpiry(registry).toISOString();
      if (parsed.json) {
        cli.json({ keyListVersion: config.keyListVersion, keyListExpires: expires, rootKid: config.rootKid, keys, toReseal: reseal });
        return EXIT.ok;
      }
      cli.out(`key list version ${config.keyListVersion}, expires ${expires}; root ${config.rootKid}`);
      for (const k of keys) {
        cli.out(`${k.kid}  ${k.sid}  ${k.role.padEnd(5)}  ${k.status.padEnd(11)}  signs ${k.signFrom} to ${k.signUntil}  verifies until ${k.verifyUntil}${k.privateKeyPresent ? '' : '  (no private key here)'}`);
      }
      if (!keys.some((k) => k.role === 'log' && k.status === 'active')) cli.out('No active log key: publications carry no transparency log (make one with qdyp keys rotate --log).');
      if (reseal.length) cli.out(`Licences to reseal (signed by a compromised key): ${reseal.join(' ')}`);
      return EXIT.ok;
    });
  },
});

const rotate = command({
  summary: 'Make a new active issuing key (or, with --log, log key) and retire the old one (it signs nothing new; what it signed keeps verifying).',
  usage: '[--log] [--root-key FILE] [--reason TEXT]',
  help: `Options:
  --log             rotate the transparency log's key, which signs the log's checkpoints (a
                    registry made before the log gets its first log key so)
${ROOT_HELP}`,
  options: { log: { type: 'boolean' }, 'root-key': { type: 'string' }, reason: { type: 'string' } },
  async run(parsed, cli) {
    const root = rootKey(cli, parsed);
    const role = flag(parsed, 'log') ? 'log' : 'issue';
    return cli.withRegistry(async (registry) => {
      const ctx = cli.context(registry);
      const result = await rotateKey(ctx, root, text(parsed, 'reason'), { role });
      if (parsed.json) cli.json({ role, active: result.active, retired: result.retired, keyListVersion: result.keyListVersion });
      else cli.out(`New active ${role === 'log' ? 'log' : 'issuing'} key ${result.active.kid}; retired ${result.retired?.kid ?? '-'}; key list version ${result.keyListVersion}.`);
      return cli.publishAfterChange(registry, ctx.now);
    });
  },
});

const compromise = command({
  summary: 'Mark an issuing key compromised: its seals fail from now on. Lists the licences to reseal.',
  usage: 'KID [--root-key FILE] [--reason TEXT]',
  help: `KID is the key id or its 8-digit short id (qdyp keys list). If it is the active key, a new
active key is made at the same time.

Options:\n${ROOT_HELP}`,
  options: { 'root-key': { type: 'string' }, reason: { type: 'string' } },
  positionals: { min: 1, max: 1 },
  async run(parsed, cli) {
    const root = rootKey(cli, parsed);
    return cli.withRegistry(async (registry) => {
      const ctx = cli.context(registry);
      const result = await compromiseKey(ctx, parsed.positionals[0]!, root, text(parsed, 'reason'));
      const numbers = result.toReseal.map((l) => l.number);
      if (parsed.json) {
        cli.json({ compromised: result.compromised, active: result.active, keyListVersion: result.keyListVersion, toReseal: numbers });
      } else {
        cli.out(`Key ${result.compromised.kid} is marked compromised; key list version ${result.keyListVersion}.`);
        if (result.active) cli.out(`New active key ${result.active.kid}.`);
        cli.out(numbers.length ? `Reseal these licences (each needs new artwork):\n${numbers.map((n) => `  qdyp licence reseal ${n}`).join('\n')}` : 'No licences need resealing.');
      }
      return cli.publishAfterChange(registry, ctx.now);
    });
  },
});

const contactKey = command({
  summary: "Make the office's contact key (X25519): the edge encrypts shoppers' contacts to its public half.",
  usage: '[--replace]',
  help: `Options:
  --replace   make a new one even though one exists

Writes the private key to the registry's keys/ directory (mode 0600; keep it with the issuing
keys) and prints the public JWK: set it as QDYP_REPORT_KEY_JWK on the edge (qdyp serve, or
the Worker's variable). qdyp reports show decrypts contacts with the private key.

A contact can be read only with the key it was encrypted to: after --replace, contacts filed
under the old key (at the edge or already pulled) become unreadable.`,
  options: { replace: { type: 'boolean' } },
  async run(parsed, cli) {
    return cli.withRegistry(async (registry) => {
      const result = createContactKey(cli.context(registry), { replace: flag(parsed, 'replace') });
      if (parsed.json) cli.json({ publicJwk: result.publicJwk, file: result.file, replaced: result.replaced });
      else {
        cli.out(`Contact key written to ${result.file}${result.replaced ? ' (replacing the old one: contacts encrypted to it can no longer be read)' : ''}.`);
        cli.out('Set this on the edge as QDYP_REPORT_KEY_JWK:');
        cli.out(JSON.stringify(result.publicJwk));
      }
      return EXIT.ok;
    });
  },
});

export const keys = group({ summary: "Issuing and log keys, and the office's contact key.", commands: { list, rotate, compromise, 'contact-key': contactKey } });
