// `npm run bench -- decode`: bar P9 (label-photo decode rate against zbarimg), in p9-decode.ts.
export { default } from './p9-decode.ts';
