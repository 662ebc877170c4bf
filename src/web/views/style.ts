// The page's only stylesheet, inline (no external requests) and allowed by the CSP through its
// hash, so no other style can run. Colour and icon both tell the states apart.

import { INSPECT_CSS } from './inspect-style.ts';

export const CSS = `*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:#eef1f4;color:#17202a;font:16px/1.55 system-ui,-apple-system,"PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC","Noto Sans SC",sans-serif}
.page{max-width:34rem;margin:0 auto;padding:0 .75rem 1.5rem}
.top{display:flex;align-items:center;gap:.6rem;padding:.75rem 0}
.brand b{display:block;font-size:1.1rem;line-height:1.25}
.brand span{font-size:.8rem;color:#56616c}
.lang{margin-left:auto;padding:.3rem .85rem;border:1px solid #b4bec8;border-radius:1rem;background:#fff;color:#0b4f8a;font-size:.9rem;text-decoration:none;white-space:nowrap}
.verdict{display:flex;align-items:center;gap:.9rem;padding:1.1rem 1rem;border-radius:.9rem;color:#fff}
.verdict svg{flex:none}
h1{margin:0;font-size:1.9rem;line-height:1.2;letter-spacing:.04em}
.verdict p{margin:.3rem 0 0;font-size:.95rem}
.authorized{background:#12723a}
.suspended{background:#a64f00}
.revoked{background:#b3261e}
.expired{background:#5f6368}
.pending{background:#2a5d9f}
.unknown{background:#fff;color:#17202a;border:.2rem dashed #7b8591}
.invalid{background:#1f1f1f}
.card{margin-top:.75rem;padding:.9rem 1rem;border-radius:.9rem;background:#fff}
h2{margin:0 0 .4rem;font-size:.85rem;font-weight:600;color:#56616c}
dl,.card p{margin:0}
dl div{padding:.45rem 0;border-top:1px solid #e6eaee}
dl div:first-child{border:0;padding-top:0}
dt{font-size:.8rem;color:#56616c}
dd{margin:0;font-size:1.05rem;overflow-wrap:anywhere}
.holder dd{font-size:1.25rem;font-weight:600}
ul{margin:0;padding-left:1.2rem}
.card .hotline{margin-top:.5rem}
.hotline a{color:#0b4f8a;font-size:1.25rem;font-weight:700}
.card .domain{color:#0b4f8a;font-size:1.3rem;font-weight:700;overflow-wrap:anywhere}
.meta{margin:.75rem .25rem 0;color:#56616c;font-size:.8rem}
footer{margin-top:1.25rem;color:#5b6570;font-size:.75rem;text-align:center}`;

function hashSource(css: string): Promise<string> {
  return crypto.subtle.digest('SHA-256', new TextEncoder().encode(css)).then((digest) => {
    let binary = '';
    for (const byte of new Uint8Array(digest)) binary += String.fromCharCode(byte);
    return `'sha256-${btoa(binary)}'`;
  });
}

let cspSource: Promise<string> | undefined;
let inspectCspSource: Promise<string> | undefined;

/** The CSP source that allows exactly CSS: `'sha256-…'`, computed once. */
export function styleHashSource(): Promise<string> {
  cspSource ??= hashSource(CSS);
  return cspSource;
}

/** The same for the inspector page's stylesheet (CSS and its additions). */
export function inspectStyleHashSource(): Promise<string> {
  inspectCspSource ??= hashSource(CSS + INSPECT_CSS);
  return inspectCspSource;
}
