// GET /console/keys  the issuing keys (as `qdyp keys list` shows them), the licences still to
// reseal, the officers (as `qdyp officer list`), and the CLI commands for what changes them.
// Read-only: the root key never passes through the console.

import fs from 'node:fs';
import type { Hono } from 'hono';
import { keyRole } from '../../../core/index.ts';
import { contactKeyFile } from '../../issuer/contact-key.ts';
import { listOfficers, officerSummary } from '../../issuer/index.ts';
import { issuingKeyFile } from '../../key-files.ts';
import { keyListExpiry } from '../../publish.ts';
import { readConfig } from '../../registry/config.ts';
import { listKeys } from '../../registry/keys.ts';
import { licencesToReseal } from '../../registry/licences.ts';
import { frameOf, page, type ConsoleEnv, type ConsoleKit } from '../kit.ts';
import { KeysPage, type KeysView } from '../views/keys.tsx';

export function keyRoutes(app: Hono<ConsoleEnv>, kit: ConsoleKit): void {
  app.get('/console/keys', (c) => {
    const { registry } = kit;
    const now = kit.clock();
    const config = readConfig(registry.db);
    const view: KeysView = {
      dbPath: registry.dbPath,
      keyListVersion: config.keyListVersion,
      keyListExpires: keyListExpiry(registry).toISOString(),
      rootKid: config.rootKid,
      // Only the public record's ids, status and windows: never a JWK, public or private.
      keys: listKeys(registry.db).map((k) => ({
        kid: k.kid,
        sid: k.sid,
        role: keyRole(k),
        status: k.status,
        signFrom: k.signFrom,
        signUntil: k.signUntil,
        verifyUntil: k.verifyUntil,
        statusChangedAt: k.statusChangedAt,
        privateKeyHere: fs.existsSync(issuingKeyFile(registry.keysDir, k.kid)),
      })),
      toReseal: licencesToReseal(registry.db),
      officers: listOfficers(registry.db).map((o) => officerSummary(o, now)),
      contactKeyHere: fs.existsSync(contactKeyFile(registry)),
    };
    return page(c, 200, <KeysPage frame={frameOf(c, 'keys')} view={view} />);
  });
}
