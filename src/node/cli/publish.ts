// qdyp publish: sign the status list, register and bundle afresh and write them to the local
// edge store (and, with --to cloudflare, to the QDYP_KV namespace). Safe to run from cron.

import { refreshKeyList } from '../issuer/index.ts';
import { resolveRootKey } from '../key-files.ts';
import { keyListDue, publishLocal, publishToCloudflare } from '../publish.ts';
import { readConfig } from '../registry/config.ts';
import { registryPaths } from '../registry/db.ts';
import { command, EXIT, text, UsageError } from './command.ts';

export const publish = command({
  summary: 'Sign and publish the key list, status list, register, bundle and revoked-inspectors list.',
  usage: '[--to local|cloudflare] [--root-key FILE]',
  help: `Options:
  --to local        write the registry's edge/ directory (default)
  --to cloudflare   also write them to the KV namespace bound as QDYP_KV, by running
                    npx wrangler kv bulk put --remote --binding QDYP_KV FILE
                    from the current directory (where wrangler.toml is; log in first)
  --root-key FILE   the root key, to re-sign the key list when it is within 30 days of
                    expiring (also found at QDYP_ROOT_KEY or keys/root.jwk; without it,
                    publish warns and goes ahead)

Run it daily from cron: status lists expire 14 days after they are signed.`,
  options: { to: { type: 'string' }, 'root-key': { type: 'string' } },
  async run(parsed, cli) {
    const to = text(parsed, 'to') ?? 'local';
    if (to !== 'local' && to !== 'cloudflare') throw new UsageError('--to must be local or cloudflare');
    return cli.withRegistry(async (registry) => {
      const ctx = cli.context(registry);
      if (keyListDue(registry, ctx.now)) {
        const file = text(parsed, 'root-key');
        let root;
        try {
          root = resolveRootKey({ file: file === undefined ? undefined : cli.resolve(file), env: cli.io.env, defaultFile: registryPaths(registry.dbPath).defaultRootKey });
        } catch (error) {
          if (file !== undefined) throw error;
        }
        if (root) {
          const { keyListVersion } = await refreshKeyList(ctx, root);
          cli.err(`Re-signed the key list (version ${keyListVersion}) before it expires.`);
        }
      }
      const { artifacts, warnings } = await publishLocal(registry, ctx.now);
      for (const warning of warnings) cli.err(`warning: ${warning}`);
      if (to === 'cloudflare') publishToCloudflare(artifacts, { cwd: cli.io.cwd });
      const version = readConfig(registry.db).keyListVersion;
      if (parsed.json) cli.json({ to, edgeDir: registry.edgeDir, keyListVersion: version, publishedAt: ctx.now.toISOString(), warnings });
      else cli.out(`Published to ${to === 'local' ? registry.edgeDir : `${registry.edgeDir} and Cloudflare KV (QDYP_KV)`} at ${ctx.now.toISOString()} (key list version ${version}).`);
      return EXIT.ok;
    });
  },
});
