// qdyp artwork: print-ready QR artwork (SVG, PNG) and the PDF certificate for one licence.
// Rendered only from what was signed at issuance (the stored seal and licence document), so it
// needs no private key: the registry is opened read-only and keys/ is never read.

import { TlogError } from '../../core/index.ts';
import { ArtworkError, ARTWORK_FORMATS, renderArtwork, type ArtworkFormat, type CertificateLogRecord } from '../artwork/index.ts';
import { RefusedError } from '../errors.ts';
import { writeFileAtomic } from '../files.ts';
import { licenceSealUrl } from '../issuer/index.ts';
import { licenceLogProof } from '../log-proofs.ts';
import { openRegistry, type Registry } from '../registry/db.ts';
import { getHolder } from '../registry/holders.ts';
import { getLicence, type LicenceRecord } from '../registry/licences.ts';
import { logEntryAt } from '../registry/log.ts';
import { command, EXIT, flag, required, text, UsageError, type Cli } from './command.ts';

function positiveNumber(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,4}(\.\d{1,2})?$/.test(value)) throw new UsageError(`--${name} must be a number such as 30`);
  return Number(value);
}

/**
 * The certificate's log record: the licence's latest entry, with its proof when the published
 * log (the registry's edge/) covers it. A published log that does not prove the entry is
 * warned about, and the certificate then says where the proof is online.
 */
async function certificateLog(cli: Cli, registry: Registry, licence: LicenceRecord): Promise<CertificateLogRecord | undefined> {
  if (licence.logIndex === undefined) return undefined;
  const index = licence.logIndex;
  const entry = logEntryAt(registry.db, index);
  if (entry === null) return { index };
  try {
    const made = await licenceLogProof(registry.edgeDir, index, entry);
    return made.kind === 'proof' ? { index, proof: made.text } : { index };
  } catch (error) {
    if (!(error instanceof TlogError)) throw error;
    cli.err(`warning: the published log does not prove entry ${index} (${error.message}): the certificate prints where the proof is online instead`);
    return { index };
  }
}

export const artwork = command({
  summary: 'print-ready QR artwork (SVG, PNG) or the PDF certificate (授权证书) for a licence',
  usage: 'NUMBER --format svg|png|pdf [--size-mm N] [--dpi N] [--framed] --out FILE',
  help: `Options:
  --format svg|png|pdf   svg: vector QR; png: raster QR; pdf: the A4 certificate with the print guide
  --size-mm N            printed width including the quiet zone (svg, png; default 30).
                         Below the 0.4 mm-a-module minimum (22.8 mm for a version 8 code) is refused.
  --dpi N                png resolution (default 600; 300 or more)
  --framed               svg: frame the code with the mark and the licence number
  --out FILE             where to write the file

Needs no private key: artwork is drawn from the seal and licence document signed at issuance.
The certificate's annex prints the .tlog-proof of the licence's latest log entry once the
published log (the registry's edge/) covers it; before, it says where the proof will be online.`,
  options: { format: { type: 'string' }, 'size-mm': { type: 'string' }, dpi: { type: 'string' }, framed: { type: 'boolean' }, out: { type: 'string' } },
  positionals: { min: 1, max: 1 },
  async run(parsed, cli) {
    const number = parsed.positionals[0]!;
    const format = required(parsed, 'format');
    if (!(ARTWORK_FORMATS as readonly string[]).includes(format)) throw new UsageError('--format must be svg, png or pdf');
    const out = cli.resolve(required(parsed, 'out'));
    const registry = openRegistry(cli.dbPath(), { readonly: true });
    try {
      const licence = getLicence(registry.db, number);
      if (!licence) throw new RefusedError('unknown_licence', `no licence numbered ${number}`);
      const holder = getHolder(registry.db, licence.holder.uscc);
      const rendered = await renderArtwork({
        format: format as ArtworkFormat,
        sizeMm: positiveNumber(text(parsed, 'size-mm'), 'size-mm'),
        dpi: positiveNumber(text(parsed, 'dpi'), 'dpi'),
        framed: flag(parsed, 'framed') || undefined,
        sealUrl: licenceSealUrl(registry, licence),
        licenceDocument: licence.document,
        holderAddress: holder?.address ?? undefined,
        log: format === 'pdf' ? await certificateLog(cli, registry, licence) : undefined,
      });
      writeFileAtomic(out, rendered.bytes);
      if (parsed.json) cli.json({ number, format, file: out, mediaType: rendered.mediaType, bytes: rendered.bytes.length });
      else cli.out(`${number}: wrote ${rendered.mediaType}, ${rendered.bytes.length} bytes, to ${out}`);
      return EXIT.ok;
    } catch (error) {
      if (error instanceof ArtworkError) throw new RefusedError('artwork_refused', error.message);
      throw error;
    } finally {
      registry.close();
    }
  },
});
