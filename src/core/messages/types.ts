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

/** The labels of a licence's published details, as every page and the CLI show them. */
export interface FieldLabels {
  holder: string;
  uscc: string;
  address: string;
  products: string;
  trademarks: string;
  tier: string;
  sector: string;
  region: string;
  number: string;
  validity: string;
  status: string;
  statusReason: string;
  statusChangedAt: string;
}

export interface Messages {
  outcomes: Record<Outcome, OutcomeText>;
  fields: FieldLabels;
  /** The time zone every time is shown in. */
  beijingTime: string;
  tiers: Record<Tier, string>;
  sectors: Record<Sector, string>;
  statuses: Record<LicenceStatus, string>;
}
