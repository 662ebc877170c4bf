// The text checks every way in passes through: what cannot be shown faithfully is refused,
// naming the field and the code point; what the certificate font cannot draw is named.
import { describe, expect, it } from 'vitest';
import { checkList, checkText, codePointLabel, undrawableText } from '../../../src/node/issuer/checks.ts';
import { terminalSafe } from '../../../src/node/cli/command.ts';

const HIDDEN = [
  0x061c, 0x180e, 0x200b, 0x200c, 0x200d, 0x200e, 0x200f, 0x2028, 0x2029, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2060, 0x2061, 0x2062, 0x2063, 0x2064,
  0x2066, 0x2067, 0x2068, 0x2069, 0x206a, 0x206f, 0xfeff, 0xfff9, 0xfffa, 0xfffb, 0xe0001, 0xe0041, 0xe007f,
];
const hex = (cp: number) => `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;

describe('checkText', () => {
  it('refuses every invisible or direction-changing character, naming the field and the code point', () => {
    for (const cp of HIDDEN) {
      const char = String.fromCodePoint(cp);
      for (const value of [`青岛${char}公司`, `${char}x`, `x${char}`]) {
        expect(() => checkText('product', value, 200), hex(cp)).toThrow(new RegExp(`^product contains ${hex(cp).replace('+', '\\+')}\\b.*invisible or direction-changing`));
      }
    }
    expect(() => checkText('trademark', '\u200B', 100)).toThrow('trademark contains U+200B (ZERO WIDTH SPACE)');
    expect(() => checkText('name', 'Evil\u202Eoc dooG', 200)).toThrow('name contains U+202E (RIGHT-TO-LEFT OVERRIDE)');
    expect(() => checkList('product', ['海参', '鲍\u200D鱼'], 200, true)).toThrow('product contains U+200D (ZERO WIDTH JOINER)');
  });

  it('accepts up to four combining marks in a row, refuses five or more', () => {
    expect(checkText('name', 'Nguyễn Thị Hồng', 200)).toBe('Nguyễn Thị Hồng');
    expect(checkText('name', `a${'\u0301'.repeat(4)}`, 200)).toBe(`a${'\u0301'.repeat(4)}`);
    expect(() => checkText('name', `a${'\u0301'.repeat(5)}`, 200)).toThrow('name stacks 5 combining marks in a row (from U+0301); at most 4 are accepted');
    expect(() => checkText('name', `a${'\u0301'.repeat(6)}b`, 200)).toThrow(/stacks 6 combining marks/);
  });

  it('refuses control characters, damaged text and lone surrogates; keeps ordinary and rare text exactly', () => {
    expect(() => checkText('name', 'x\x1b[2J', 200)).toThrow(/control characters/);
    expect(() => checkText('name', 'x\u0085', 200)).toThrow(/control characters/);
    expect(() => checkText('name', 'x\uFFFD', 200)).toThrow(/U\+FFFD/);
    expect(() => checkText('name', 'x\uD842', 200)).toThrow(/not valid Unicode/);
    for (const ok of ['青岛海滨食品有限公司（“青啤”）', '𠮷野家（青岛）食品有限公司', 'Café № 1', '海尔；卡萨帝']) expect(checkText('name', ok, 200)).toBe(ok);
  });

  it('codePointLabel', () => {
    expect(codePointLabel('\u202E')).toBe('U+202E (RIGHT-TO-LEFT OVERRIDE)');
    expect(codePointLabel('\u{E0041}')).toBe('U+E0041 (TAG CHARACTER)');
    expect(codePointLabel('𠮷')).toBe('U+20BB7');
    expect(codePointLabel('a')).toBe('U+0061');
  });
});

describe('undrawableText', () => {
  it('names the field and each character the certificate font cannot draw, once per field', () => {
    const [message, ...rest] = undrawableText([['name', '𠮷野家𠮷'], ['address', null], ['product', ['海参', '𠮷祥']]]);
    expect(message).toMatch(/^name has characters the certificate font cannot draw: “𠮷” \(U\+20BB7\)\./);
    expect(message!.match(/U\+20BB7/g)).toHaveLength(1);
    expect(rest).toHaveLength(1);
    expect(rest[0]).toMatch(/^product has .*U\+20BB7/);
  });

  it('says nothing about ordinary Chinese and ASCII text', () => {
    expect(undrawableText([['name', '青岛崂山矿泉水有限公司'], ['address', '青岛市崂山区株洲路151号，A座'], ['product', ['崂山绿茶', 'ULED电视']]])).toEqual([]);
  });
});

describe('terminalSafe', () => {
  it('escapes control characters and direction controls, keeps newlines and text', () => {
    expect(terminalSafe('a\x1b[2Jb\x07c\x9b\u202E\u2066d\ne\tf')).toBe('a\\u001b[2Jb\\u0007c\\u009b\\u202e\\u2066d\ne\tf');
    expect(terminalSafe('青岛𠮷')).toBe('青岛𠮷');
  });
});
