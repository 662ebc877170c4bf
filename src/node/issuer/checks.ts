// Input checks: each returns the value to store or throws RefusedError naming the field.
// Every way text reaches the registry (CLI, import, later the console) passes through here.

import { isCalendarDate, isRegionCode, LICENCE_NUMBER_RE, SECTORS, TIERS, type CalendarDate, type Sector, type Tier } from '../../core/index.ts';
import { undrawable } from '../artwork/fonts.ts';
import { RefusedError } from '../errors.ts';
import { usccProblem } from '../uscc.ts';
import { memo, type IssuerContext } from './context.ts';

export const LIMITS = { name: 200, address: 300, chain: 100, product: 200, trademark: 100, reason: 500, listItems: 100, batch: 100, ref: 100 };

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Characters that change how text displays without being seen: direction controls (a page
 * would show "EvilGood co" for "Evil\u202Eoc dooG"), zero-width characters (a trademark of
 * only U+200B looks empty but is not), line and paragraph separators, invisible operators,
 * interlinear annotations and tag characters.
 */
const HIDDEN: Record<number, string> = {
  0x00ad: 'SOFT HYPHEN',
  0x034f: 'COMBINING GRAPHEME JOINER',
  0x061c: 'ARABIC LETTER MARK',
  0x115f: 'HANGUL CHOSEONG FILLER',
  0x1160: 'HANGUL JUNGSEONG FILLER',
  0x17b4: 'KHMER VOWEL INHERENT AQ',
  0x17b5: 'KHMER VOWEL INHERENT AA',
  0x180e: 'MONGOLIAN VOWEL SEPARATOR',
  0x200b: 'ZERO WIDTH SPACE',
  0x200c: 'ZERO WIDTH NON-JOINER',
  0x200d: 'ZERO WIDTH JOINER',
  0x200e: 'LEFT-TO-RIGHT MARK',
  0x200f: 'RIGHT-TO-LEFT MARK',
  0x2028: 'LINE SEPARATOR',
  0x2029: 'PARAGRAPH SEPARATOR',
  0x202a: 'LEFT-TO-RIGHT EMBEDDING',
  0x202b: 'RIGHT-TO-LEFT EMBEDDING',
  0x202c: 'POP DIRECTIONAL FORMATTING',
  0x202d: 'LEFT-TO-RIGHT OVERRIDE',
  0x202e: 'RIGHT-TO-LEFT OVERRIDE',
  0x2060: 'WORD JOINER',
  0x2061: 'FUNCTION APPLICATION',
  0x2062: 'INVISIBLE TIMES',
  0x2063: 'INVISIBLE SEPARATOR',
  0x2064: 'INVISIBLE PLUS',
  0x2065: 'INVISIBLE FORMAT CHARACTER (unassigned)',
  0x2066: 'LEFT-TO-RIGHT ISOLATE',
  0x2067: 'RIGHT-TO-LEFT ISOLATE',
  0x2068: 'FIRST STRONG ISOLATE',
  0x2069: 'POP DIRECTIONAL ISOLATE',
  0x3164: 'HANGUL FILLER',
  0xfeff: 'ZERO WIDTH NO-BREAK SPACE (BOM)',
  0xffa0: 'HALFWIDTH HANGUL FILLER',
  0xfff9: 'INTERLINEAR ANNOTATION ANCHOR',
  0xfffa: 'INTERLINEAR ANNOTATION SEPARATOR',
  0xfffb: 'INTERLINEAR ANNOTATION TERMINATOR',
};
const HIDDEN_RE = /[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u206f\u3164\ufeff\uffa0\ufff9-\ufffb\u{1d173}-\u{1d17a}\u{e0000}-\u{e007f}]/u;
/** Legitimate text stacks at most a few combining marks (Vietnamese two, Tibetan a few more). */
const MAX_COMBINING_RUN = 4;
const COMBINING_RUN = new RegExp(`\\p{M}{${MAX_COMBINING_RUN + 1},}`, 'u');

export function codePointLabel(char: string): string {
  const cp = char.codePointAt(0)!;
  const hex = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  const name =
    HIDDEN[cp] ??
    (cp >= 0xe0000 && cp <= 0xe007f ? 'TAG CHARACTER' : cp >= 0x1d173 && cp <= 0x1d17a ? 'MUSICAL FORMAT CHARACTER' : cp >= 0x2066 && cp <= 0x206f ? 'FORMAT CHARACTER' : undefined);
  return name ? `${hex} (${name})` : hex;
}

/** Text is stored exactly as given; only what cannot be shown faithfully is refused. */
export function checkText(field: string, value: unknown, max: number): string {
  if (typeof value !== 'string') throw new RefusedError('invalid_text', `${field} must not be empty`);
  // Before the emptiness check, which trims some of them away: name them instead.
  const hidden = HIDDEN_RE.exec(value);
  if (hidden) {
    throw new RefusedError('invalid_text', `${field} contains ${codePointLabel(hidden[0])}, an invisible or direction-changing character that makes text show differently from what it is: remove it`);
  }
  if (value.trim() === '') throw new RefusedError('invalid_text', `${field} must not be empty`);
  if (value.includes('\uFFFD')) throw new RefusedError('invalid_text', `${field} contains U+FFFD: the text was damaged in transit (not valid UTF-8?)`);
  if (CONTROL.test(value)) throw new RefusedError('invalid_text', `${field} must not contain control characters or line breaks`);
  if (LONE_SURROGATE.test(value)) throw new RefusedError('invalid_text', `${field} is not valid Unicode text`);
  const stacked = COMBINING_RUN.exec(value);
  if (stacked) {
    throw new RefusedError('invalid_text', `${field} stacks ${[...stacked[0]].length} combining marks in a row (from ${codePointLabel(stacked[0])}); at most ${MAX_COMBINING_RUN} are accepted`);
  }
  // Code points never outnumber UTF-16 units: count them only when the units exceed the cap.
  if (value.length > max && [...value].length > max) throw new RefusedError('invalid_text', `${field} is longer than ${max} characters`);
  return value;
}

