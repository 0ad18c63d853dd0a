/**
 * The retention sweep (`learnstream privacy sweep [--dry-run]`, and on a
 * schedule in the api): what the retention registry promises, done.
 *
 *   1. legal holds whose end date has passed are lifted;
 *   2. cancelled accounts whose hold period has ended are shredded (an erasure
 *      request filed and approved by the system, then carried out), unless a
 *      legal hold is in place (reported as blocked);
 *   3. approved erasures not carried out yet (a crash between the key
 *      destruction and the append), and deferred ones whose hold is gone,
 *      are completed;
 *   4. request metadata (IP, user agent) keys of months older than the
 *      retention period are destroyed.
 *
 * A dry run changes nothing and says what a run would do (the impact preview
 * a DPO reads before anything goes). One sweep at a time across processes
 * (an advisory lock); a sweep that finds it taken reports `skipped`.
 */
import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { PG_POOL } from '@learnstream/core/headless';
import { KeyStore, periodOf } from '@learnstream/personal-data';
import { Clock } from '@learnstream/domain';
import type pg from 'pg';
import { ErasureService } from './erasure.service';
import { decideRequest, evolveRequest } from './privacy-request';
import { decideSubject } from './privacy-subject';
import { PRIVACY_OPTIONS, type PrivacyOptions } from './privacy.options';
import { PrivacyRepository } from './privacy.repository';

/** Advisory lock key of the sweep (one bigint: 'LSPRSWEP'). */
const SWEEP_LOCK = '5495801387316201808';

export interface SweepErasure {
  userId: string;
  why: 'cancellation_hold_ended' | 'approved_erasure' | 'deferred_erasure_released';
  requestId: string | null;
  cancelledAt: string | null;
  shredAfter: string | null;
}

export interface SweepReport {
  at: string;
  dryRun: boolean;
  skipped: boolean;
  expiredHolds: { userId: string; holdId: string; until: string }[];
  erasures: SweepErasure[];
  /** Due for shredding, but under a legal hold. */
  blocked: { userId: string; holdId: string; until: string | null }[];
  requestMetadata: { before: string; keys: number; months: { period: string; keys: number }[] };
  errors: { userId: string; error: string }[];
}

/** The month `months` months before `now`'s (UTC), as YYYY-MM: keys of months before it go. */
export function retentionCutoff(now: Date, months: number): string {
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - months, 1));
  return periodOf(d);
}

const iso = (v: unknown) => (v ? new Date(v as string).toISOString() : null);

@Injectable()
export class RetentionSweep {
  private readonly logger = new Logger('RetentionSweep');

  constructor(
    private readonly clock: Clock,
    @Inject(PG_POOL) private readonly pool: pg.Pool,
    private readonly keys: KeyStore,
    private readonly repo: PrivacyRepository,
    private readonly erasure: ErasureService,
    @Inject(PRIVACY_OPTIONS) private readonly options: PrivacyOptions,
  ) {}

  async run({ dryRun = false, now = this.clock.now() }: { dryRun?: boolean; now?: Date } = {}): Promise<SweepReport> {
    const before = retentionCutoff(now, this.options.requestMetadataRetentionMonths);
    const report: SweepReport = {
      at: now.toISOString(),
      dryRun,
      skipped: false,
      expiredHolds: [],
      erasures: [],
      blocked: [],
      requestMetadata: { before, keys: 0, months: [] },
      errors: [],
    };
    const lock = await this.pool.connect();
    try {
      const [{ locked }] = (await lock.query('SELECT pg_try_advisory_lock($1::bigint) AS locked', [SWEEP_LOCK])).rows;
      if (!locked) return { ...report, skipped: true };
      try {
        await this.sweep(report, now, dryRun);
      } finally {
        await lock.query('SELECT pg_advisory_unlock($1::bigint)', [SWEEP_LOCK]);
      }
    } finally {
      lock.release();
    }
    if (!dryRun) this.logger.log({ msg: 'retention sweep', erasures: report.erasures.length, expiredHolds: report.expiredHolds.length, requestKeys: report.requestMetadata.keys, errors: report.errors.length });
    return report;
  }

