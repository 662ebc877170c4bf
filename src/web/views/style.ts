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
.card .report-link{margin-top:.6rem}
.report-link a{display:inline-block;padding:.45rem 0;color:#0b4f8a;font-weight:600}
.meta{margin:.75rem .25rem 0;color:#56616c;font-size:.8rem}
footer{margin-top:1.25rem;color:#5b6570;font-size:.75rem;text-align:center}`;

/** The report form's additions: large targets for a thumb at 360 px, visible focus and errors. */
export const REPORT_CSS = `
.report h1{font-size:1.6rem;margin-bottom:.5rem}
[data-report] h1,[data-report-refused] h1{font-size:1.5rem}
.report form{margin-top:.75rem}
fieldset{margin:0 0 1rem;padding:0;border:0}
legend,.field label{display:block;margin-bottom:.3rem;font-weight:600}
.choice{display:flex;align-items:center;gap:.6rem;min-height:3rem;margin:.35rem 0;padding:.5rem .75rem;border:1px solid #b4bec8;border-radius:.6rem;background:#fff}
.choice input{flex:none;width:1.35rem;height:1.35rem;margin:0}
.field{margin-bottom:1rem}
.field label span{font-weight:400;color:#56616c}
.hint{margin:0 0 .35rem;color:#56616c;font-size:.85rem}
input[type=text],textarea{display:block;width:100%;min-height:3rem;padding:.6rem .7rem;border:1px solid #7b8591;border-radius:.5rem;font:inherit;color:inherit;background:#fff}
textarea{min-height:6rem;resize:vertical}
[aria-invalid=true]{border:2px solid #b3261e}
:focus-visible{outline:3px solid #0b4f8a;outline-offset:2px}
button{display:block;width:100%;min-height:3.2rem;padding:.7rem 1rem;border:0;border-radius:.6rem;background:#0b4f8a;color:#fff;font:inherit;font-size:1.1rem;font-weight:700}
.alert{margin:.75rem 0;padding:.75rem 1rem;border-left:.3rem solid #b3261e;border-radius:.5rem;background:#fdecea;color:#17202a}
.alert h2{color:#8c1d18}
.card .alert p{margin:0}
.alert a{color:#8c1d18}
.back a,.card .back a{display:inline-block;padding:.4rem 0;color:#0b4f8a}`;

/** The transparency log's pages: hashes in a monospace that wraps, the entry list, the split-view warning. */
export const LOG_CSS = `
.log h1{font-size:1.5rem;margin-bottom:.5rem}
.verdict h2{margin:0;color:#fff;font-size:1.35rem}
.log+.verdict{margin-top:.75rem}
.hash{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.85rem;overflow-wrap:anywhere}
.entries{list-style:none;margin:0;padding:0}
.entries li{padding:.55rem 0;border-top:1px solid #e6eaee}
.entries li:first-child{border:0;padding-top:0}
.entries a,.card .more a{display:inline-block;padding:.2rem 0;color:#0b4f8a;font-weight:600}
.entries span{display:block;color:#56616c;font-size:.85rem;overflow-wrap:anywhere}
.proof{margin:.3rem 0 0;padding-left:1.6rem}
.proof li{padding:.15rem 0}
.warn{border-left:.35rem solid #b3261e;background:#fdecea}
.warn h2{color:#8c1d18;font-size:1.1rem}
.card .warn-note{margin-top:.5rem}
details{margin-top:.5rem}
summary{padding:.4rem 0;color:#0b4f8a;font-weight:600}
pre{margin:.3rem 0 0;padding:.5rem;border-radius:.4rem;background:#fff;font-size:.75rem;white-space:pre-wrap;word-break:break-all}
.card .more{margin-top:.6rem}`;

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

let reportCspSource: Promise<string> | undefined;

/** The same for the report form's pages (CSS and REPORT_CSS). */
export function reportStyleHashSource(): Promise<string> {
  reportCspSource ??= hashSource(CSS + REPORT_CSS);
  return reportCspSource;
}

let logCspSource: Promise<string> | undefined;

/** The same for the log's pages (CSS and LOG_CSS). */
export function logStyleHashSource(): Promise<string> {
  logCspSource ??= hashSource(CSS + LOG_CSS);
  return logCspSource;
}

/** The same for the inspector page's stylesheet (CSS and its additions). */
export function inspectStyleHashSource(): Promise<string> {
  inspectCspSource ??= hashSource(CSS + INSPECT_CSS);
  return inspectCspSource;
}
