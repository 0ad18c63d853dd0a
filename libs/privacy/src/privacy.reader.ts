/**
 * Reads of the privacy read models. They are read as the system, after the
 * caller's standing was checked (the subject, their parent, the DPO): these
 * tables are keyed by person, not by school, and row-level security does not
 * apply to them (migration 0800).
 */
import { Inject, Injectable, Optional } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { DomainError, Clock } from '@learnstream/domain';
import { ProjectionRunner } from '@learnstream/projections';
import type { DataSource } from 'typeorm';
import { CONSENT_DEFAULTS } from './privacy-subject';
import { CONSENT_PURPOSES } from './privacy.events';
import { requestViewOf, type ReceiptView, type RequestRow, type RequestView } from './views';

const iso = (v: unknown) => (v ? new Date(v as string).toISOString() : null);

export interface QueueFilter {
  status?: string;
  type?: string;
  overdue?: boolean;
}

export interface PrivacyStatusView {
  userId: string;
  restricted: boolean;
  restrictionReasons: string[];
  analyticsExcluded: boolean;
  profilingObjected: boolean;
  consents: Record<string, { holds: boolean; default: boolean; at: string | null; by: string | null; onBehalf: boolean }>;
  parentalConsentSince: string | null;
  legalHold: { holdId: string; reason: string | null; since: string | null; until: string | null } | null;
  cancelledAt: string | null;
  shredAfter: string | null;
}

export interface AccessLogEntry {
  readerId: string;
  readerName: string | null;
  realReaderId: string | null;
  what: string;
  purpose: string;
  courseId: string | null;
  schoolId: string | null;
  occurredAt: string;
}

export interface BreachFlag {
  readerId: string;
  readerName: string | null;
  /** The hour window with the most people read. */
  windowStart: string;
  windowEnd: string;
  people: number;
  reads: number;
}

@Injectable()
export class PrivacyReader {
  constructor(
    private readonly clock: Clock,
    @Inject(getDataSourceToken()) private readonly db: DataSource,
    @Optional() @Inject(ProjectionRunner) private readonly runner?: ProjectionRunner,
  ) {}

  async request(requestId: string, now = this.clock.now()): Promise<RequestView> {
    const [row] = await this.db.query('SELECT * FROM privacy_requests WHERE request_id = $1', [requestId]);
    if (!row) throw new DomainError('not_found', 'REQUEST_NOT_FOUND', 'no such privacy request');
    return (await this.withHolds([row])).map((r) => requestViewOf(r, now))[0];
  }

  /** Deferred requests name the legal hold they wait for: its id, reason and end date (from the subject's flags). */
  private async withHolds(rows: RequestRow[]): Promise<RequestRow[]> {
    const deferred = [...new Set(rows.filter((r) => r.status === 'deferred').map((r) => r.subject_id))];
    if (!deferred.length) return rows;
    const flags: { user_id: string; legal_hold_id: string | null; legal_hold_reason: string | null; legal_hold_until: Date | null }[] = await this.db.query(
      'SELECT user_id, legal_hold_id, legal_hold_reason, legal_hold_until FROM subject_flags WHERE user_id = ANY ($1::uuid[])',
      [deferred],
    );
    const byUser = new Map(flags.map((f) => [f.user_id, f]));
    return rows.map((r) => {
      const f = r.status === 'deferred' ? byUser.get(r.subject_id) : undefined;
      return f?.legal_hold_id ? { ...r, hold_id: f.legal_hold_id, hold_reason: f.legal_hold_reason, hold_until: f.legal_hold_until } : r;
    });
  }

  /** Requests about the person, or filed by them. */
  async requestsOf(userId: string, now = this.clock.now()): Promise<RequestView[]> {
    const rows = await this.db.query('SELECT * FROM privacy_requests WHERE subject_id = $1 OR filed_by = $1 ORDER BY filed_at DESC', [userId]);
    return (await this.withHolds(rows)).map((r) => requestViewOf(r, now));
  }

  /** The DPO's queue: open requests by deadline first (overdue on top), or filtered. */
  async queue(filter: QueueFilter, now = this.clock.now()): Promise<RequestView[]> {
    const rows = await this.db.query(
      `SELECT * FROM privacy_requests
        WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR type = $2)
          AND (NOT $3 OR (status IN ('pending', 'approved', 'deferred') AND due_at < $4))
        ORDER BY (status IN ('pending', 'approved', 'deferred')) DESC, due_at, filed_at
        LIMIT 1000`,
      [filter.status ?? null, filter.type ?? null, filter.overdue ?? false, now],
    );
    return (await this.withHolds(rows)).map((r) => requestViewOf(r, now));
  }

  /** One row per projection of this process: acknowledged (with when) or not yet. */
  async receipts(requestId: string): Promise<{ requestId: string; userId: string | null; complete: boolean; receipts: ReceiptView[] }> {
    const rows: { projection: string; user_id: string; acknowledged_at: Date }[] = await this.db.query(
      'SELECT projection, user_id, acknowledged_at FROM erasure_receipts WHERE request_id = $1',
      [requestId],
    );
    const acknowledged = new Map(rows.map((r) => [r.projection, iso(r.acknowledged_at)]));
    const names = [...new Set([...(this.runner?.projections.map((p) => p.name) ?? []), ...acknowledged.keys()])].sort();
    const receipts = names.map((projection) => ({ projection, acknowledgedAt: acknowledged.get(projection) ?? null }));
    return { requestId, userId: rows[0]?.user_id ?? null, complete: receipts.length > 0 && receipts.every((r) => r.acknowledgedAt !== null), receipts };
  }