  private async sweep(report: SweepReport, now: Date, dryRun: boolean): Promise<void> {
    // 1. Expired legal holds.
    const holds = (await this.pool.query(`SELECT user_id, legal_hold_id, legal_hold_until FROM subject_flags WHERE legal_hold_until <= $1`, [now])).rows;
    const lifted = new Set<string>();
    for (const h of holds) {
      report.expiredHolds.push({ userId: h.user_id, holdId: h.legal_hold_id, until: iso(h.legal_hold_until)! });
      lifted.add(h.user_id);
      if (!dryRun) {
        await this.attempt(report, h.user_id, () =>
          this.repo.changeSubject(h.user_id, null, (s) => (s.hold && s.hold.until && Date.parse(s.hold.until) <= now.getTime() ? decideSubject({ type: 'LiftLegalHold', userId: h.user_id, by: null, expired: true, now }, s) : [])),
        );
      }
    }

    // 2. Cancelled accounts whose hold period has ended.
    const due = (
      await this.pool.query(
        `SELECT user_id, cancelled_at, shred_after, legal_hold_id, legal_hold_until FROM subject_flags WHERE shred_after <= $1 ORDER BY shred_after`,
        [now],
      )
    ).rows;
    for (const c of due) {
      if (c.legal_hold_id && !lifted.has(c.user_id)) {
        report.blocked.push({ userId: c.user_id, holdId: c.legal_hold_id, until: iso(c.legal_hold_until) });
        continue;
      }
      const entry: SweepErasure = { userId: c.user_id, why: 'cancellation_hold_ended', requestId: null, cancelledAt: iso(c.cancelled_at), shredAfter: iso(c.shred_after) };
      report.erasures.push(entry);
      if (dryRun) continue;
      await this.attempt(report, c.user_id, async () => {
        const { state } = await this.repo.loadSubject(c.user_id);
        if (state.erased || !state.cancelled || Date.parse(state.cancelled.shredAfter) > now.getTime()) return;
        if (state.hold) {
          report.blocked.push({ userId: c.user_id, holdId: state.hold.holdId, until: state.hold.until });
          return;
        }
        const requestId = randomUUID();
        entry.requestId = requestId;
        // Filed and approved in one append: a request of the system is never left pending (step 3 completes it after a crash).
        await this.repo.changeRequest(requestId, null, (r) => {
          const filed = decideRequest({ type: 'File', requestId, subjectId: c.user_id, requestType: 'erasure', filedBy: null, filedAs: 'system', details: null, now, deadlineDays: this.options.requestDeadlineDays }, r);
          return [...filed, ...decideRequest({ type: 'Approve', by: null, reason: null, now }, filed.reduce(evolveRequest, r))];
        });
        await this.erasure.erase(requestId, null, now);
      });
    }

    // 3. Approved erasures not carried out, deferred ones whose hold is gone.
    const open = (await this.pool.query(`SELECT request_id, subject_id, status FROM privacy_requests WHERE type = 'erasure' AND status IN ('approved', 'deferred') ORDER BY filed_at`)).rows;
    for (const r of open) {
      // The read model may lag behind the erasures of step 2: the request's stream says what is still to do.
      if (report.erasures.some((e) => e.userId === r.subject_id)) continue;
      const { state } = await this.repo.loadRequest(r.request_id);
      if (state.status !== 'approved' && state.status !== 'deferred') continue;
      const flags = (await this.pool.query('SELECT legal_hold_id, legal_hold_until FROM subject_flags WHERE user_id = $1', [r.subject_id])).rows[0];
      if (flags?.legal_hold_id && !lifted.has(r.subject_id)) {
        if (!report.blocked.some((b) => b.userId === r.subject_id)) report.blocked.push({ userId: r.subject_id, holdId: flags.legal_hold_id, until: iso(flags.legal_hold_until) });
        continue;
      }
      report.erasures.push({ userId: r.subject_id, why: r.status === 'approved' ? 'approved_erasure' : 'deferred_erasure_released', requestId: r.request_id, cancelledAt: null, shredAfter: null });
      if (!dryRun) await this.attempt(report, r.subject_id, () => this.erasure.erase(r.request_id, null, now));
    }

    // 4. Request metadata past its retention.
    const months = await this.keys.requestKeysBefore(report.requestMetadata.before);
    report.requestMetadata.months = months;
    report.requestMetadata.keys = months.reduce((n, m) => n + m.keys, 0);
    if (!dryRun) report.requestMetadata.keys = await this.keys.destroyRequestKeysBefore(report.requestMetadata.before);
  }

  /** One person's step: a failure is reported, and the sweep goes on with the others. */
  private async attempt(report: SweepReport, userId: string, step: () => Promise<unknown>): Promise<void> {
    try {
      await step();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      report.errors.push({ userId, error: message });
      this.logger.warn({ msg: 'retention sweep step failed', userId, error: message });
    }
  }
}