export function optionalText(field: string, value: unknown, max: number): string | null {
  return value === undefined || value === null || value === '' ? null : checkText(field, value, max);
}

export function checkUscc(value: unknown): string {
  const code = typeof value === 'string' ? value.trim().toUpperCase() : '';
  const problem = usccProblem(code);
  if (problem === 'length') throw new RefusedError('invalid_uscc', `统一社会信用代码 (USCC) must be 18 characters; "${code}" has ${[...code].length}`);
  if (problem === 'alphabet') throw new RefusedError('invalid_uscc', `统一社会信用代码 (USCC) "${code}" may use only digits and capital letters other than I, O, S, V and Z`);
  if (problem === 'check') throw new RefusedError('invalid_uscc', `统一社会信用代码 (USCC) "${code}" is not valid: its check character (the 18th) does not match; please re-check the code`);
  return code;
}

export function checkRegion(value: unknown): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (!isRegionCode(value)) {
    throw new RefusedError('invalid_region', `region must be a GB/T 2260 code of Qingdao or its districts (370200, 370202, …, 370285); "${String(value)}" is not one`);
  }
  return value;
}

export function checkTier(value: unknown): Tier {
  if (!TIERS.includes(value as Tier)) throw new RefusedError('invalid_tier', `tier must be one of ${TIERS.join(', ')}; "${String(value)}" is not`);
  return value as Tier;
}

export function checkSector(value: unknown): Sector {
  if (!SECTORS.includes(value as Sector)) throw new RefusedError('invalid_sector', `sector must be one of ${SECTORS.join(', ')}; "${String(value)}" is not`);
  return value as Sector;
}

/** A calendar date; with `ctx`, dates already found valid are remembered (a batch repeats a few). */
export function checkDate(field: string, value: unknown, ctx?: IssuerContext): CalendarDate {
  const known = ctx && memo(ctx).validDates;
  if (known && typeof value === 'string' && known.has(value)) return value;
  if (!isCalendarDate(value)) throw new RefusedError('invalid_date', `${field} must be a date as YYYY-MM-DD; "${String(value)}" is not`);
  if (known && known.size < 4096) known.add(value);
  return value;
}

export function checkList(field: string, values: unknown, max: number, required: boolean): string[] {
  const list = values === undefined || values === null ? [] : values;
  if (!Array.isArray(list)) throw new RefusedError('invalid_list', `${field} must be a list`);
  if (required && list.length === 0) throw new RefusedError('invalid_list', `at least one ${field} is required`);
  if (list.length > LIMITS.listItems) throw new RefusedError('invalid_list', `at most ${LIMITS.listItems} ${field} entries`);
  return list.map((v) => checkText(field, v, max));
}

export function checkReason(value: unknown, required: boolean): string | null {
  if (!required && (value === undefined || value === null || value === '')) return null;
  if (value === undefined || value === null || value === '') throw new RefusedError('invalid_text', 'a reason is required');
  return checkText('reason', value, LIMITS.reason);
}

export function checkNumber(value: unknown): string {
  const number = typeof value === 'string' ? value.trim().toUpperCase() : '';
  if (!LICENCE_NUMBER_RE.test(number)) throw new RefusedError('unknown_licence', `"${String(value)}" is not a licence number (QDYP-YYYY-NNNNNN)`);
  return number;
}

export function checkPeriod(from: CalendarDate, until: CalendarDate, horizon: CalendarDate): void {
  if (until < from) throw new RefusedError('invalid_period', `the validity period ends (${until}) before it starts (${from})`);
  if (until > horizon) {
    throw new RefusedError('invalid_period', `the validity period may not run past ${horizon}, when the signing key's seals stop verifying`);
  }
}

/**
 * What in these fields the certificate's font cannot draw (rare but legal characters such as
 * 𠮷, GB 18030-2022): accepted, since a registered name must be kept as it is, but named now
 * rather than when a PDF certificate is first made. One message per field, or none.
 */
export function undrawableText(fields: [string, string | null | readonly string[]][]): string[] {
  const messages: string[] = [];
  for (const [field, value] of fields) {
    if (value === null) continue;
    const missing = undrawable(typeof value === 'string' ? value : value.join(''));
    if (missing.length === 0) continue;
    const listed = missing.map((ch) => `“${ch}” (${codePointLabel(ch)})`).join(', ');
    messages.push(`${field} has characters the certificate font cannot draw: ${listed}. It is stored as given; the PDF certificate cannot be made until the text or the font changes`);
  }
  return messages;
}

export function warnUndrawable(ctx: IssuerContext, fields: [string, string | null | readonly string[]][]): void {
  if (ctx.warn) for (const message of undrawableText(fields)) ctx.warn(message);
}
