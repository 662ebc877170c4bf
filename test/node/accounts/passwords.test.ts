import { randomBytes, scryptSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  MAX_PASSWORD_LENGTH,
  PASSWORD_PROBLEMS,
  SCRYPT_PARAMETERS,
  checkNewPassword,
  hashPassword,
  needsRehash,
  verifyPassword,
} from '../../../src/node/accounts/index.ts';

const GOOD = 'tall purple giraffes dance at noon';

function listEntries(): string[] {
  const text = readFileSync(new URL('../../../src/node/accounts/common-passwords.txt', import.meta.url), 'utf8');
  return text.split('\n').filter((line) => line !== '' && !line.startsWith('# '));
}

describe('password hashing (scrypt)', () => {
  it('verifies the password it hashed and refuses any other', async () => {
    const encoded = await hashPassword(GOOD);
    expect(await verifyPassword(GOOD, encoded)).toBe(true);
    expect(await verifyPassword('tall purple giraffes dance at noon.', encoded)).toBe(false);
    expect(await verifyPassword('Tall purple giraffes dance at noon', encoded)).toBe(false);
    expect(await verifyPassword('', encoded)).toBe(false);
  });

  it('encodes its parameters and a fresh salt in the hash', async () => {
    const [a, b] = await Promise.all([hashPassword(GOOD), hashPassword(GOOD)]);
    const [scheme, n, r, p, salt, hash] = a.split('$');
    expect([scheme, n, r, p]).toEqual(['scrypt', '32768', '8', '1']);
    expect(SCRYPT_PARAMETERS).toEqual({ N: 2 ** 15, r: 8, p: 1, keyLength: 32, saltLength: 16 });
    expect(Buffer.from(salt!, 'base64url')).toHaveLength(16);
    expect(Buffer.from(hash!, 'base64url')).toHaveLength(32);
    expect(a).not.toBe(b);
    expect(a).not.toContain(GOOD);
    expect(needsRehash(a)).toBe(false);
  });

  it('still verifies a hash made with other parameters, and says it needs rehashing', async () => {
    const salt = randomBytes(16);
    const hash = scryptSync(GOOD, salt, 32, { N: 2 ** 14, r: 8, p: 1 });
    const old = `scrypt$16384$8$1$${salt.toString('base64url')}$${hash.toString('base64url')}`;
    expect(await verifyPassword(GOOD, old)).toBe(true);
    expect(await verifyPassword('something else entirely', old)).toBe(false);
    expect(needsRehash(old)).toBe(true);
  });

  it('hashes the NFC form, so composed and decomposed input are the same password', async () => {
    const composed = 'café au lait avec du sucre';
    const encoded = await hashPassword(composed.normalize('NFD'));
    expect(await verifyPassword(composed.normalize('NFC'), encoded)).toBe(true);
  });

  it('does the work for an unknown account and answers no', async () => {
    expect(await verifyPassword(GOOD, null)).toBe(false);
  });

  it('refuses a malformed or extravagant stored hash without echoing it', async () => {
    const salt = Buffer.alloc(16).toString('base64url');
    for (const bad of ['', 'plain', `scrypt$1048577$8$1$${salt}$${salt}`, `scrypt$2097152$8$1$${salt}$${salt}`, `scrypt$32768$8$1$${salt}`, `bcrypt$32768$8$1$${salt}$${salt}`]) {
      const error = await verifyPassword(GOOD, bad).then(() => null, (e: Error) => e);
      expect(error, bad).toBeInstanceOf(Error);
      if (bad !== '') expect(error!.message).not.toContain(bad);
    }
  });

  it('refuses an overlong password without hashing it', async () => {
    const encoded = await hashPassword(GOOD);
    expect(await verifyPassword('x'.repeat(100_000), encoded)).toBe(false);
  });
});

