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
 */
import { Inject, Injectable } from '@nestjs/common';
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
    private readonly ttlMs: number,
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
  set(key: string, value: V, now: number): void {
    if (this.ttlMs <= 0) return;
    if (this.entries.size >= this.max) this.entries.clear();
    this.entries.set(key, { value, until: now + this.ttlMs });
  }
}

@Injectable()
export class ActivityFacts {
  private readonly access: Expiring<CourseAccess>;
  private readonly schools: Expiring<string | null>;
  private readonly resources: Expiring<ResourceFacts>;

  constructor(
    private readonly policy: AccessPolicy,
    @Inject(PG_POOL) private readonly pool: pg.Pool,
    @Inject(ACTIVITY_OPTIONS) options: ActivityOptions,
  ) {
    this.access = new Expiring(options.accessCacheMs);
    this.schools = new Expiring(options.accessCacheMs);
    this.resources = new Expiring(options.accessCacheMs);
  }

  async courseAccess(actor: Actor, courseId: string): Promise<CourseAccess> {
    const key = `${actor.userId}|${courseId}`;
    const now = Date.now();
    const known = this.access.get(key, now);
    if (known) return known;
    // Learners first (one lookup); staff only when that fails. Staff enrolled as learners are treated as learners.
    const enrolled = await this.policy.can(actor, { action: 'course.participate', courseId });
    const teaches = !enrolled && (await this.policy.can(actor, { action: 'course.teach', courseId }));
    const access = { allowed: enrolled || teaches, teaches };
    if (access.allowed) this.access.set(key, access, now);
    return access;
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
