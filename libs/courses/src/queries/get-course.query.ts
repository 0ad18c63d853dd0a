/**
 * One course as its reader may see it: settings, staff, sections with their
 * resources (hidden ones only for those who teach it) and activities. Reading
 * it is an action: a view by its staff or an enrolled learner is recorded
 * (CourseViewed), after the permission check, so a refused read records nothing.
 */
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { AccessPolicy, TenantDb, type Actor } from '@learnstream/access';
import type { CourseRole } from '../course.events';
import { courseNotFound } from '../course.errors';
import { CoursesRepository } from '../courses.repository';
import { courseAccess } from './course-access';
import { COURSE_COLUMNS, toCourseSummary, toResource, type CourseRow, type ResourceRow, type CourseSummaryView, type ResourceView, type ViewerView } from './course-views';

export interface CourseView extends CourseSummaryView {
  staff: { userId: string; role: CourseRole }[];
  sections: { sectionId: string; title: string; position: number; resources: Omit<ResourceView, 'courseId' | 'sectionId'>[]; activities: { activityId: string; kind: string; idNumber: string | null }[] }[];
  viewer: ViewerView;
}

export class GetCourseQuery {
  constructor(
    readonly actor: Actor,
    readonly courseId: string,
  ) {}
}

@QueryHandler(GetCourseQuery)
export class GetCourseHandler implements IQueryHandler<GetCourseQuery, CourseView> {
  constructor(
    private readonly policy: AccessPolicy,
    private readonly db: TenantDb,
    private readonly courses: CoursesRepository,
  ) {}

  async execute({ actor, courseId }: GetCourseQuery): Promise<CourseView> {
    await this.policy.require(actor, { action: 'course.read', courseId });
    const access = await courseAccess(this.policy, actor, courseId);
    const scope = await this.policy.scopeOf(actor);
    const view = await this.db.read(scope, async (db) => {
      const [course]: (CourseRow | undefined)[] = await db.query(`SELECT ${COURSE_COLUMNS} FROM courses c WHERE c.course_id = $1`, [courseId]);
      if (!course) return null;
      const staff: { user_id: string; role: CourseRole }[] = await db.query('SELECT user_id, role FROM course_staff WHERE course_id = $1 ORDER BY assigned_at, user_id', [courseId]);
      const sections: { section_id: string; title: string; position: number }[] = await db.query('SELECT section_id, title, position FROM course_sections WHERE course_id = $1 ORDER BY position', [courseId]);
      const resources: ResourceRow[] = await db.query(
        `SELECT resource_id, course_id, section_id, kind, title, visible, position FROM course_resources WHERE course_id = $1 AND (visible OR $2) ORDER BY position`,
        [courseId, access.seesHidden],
      );
      const activities: { activity_id: string; section_id: string; kind: string; id_number: string | null }[] = await db.query(
        'SELECT activity_id, section_id, kind, id_number FROM course_activities WHERE course_id = $1 ORDER BY activity_id',
        [courseId],
      );
      const role = staff.find((s) => s.user_id === actor.userId)?.role ?? null;
      return {
        ...toCourseSummary(course),
        staff: staff.map((s) => ({ userId: s.user_id, role: s.role })),
        sections: sections.map((s) => ({
          sectionId: s.section_id,
          title: s.title,
          position: s.position,
          resources: resources
            .filter((r) => r.section_id === s.section_id)
            .map(toResource)
            .map(({ courseId: _c, sectionId: _s, ...r }) => r),
          activities: activities.filter((a) => a.section_id === s.section_id).map((a) => ({ activityId: a.activity_id, kind: a.kind, idNumber: a.id_number })),
        })),
        viewer: { role, enrolled: access.enrolled, teaches: access.teaches },
      };
    });
    if (!view) throw courseNotFound(courseId);
    if (access.recordsViews) await this.courses.recordView(actor, view.schoolId, { type: 'CourseViewed', data: { courseId, userId: actor.userId } });
    return view;
  }
}
