// The files a holder can download for a licence, each drawn only from the seal URL and the
// licence document the snapshot carries (signed at issuance), and — its .tlog-proof, and the
// certificate's log annex — from the licence's latest log entry and the published checkpoint
// and tiles the snapshot carries: no key is needed or read. The names after
// `/portal/licences/NUMBER/` are a closed list; anything else is not found.

import { logEntryProof, tilePath, TlogError } from '../../core/index.ts';
import { printGuideHtml, PRINT_DPIS, PRINT_SIZES_MM, readArtworkSource, renderArtwork, type CertificateLogRecord } from '../artwork/index.ts';
import type { PortalHolder, PortalLicence, PortalLogRecord } from './snapshot.ts';
import { styleHashOf } from './views/style.ts';

export type Download =
  | { kind: 'svg' }
  | { kind: 'png'; sizeMm: number; dpi: number }
  | { kind: 'pdf' }
  | { kind: 'guide' }
  | { kind: 'jws' }
  | { kind: 'tlog-proof' };

export const SVG_FILE = 'qr.svg';
export const CERTIFICATE_FILE = 'certificate.pdf';
export const PRINT_GUIDE_FILE = 'print-guide.html';
export const DOCUMENT_FILE = 'licence.jws';
export const PROOF_FILE = 'licence.tlog-proof';

export function pngFile(sizeMm: number, dpi: number): string {
  return `qr-${sizeMm}mm-${dpi}dpi.png`;
}

export const DOWNLOADS: ReadonlyMap<string, Download> = new Map<string, Download>([
  [SVG_FILE, { kind: 'svg' }],
  ...PRINT_SIZES_MM.flatMap((sizeMm) => PRINT_DPIS.map((dpi): [string, Download] => [pngFile(sizeMm, dpi), { kind: 'png', sizeMm, dpi }])),
  [CERTIFICATE_FILE, { kind: 'pdf' }],
  [PRINT_GUIDE_FILE, { kind: 'guide' }],
  [DOCUMENT_FILE, { kind: 'jws' }],
  [PROOF_FILE, { kind: 'tlog-proof' }],
]);

export interface DownloadFile {
  bytes: Uint8Array;
  mediaType: string;
  fileName: string;
  /** Shown in the browser (the print guide) rather than saved. */
  inline: boolean;
  /** The CSP the file is served under. */
  csp: string;
}

const FILE_CSP = "default-src 'none'; frame-ancestors 'none'; sandbox";

/**
 * The licence's log record for the certificate and the proof download: its latest entry, with
 * the .tlog-proof when the published checkpoint covers it. Tiles that do not prove the entry
 * (a snapshot copied from a damaged edge) give no proof: the certificate then says where it is
 * online, and the download is not offered.
 */
export async function portalLogRecord(record: PortalLogRecord): Promise<CertificateLogRecord | undefined> {
  if (record.kind === 'none') return undefined;
  if (record.kind === 'pending') return { index: record.index };
  try {
    const proof = await logEntryProof(record.index, record.entry, record.checkpoint, async (level, index, width) => {
      const tile = record.tiles.get(tilePath(level, index, width));
      if (!tile) throw new TlogError('ERR_TLOG_TILE', 'the snapshot lacks a tile of the published log');
      return tile;
    });
    return { index: record.index, proof };
  } catch (error) {
    if (error instanceof TlogError) return { index: record.index };
    throw error;
  }
}

/** The file, or null when it does not exist (yet): the proof before the publication that covers it. */
export async function renderDownload(download: Download, licence: PortalLicence, holder: PortalHolder, log?: CertificateLogRecord): Promise<DownloadFile | null> {
  const input = { sealUrl: licence.sealUrl, licenceDocument: licence.document };
  switch (download.kind) {
    case 'svg':
      return { ...(await renderArtwork({ format: 'svg', ...input })), inline: false, csp: FILE_CSP };
    case 'png':
      return { ...(await renderArtwork({ format: 'png', sizeMm: download.sizeMm, dpi: download.dpi, ...input })), inline: false, csp: FILE_CSP };
    case 'pdf':
      return { ...(await renderArtwork({ format: 'pdf', holderAddress: holder.address ?? undefined, log, ...input })), inline: false, csp: FILE_CSP };
    case 'guide': {
      const html = printGuideHtml(readArtworkSource(input).verifyDomain);
      const style = styleHashOf(html);
      return {
        bytes: new TextEncoder().encode(html),
        mediaType: 'text/html; charset=UTF-8',
        fileName: `${licence.number}-print-guide.html`,
        inline: true,
        csp: `default-src 'none'; style-src ${style ?? "'none'"}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
      };
    }
    case 'jws':
      // Checked like the artwork's source, so a damaged snapshot row is never handed out.
      readArtworkSource(input);
      return { bytes: new TextEncoder().encode(`${licence.document}\n`), mediaType: 'application/jose', fileName: `${licence.number}.jws`, inline: false, csp: FILE_CSP };
    case 'tlog-proof':
      if (log?.proof === undefined) return null;
      return { bytes: new TextEncoder().encode(log.proof), mediaType: 'text/plain; charset=UTF-8', fileName: `${licence.number}.tlog-proof`, inline: false, csp: FILE_CSP };
  }
}
