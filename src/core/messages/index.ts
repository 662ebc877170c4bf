import { en } from './en.ts';
import type { Locale, Messages } from './types.ts';
import { zhCN } from './zh-CN.ts';

export type { Locale, Messages, OutcomeText } from './types.ts';
export const MESSAGES: Record<Locale, Messages> = { 'zh-CN': zhCN, en };
