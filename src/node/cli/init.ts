// qdyp init: a new registry directory with its root key, first issuing key and key list.

import { ROOT_KEY_ENV, parsePrivateKey } from '../key-files.ts';
import { initRegistry } from '../issuer/index.ts';
import { registryPaths } from '../registry/db.ts';
import { command, required, text } from './command.ts';

export const init = command({
  summary: 'Create a new registry: the database, the root key (unless given), the first issuing key, and a published key list.',
  usage: '--origin URL [--root-key FILE]',
  help: `Options:
  --origin URL      the verify origin printed in every QR code, e.g. https://v.qdyp.cn
                    (scheme and host only; at most 28 characters, stored upper-cased)
  --root-key FILE   the root private key (JWK). Used if the file exists; created there if not.
                    Default: QDYP_ROOT_KEY if set, else keys/root.jwk beside the database.
                    In production keep the root key on offline media: it is needed only by
                    init, keys rotate and keys compromise.

init refuses to run where a registry database already exists.`,
  options: { origin: { type: 'string' }, 'root-key': { type: 'string' } },
  async run(parsed, cli) {
    const origin = required(parsed, 'origin');
    const rootKeyFile = text(parsed, 'root-key');
    const fromEnv = rootKeyFile === undefined ? cli.io.env[ROOT_KEY_ENV] : undefined;
    const result = await initRegistry({
      dbPath: cli.dbPath(),
      origin,
      rootKey: fromEnv ? parsePrivateKey(fromEnv, ROOT_KEY_ENV) : undefined,
      rootKeyFile: rootKeyFile === undefined ? undefined : cli.resolve(rootKeyFile),
      now: cli.now(),
      actor: cli.actor(),
    });
    const { registry } = result;
    try {
      const status = await cli.publishAfterChange(registry, cli.now());
      const paths = registryPaths(registry.dbPath);
      if (parsed.json) {
        cli.json({
          db: registry.dbPath,
          dir: registry.dir,
          origin: result.origin,
          rootKid: result.rootKid,
          rootKeyFile: result.rootKeyFile,
          rootPublicJwk: paths.rootPublicJwk,
          issuingKid: result.issuingKey.kid,
          logKid: result.logKey.kid,
          keyListVersion: 1,
          edgeDir: registry.edgeDir,
        });
      } else {
        cli.out(`Registry created at ${registry.dir}`);
        cli.out(`  origin        ${result.origin}`);
        cli.out(`  root key      ${result.rootKid}  (${result.rootKeyFile ? `${result.rootKeyCreated ? 'new, ' : ''}${result.rootKeyFile}` : ROOT_KEY_ENV})`);
        cli.out(`  issuing key   ${result.issuingKey.kid}  (signs until ${result.issuingKey.signUntil}; seals verify until ${result.issuingKey.verifyUntil})`);
        cli.out(`  log key       ${result.logKey.kid}  (signs the transparency log's checkpoints)`);
        cli.out(`  published to  ${registry.edgeDir}`);
        cli.out(`Pin the root public key in every verifier (QDYP_ROOT_JWK): ${paths.rootPublicJwk}`);
        if (result.rootKeyCreated && result.rootKeyFile === paths.defaultRootKey) {
          cli.out('In production, move keys/root.jwk to offline media and give --root-key when rotating keys.');
        }
      }
      return status;
    } finally {
      registry.close();
    }
  },
});
