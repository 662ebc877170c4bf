// The inspector page's additions to the verifier's stylesheet: large touch targets (48 px and
// more), notices, the camera view and the history. 360 px wide first.

export const INSPECT_CSS = `
[hidden]{display:none!important}
button,.button{display:flex;align-items:center;justify-content:center;width:100%;min-height:3.25rem;margin-top:.6rem;padding:.6rem 1rem;border:1px solid #0b4f8a;border-radius:.7rem;background:#fff;color:#0b4f8a;font:inherit;font-size:1.05rem;font-weight:600;cursor:pointer;text-align:center}
button.primary{background:#0b4f8a;color:#fff}
button:disabled{opacity:.6;cursor:default}
button:focus-visible,.button:focus-within,select:focus-visible{outline:3px solid #f2b705;outline-offset:2px}
.lang{width:auto;min-height:2.75rem;margin:0 0 0 auto;font-weight:400}
.file{position:absolute;width:1px;height:1px;opacity:0;overflow:hidden}
.file:focus-visible+.hint,.button:has(+.file:focus-visible){outline:3px solid #f2b705}
.hint{margin:.35rem 0 0;color:#56616c;font-size:.85rem}
.card h2,.card h3{margin:0 0 .4rem;font-size:.9rem;font-weight:600;color:#56616c}
.scan h2{font-size:1.1rem;color:#17202a}
select{display:block;width:100%;min-height:3rem;margin-top:.3rem;padding:.4rem .6rem;border:1px solid #8a96a3;border-radius:.6rem;background:#fff;color:#17202a;font:inherit}
label{display:block;margin-top:.6rem;font-size:.85rem;color:#3f4a55}
.button{color:#0b4f8a;font-size:1.05rem}
.camera{display:block;width:100%;margin-top:.75rem;border-radius:.9rem;background:#000}
.result-area{margin-top:.75rem}
.result-area h2.title{margin:0;font-size:1.9rem;line-height:1.2;letter-spacing:.04em;color:inherit}
.asof{margin:.6rem .25rem 0;font-size:.95rem}
.reason{margin:.5rem 0 0;padding:.7rem .9rem;border-radius:.7rem;background:#fff4d6;color:#4a3500}
.notice{margin:.6rem 0 0;padding:.7rem .9rem;border-radius:.7rem;background:#fff;color:#17202a}
.notice.warn{background:#fff4d6;color:#4a3500}
.notice.bad{background:#fde7e6;color:#6b1410}
.notice p{margin:0}
button.small{min-height:2.75rem;font-size:.95rem}
.code-text{margin-top:.4rem;padding:.5rem;border-radius:.4rem;background:#eef1f4;font-family:ui-monospace,monospace;font-size:.85rem;overflow-wrap:anywhere}
.checks{margin:0;padding-left:1.4rem}
.checks li{padding:.35rem 0;border-top:1px solid #e6eaee}
.checks li:first-child{border:0}
.checks small{color:#56616c}
.row{display:flex;gap:.6rem}
`;
