// What a person setting a password is told when it is refused: one catalogue, both languages,
// shared by the portal and the console. Messages never echo the password.

import type { Locale } from '../../core/index.ts';

export type PasswordProblemCode = 'too_short' | 'too_long' | 'common' | 'context';

export const PASSWORD_PROBLEMS: Record<PasswordProblemCode, Record<Locale, string>> = {
  too_short: {
    'zh-CN': '密码至少需要 15 个字符。可以用几个词组成一句话，空格也算字符。',
    en: 'Use at least 15 characters. A phrase of a few words works well, and spaces count.',
  },
  too_long: {
    'zh-CN': '密码最多 256 个字符。',
    en: 'Use at most 256 characters.',
  },
  common: {
    'zh-CN': '这个密码太常见，很容易被猜中，请换一个。',
    en: 'This password is too common and easy to guess. Choose another.',
  },
  context: {
    'zh-CN': '密码不能包含用户名、统一社会信用代码、账户名称或本服务的名称，请换一个。',
    en: 'The password must not contain your user name, the credit code (USCC), the account name or the name of this service. Choose another.',
  },
};