describe('new-password rules (NIST SP 800-63B)', () => {
  it('counts code points after NFC: 15 Chinese characters pass, 14 do not', () => {
    expect(checkNewPassword('一只小猫在窗台上晒太阳看风景呢')).toBeNull();
    expect(checkNewPassword('一只小猫在窗台上晒太阳看风景')?.code).toBe('too_short');
    // Characters outside the BMP are two UTF-16 units but one character each.
    expect(checkNewPassword('𠀀𠀁𠀂𠀃𠀄𠀅𠀆𠀇𠀈𠀉𠀊𠀋𠀌𠀍')?.code).toBe('too_short');
    expect(checkNewPassword('𠀎𠀃𠀈𠀁𠀌𠀅𠀊𠀀𠀍𠀂𠀇𠀉𠀄𠀋𠀆')).toBeNull();
    // Eight decomposed "é" are sixteen code points but eight characters.
    expect(checkNewPassword('e\u0301'.repeat(4) + 'abcd')?.code).toBe('too_short');
  });

  it('takes 256 characters and refuses 257', () => {
    const long = Array.from({ length: MAX_PASSWORD_LENGTH }, (_, i) => String.fromCodePoint(0x4e00 + ((i * 7919) % 20000))).join('');
    expect(checkNewPassword(long)).toBeNull();
    expect(checkNewPassword(long + '好')?.code).toBe('too_long');
  });

  it('has no composition rules', () => {
    for (const ok of [GOOD, 'all lower case words here', 'ALL UPPER CASE WORDS HERE', '一只小猫在窗台上晒太阳看风景呢', 'my dog is named biscuit', '839201748392017']) {
      expect(checkNewPassword(ok), ok).toBeNull();
    }
  });

  it('refuses common passwords from the list, whatever their case and spacing', () => {
    for (const common of ['PasswordPassword', 'QWERTYUIOPASDFGH', 'IloveyouForever', 'Woaini1314woaini', 'CorrectHorseBatteryStaple', 'correct horse battery staple', '1qaz2wsx3edc4rfv', '123456789012345', '我爱你我爱你我爱你我爱你我爱你']) {
      expect(checkNewPassword(common)?.code, common).toBe('common');
    }
  });

  it('refuses every list entry of 15 characters or more, also in upper case', () => {
    const entries = listEntries();
    expect(entries.length).toBeGreaterThan(3000);
    const long = entries.filter((e) => [...e].length >= 15);
    expect(long.length).toBeGreaterThan(1000);
    for (const entry of long) {
      expect(checkNewPassword(entry), entry).not.toBeNull();
      expect(checkNewPassword(entry.toUpperCase()), entry).not.toBeNull();
    }
  });

  it('refuses a common core padded with digits, years or symbols, and leet spellings', () => {
    for (const padded of ['Password123456789!', 'P@ssw0rd123456789', 'monkey2024!!!!!!!!', 'iloveyou1314520!', 'dragon!@#$%^&*()', 'summer1988081412', '!!!!sunshine2026!!', 'ｐａｓｓｗｏｒｄｐａｓｓｗｏｒｄ', 'abcdefghijklmnop', 'zzzzzzzzzzzzzzzz']) {
      expect(checkNewPassword(padded)?.code, padded).toBe('common');
    }
  });

  it('refuses a password that is or contains what is known about the account', () => {
    const context = ['91370200163562681G', 'zhangsan', 'Li'];
    expect(checkNewPassword('91370200163562681g', context)?.code).toBe('context');
    expect(checkNewPassword('ZhangSan likes green tea', context)?.code).toBe('context');
    expect(checkNewPassword('my code is 91370200163562681G', context)?.code).toBe('context');
    expect(checkNewPassword('the qdyp portal is nice', context)?.code).toBe('context');
    expect(checkNewPassword('我在青岛优品工作了很多很多年了', context)?.code).toBe('context');
    // Too short a context item to refuse inside a password.
    expect(checkNewPassword('lions like lilies a lot', context)).toBeNull();
  });

  it('explains each problem in Chinese and English', () => {
    const problem = checkNewPassword('short');
    expect(problem).toEqual({ code: 'too_short', message: PASSWORD_PROBLEMS.too_short });
    for (const message of Object.values(PASSWORD_PROBLEMS)) {
      expect(message['zh-CN']).toMatch(/[\u4e00-\u9fff]/);
      expect(message.en).toMatch(/^[\x20-\x7e]+$/);
    }
    expect(PASSWORD_PROBLEMS.too_short['zh-CN']).toContain('15');
    expect(PASSWORD_PROBLEMS.too_short.en).toContain('15');
  });
});
