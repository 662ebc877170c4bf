import { describe, expect, it } from 'vitest';
import { isUscc, usccCheckCharacter, usccProblem } from '../../src/node/uscc.ts';

describe('统一社会信用代码 check character (GB 32100-2015)', () => {
  it('accepts real codes', () => {
    // Published codes of well-known companies (Alibaba, Tencent, Huawei, a Qingdao company).
    for (const code of ['91330100716105852F', '9144030071526726XG', '914403001922038216', '91370200163562681G', '91350100M000100Y43']) {
      expect(usccProblem(code), code).toBeNull();
      expect(isUscc(code)).toBe(true);
    }
  });

  it('maps a sum divisible by 31 to the check character 0', () => {
    // Seventeen zeros sum to 0: 31 - 0 = 31, which becomes 0.
    expect(usccCheckCharacter('00000000000000000')).toBe('0');
  });

  it('refuses a changed character, a wrong length and letters outside the alphabet', () => {
    expect(usccProblem('91370200163562681H')).toBe('check');
    expect(usccProblem('91370200163562691G')).toBe('check');
    expect(usccProblem('9137020016356268')).toBe('length');
    expect(usccProblem('91370200163562681GG')).toBe('length');
    for (const letter of ['I', 'O', 'S', 'V', 'Z']) expect(usccProblem(`9137020016356268${letter}G`)).toBe('alphabet');
    expect(usccProblem('91370200163562681g')).toBe('alphabet');
    expect(isUscc(91370200163562681)).toBe(false);
  });

  it('catches every single-character substitution of a valid code', () => {
    const alphabet = '0123456789ABCDEFGHJKLMNPQRTUWXY';
    const code = '91370200163562681G';
    for (let i = 0; i < code.length; i++) {
      for (const c of alphabet) {
        if (c === code[i]) continue;
        expect(usccProblem(code.slice(0, i) + c + code.slice(i + 1))).toBe('check');
      }
    }
  });
});
