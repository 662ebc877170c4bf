// The print guide as a standalone HTML page, with no external requests (the holder portal serves it beside the artwork;
// the certificate PDF carries the same text as its second page).

import { raw } from 'hono/html';
import type { BilingualText } from './errors.ts';
import { COLOURS } from './mark.ts';
import { printGuide } from './print-guide-text.ts';

const STYLE = `
body{margin:0;background:#fff;color:#1d2433;font:16px/1.6 system-ui,"PingFang SC","Noto Sans SC","Microsoft YaHei",sans-serif}
main{max-width:46rem;margin:0 auto;padding:1.5rem 1.25rem 3rem}
h1{color:${COLOURS.blue};font-size:1.6rem;line-height:1.3;margin:.5rem 0 .25rem}
h2{color:${COLOURS.blue};font-size:1.15rem;margin:1.75rem 0 .5rem;border-bottom:2px solid ${COLOURS.gold};padding-bottom:.2rem}
.en{color:#4a5565;font-size:.9em}
h1 .en,h2 .en{display:block;font-weight:normal}
p .en{display:block}
ol{padding-left:1.4rem}li{margin:.6rem 0}li p{margin:0}
figure{margin:1.25rem 0;text-align:center}figcaption{font-size:.85rem;color:#4a5565}
@media print{body{font-size:11pt}main{padding:0}}
`;

function Both({ text }: { text: BilingualText }) {
  return (
    <p>
      {text.zh}
      <span class="en" lang="en">
        {text.en}
      </span>
    </p>
  );
}

/** A schematic, not a real code: three finder patterns and the blank margin around them. */
function QuietZoneFigure() {
  const finder = (x: number, y: number) => (
    <g transform={`translate(${x} ${y})`}>
      <rect width="7" height="7" fill={COLOURS.ink} />
      <rect x="1" y="1" width="5" height="5" fill={COLOURS.white} />
      <rect x="2" y="2" width="3" height="3" fill={COLOURS.ink} />
    </g>
  );
  return (
    <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 57 57" width="180" height="180" role="img" aria-label="quiet zone">
      <rect width="57" height="57" fill={COLOURS.white} stroke="#9aa5b5" stroke-width="0.3" stroke-dasharray="1 1" />
      <rect x="4" y="4" width="49" height="49" fill="#e8edf5" />
      {finder(4, 4)}
      {finder(46, 4)}
      {finder(4, 46)}
      <path d="M0 28.5h4M53 28.5h4M28.5 0v4M28.5 53v4" stroke={COLOURS.gold} stroke-width="0.8" />
    </svg>
  );
}

export function printGuideHtml(verifyDomain?: string): string {
  const guide = printGuide(verifyDomain);
  return (
    '<!DOCTYPE html>' +
    String(
      <html lang="zh-CN">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>
            {guide.title.zh} {guide.title.en}
          </title>
          <style>{raw(STYLE)}</style>
        </head>
        <body>
          <main>
            <h1>
              {guide.title.zh}
              <span class="en" lang="en">
                {guide.title.en}
              </span>
            </h1>
            <Both text={guide.intro} />
            <figure>
              <QuietZoneFigure />
              <figcaption>
                四周留白（虚线以内、灰色以外）至少 4 个小方块宽。
                <span lang="en"> The quiet zone (inside the dashed line, outside the grey) is at least 4 modules wide.</span>
              </figcaption>
            </figure>
            {guide.sections.map((section) => (
              <section>
                <h2>
                  {section.title.zh}
                  <span class="en" lang="en">
                    {section.title.en}
                  </span>
                </h2>
                <ol>
                  {section.items.map((item) => (
                    <li>
                      <Both text={item} />
                    </li>
                  ))}
                </ol>
              </section>
            ))}
          </main>
        </body>
      </html>,
    )
  );
}
