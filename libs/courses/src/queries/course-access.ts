/**
 * What a reader who may read a course (course.read) sees of it, in one place:
 *   hidden resources   those who teach it (course staff, the school's admins)
 *   resource contents  those who teach it, its enrolled learners, the parents
 *                      of its enrolled learners, platform admins; the rest of
 *                      the school sees the outline only (as Moodle's catalogue)
 *   views recorded     its staff and its enrolled learners (CourseViewed, ResourceViewed)
 */
import type { AccessPolicy, Actor } from '@learnstream/access';

export interface CourseAccess {
  teaches: boolean;
  enrolled: boolean;
  seesHidden: boolean;
  seesContent: boolean;
  recordsViews: boolean;
}

export async function courseAccess(policy: AccessPolicy, actor: Actor, courseId: string): Promise<CourseAccess> {
  const teaches = await policy.can(actor, { action: 'course.teach', courseId });
  const enrolled = await policy.can(actor, { action: 'course.participate', courseId });
  let seesContent = teaches || enrolled;
  if (!seesContent) {
    const me = await policy.factsOf(actor);
    seesContent = me.platformRoles.includes('platform_admin');
    for (const child of me.children) if (!seesContent) seesContent = await policy.isEnrolled(courseId, child);
  }
  return { teaches, enrolled, seesHidden: teaches, seesContent, recordsViews: teaches || enrolled };
}
