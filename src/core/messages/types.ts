import type { Outcome } from '../outcomes.ts';
import type { Sector, Tier, LicenceStatus } from '../licence.ts';

export type Locale = 'zh-CN' | 'en';

export interface OutcomeText {
  /** The large state line. */
  title: string;
  /** One sentence: what this means. */
  summary: string;
  /** What the shopper should do now. */
  advice: string;
}

export interface Messages {
  outcomes: Record<Outcome, OutcomeText>;
  tiers: Record<Tier, string>;
  sectors: Record<Sector, string>;
  statuses: Record<LicenceStatus, string>;
}
