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
 *
 * A course's school and a resource's facts served with as little life left
 * are read again in the background (the entry's life counted from that read),
 * so a busy course's entries never run out on a request's path either.
 *
 * What is not cached (a learner's first request, or their first after a
 * pause; a course or resource not seen for `accessCacheMs`) is read together
 * with what the other requests miss at the same time (coalesced-reads.ts):
 * one statement for a burst, not one per request waiting for the pool ahead
 * of the group commit.
 */
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { AccessPolicy, type Actor } from '@learnstream/access';
import { coalescedReads, PG_POOL } from '@learnstream/core';
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
  /**
   * Statements sent: enrolments read for requests (`reads`, those that miss at the same time together), by joint
   * rechecks (`rechecks`), schools and resources read (`facts`, misses and background refreshes); for tests and diagnostics.
   */
  readonly statements = { reads: 0, rechecks: 0, facts: 0 };
  /** Calls of schoolsOf and resourcesOf that waited for the database (an entry missing), for tests and diagnostics. */
  factsWaitedFor = 0;
  /** Entries being read again in the background (`school:<id>`, `resource:<id>`). */
  private readonly refreshing = new Set<string>();

  /** The (course, learner) pairs among these keys (`courseId|learnerId`, lower case) with an active enrolment. */
  private readonly enrolled = coalescedReads<true>(async (keys) => {
    this.statements.reads += 1;
    const pairs = keys.map((k) => {
      const [courseId, learnerId] = k.split('|');
      return { courseId, learnerId };
    });
    return new Map([...(await this.policy.enrolledAmong(pairs))].map((k) => [k, true as const]));
  });

  private readonly readSchools = coalescedReads<string | null>(async (ids) => {
    this.statements.facts += 1;
    const asked = Date.now();
    const { rows } = await this.pool.query<{ course_id: string; school_id: string | null }>('SELECT course_id, school_id FROM courses WHERE course_id = ANY($1::uuid[])', [ids]);
    for (const r of rows) this.schools.set(r.course_id, r.school_id, asked);
    return new Map(rows.map((r) => [r.course_id, r.school_id]));
  });

  private readonly readResources = coalescedReads<ResourceFacts>(async (ids) => {
    this.statements.facts += 1;
    const asked = Date.now();
    const { rows } = await this.pool.query<{ resource_id: string; course_id: string; section_id: string; kind: ResourceKind; visible: boolean }>(
      'SELECT resource_id, course_id, section_id, kind, visible FROM course_resources WHERE resource_id = ANY($1::uuid[])',
      [ids],
    );
    const found = new Map(rows.map((r) => [r.resource_id, { resourceId: r.resource_id, courseId: r.course_id, sectionId: r.section_id, kind: r.kind, visible: r.visible }]));
    for (const [id, facts] of found) this.resources.set(id, facts, asked);
    // A resource gone since its entry was read is forgotten at once.
    for (const id of ids) if (!found.has(id)) this.resources.delete(id);
    return found;
  });

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
    // Learners first (course.participate: an active enrolment, read with other requests' misses); staff only when
    // that fails. Staff enrolled as learners are treated as learners.
    const pair = `${courseId}|${actor.userId}`.toLowerCase();
    const enrolled = (await this.enrolled([pair])).has(pair);
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
      else {
        out.set(id, school);
        if (this.schools.left(id, now) < this.recheckBelowMs) this.refresh(`school:${id}`, id, this.readSchools);
      }
    }
    if (missing.length) {
      this.factsWaitedFor += 1;
      for (const [id, school] of await this.readSchools(missing)) out.set(id, school);
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
      if (!known) missing.push(id);
      else {
        out.set(id, known);
        if (this.resources.left(id, now) < this.recheckBelowMs) this.refresh(`resource:${id}`, id, this.readResources);
      }
    }
    if (missing.length) {
      this.factsWaitedFor += 1;
      for (const [id, facts] of await this.readResources(missing)) out.set(id, facts);
    }
    return out;
  }

  /** Reads an entry again in the background, once at a time (its answer, or a failure, lets the next refresh go). */
  private refresh(key: string, id: string, read: (ids: readonly string[]) => Promise<unknown>): void {
    if (this.refreshing.has(key)) return;
    this.refreshing.add(key);
    void read([id])
      .catch(() => undefined)
      .finally(() => this.refreshing.delete(key));
  }
}
