// One entry for the CLI (`qdyp artwork NUMBER --format svg|png|pdf [--size-mm N] [--dpi N]`) and
// the holder portal: options in, file bytes out. Every format first cross-checks the seal URL
// against the licence document, so artwork is never made for a seal the document does not name.

import { readArtworkSource, type ArtworkInput } from './artwork-source.ts';
import { renderCertificatePdf, type CertificateLogRecord } from './certificate.ts';
import { ArtworkError } from './errors.ts';
import { renderQrPng } from './qr-png.ts';
import { DEFAULT_DPI, DEFAULT_SIZE_MM, formatMm } from './print-size.ts';
import { renderQrSvg } from './svg.tsx';

export const ARTWORK_FORMATS = ['svg', 'png', 'pdf'] as const;
export type ArtworkFormat = (typeof ARTWORK_FORMATS)[number];

export interface ArtworkRequest extends ArtworkInput {
  format: ArtworkFormat;
  /** SVG and PNG: the printed width with the quiet zone (default 30 mm). */
  sizeMm?: number;
  /** PNG only (default 600). */
  dpi?: number;
  /** SVG only: frame the code with our mark and the licence number. */
  framed?: boolean;
  /** The registry's address for the holder; used by the PDF certificate, ignored otherwise. */
  holderAddress?: string;
  /** The licence's latest log entry and its proof, if published: the PDF certificate prints them. */
  log?: CertificateLogRecord;
}

export interface RenderedArtwork {
  bytes: Uint8Array;
  mediaType: string;
  /** A file name that says what the file is, e.g. `QDYP-2026-000001-30mm-600dpi.png`. */
  fileName: string;
}

function notFor(option: string, formats: string): ArtworkError {
  return new ArtworkError('ERR_ARTWORK_OPTION', {
    zh: `${option} 只适用于 ${formats} 格式。`,
    en: `${option} applies only to ${formats}.`,
  });
}

export async function renderArtwork(request: ArtworkRequest): Promise<RenderedArtwork> {
  const { format } = request;
  if (!ARTWORK_FORMATS.includes(format)) {
    throw new ArtworkError('ERR_ARTWORK_OPTION', { zh: '格式须为 svg、png 或 pdf。', en: 'The format must be svg, png or pdf.' });
  }
  if (request.dpi !== undefined && format !== 'png') throw notFor('--dpi', 'PNG');
  if (request.sizeMm !== undefined && format === 'pdf') throw notFor('--size-mm', 'SVG / PNG');
  if (request.framed && format !== 'svg') throw notFor('--framed', 'SVG');

  const source = readArtworkSource(request);
  const number = source.licence.number;
  const size = request.sizeMm ?? DEFAULT_SIZE_MM;
  switch (format) {
    case 'svg': {
      const frame = request.framed ? { licenceNumber: number } : undefined;
      const svg = renderQrSvg(source.sealUrl, { sizeMm: size, frame });
      return {
        bytes: new TextEncoder().encode(svg),
        mediaType: 'image/svg+xml',
        fileName: `${number}-${formatMm(size)}mm${frame ? '-framed' : ''}.svg`,
      };
    }
    case 'png': {
      const dpi = request.dpi ?? DEFAULT_DPI;
      return {
        bytes: renderQrPng(source.sealUrl, { sizeMm: size, dpi }),
        mediaType: 'image/png',
        fileName: `${number}-${formatMm(size)}mm-${dpi}dpi.png`,
      };
    }
    case 'pdf':
      return {
        bytes: await renderCertificatePdf({ sealUrl: request.sealUrl, licenceDocument: request.licenceDocument, holderAddress: request.holderAddress, log: request.log }),
        mediaType: 'application/pdf',
        fileName: `${number}-certificate.pdf`,
      };
  }
}
