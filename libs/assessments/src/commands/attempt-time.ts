/**
 * Who records an attempt's step and when (historic-time.ts): the learner now, or
 * an import (the school's import permission) recording the learner's step at
 * `occurredAt`. An imported step is the learner's (actor = the learner) and
 * marked as imported; anyone else is refused as before.
 */
import { ForbiddenError, type Actor, type EventTime, type HistoricTime } from '@learnstream/access';
import { DomainError } from '@learnstream/domain';

export interface AttemptStepTime {
  time: EventTime;
  /** The actor of the events: the caller, or the learner when an import records their step. */
  actor: Actor;
}

export async function attemptStepTime(
  historic: HistoricTime,
  caller: Actor,
  course: { courseId: string; schoolId: string | null },
  learnerId: string,
  occurredAt: string | undefined,
  /** Why anyone else is refused (FORBIDDEN); null: they are refused as lacking the import permission (IMPORT_NOT_ALLOWED). */
  refusal: string | null,
): Promise<AttemptStepTime> {
  if (learnerId === caller.userId) return { time: await historic.forCourse(caller, course.courseId, occurredAt), actor: caller };
  if (refusal === null) await historic.requireImport(caller, course.schoolId);
  else if (caller.realActorId || !(await historic.canImport(caller, course.schoolId))) throw new ForbiddenError(refusal);
  const time = await historic.forCourse(caller, course.courseId, occurredAt);
  return { time: { ...time, imported: true }, actor: { ...caller, userId: learnerId, realActorId: null } };
}

/** A step of an attempt may not be recorded before the attempt started (an import giving times out of order). */
export function assertNotBeforeStart(at: string, startedAt: string | undefined): void {
  if (startedAt !== undefined && Date.parse(at) < Date.parse(startedAt)) {
    const message = `occurredAt ${at} is before the attempt started (${startedAt})`;
    throw new DomainError('invalid', 'OCCURRED_AT_BEFORE_ATTEMPT', message, [{ field: 'occurredAt', message }]);
  }
}
