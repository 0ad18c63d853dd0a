/**
 * One resource with its content, for those who may see a course's contents
 * (see course-access.ts); a hidden one only for those who teach the course.
 * A view by staff or an enrolled learner is recorded (ResourceViewed).
 */
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { AccessPolicy, ForbiddenError, TenantDb, type Actor } from '@learnstream/access';
import type { ResourceContent } from '../course.events';
import { resourceNotFound } from '../course.errors';
import { CoursesRepository } from '../courses.repository';
import { courseAccess } from './course-access';
import { toResource, type ResourceView } from './course-views';

export interface ResourceWithContentView extends ResourceView {
  content: ResourceContent;
}

export class GetResourceQuery extends Query<ResourceWithContentView> {
  constructor(
    readonly actor: Actor,
    readonly courseId: string,
    readonly resourceId: string,
  ) {
    super();
  }
}

@QueryHandler(GetResourceQuery)
export class GetResourceHandler implements IQueryHandler<GetResourceQuery, ResourceWithContentView> {
  constructor(
    private readonly policy: AccessPolicy,
    private readonly db: TenantDb,
    private readonly courses: CoursesRepository,
  ) {}

  async execute({ actor, courseId, resourceId }: GetResourceQuery): Promise<ResourceWithContentView> {
    await this.policy.require(actor, { action: 'course.read', courseId });
    const access = await courseAccess(this.policy, actor, courseId);
    if (!access.seesContent) throw new ForbiddenError('the contents of a course are for its participants');
    const scope = await this.policy.scopeOf(actor);
    const [row] = await this.db.read(scope, (db) =>
      db.query('SELECT resource_id, course_id, school_id, section_id, kind, title, content, visible, position FROM course_resources WHERE course_id = $1 AND resource_id = $2', [
        courseId,
        resourceId,
      ]),
    );
    if (!row || (!row.visible && !access.seesHidden)) throw resourceNotFound(resourceId);
    const view = { ...toResource(row), content: row.content as ResourceContent };
    if (access.recordsViews) {
      await this.courses.recordView(actor, row.school_id, { type: 'ResourceViewed', data: { courseId, sectionId: view.sectionId, resourceId, userId: actor.userId } });
    }
    return view;
  }
}
