/**
 * Settings of the reports: k of the usage statistics comes from the
 * configuration (USAGE_MIN_CELL_SIZE, default 5); the live-tail timings are
 * options tests may shorten.
 */
import type { AppConfig } from '@learnstream/config';

export interface ReportsOptions {
  /** k: a usage cell computed from fewer distinct people is suppressed. */
  usageMinCellSize: number;
  /** How often a live tail looks for new course-log rows. */
  liveTailPollMs: number;
  /** A comment line on an idle live tail, so that proxies keep it open. */
  liveTailHeartbeatMs: number;
  /** How often a live tail asks the access policy again (a teacher removed from the course stops receiving). */
  liveTailRecheckMs: number;
  /** Live tails one person may hold open in a process at once (each polls the table every liveTailPollMs): 429 past it. */
  liveTailsPerUser: number;
}

export const REPORTS_OPTIONS = Symbol('REPORTS_OPTIONS');

export const DEFAULT_REPORTS_OPTIONS: ReportsOptions = {
  usageMinCellSize: 5,
  liveTailPollMs: 500,
  liveTailHeartbeatMs: 15_000,
  liveTailRecheckMs: 5_000,
  liveTailsPerUser: 5,
};

export function reportsOptions(config: AppConfig | undefined, overrides: Partial<ReportsOptions> = {}): ReportsOptions {
  const fromConfig: Partial<ReportsOptions> = config?.reports ?? {};
  const options = { ...DEFAULT_REPORTS_OPTIONS, ...fromConfig, ...overrides };
  if (!Number.isInteger(options.usageMinCellSize) || options.usageMinCellSize < 1) throw new Error('usageMinCellSize must be a whole number from 1');
  return options;
}
