/**
 * Settings of the privacy feature, from the configuration (libs/config);
 * tests may override them. The variables and their defaults:
 *
 *   PRIVACY_LEGAL_HOLD_YEARS             5     a cancelled account's data is kept (restricted) this long, then shredded
 *   PRIVACY_REQUEST_DEADLINE_DAYS        30    a request not closed by then is overdue (GDPR art. 12(3): one month)
 *   PRIVACY_REQUEST_METADATA_MONTHS      12    IPs and user agents older than this many months are shredded by the sweep
 *   PRIVACY_SWEEP_INTERVAL_MINUTES       1440  how often the api runs the retention sweep (0: never; the CLI still can)
 *   PRIVACY_UNUSUAL_ACCESS_PER_HOUR      50    one reader seeing more learners than this within an hour is flagged for breach review
 *   XAPI_HOME_PAGE                       https://learnstream.invalid   the homePage of xAPI accounts and activity ids in exports
 */
import type { AppConfig } from '@learnstream/config';

export interface PrivacyOptions {
  legalHoldYears: number;
  requestDeadlineDays: number;
  requestMetadataRetentionMonths: number;
  /** 0: the api does not sweep on its own. */
  sweepIntervalMs: number;
  unusualAccessPerHour: number;
  xapiHomePage: string;
}

export const PRIVACY_OPTIONS = Symbol('PRIVACY_OPTIONS');

export const DEFAULT_PRIVACY_OPTIONS: PrivacyOptions = {
  legalHoldYears: 5,
  requestDeadlineDays: 30,
  requestMetadataRetentionMonths: 12,
  sweepIntervalMs: 24 * 60 * 60 * 1000,
  unusualAccessPerHour: 50,
  xapiHomePage: 'https://learnstream.invalid',
};

export function privacyOptions(config: AppConfig | undefined, overrides: Partial<PrivacyOptions> = {}): PrivacyOptions {
  const fromConfig: Partial<PrivacyOptions> = config?.privacy ?? {};
  const options = { ...DEFAULT_PRIVACY_OPTIONS, ...fromConfig, ...overrides };
  const whole = (name: keyof PrivacyOptions, min: number) => {
    const v = options[name];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new Error(`privacy option ${name} must be a whole number from ${min}, got ${String(v)}`);
  };
  whole('legalHoldYears', 0);
  whole('requestDeadlineDays', 1);
  whole('requestMetadataRetentionMonths', 1);
  whole('sweepIntervalMs', 0);
  whole('unusualAccessPerHour', 1);
  if (!/^https?:\/\/[^\s/]+/.test(options.xapiHomePage)) throw new Error('privacy option xapiHomePage must be an http(s) URL');
  return { ...options, xapiHomePage: options.xapiHomePage.replace(/\/+$/, '') };
}
