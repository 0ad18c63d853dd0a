/**
 * Settings of activity ingestion, from the configuration (ACTIVITY_MAX_BATCH,
 * ACTIVITY_QUEUE_MAX, ACTIVITY_GROUP_MAX_EVENTS, ACTIVITY_COMMITS_IN_FLIGHT,
 * ACTIVITY_LINGER_MS, ACTIVITY_RETRY_AFTER_SECONDS, ACTIVITY_ACCESS_CACHE_MS,
 * ACTIVITY_BODY_LIMIT); tests may override them.
 */
import type { AppConfig } from '@learnstream/config';

export interface ActivityOptions {
  /** Most events in one request. */
  maxBatchItems: number;
  /** Events accepted and not yet committed; a request beyond is answered 429 at once. */
  queueMaxEvents: number;
  /** Most events committed in one transaction (group commit). */
  groupMaxEvents: number;
  /** Group transactions in flight at once. */
  commitsInFlight: number;
  /** How long a group waits for more requests (ms); 0: those that arrived in the same tick. */
  lingerMs: number;
  /** Retry-After of a 429. */
  retryAfterSeconds: number;
  /**
   * How long an allowed (user, course) and a resource's course, section, kind
   * and visibility are remembered (ms); 0 asks the read models every time. A
   * learner unenrolled keeps being able to report activity for at most this
   * long; a refusal is never remembered.
   */
  accessCacheMs: number;
  /** Largest request body (a batch of 1,000 items is about 200 kB). */
  bodyLimit: string;
}

export const ACTIVITY_OPTIONS = Symbol('ACTIVITY_OPTIONS');

export const DEFAULT_ACTIVITY_OPTIONS: ActivityOptions = {
  maxBatchItems: 1000,
  queueMaxEvents: 20_000,
  groupMaxEvents: 5000,
  commitsInFlight: 2,
  lingerMs: 0,
  retryAfterSeconds: 1,
  accessCacheMs: 5000,
  bodyLimit: '1mb',
};

export function activityOptions(config: AppConfig | undefined, overrides: Partial<ActivityOptions> = {}): ActivityOptions {
  const fromConfig: Partial<ActivityOptions> = config?.activity ?? {};
  const options = { ...DEFAULT_ACTIVITY_OPTIONS, ...fromConfig, ...overrides };
  for (const key of ['maxBatchItems', 'queueMaxEvents', 'groupMaxEvents', 'commitsInFlight', 'retryAfterSeconds'] as const) {
    if (!Number.isInteger(options[key]) || options[key] < 1) throw new Error(`activity.${key} must be a whole number from 1`);
  }
  for (const key of ['lingerMs', 'accessCacheMs'] as const) {
    if (!Number.isInteger(options[key]) || options[key] < 0) throw new Error(`activity.${key} must be a whole number from 0`);
  }
  return options;
}
