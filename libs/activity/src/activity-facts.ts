/**
 * What ingestion needs to know about a request's courses and resources, read
 * from the read models and remembered for `accessCacheMs`:
 *   - may the caller record activity in the course: the AccessPolicy's
 *     course.participate (an enrolled learner) or course.teach (its staff);
 *     only a yes is remembered, so a learner just enrolled is never refused;
 *   - the course's school (the event's tenant);
 *   - a resource's course, section, kind and visibility.
 * At thousands of requests a second these are the same few rows over and
 * over; remembering them for a few seconds takes them off the database.
 *
 * Learners in use are checked again together before their entry runs out (as
 * sessions are, session-store.ts): an enrolled learner's entry served once it
 * is older than `accessCacheMs` less two recheck intervals joins the next
 * joint check, one statement for all of them at most once an interval. A
 * learner still enrolled is trusted for another `accessCacheMs` from the time
 * that statement was sent; one no longer enrolled is dropped, and their next
 * request asks the AccessPolicy alone (and is refused). A learner reporting
 * at least every few seconds is thus never read on their request's path, and
 * an unenrolment still stops their activity within `accessCacheMs`.
 */
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { AccessPolicy, type Actor } from '@learnstream/access';
import { PG_POOL } from '@learnstream/core';
import type pg from 'pg';
import { ACTIVITY_OPTIONS, type ActivityOptions } from './activity.options';
import type { ResourceKind } from './activity.events';

export interface CourseAccess {
  allowed: boolean;
  /** On the course's staff (sees hidden resources). */
  teaches: boolean;
}

export interface ResourceFacts {
  resourceId: string;
  courseId: string;
  sectionId: string;
  kind: ResourceKind;
  visible: boolean;
}

/** A map whose entries expire; emptied when it grows past `max` (a crude bound, enough here). */
class Expiring<V> {
  private readonly entries = new Map<string, { value: V; until: number }>();
  constructor(
    readonly ttlMs: number,
    private readonly max = 100_000,
  ) {}
  get(key: string, now: number): V | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.until < now) {
      this.entries.delete(key);
      return undefined;
    }
    return e.value;
  }
  /** Milliseconds the entry has left (0: none). */
  left(key: string, now: number): number {
    const e = this.entries.get(key);
    return e ? Math.max(0, e.until - now) : 0;
  }
  /** Trusted for ttlMs from `since` (the time the read that confirmed it was sent); an entry never moves back. */
  set(key: string, value: V, since: number): void {
    if (this.ttlMs <= 0) return;
    const until = since + this.ttlMs;
    const e = this.entries.get(key);
    if (e && e.until >= until) return;
    if (!e && this.entries.size >= this.max) this.entries.clear();
    this.entries.set(key, { value, until });
  }
  delete(key: string): void {
    this.entries.delete(key);
  }
}

/** Most pairs in one joint check. */
const RECHECK_MAX_PAIRS = 10_000;

@Injectable()
export class ActivityFacts implements OnApplicationShutdown {
  private readonly access: Expiring<CourseAccess>;
  private readonly schools: Expiring<string | null>;
  private readonly resources: Expiring<ResourceFacts>;
  /** How often enrolled learners in use are checked together (ms), and the life left below which a served entry is due. */
  private readonly recheckMs: number;
  private readonly recheckBelowMs: number;
  /** Enrolled learners' entries served once due, by key, for the next joint check. */
  private readonly due = new Map<string, { courseId: string; learnerId: string }>();
  private recheck: NodeJS.Timeout | null = null;
  /** Statements sent: by one request's check (`reads`), by joint checks (`rechecks`); for tests and diagnostics. */
  readonly statements = { reads: 0, rechecks: 0 };

  constructor(
    private readonly policy: AccessPolicy,
    @Inject(PG_POOL) private readonly pool: pg.Pool,
    @Inject(ACTIVITY_OPTIONS) options: ActivityOptions,
  ) {
    this.access = new Expiring(options.accessCacheMs);
    this.schools = new Expiring(options.accessCacheMs);
    this.resources = new Expiring(options.accessCacheMs);
    this.recheckMs = Math.max(50, Math.min(1000, Math.floor(options.accessCacheMs / 4)));
    this.recheckBelowMs = options.accessCacheMs - 2 * this.recheckMs;
  }

