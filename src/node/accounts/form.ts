// Reading a posted form, refusing before any work what no form of ours sends: another content
// type (415), a field over its length cap, sent twice, or carrying control characters or
// damaged UTF-8 (400). The body's size is capped before this (hono/body-limit). Shared by the
// holder portal and the authority console.

import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';

const FORM_TYPE = /^application\/x-www-form-urlencoded\s*(;|$)/i;
// C0 and C1 controls (tab and line breaks included: no field of ours has them), U+FFFD (what
// invalid UTF-8 decodes to) and lone surrogates.
export const DAMAGED_TEXT = /[\u0000-\u001f\u007f-\u009f\ufffd]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** The named fields of a urlencoded body ('' when absent), each at most `caps[name]` UTF-16 units. */
export async function readForm<K extends string>(c: Context, caps: Record<K, number>): Promise<Record<K, string>> {
  if (!FORM_TYPE.test(c.req.header('content-type') ?? '')) throw new HTTPException(415);
  return formFields(new URLSearchParams(await c.req.text()), caps);
}

/** The named fields of parsed form data, checked as readForm checks them. */
export function formFields<K extends string>(params: Iterable<[string, string]>, caps: Record<K, number>): Record<K, string> {
  const form = {} as Record<K, string>;
  const seen = new Set<string>();
  for (const name of Object.keys(caps) as K[]) form[name] = '';
  for (const [name, value] of params) {
    if (!Object.hasOwn(caps, name)) continue;
    if (seen.has(name) || value.length > caps[name as K] || DAMAGED_TEXT.test(value)) throw new HTTPException(400);
    seen.add(name);
    form[name as K] = value;
  }
  return form;
}
