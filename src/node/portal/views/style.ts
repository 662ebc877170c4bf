// The portal's only stylesheet, inline (no external request) and allowed by the CSP through
// its hash, so no other style can apply. Laid out for a 360 px phone first; colours meet WCAG
// AA contrast on their backgrounds, and state is told by words as well as colour.

import { createHash } from 'node:crypto';

export const CSS = `*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:#eef1f4;color:#17202a;font:16px/1.55 system-ui,-apple-system,"PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC","Noto Sans SC",sans-serif}
a{color:#0b4f8a}
a:focus-visible,button:focus-visible,input:focus-visible{outline:3px solid #f2b705;outline-offset:2px}
.skip{position:absolute;left:-999px;top:0;padding:.5rem 1rem;background:#fff}
.skip:focus{left:.5rem}
.page{max-width:40rem;margin:0 auto;padding:0 .75rem 1.5rem}
.top{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem .75rem;padding:.75rem 0}
.brand{display:flex;flex-direction:column;text-decoration:none;color:#17202a}
.brand b{font-size:1.1rem;line-height:1.25}
.brand span{font-size:.85rem;color:#4f5a65}
.lang{margin-left:auto;padding:.3rem .85rem;border:1px solid #8a96a3;border-radius:1rem;background:#fff;font-size:.9rem;text-decoration:none;white-space:nowrap}
.account{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem;width:100%;padding:.5rem .75rem;border-radius:.6rem;background:#fff;font-size:.9rem}
.account span{flex:1 1 12rem;overflow-wrap:anywhere}
.account form{margin:0}
.asof{margin:0 .25rem .5rem;color:#4f5a65;font-size:.85rem}
h1{margin:.25rem 0 .75rem;font-size:1.6rem;line-height:1.25}
h2{margin:0 0 .5rem;font-size:1.15rem;line-height:1.3}
h3{margin:.75rem 0 .25rem;font-size:1rem}
.card{margin-top:.75rem;padding:1rem;border-radius:.9rem;background:#fff}
.card>p:first-child{margin-top:0}
.card p:last-child{margin-bottom:0}
label{display:block;margin:.9rem 0 .2rem;font-weight:600}
.hint{display:block;margin:0 0 .3rem;color:#4f5a65;font-size:.85rem}
input[type=text],input[type=password]{display:block;width:100%;padding:.6rem .7rem;border:1px solid #6b7682;border-radius:.5rem;background:#fff;color:#17202a;font:inherit;font-size:1rem}
button{display:inline-block;margin-top:1.1rem;padding:.65rem 1.4rem;border:0;border-radius:.5rem;background:#0b4f8a;color:#fff;font:inherit;font-weight:600;cursor:pointer}
.account button{margin:0;padding:.35rem .9rem;background:#fff;color:#0b4f8a;border:1px solid #0b4f8a}
.problem{margin:.75rem 0 0;padding:.7rem .9rem;border-left:.3rem solid #b3261e;border-radius:.4rem;background:#fdecea;color:#6b1510}
.ok{margin:.75rem 0 0;padding:.7rem .9rem;border-left:.3rem solid #12723a;border-radius:.4rem;background:#e6f4ea;color:#0d4f28}
.alert{margin-top:.75rem;padding:1rem;border-radius:.9rem;color:#fff}
.alert h2{margin-bottom:.3rem}
.alert p{margin:.3rem 0 0}
.alert a{color:#fff}
.badge{display:inline-block;padding:.1rem .6rem;border-radius:1rem;font-size:.85rem;font-weight:600;color:#fff;background:#12723a}
.state-suspended{background:#8a4100}
.state-revoked{background:#b3261e}
.state-expired{background:#5b6066}
.state-not_yet_valid{background:#2a5d9f}
.reminder{margin:.5rem 0 0;padding:.6rem .8rem;border-radius:.4rem;background:#fff4d6;color:#5a4200}
dl{margin:.5rem 0 0}
dl div{padding:.45rem 0;border-top:1px solid #e1e6eb}
dl div:first-child{border:0}
dt{font-size:.85rem;color:#4f5a65}
dd{margin:0;overflow-wrap:anywhere}
ul{margin:.25rem 0;padding-left:1.2rem}
code,.url{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.85rem;overflow-wrap:anywhere;word-break:break-all}
.downloads li{margin:.5rem 0}
.downloads p{margin:.1rem 0 0;color:#4f5a65;font-size:.9rem;overflow-wrap:anywhere}
.sizes{display:flex;flex-wrap:wrap;gap:.4rem;padding:0;list-style:none}
.sizes li{margin:0}
.sizes a{display:inline-block;padding:.35rem .7rem;border:1px solid #0b4f8a;border-radius:.4rem;text-decoration:none;white-space:nowrap}
.qr{display:block;width:10rem;height:10rem;margin:.25rem 0 .5rem}
footer{margin-top:1.25rem;color:#4f5a65;font-size:.8rem}`;

/** The CSP source that allows exactly CSS. */
export const STYLE_HASH_SOURCE = `'sha256-${createHash('sha256').update(CSS, 'utf8').digest('base64')}'`;

/** The CSP source for one inline stylesheet of a page we serve as it is (the print guide). */
export function styleHashOf(html: string): string | null {
  const css = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1];
  return css === undefined ? null : `'sha256-${createHash('sha256').update(css, 'utf8').digest('base64')}'`;
}
