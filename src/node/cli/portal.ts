// qdyp portal snapshot: the file the holder portal serves from (see portal/snapshot.ts).

import fs from 'node:fs';
import path from 'node:path';
import { writePortalSnapshot } from '../portal/snapshot.ts';
import { registryPaths } from '../registry/db.ts';
import { command, EXIT, group, required, UsageError } from './command.ts';

const snapshot = command({
  summary: 'Write the portal snapshot: holders, licences, seals, licence documents and invitation-code hashes, and nothing else.',
  usage: '--out FILE',
  help: `Options:
  --out FILE   where to write the snapshot (an SQLite file, mode 0640, replaced atomically)

The snapshot is an allowlist of what the holder portal needs: no private or public keys, no
audit trail or officers' names, no publishing state. It is read from the registry opened
read-only, needs no key, and is what the portal shows (as of its creation time). It carries
the transparency log as published in the registry's edge/ (the checkpoint and its tiles), so
the portal offers each licence's .tlog-proof once a published checkpoint covers its entry.

Copy it to the portal host after every publish and from cron, with a copy that renames into
place (the portal reopens the file when its modification time changes), e.g.:
  qdyp portal snapshot --out /var/lib/qdyp/portal.sqlite &&
    rsync -t --chmod=F640 /var/lib/qdyp/portal.sqlite portal@portal-host:/srv/qdyp/portal.sqlite
New invitations (qdyp holder invite) and password resets take effect when it arrives there.`,
  options: { out: { type: 'string' } },
  async run(parsed, cli) {
    const out = cli.resolve(required(parsed, 'out'));
    const registry = registryPaths(cli.dbPath());
    const same = (a: string, b: string) => path.resolve(a) === path.resolve(b) || (fs.existsSync(a) && fs.existsSync(b) && fs.realpathSync(a) === fs.realpathSync(b));
    if ([registry.dbPath, `${registry.dbPath}-wal`, `${registry.dbPath}-shm`, `${registry.dbPath}-journal`].some((f) => same(out, f))) {
      throw new UsageError('--out must not be the registry database itself');
    }
    if (!fs.existsSync(path.dirname(out)) || !fs.statSync(path.dirname(out)).isDirectory()) throw new UsageError(`--out: no directory ${path.dirname(out)}`);
    if (fs.existsSync(out) && fs.statSync(out).isDirectory()) throw new UsageError(`--out ${out} is a directory`);
    const summary = writePortalSnapshot({ dbPath: registry.dbPath, out, now: cli.now() });
    if (parsed.json) cli.json(summary);
    else {
      cli.out(`Wrote the portal snapshot to ${summary.file}: ${summary.holders} holders, ${summary.licences} licences, ${summary.invitations} open invitations (${summary.bytes} bytes).`);
      cli.out(summary.logSize === null ? 'No transparency log is published yet: the portal offers no log proofs until one is.' : `Transparency log: the checkpoint of ${summary.logSize} entries, ${summary.logTiles} tiles.`);
      cli.out('Copy it to the portal host: what the portal shows, and new invitations, take effect when it arrives there.');
    }
    return EXIT.ok;
  },
});

export const portal = group({ summary: 'The holder portal (品牌主体门户).', commands: { snapshot } });
