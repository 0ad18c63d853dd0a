/**
 * The catalogue: the courses the caller may read (the rule of course.read, in
 * SQL), under row-level security: platform-wide courses; every course of the
 * schools they belong to; courses they teach; courses they or their children
 * are enrolled in. Platform admins see every course. Archived courses only on
 * request; `mine` keeps the courses the caller teaches or is enrolled in.
 */
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { AccessPolicy, TenantDb, type Actor } from '@learnstream/access';
import type { CourseRole } from '../course.events';
import { COURSE_COLUMNS, toCourseSummary, type CourseRow, type CourseSummaryView } from './course-views';

export interface CatalogueFilter {
  schoolId?: string;
  mine?: boolean;
  includeArchived?: boolean;
  limit?: number;
  offset?: number;
}

export interface CatalogueEntry extends CourseSummaryView {
  viewer: { role: CourseRole | null; enrolled: boolean };
}

export class ListCoursesQuery {
  constructor(
    readonly actor: Actor,
    readonly filter: CatalogueFilter = {},
  ) {}
}

@QueryHandler(ListCoursesQuery)
export class ListCoursesHandler implements IQueryHandler<ListCoursesQuery, { courses: CatalogueEntry[] }> {
  constructor(
    private readonly policy: AccessPolicy,
    private readonly db: TenantDb,
  ) {}

  async execute({ actor, filter }: ListCoursesQuery): Promise<{ courses: CatalogueEntry[] }> {
    const me = await this.policy.factsOf(actor);
    const scope = await this.policy.scopeOf(actor);
    const rows: (CourseRow & { my_role: CourseRole | null; enrolled: boolean })[] = await this.db.read(scope, (db) =>
      db.query(
        `SELECT ${COURSE_COLUMNS}, s.role AS my_role, (e.learner_id IS NOT NULL) AS enrolled
         FROM courses c
         LEFT JOIN course_staff s ON s.course_id = c.course_id AND s.user_id = $1
         LEFT JOIN course_enrolments e ON e.course_id = c.course_id AND e.learner_id = $1 AND e.status = 'active'
         WHERE ($2 OR c.school_id IS NULL OR c.school_id = ANY ($3::uuid[]) OR s.user_id IS NOT NULL OR e.learner_id IS NOT NULL
                OR EXISTS (SELECT 1 FROM course_enrolments ce WHERE ce.course_id = c.course_id AND ce.learner_id = ANY ($4::uuid[]) AND ce.status = 'active'))
           AND ($5::uuid IS NULL OR c.school_id = $5)
           AND (NOT $6 OR s.user_id IS NOT NULL OR e.learner_id IS NOT NULL)
           AND ($7 OR c.archived_at IS NULL)
         ORDER BY c.title, c.code, c.course_id
         LIMIT $8 OFFSET $9`,
        [
          actor.userId,
          me.platformRoles.includes('platform_admin'),
          me.memberships.map((m) => m.schoolId),
          me.children,
          filter.schoolId ?? null,
          filter.mine ?? false,
          filter.includeArchived ?? false,
          filter.limit ?? 100,
          filter.offset ?? 0,
        ],
      ),
    );
    return { courses: rows.map((r) => ({ ...toCourseSummary(r), viewer: { role: r.my_role, enrolled: r.enrolled } })) };
  }
}
