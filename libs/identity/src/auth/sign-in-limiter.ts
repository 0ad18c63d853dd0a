/**
 * Password guessing, without handing a stranger a way to lock someone out.
 *
 * - A (username, client address) pair that failed LOCKOUT_THRESHOLD times
 *   within LOCKOUT_MINUTES is locked for LOCKOUT_MINUTES: 429, whatever the
 *   password. The same account signs in from any other client meanwhile.
 * - A username (existing or not) with more than SIGNIN_SLOWDOWN_AFTER failures
 *   within LOCKOUT_MINUTES, from all clients together, is slowed down for
 *   everyone: each attempt waits SIGNIN_SLOWDOWN_STEP_MS per failure past that,
 *   up to SIGNIN_SLOWDOWN_MAX_MS, before its password is checked. The account is
 *   never locked by failures (only staff lock accounts).
 * - Keyed by the username as typed (lower-cased), never by whether it exists:
 *   unknown and existing usernames meet the same limits and the same waits.
 *
 * Counts live in express-rate-limit stores (fixed windows of LOCKOUT_MINUTES):
 * the PostgreSQL table every process shares (RATE_LIMIT_STORE=postgres, the
 * default: a second API process does not double an attacker's tries), or each
 * process's memory. Keys are hashed, so no username is kept in clear.
 */
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@learnstream/config';
import type pg from 'pg';
import { ApiError, PG_POOL, rateStore } from '@learnstream/core';

const key = (...parts: string[]) => createHash('sha256').update(parts.join('\u0000')).digest('base64url');

@Injectable()
export class SignInLimiter implements OnApplicationShutdown {
  /** Failures per (username, client), and per username from all clients: express-rate-limit's fixed windows. */
  private readonly pairs;
  private readonly usernames;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig, @Inject(PG_POOL) pool: pg.Pool) {
    // Shared by every process on the database (RATE_LIMIT_STORE=postgres), as the request limits.
    this.pairs = rateStore(config, pool, 'lockout-pair', config.auth.lockoutMinutes * 60_000);
    this.usernames = rateStore(config, pool, 'lockout-user', config.auth.lockoutMinutes * 60_000);
  }

  private keys(username: string, client: string | null) {
    const name = username.trim().toLowerCase();
    return { pair: key('pair', name, client ?? 'unknown'), user: key('user', name) };
  }

  /** Before the password is checked: refuses a locked pair, then waits out the username's slow-down. */
  async before(username: string, client: string | null): Promise<void> {
    const { pair, user } = this.keys(username, client);
    const pairFailures = await this.pairs.get(pair);
    if (pairFailures && pairFailures.totalHits >= this.config.auth.lockoutThreshold) {
      const retryAfterSeconds = Math.max(1, Math.ceil(((pairFailures.resetTime?.getTime() ?? Date.now()) - Date.now()) / 1000));
      throw new ApiError(429, 'TOO_MANY_REQUESTS', 'too many failed sign-ins for this username from this client: try again later', { retryAfterSeconds });
    }
    const failures = (await this.usernames.get(user))?.totalHits ?? 0;
    const { slowdownAfter, slowdownStepMs, slowdownMaxMs } = this.config.auth.signIn;
    const wait = Math.min(slowdownMaxMs, Math.max(0, failures - slowdownAfter) * slowdownStepMs);
    if (wait > 0) await sleep(wait);
  }

  /** A failed attempt (wrong password or unknown username: the same). */
  async failed(username: string, client: string | null): Promise<void> {
    const { pair, user } = this.keys(username, client);
    await this.pairs.increment(pair);
    await this.usernames.increment(user);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pairs.shutdown();
    await this.usernames.shutdown();
  }
}
