// Our own simple drawings (not the programme's official logo): the mark, and one icon per
// state so the verdict reads by shape as well as by colour. Constant markup, no input in it.

import { raw } from 'hono/html';
import type { VerdictState } from '../../core/index.ts';

const MARK_DRAWING =
  '<rect width="48" height="48" rx="11" fill="#0b4f8a"/>' +
  '<path d="M24 7l3.6 7.4 8.1 1.2-5.9 5.7 1.4 8.1-7.2-3.8-7.2 3.8 1.4-8.1-5.9-5.7 8.1-1.2z" fill="#f2b705"/>' +
  '<path d="M6 35c4.5-3.4 9-3.4 13.5 0s9 3.4 13.5 0 9-3.4 9-3.4V42H6z" fill="#fff"/>' +
  '<path d="M6 35c4.5-3.4 9-3.4 13.5 0s9 3.4 13.5 0 6.8-3.4 9-3.4" fill="none" stroke="#7fb3e0" stroke-width="2"/>';
const SVG_OPEN = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 48 48"';

export const MARK = raw(`${SVG_OPEN} width="44" height="44" aria-hidden="true">${MARK_DRAWING}</svg>`);

/** The mark as a standalone SVG file (the inspector app's icon). */
export const MARK_SVG = `${SVG_OPEN} width="512" height="512">${MARK_DRAWING}</svg>`;

/** The mark as the tab icon: a data: URL, so it costs no request. */
export const MARK_ICON_HREF = `data:image/svg+xml,${encodeURIComponent(`${SVG_OPEN}>${MARK_DRAWING}</svg>`)}`;

export type State = VerdictState;

const ICON_SHAPES: Record<State, string> = {
  authorized: '<path d="M14 24.5l7 7 13-14"/>',
  suspended: '<path d="M20 15v18M28 15v18"/>',
  revoked: '<path d="M14 34L34 14"/>',
  expired: '<path d="M24 13v11l7 5"/>',
  pending: '<path d="M24 13v11l-7 5"/>',
  unknown: '<path d="M18.5 19a5.5 5.5 0 1 1 8 4.9c-1.6.8-2.5 2.2-2.5 4V30"/><circle cx="24" cy="35" r="1.2" fill="currentColor"/>',
  invalid: '<path d="M16.5 16.5l15 15M31.5 16.5l-15 15"/>',
};

export function stateIcon(state: State) {
  return raw(
    `${SVG_OPEN} width="56" height="56" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="3.5" stroke-linecap="round" stroke-linejoin="round">` +
      `<circle cx="24" cy="24" r="21"/>${ICON_SHAPES[state]}</svg>`,
  );
}
