// qdyp backup FILE · qdyp restore FILE [--force]: the database and the issuing keys (encrypted
// with QDYP_BACKUP_PASSPHRASE) in one file. The root key is never backed up here.

import fs from 'node:fs';
import { BACKUP_PASSPHRASE_ENV, restoreBackup, writeBackup } from '../backup.ts';
import { command, EXIT, flag, text as textOption, UsageError } from './command.ts';

export const backup = command({
  summary: 'Write the database and the issuing private keys (encrypted) to one file.',
  usage: 'FILE',
  help: `The issuing keys are encrypted with the passphrase in ${BACKUP_PASSPHRASE_ENV} (scrypt +
AES-256-GCM); without it, backup refuses. The root key is never included: keep it on its
offline media. An existing FILE is replaced atomically.`,
  positionals: { min: 1, max: 1 },
  async run(parsed, cli) {
    const file = cli.resolve(parsed.positionals[0]!);
    return cli.withRegistry(async (registry) => {
      const now = cli.now();
      const result = writeBackup(registry, file, cli.io.env[BACKUP_PASSPHRASE_ENV], now);
      if (parsed.json) cli.json({ file, createdAt: now.toISOString(), keys: result.keys, bytes: result.bytes });
      else cli.out(`Backed up ${registry.dbPath} and ${result.keys} issuing key(s) to ${file} (${result.bytes} bytes).`);
      return EXIT.ok;
    });
  },
});

export const restore = command({
  summary: 'Restore a registry (database and issuing keys) from a backup file, then publish.',
  usage: 'FILE [--force]',
  help: `Restores into the registry directory of --db. Refuses to replace an existing registry
unless --force is given (stop qdyp serve first). Needs ${BACKUP_PASSPHRASE_ENV}.

Before anything is written, the published state (the registry's edge/, or --edge DIR: a copy
of what production publishes) is compared with the backup: licences changed after the backup
are caught up from their published entries (so nothing older is ever published again); a
newer key list, or licences issued after the backup, refuse the restore. The transparency log
is recovered first: the published checkpoint is verified, and the entries published after the
backup are appended, once the backup's own entries and those rebuild the checkpoint's root; a
published log that is not an extension of the backup's (a fork) refuses the restore.

Options:
  --force      replace the existing registry database
  --edge DIR   the published state to catch up with (default: the registry's edge/)
  --without-published-state
               restore although nothing published is found to compare with (only for a
               registry that never published: otherwise give --edge)`,
  options: { force: { type: 'boolean' }, edge: { type: 'string' }, 'without-published-state': { type: 'boolean' } },
  positionals: { min: 1, max: 1 },
  async run(parsed, cli) {
    const file = cli.resolve(parsed.positionals[0]!);
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      throw new UsageError(`cannot read the backup file ${file}`);
    }
    const now = cli.now();
    const edge = textOption(parsed, 'edge');
    const { registry, createdAt, keys, caughtUp, published, logRecovered } = await restoreBackup({
      text,
      dbPath: cli.dbPath(),
      passphrase: cli.io.env[BACKUP_PASSPHRASE_ENV],
      force: flag(parsed, 'force'),
      now,
      actor: cli.actor(),
      edgeDir: edge === undefined ? undefined : cli.resolve(edge),
      withoutPublishedState: flag(parsed, 'without-published-state'),
    });
    try {
      if (parsed.json) cli.json({ db: registry.dbPath, backupCreatedAt: createdAt, keys, caughtUp, published, logRecovered });
      else {
        cli.out(`Restored ${registry.dbPath} from the backup of ${createdAt} (${keys} issuing key(s)).`);
        if (logRecovered > 0) cli.out(`Recovered ${logRecovered} transparency log entr${logRecovered === 1 ? 'y' : 'ies'} published after the backup.`);
        if (caughtUp.length > 0) cli.out(`Caught up ${caughtUp.length} licence(s) changed after the backup from their published entries: ${caughtUp.join(', ')}.`);
        if (!published) cli.err('warning: restored without comparing with any published state (--without-published-state)');
      }
      return await cli.publishAfterChange(registry, now);
    } finally {
      registry.close();
    }
  },
});
