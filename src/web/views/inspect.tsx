// The inspector page's shell (/inspect): the frame, the pinned root and this programme's hosts
// for the script, and the state icons as templates. The script (built from src/inspect) draws
// everything else in the inspector's language, so one cached copy serves offline in both.

import { raw } from 'hono/html';
import type { PublicJwk } from '../../core/index.ts';
import { INSPECT_CSS } from './inspect-style.ts';
import { MARK, stateIcon, type State } from './icons.ts';
import { CSS } from './style.ts';

const STATES: State[] = ['authorized', 'suspended', 'revoked', 'expired', 'pending', 'unknown', 'invalid'];

/** JSON inside <script type="application/json">: `<` escaped so no text can close the element. */
function jsonData(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

export function InspectShell({ root, hosts }: { root: PublicJwk | null; hosts: string[] }) {
  return (
    <>
      {raw('<!DOCTYPE html>')}
      <html lang="zh-CN">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width,initial-scale=1" />
          <meta name="robots" content="noindex" />
          <meta name="theme-color" content="#0b4f8a" />
          <title>现场查验 · 青岛优品</title>
          <link rel="manifest" href="/inspect/manifest.webmanifest" />
          <link rel="icon" href="/inspect/icon.svg" />
          <style>{raw(CSS + INSPECT_CSS)}</style>
          <script defer src="/inspect/app.js"></script>
        </head>
        <body>
          <div class="page">
            <header class="top">
              {MARK}
              <div class="brand">
                <b id="programme">青岛优品</b>
                <span id="service">现场查验</span>
              </div>
              <button type="button" class="lang" id="lang" lang="en">
                English
              </button>
            </header>
            <main id="app">
              <noscript>
                <p class="notice bad">现场查验页需要启用 JavaScript。The inspection page needs JavaScript.</p>
              </noscript>
            </main>
            <footer>青岛优品工程办公室 · Qingdao Premium Products office</footer>
          </div>
          {STATES.map((state) => (
            <template id={`icon-${state}`}>{stateIcon(state)}</template>
          ))}
          <script type="application/json" id="qdyp-config">
            {raw(jsonData({ root, hosts }))}
          </script>
        </body>
      </html>
    </>
  );
}
