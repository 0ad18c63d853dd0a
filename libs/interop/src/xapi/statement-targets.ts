/**
 * What a statement is about, in Learnstream terms, for an LRS client of one
 * school:
 *
 *   learner   the actor is a Learnstream user: an account agent on this
 *             platform's homePage whose name is the user id, or an mbox that
 *             is the email address of a learner of the client's school. A
 *             user of another school only → forbidden (403).
 *   object    the activity is a course or one of its resources:
 *             <homePage>/courses/<courseId>[/resources/<resourceId>]. One of
 *             another school → forbidden (403); an unknown one → not mapped.
 *
 * Reads the read models as the system, always narrowed to the client's school.
 */
import { Inject, Injectable } from '@nestjs/common';
import { AccessPolicy } from '@learnstream/access';
import { PG_POOL } from '@learnstream/core';
import { isUuid } from '@learnstream/domain';
import type pg from 'pg';
import { INTEROP_OPTIONS, type InteropOptions } from '../interop.options';

export type Target<T> = { found: T } | { forbidden: string } | null;

export interface CourseTarget {
  courseId: string;
  schoolId: string | null;
  resource: { resourceId: string; sectionId: string; visible: boolean } | null;
}

@Injectable()
export class StatementTargets {
  private readonly coursePattern: RegExp;

  constructor(
    @Inject(PG_POOL) private readonly pool: pg.Pool,
    private readonly policy: AccessPolicy,
    @Inject(INTEROP_OPTIONS) private readonly options: InteropOptions,
  ) {
    const home = options.homePage.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    this.coursePattern = new RegExp(`^${home}/courses/([^/]+)(?:/resources/([^/]+))?$`, 'i');
  }

  /** `anyRole`: an email finds a member of the school in any role, not only a learner (what a filter on the LMS's own activity asks). */
  async learner(schoolId: string, actor: unknown, { anyRole = false } = {}): Promise<Target<string>> {
    if (typeof actor !== 'object' || actor === null) return null;
    const a = actor as { objectType?: string; mbox?: string; account?: { homePage?: string; name?: string } };
    if (a.objectType === 'Group') return null;
    if (a.account && a.account.homePage?.replace(/\/+$/, '') === this.options.homePage && isUuid(a.account.name)) {
      const userId = a.account.name!.toLowerCase();
      const person = await this.policy.person(userId);
      if (!person.exists) return null;
      if (!person.memberships.some((m) => m.schoolId === schoolId)) return { forbidden: `user ${userId} is not a member of this LRS client's school` };
      return { found: userId };
    }
    if (typeof a.mbox === 'string') {
      const email = a.mbox.replace(/^mailto:/i, '').toLowerCase();
      const { rows } = await this.pool.query(
        `SELECT DISTINCT a.user_id FROM accounts a JOIN school_memberships m ON m.user_id = a.user_id
         WHERE m.school_id = $1 AND ($3 OR m.role = 'learner') AND m.ended_at IS NULL AND lower(a.email) = $2 LIMIT 2`,
        [schoolId, email, anyRole],
      );
      // An address two people share names nobody for sure.
      return rows.length === 1 ? { found: rows[0].user_id } : null;
    }
    return null;
  }

  async course(schoolId: string, activityId: string | null): Promise<Target<CourseTarget>> {
    const m = activityId ? this.coursePattern.exec(activityId) : null;
    if (!m || !isUuid(m[1]) || (m[2] !== undefined && !isUuid(m[2]))) return null;
    const courseId = m[1].toLowerCase();
    const course = await this.policy.course(courseId);
    if (!course.exists) return null;
    if (course.schoolId !== null && course.schoolId !== schoolId) return { forbidden: `course ${courseId} belongs to another school` };
    if (!m[2]) return { found: { courseId, schoolId: course.schoolId, resource: null } };
    const { rows } = await this.pool.query('SELECT section_id, visible FROM course_resources WHERE resource_id = $1 AND course_id = $2', [m[2].toLowerCase(), courseId]);
    if (!rows[0]) return null;
    return { found: { courseId, schoolId: course.schoolId, resource: { resourceId: m[2].toLowerCase(), sectionId: rows[0].section_id, visible: rows[0].visible } } };
  }

  /** Enrolled now, or on the course's staff: whose views the courses feature records. */
  async participates(courseId: string, userId: string): Promise<{ participates: boolean; teaches: boolean }> {
    const facts = await this.policy.course(courseId);
    const teaches = facts.staff.some((s) => s.userId === userId);
    return { participates: teaches || (await this.policy.isEnrolled(courseId, userId)), teaches };
  }

  courseActivityId(courseId: string): string {
    return `${this.options.homePage}/courses/${courseId}`;
  }
}
