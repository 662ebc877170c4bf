// The seal's QR code as SVG: vector, dark on white, the dark modules as one path with crisp
// edges, and the 4-module quiet zone inside the artwork so it cannot be cropped away. Framed,
// it carries our mark above the code and the licence number under it, all as outlines.

import { COLOURS, MARK_BOX, MARK_NAME, MARK_SHAPES } from './mark.ts';
import { measureText, outlineText } from './outline-text.ts';
import { checkVectorSize, DEFAULT_SIZE_MM } from './print-size.ts';
import { darkRuns, encodeSealQr, modulesWithQuietZone, QUIET_ZONE_MODULES, type SealQr } from './qr.ts';

export interface QrSvgOptions {
  /** The printed width of the code with its quiet zone (default 30 mm). */
  sizeMm?: number;
  /** Frame the code with our mark above and the licence number below. */
  frame?: { licenceNumber: string };
}

const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

/** The dark modules as one path in module units, quiet zone included in the offsets. */
export function qrPathData(qr: SealQr): string {
  return darkRuns(qr)
    .map((run) => `M${run.x + QUIET_ZONE_MODULES} ${run.y + QUIET_ZONE_MODULES}h${run.length}v1h-${run.length}z`)
    .join('');
}

const mm = (n: number) => String(Math.round(n * 1000) / 1000);

function QrCode({ qr, x, y, size }: { qr: SealQr; x: number; y: number; size: number }) {
  const n = modulesWithQuietZone(qr);
  return (
    <g transform={`translate(${mm(x)} ${mm(y)}) scale(${mm(size / n)})`}>
      <rect width={n} height={n} fill={COLOURS.white} />
      <path d={qrPathData(qr)} fill={COLOURS.ink} shape-rendering="crispEdges" />
    </g>
  );
}

function Mark({ x, y, size }: { x: number; y: number; size: number }) {
  return (
    <g transform={`translate(${mm(x)} ${mm(y)}) scale(${mm(size / MARK_BOX)})`}>
      {MARK_SHAPES.map((shape) => (
        <path
          d={shape.d}
          fill={shape.fill ?? 'none'}
          stroke={shape.stroke}
          stroke-width={shape.strokeWidth}
          stroke-linecap={shape.stroke ? 'round' : undefined}
        />
      ))}
    </g>
  );
}

export function renderQrSvg(url: string, options: QrSvgOptions = {}): string {
  const qr = encodeSealQr(url);
  const size = options.sizeMm ?? DEFAULT_SIZE_MM;
  checkVectorSize(qr, size);
  const title = options.frame ? `${MARK_NAME} ${options.frame.licenceNumber}` : MARK_NAME;
  if (!options.frame) {
    const n = modulesWithQuietZone(qr);
    return XML_DECLARATION + String(
      <svg xmlns="http://www.w3.org/2000/svg" width={`${mm(size)}mm`} height={`${mm(size)}mm`} viewBox={`0 0 ${n} ${n}`}>
        <title>{title}</title>
        <rect width={n} height={n} fill={COLOURS.white} />
        <path d={qrPathData(qr)} fill={COLOURS.ink} shape-rendering="crispEdges" />
      </svg>,
    );
  }
  // Framed layout, in millimetres, proportional to the code so every size looks the same.
  const pad = size * 0.05;
  const headerHeight = size * 0.2;
  const numberSize = size * 0.075;
  const border = size * 0.012;
  const width = size + 2 * pad;
  const codeTop = pad + headerHeight;
  const height = codeTop + size + numberSize * 2.1;
  const markSize = headerHeight * 0.9;
  const nameSize = headerHeight * 0.58;
  const nameWidth = measureText(MARK_NAME, 'bold', nameSize, 0.08);
  const headerLeft = (width - (markSize + headerHeight * 0.25 + nameWidth)) / 2;
  const nameOutline = outlineText(MARK_NAME, {
    weight: 'bold',
    size: nameSize,
    x: headerLeft + markSize + headerHeight * 0.25,
    y: pad + headerHeight * 0.5 + nameSize * 0.36,
    tracking: 0.08,
  });
  const numberOutline = outlineText(options.frame.licenceNumber, {
    weight: 'bold',
    size: numberSize,
    x: width / 2,
    y: codeTop + size + numberSize * 0.9,
    align: 'middle',
    tracking: 0.04,
  });
  return XML_DECLARATION + String(
    <svg xmlns="http://www.w3.org/2000/svg" width={`${mm(width)}mm`} height={`${mm(height)}mm`} viewBox={`0 0 ${mm(width)} ${mm(height)}`}>
      <title>{title}</title>
      <rect
        x={mm(border / 2)}
        y={mm(border / 2)}
        width={mm(width - border)}
        height={mm(height - border)}
        rx={mm(size * 0.04)}
        fill={COLOURS.white}
        stroke={COLOURS.blue}
        stroke-width={mm(border)}
      />
      <Mark x={headerLeft} y={pad + (headerHeight - markSize) / 2} size={markSize} />
      <path d={nameOutline.d} fill={COLOURS.blue} />
      <QrCode qr={qr} x={pad} y={codeTop} size={size} />
      <path d={numberOutline.d} fill={COLOURS.ink} />
    </svg>,
  );
}
