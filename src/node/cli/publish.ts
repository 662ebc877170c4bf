// qdyp publish: publish what each target lacks (the licence entries changed since, the lists
// signed afresh) and rebuild the offline bundles: to the local edge store, and with --to
// cloudflare to KV and R2 as well. Safe to run from cron, and idempotent.

import { refreshKeyList } from '../issuer/index.ts';
import { resolveRootKey } from '../key-files.ts';
import { keyListDue, publishedBytes, publishLocal, publishToCloudflare } from '../publish.ts';
import { readConfig } from '../registry/config.ts';
import { registryPaths } from '../registry/db.ts';
import { command, EXIT, flag, text, UsageError } from './command.ts';

export const publish = command({
  summary: 'Publish what the edge lacks: changed licence entries, the status, revision, key and revoked-inspectors lists, and the offline bundles.',
  usage: '[--to local|cloudflare] [--full] [--root-key FILE]',
  help: `Options:
  --to local        write the registry's edge/ directory (default)
  --to cloudflare   also publish to Cloudflare: KV (bound as QDYP_KV) through
                    npx wrangler kv bulk put --remote --binding QDYP_KV FILE (10,000 pairs a
                    call), bundles to R2 (QDYP_R2_BUNDLES, default bucket qdyp-bundles), run
                    from the current directory (where wrangler.toml is; log in first)
  --full            rewrite every licence entry, not only those changed since the last
                    publication (after a key compromise, or to repair a store); idempotent
  --root-key FILE   the root key, to re-sign the key list when it is within 30 days of
                    expiring (also found at QDYP_ROOT_KEY or keys/root.jwk; without it,
                    publish warns and goes ahead)

Run it daily from cron: status lists expire 14 days after they are signed.`,
  options: { to: { type: 'string' }, full: { type: 'boolean' }, 'root-key': { type: 'string' } },
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
      const full = flag(parsed, 'full');
      const local = await publishLocal(registry, ctx.now, { full, bundles: true });
      for (const warning of local.warnings) cli.err(`warning: ${warning}`);
      const remote = to === 'cloudflare' ? await publishToCloudflare(registry, ctx.now, { full, cwd: cli.io.cwd, bucket: cli.io.env.QDYP_R2_BUNDLES || undefined }) : null;
      const version = readConfig(registry.db).keyListVersion;
      // logSize: the size of the checkpoint published (null: no log published; the warnings say why).
      const counts = (p: typeof local) => ({ entries: p.entries.length, bundles: p.bundles.length, logSize: p.logSizes?.to ?? null, bytes: publishedBytes(p) });
      if (parsed.json) {
        cli.json({ to, edgeDir: registry.edgeDir, keyListVersion: version, publishedAt: ctx.now.toISOString(), local: counts(local), cloudflare: remote && counts(remote), warnings: local.warnings });
      } else {
        const where = to === 'local' ? registry.edgeDir : `${registry.edgeDir} and Cloudflare (KV QDYP_KV, R2 bundles)`;
        const log = local.logSizes ? `, the log's checkpoint at ${local.logSizes.to} entr${local.logSizes.to === 1 ? 'y' : 'ies'}` : '';
        cli.out(`Published to ${where} at ${ctx.now.toISOString()} (key list version ${version}; ${local.entries.length} licence entr${local.entries.length === 1 ? 'y' : 'ies'}, ${local.bundles.length} bundles${log}).`);
      }
      return EXIT.ok;
    });
  },
});
