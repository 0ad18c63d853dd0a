/**
 * The catalogue: the courses the caller may read (the rule of course.read, in
 * SQL), under row-level security: platform-wide courses; every course of the
 * schools they belong to; courses they teach; courses they or their children
 * are enrolled in. Platform admins see every course. Archived courses only on
 * request; `mine` keeps the courses the caller teaches or is enrolled in.
 */
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { AccessPolicy, TenantDb, type Actor } from '@learnstream/access';
import { decodeKeyCursor, encodeKeyCursor } from '@learnstream/core';
import { DomainError } from '@learnstream/domain';
import type { CourseRole } from '../course.events';
import { COURSE_COLUMNS, toCourseSummary, type CourseRow, type CourseSummaryView } from './course-views';

export interface CatalogueFilter {
  schoolId?: string;
  mine?: boolean;
  includeArchived?: boolean;
  /** The course with this external id (unique in a school: one per school the caller may read). */
  idNumber?: string;
  limit?: number;
  /** The nextCursor of the page before. */
  cursor?: string;
  /** Deprecated: rows to skip (use cursor). */
  offset?: number;
}

export interface CatalogueEntry extends CourseSummaryView {
  viewer: { role: CourseRole | null; enrolled: boolean };
}

export interface CataloguePage {
  courses: CatalogueEntry[];
  /** Every course the filters let through, on all pages. */
  total: number;
  /** Pass as `cursor` for the next page; null on the last one. */
  nextCursor: string | null;
}

export class ListCoursesQuery extends Query<CataloguePage> {
  constructor(
    readonly actor: Actor,
    readonly filter: CatalogueFilter = {},
  ) {
    super();
  }
}

@QueryHandler(ListCoursesQuery)
export class ListCoursesHandler implements IQueryHandler<ListCoursesQuery, CataloguePage> {
  constructor(
    private readonly policy: AccessPolicy,
    private readonly db: TenantDb,
  ) {}

  async execute({ actor, filter }: ListCoursesQuery): Promise<CataloguePage> {
    const me = await this.policy.factsOf(actor);
    const scope = await this.policy.scopeOf(actor);
    const limit = filter.limit ?? 100;
    // The catalogue's order is (title, code, course id): a page starts after the last one's key.
    const after = filter.cursor === undefined ? null : decodeKeyCursor(filter.cursor, 3).map((v) => (typeof v === 'string' ? v : null));
    if (after && after.some((v) => v === null)) throw new DomainError('invalid', 'VALIDATION_FAILED', 'cursor is not a cursor this list gave');
    const where = `($2 OR c.school_id IS NULL OR c.school_id = ANY ($3::uuid[]) OR s.user_id IS NOT NULL OR e.learner_id IS NOT NULL
                OR EXISTS (SELECT 1 FROM course_enrolments ce WHERE ce.course_id = c.course_id AND ce.learner_id = ANY ($4::uuid[]) AND ce.status = 'active'))
           AND ($5::uuid IS NULL OR c.school_id = $5)
           AND (NOT $6 OR s.user_id IS NOT NULL OR e.learner_id IS NOT NULL)
           AND ($7 OR c.archived_at IS NULL)
           AND ($8::text IS NULL OR c.id_number = $8)`;
    const from = `FROM courses c
         LEFT JOIN course_staff s ON s.course_id = c.course_id AND s.user_id = $1
         LEFT JOIN course_enrolments e ON e.course_id = c.course_id AND e.learner_id = $1 AND e.status = 'active'`;
    const params = [
      actor.userId,
      me.platformRoles.includes('platform_admin'),
      me.memberships.map((m) => m.schoolId),
      me.children,
      filter.schoolId ?? null,
      filter.mine ?? false,
      filter.includeArchived ?? false,
      filter.idNumber ?? null,
    ];
    const [rows, [{ total }]]: [(CourseRow & { my_role: CourseRole | null; enrolled: boolean })[], { total: string }[]] = await this.db.read(scope, async (db) => [
      await db.query(
        `SELECT ${COURSE_COLUMNS}, s.role AS my_role, (e.learner_id IS NOT NULL) AS enrolled
         ${from}
         WHERE ${where}
           AND ($9::text IS NULL OR (c.title, c.code, c.course_id) > ($9::text, $10::text, $11::uuid))
         ORDER BY c.title, c.code, c.course_id
         LIMIT $12 OFFSET $13`,
        [...params, after?.[0] ?? null, after?.[1] ?? null, after?.[2] ?? null, limit + 1, after ? 0 : (filter.offset ?? 0)],
      ),
      await db.query(`SELECT count(*) AS total ${from} WHERE ${where}`, params),
    ]);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      courses: page.map((r) => ({ ...toCourseSummary(r), viewer: { role: r.my_role, enrolled: r.enrolled } })),
      total: Number(total),
      nextCursor: rows.length > limit ? encodeKeyCursor([last.title, last.code, last.course_id]) : null,
    };
  }
}
