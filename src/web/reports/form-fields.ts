// The shopper's form, read and checked: a closed list of complaints, short free text with
// nothing in it that shows differently from what it is (control, direction and invisible
// characters are refused, not stripped), and a seal that could be one. Each problem is a code
// the page turns into words; nothing of the input is echoed in a message.

import { foldCase, parseSeal } from '../../core/index.ts';
import { couldBeSeal } from '../routes/scan.ts';

export const SHOPPER_PROBLEMS = ['not_listed', 'looks_fake', 'other'] as const;
export type ShopperProblem = (typeof SHOPPER_PROBLEMS)[number] | 'no_seal';

export const FIELD_LIMITS = { place: 200, note: 500, contact: 100 } as const;

export type FormField = 'seal' | 'problem' | 'place' | 'note' | 'contact';
export type FieldProblem = 'missing' | 'tooLong' | 'hidden' | 'invalid';

/** What the shopper typed, kept to show the form again (the page escapes it). */
export interface FormValues {
  seal: string | null;
  problem: string | null;
  place: string;
  note: string;
  contact: string;
}

export interface ShopperReport {
  seal: string | null;
  serial: number | null;
  problem: ShopperProblem;
  place: string | null;
  note: string | null;
  contact: string | null;
}

export type FormCheck = { ok: true; report: ShopperReport } | { ok: false; field: FormField; problem: FieldProblem; values: FormValues };

/**
 * C0 and C1 controls (a note may hold line breaks), lone surrogates, U+FFFD (text damaged in
 * transit, or bad percent-encoding), and the characters that change how text displays without
 * being seen: direction controls, zero-width characters, line/paragraph separators, invisible
 * operators, fillers, interlinear annotations, tag characters.
 */
const HIDDEN =
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u206f\u3164\ufeff\uffa0\ufff9-\ufffd\u{1d173}-\u{1d17a}\u{e0000}-\u{e007f}]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/u;
const LINE_BREAK = /\n/;

/** The seal from a query or a hidden field: null when absent, undefined when it cannot be one. */
export function readSeal(text: string | null | undefined): string | null | undefined {
  if (text === null || text === undefined || text === '') return null;
  return couldBeSeal(text) ? foldCase(text) : undefined;
}

export function checkReport(form: URLSearchParams): FormCheck {
  const rawSeal = form.get('seal');
  const values: FormValues = {
    seal: rawSeal,
    problem: form.get('problem'),
    // Browsers send a textarea's line breaks as CRLF.
    place: (form.get('place') ?? '').replace(/\r\n?/g, '\n'),
    note: (form.get('note') ?? '').replace(/\r\n?/g, '\n'),
    contact: form.get('contact') ?? '',
  };
  const refuse = (field: FormField, problem: FieldProblem): FormCheck => ({ ok: false, field, problem, values: { ...values, ...(field === 'seal' ? { seal: null } : {}) } });

  const seal = readSeal(rawSeal);
  if (seal === undefined) return refuse('seal', 'invalid');
  values.seal = seal;
  const problem = values.problem;
  // With a seal the shopper says what is wrong; without one the mark was seen with no QR at all.
  const validProblem = seal ? (SHOPPER_PROBLEMS as readonly string[]).includes(problem ?? '') : problem === 'no_seal';
  if (!validProblem) return refuse('problem', problem ? 'invalid' : 'missing');

  for (const field of ['place', 'note', 'contact'] as const) {
    const value = values[field];
    const problemOf = textProblem(value, FIELD_LIMITS[field], field === 'note');
    if (problemOf) return refuse(field, problemOf);
  }
  if (problem === 'no_seal' && values.place.trim() === '') return refuse('place', 'missing');

  const optional = (text: string) => (text.trim() === '' ? null : text.trim());
  return {
    ok: true,
    report: {
      seal,
      serial: seal ? (parseSeal(seal)?.serial ?? null) : null,
      problem: problem as ShopperProblem,
      place: optional(values.place),
      note: optional(values.note),
      contact: optional(values.contact),
    },
  };
}

function textProblem(value: string, max: number, multiline: boolean): FieldProblem | null {
  if (HIDDEN.test(value) || (!multiline && LINE_BREAK.test(value))) return 'hidden';
  // Code points never outnumber UTF-16 units: count them only when the units exceed the cap.
  if (value.length > max && [...value].length > max) return 'tooLong';
  return null;
}
