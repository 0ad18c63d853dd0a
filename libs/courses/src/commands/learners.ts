/** Who may be enrolled in a course: a learner of its school; anyone with an account, for a platform-wide course. */
import type { AccessPolicy } from '@learnstream/access';
import { DomainError } from '@learnstream/domain';
import type { Course } from '../course.state';

export async function isLearnerOf(policy: AccessPolicy, course: Course, userId: string): Promise<boolean> {
  const person = await policy.person(userId);
  if (course.schoolId === null) return person.exists;
  return person.memberships.some((m) => m.schoolId === course.schoolId && m.role === 'learner');
}

export const unknownLearner = (learnerId: string) =>
  new DomainError('invalid', 'UNKNOWN_LEARNER', `user ${learnerId} is not a learner of this course's school`, [{ field: 'learnerId', message: 'must be a learner of the course\'s school' }]);