  async courseAccess(actor: Actor, courseId: string): Promise<CourseAccess> {
    const key = `${actor.userId}|${courseId}`;
    const now = Date.now();
    const known = this.access.get(key, now);
    if (known) {
      if (!known.teaches && this.access.left(key, now) < this.recheckBelowMs) this.recheckSoon(key, courseId, actor.userId);
      return known;
    }
    // Learners first (one lookup); staff only when that fails. Staff enrolled as learners are treated as learners.
    this.statements.reads += 1;
    const enrolled = await this.policy.can(actor, { action: 'course.participate', courseId });
    const teaches = !enrolled && (await this.policy.can(actor, { action: 'course.teach', courseId }));
    const access = { allowed: enrolled || teaches, teaches };
    if (access.allowed) this.access.set(key, access, now);
    return access;
  }

  onApplicationShutdown(): void {
    if (this.recheck) clearTimeout(this.recheck);
    this.due.clear();
  }

  private recheckSoon(key: string, courseId: string, learnerId: string): void {
    this.due.set(key, { courseId, learnerId });
    if (this.recheck) return;
    this.recheck = setTimeout(() => void this.recheckDue().finally(() => (this.recheck = null)), this.recheckMs);
    this.recheck.unref();
  }

  /**
   * Checks the due learners' enrolments in one statement: those still enrolled
   * are trusted for another accessCacheMs from when it was sent, the others are
   * dropped. When the database does not answer, nothing is renewed: the entries
   * run out as before.
   */
  private async recheckDue(): Promise<void> {
    const due = [...this.due].slice(0, RECHECK_MAX_PAIRS);
    for (const [key] of due) this.due.delete(key);
    if (!due.length) return;
    const asked = Date.now();
    this.statements.rechecks += 1;
    const enrolled = await this.policy.enrolledAmong(due.map(([, pair]) => pair)).catch(() => null);
    if (!enrolled) return;
    for (const [key, { courseId, learnerId }] of due) {
      if (enrolled.has(`${courseId.toLowerCase()}|${learnerId.toLowerCase()}`)) this.access.set(key, { allowed: true, teaches: false }, asked);
      else this.access.delete(key);
    }
  }

  /** The school of each course (null: platform-wide); courses not found are left out. */
  async schoolsOf(courseIds: string[]): Promise<Map<string, string | null>> {
    const now = Date.now();
    const out = new Map<string, string | null>();
    const missing: string[] = [];
    for (const id of courseIds) {
      const school = this.schools.get(id, now);
      if (school === undefined) missing.push(id);
      else out.set(id, school);
    }
    if (missing.length) {
      const { rows } = await this.pool.query<{ course_id: string; school_id: string | null }>('SELECT course_id, school_id FROM courses WHERE course_id = ANY($1::uuid[])', [missing]);
      for (const r of rows) {
        out.set(r.course_id, r.school_id);
        this.schools.set(r.course_id, r.school_id, now);
      }
    }
    return out;
  }

  /** The enrolment rows (last enrolment) of these learners in these courses, by `courseId|learnerId`: for history recorded by an import. */
  async enrolmentsOf(courseIds: string[], learnerIds: string[]): Promise<Map<string, { enrolledAt: number; unenrolledAt: number | null }>> {
    const { rows } = await this.pool.query<{ course_id: string; learner_id: string; enrolled_at: Date; unenrolled_at: Date | null }>(
      'SELECT course_id, learner_id, enrolled_at, unenrolled_at FROM course_enrolments WHERE course_id = ANY($1::uuid[]) AND learner_id = ANY($2::uuid[])',
      [courseIds, learnerIds],
    );
    return new Map(rows.map((r) => [`${r.course_id}|${r.learner_id}`, { enrolledAt: r.enrolled_at.getTime(), unenrolledAt: r.unenrolled_at?.getTime() ?? null }]));
  }

  /** The facts of each resource; resources not found are left out. */
  async resourcesOf(resourceIds: string[]): Promise<Map<string, ResourceFacts>> {
    const now = Date.now();
    const out = new Map<string, ResourceFacts>();
    const missing: string[] = [];
    for (const id of resourceIds) {
      const known = this.resources.get(id, now);
      if (known) out.set(id, known);
      else missing.push(id);
    }
    if (missing.length) {
      const { rows } = await this.pool.query<{ resource_id: string; course_id: string; section_id: string; kind: ResourceKind; visible: boolean }>(
        'SELECT resource_id, course_id, section_id, kind, visible FROM course_resources WHERE resource_id = ANY($1::uuid[])',
        [missing],
      );
      for (const r of rows) {
        const facts = { resourceId: r.resource_id, courseId: r.course_id, sectionId: r.section_id, kind: r.kind, visible: r.visible };
        out.set(r.resource_id, facts);
        this.resources.set(r.resource_id, facts, now);
      }
    }
    return out;
  }
}
