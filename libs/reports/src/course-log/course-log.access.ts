/**
 * Who reads a course's log: those who teach the course (course.teach: its
 * teachers, non-editing ones included, and its school's admins; for a
 * platform-wide course, the platform admins). Asked first, so that a refused
 * caller learns nothing, not even whether the course exists.
 */
import { AccessPolicy, type Actor, type TenantScope } from '@learnstream/access';
import { DomainError } from '@learnstream/domain';

export interface OpenedCourseLog {
  courseId: string;
  schoolId: string | null;
  /** The reader's tenant scope (row-level security). */
  scope: TenantScope;
}

export async function openCourseLog(policy: AccessPolicy, actor: Actor, courseId: string): Promise<OpenedCourseLog> {
  await policy.require(actor, { action: 'course.teach', courseId });
  const course = await policy.course(courseId);
  if (!course.exists) throw new DomainError('not_found', 'COURSE_NOT_FOUND', `no course ${courseId}`);
  return { courseId, schoolId: course.schoolId, scope: await policy.scopeOf(actor) };
}

/** Asks the policy again with fresh facts (a long-lived tail outlives the request's cached facts). */
export async function stillTeaches(policy: AccessPolicy, actor: Actor, courseId: string): Promise<TenantScope | null> {
  const fresh = { ...actor };
  if (!(await policy.can(fresh, { action: 'course.teach', courseId }))) return null;
  return policy.scopeOf(fresh);
}
