// 统一社会信用代码 (Unified Social Credit Code, GB 32100-2015): 18 characters from a 31-character
// alphabet (no I, O, S, V, Z); the last is a check character over the first 17, weighted by
// 3^(i-1) mod 31.

const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = Array.from({ length: 17 }, (_, i) => {
  let w = 1;
  for (let k = 0; k < i; k++) w = (w * 3) % 31;
  return w;
});

/** The check character for the first 17 characters, or null if any is outside the alphabet. */
export function usccCheckCharacter(first17: string): string | null {
  if (first17.length !== 17) return null;
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const value = ALPHABET.indexOf(first17[i]!);
    if (value < 0) return null;
    sum += value * WEIGHTS[i]!;
  }
  return ALPHABET[(31 - (sum % 31)) % 31]!;
}

export type UsccProblem = 'length' | 'alphabet' | 'check';

/** Why `code` is not a valid USCC, or null when it is. Letters must already be upper case. */
export function usccProblem(code: string): UsccProblem | null {
  if (code.length !== 18) return 'length';
  if (![...code].every((c) => ALPHABET.includes(c))) return 'alphabet';
  return usccCheckCharacter(code.slice(0, 17)) === code[17] ? null : 'check';
}

export function isUscc(code: unknown): code is string {
  return typeof code === 'string' && usccProblem(code) === null;
}
