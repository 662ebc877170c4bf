// The console's only stylesheet, inline and allowed by the CSP through its hash (no other
// style can apply, no script runs). Laid out for an office screen (1280 px) and still usable on
// a 360 px phone: tables scroll inside their box, forms stack. Colours meet WCAG AA contrast,
// and state is told by words as well as colour.

import { createHash } from 'node:crypto';

export const CSS = `*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:#eef1f4;color:#17202a;font:15px/1.5 system-ui,-apple-system,"PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC","Noto Sans SC",sans-serif}
a{color:#0b4f8a}
a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible,textarea:focus-visible,summary:focus-visible{outline:3px solid #f2b705;outline-offset:2px}
.skip{position:absolute;left:-999px;top:0;padding:.5rem 1rem;background:#fff}
.skip:focus{left:.5rem}
.top{background:#0b3558;color:#fff}
.top .bar{display:flex;flex-wrap:wrap;align-items:center;gap:.4rem 1rem;max-width:80rem;margin:0 auto;padding:.6rem .9rem}
.brand{display:flex;flex-direction:column;color:#fff;text-decoration:none;margin-right:auto}
.brand b{font-size:1.05rem;line-height:1.25}
.brand span{font-size:.8rem;color:#d4e1ee}
.who{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem;font-size:.9rem}
.who form{margin:0}
.who button{margin:0;padding:.3rem .8rem;background:#fff;color:#0b3558;border:0}
nav.main{background:#123f66}
nav.main ul{display:flex;flex-wrap:wrap;gap:.15rem;max-width:80rem;margin:0 auto;padding:.2rem .6rem;list-style:none}
nav.main a{display:block;padding:.45rem .75rem;border-radius:.4rem;color:#fff;text-decoration:none}
nav.main a[aria-current=page]{background:#fff;color:#0b3558;font-weight:600}
main{display:block;max-width:80rem;margin:0 auto;padding:.75rem .9rem 2rem}
h1{margin:.35rem 0 .75rem;font-size:1.5rem;line-height:1.25}
h2{margin:0 0 .5rem;font-size:1.12rem;line-height:1.3}
h3{margin:.75rem 0 .3rem;font-size:1rem}
.card{margin-top:.75rem;padding:1rem;border-radius:.7rem;background:#fff;overflow-wrap:anywhere}
.card>:first-child{margin-top:0}
.card>:last-child{margin-bottom:0}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(15rem,1fr));gap:.75rem}
.grid>.card{margin-top:0}
.tiles{display:flex;flex-wrap:wrap;gap:.5rem;margin:.25rem 0;padding:0;list-style:none}
.tiles li{flex:1 1 7rem;padding:.5rem .7rem;border-radius:.5rem;background:#f3f6f9}
.tiles b{display:block;font-size:1.35rem}
.table{overflow-x:auto;margin-top:.5rem}
table{width:100%;border-collapse:collapse;font-size:.92rem}
caption{text-align:left;font-weight:600;padding:.3rem 0}
th,td{padding:.45rem .5rem;border-bottom:1px solid #e1e6eb;text-align:left;vertical-align:top;overflow-wrap:normal}
.table td{min-width:5.5em}
th{background:#f3f6f9;font-weight:600;white-space:nowrap}
td.num,th.num{text-align:right}
label{display:block;margin:.7rem 0 .2rem;font-weight:600}
.hint{display:block;margin:0 0 .3rem;color:#4f5a65;font-size:.85rem;font-weight:400}
input[type=text],input[type=password],input[type=date],input[type=search],input[type=number],select,textarea{display:block;width:100%;max-width:36rem;padding:.5rem .6rem;border:1px solid #6b7682;border-radius:.45rem;background:#fff;color:#17202a;font:inherit}
textarea{min-height:4.5rem}
input[type=file]{display:block;margin:.3rem 0;font:inherit}
.filters{display:grid;grid-template-columns:repeat(auto-fill,minmax(12rem,1fr));gap:0 .75rem;align-items:end}
.filters label{margin-top:.5rem}
.actions{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;margin-top:.9rem}
button,.button{display:inline-block;margin:0;padding:.55rem 1.1rem;border:0;border-radius:.45rem;background:#0b4f8a;color:#fff;font:inherit;font-weight:600;text-decoration:none;cursor:pointer}
.button.plain,button.plain{background:#fff;color:#0b4f8a;border:1px solid #0b4f8a}
button.danger{background:#a4221b}
.problem{margin:.75rem 0 0;padding:.7rem .9rem;border-left:.3rem solid #b3261e;border-radius:.4rem;background:#fdecea;color:#6b1510}
.ok{margin:.75rem 0 0;padding:.7rem .9rem;border-left:.3rem solid #12723a;border-radius:.4rem;background:#e6f4ea;color:#0d4f28}
.warn{margin:.75rem 0 0;padding:.7rem .9rem;border-left:.3rem solid #8a5a00;border-radius:.4rem;background:#fff4d6;color:#4d3300}
.public{display:block;margin:.2rem 0;padding:.4rem .6rem;border-radius:.35rem;background:#fff4d6;color:#4d3300;font-size:.85rem;font-weight:400}
.badge{display:inline-block;padding:.05rem .55rem;border-radius:1rem;font-size:.82rem;font-weight:600;color:#fff;background:#12723a;white-space:nowrap}
.state-suspended{background:#8a4100}
.state-revoked{background:#b3261e}
.state-expired{background:#5b6066}
.state-not_yet_valid{background:#2a5d9f}
.secret{display:inline-block;padding:.4rem .7rem;border:2px dashed #0b4f8a;border-radius:.4rem;background:#f3f6f9;font:1.1rem/1.3 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;letter-spacing:.05em;overflow-wrap:anywhere}
dl{display:grid;grid-template-columns:minmax(7rem,max-content) 1fr;gap:.3rem 1rem;margin:.5rem 0 0}
dt{color:#4f5a65}
dd{margin:0;overflow-wrap:anywhere}
ul.plain{margin:.25rem 0;padding-left:1.2rem}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.85rem;overflow-wrap:anywhere;word-break:break-all}
pre{white-space:pre-wrap;overflow-wrap:anywhere;overflow-x:auto;padding:.6rem .8rem;border-radius:.4rem;background:#17202a;color:#f3f6f9;font-size:.85rem}
.qr{display:block;width:9rem;height:9rem}
.photo{display:block;max-width:100%;max-height:24rem;margin-top:.5rem;border-radius:.4rem}
.pager{display:flex;flex-wrap:wrap;gap:.75rem;align-items:center;margin-top:.75rem}
.muted{color:#4f5a65}
details{margin-top:.5rem}
summary{cursor:pointer;font-weight:600}
.bar-track{height:.9rem;border-radius:.45rem;background:#dfe5eb;overflow:hidden}
progress{width:100%;max-width:36rem;height:1.1rem}
footer{max-width:80rem;margin:0 auto;padding:0 .9rem 1.5rem;color:#4f5a65;font-size:.8rem}
@media (max-width:40rem){dl{grid-template-columns:1fr}dt{margin-top:.3rem}main{padding:.5rem .6rem 1.5rem}}`;

/** The CSP source that allows exactly CSS. */
export const STYLE_HASH_SOURCE = `'sha256-${createHash('sha256').update(CSS, 'utf8').digest('base64')}'`;