  async status(userId: string): Promise<PrivacyStatusView> {
    const [f] = await this.db.query('SELECT * FROM subject_flags WHERE user_id = $1', [userId]);
    const [account] = await this.db.query('SELECT parental_consent_at FROM accounts WHERE user_id = $1', [userId]);
    const recorded = (f?.consents ?? {}) as Record<string, { given: boolean; at: string; by: string; onBehalf: boolean }>;
    const consents: PrivacyStatusView['consents'] = {};
    for (const purpose of CONSENT_PURPOSES) {
      const c = recorded[purpose];
      const holds = purpose === 'profiling' ? !(f?.profiling_objected ?? false) : (c?.given ?? CONSENT_DEFAULTS[purpose]);
      consents[purpose] = { holds, default: CONSENT_DEFAULTS[purpose], at: c?.at ?? null, by: c?.by ?? null, onBehalf: c?.onBehalf ?? false };
    }
    return {
      userId,
      restricted: f?.restricted ?? false,
      restrictionReasons: f?.restriction_reasons ?? [],
      analyticsExcluded: f?.analytics_excluded ?? false,
      profilingObjected: f?.profiling_objected ?? false,
      consents,
      parentalConsentSince: iso(account?.parental_consent_at),
      legalHold: f?.legal_hold_id ? { holdId: f.legal_hold_id, reason: f.legal_hold_reason, since: iso(f.legal_hold_since), until: iso(f.legal_hold_until) } : null,
      cancelledAt: iso(f?.cancelled_at),
      shredAfter: iso(f?.shred_after),
    };
  }

  /** Who read the person's data, newest first. */
  async accessLog(subjectId: string, limit = 500): Promise<AccessLogEntry[]> {
    const rows = await this.db.query(
      `SELECT l.*, a.display_name AS reader_name FROM personal_data_access_log l LEFT JOIN accounts a ON a.user_id = l.reader_id
        WHERE l.subject_id = $1 ORDER BY l.occurred_at DESC LIMIT $2`,
      [subjectId, limit],
    );
    return rows.map((r: { reader_id: string; reader_name: string | null; real_reader_id: string | null; what: string; purpose: string; course_id: string | null; school_id: string | null; occurred_at: Date }) => ({
      readerId: r.reader_id,
      readerName: r.reader_name,
      realReaderId: r.real_reader_id,
      what: r.what,
      purpose: r.purpose,
      courseId: r.course_id,
      schoolId: r.school_id,
      occurredAt: iso(r.occurred_at)!,
    }));
  }

  /**
   * Readers who read more than `threshold` different people within one hour
   * (a sliding window ending at each of their reads), over the last `days`
   * days: one entry per reader, with their busiest window.
   */
  async breachReview(threshold: number, days: number, now = this.clock.now()): Promise<BreachFlag[]> {
    const rows = await this.db.query(
      `WITH recent AS (
         SELECT reader_id, subject_id, occurred_at FROM personal_data_access_log WHERE occurred_at > $2::timestamptz - make_interval(days => $3)
       ),
       candidates AS (
         SELECT reader_id FROM recent GROUP BY reader_id HAVING count(DISTINCT subject_id) > $1
       ),
       windows AS (
         SELECT r.reader_id, r.occurred_at AS window_end,
                (SELECT count(DISTINCT w.subject_id) FROM recent w WHERE w.reader_id = r.reader_id AND w.occurred_at > r.occurred_at - interval '1 hour' AND w.occurred_at <= r.occurred_at) AS people,
                (SELECT count(*) FROM recent w WHERE w.reader_id = r.reader_id AND w.occurred_at > r.occurred_at - interval '1 hour' AND w.occurred_at <= r.occurred_at) AS reads
           FROM (SELECT DISTINCT reader_id, occurred_at FROM recent WHERE reader_id IN (SELECT reader_id FROM candidates)) r
       )
       SELECT DISTINCT ON (w.reader_id) w.reader_id, a.display_name AS reader_name, w.window_end, w.people, w.reads
         FROM windows w LEFT JOIN accounts a ON a.user_id = w.reader_id
        WHERE w.people > $1
        ORDER BY w.reader_id, w.people DESC, w.window_end`,
      [threshold, now, days],
    );
    return rows
      .map((r: { reader_id: string; reader_name: string | null; window_end: Date; people: string; reads: string }) => ({
        readerId: r.reader_id,
        readerName: r.reader_name,
        windowStart: new Date(new Date(r.window_end).getTime() - 3_600_000).toISOString(),
        windowEnd: iso(r.window_end)!,
        people: Number(r.people),
        reads: Number(r.reads),
      }))
      .sort((a: BreachFlag, b: BreachFlag) => b.people - a.people);
  }
}
