/**
 * Settings of the progress reports: the at-risk threshold comes from the
 * configuration (AT_RISK_INACTIVE_DAYS, default 7); a request may ask for
 * another one (?inactiveDays=).
 */
import type { AppConfig } from '@learnstream/config';
import { DEFAULT_INACTIVE_DAYS } from './rules';

export interface ProgressOptions {
  /** At risk: no activity in a course for this many days (default of ?inactiveDays=). */
  inactiveDays: number;
  /** Timeline page size: default and maximum. */
  timelinePageDefault: number;
  timelinePageMax: number;
}

export const PROGRESS_OPTIONS = Symbol('PROGRESS_OPTIONS');

export const DEFAULT_PROGRESS_OPTIONS: ProgressOptions = { inactiveDays: DEFAULT_INACTIVE_DAYS, timelinePageDefault: 50, timelinePageMax: 500 };

export function progressOptions(config: AppConfig | undefined, overrides: Partial<ProgressOptions> = {}): ProgressOptions {
  const fromConfig: Partial<ProgressOptions> = config?.progress ?? {};
  const options = { ...DEFAULT_PROGRESS_OPTIONS, ...fromConfig, ...overrides };
  if (!(options.inactiveDays > 0)) throw new Error('inactiveDays must be a positive number');
  return options;
}
