/**
 * Staff who may enrol learners may unenrol them, with a reason if they like
 * (personal data about the learner: sealed under the learner's key). A learner
 * may leave a course they enrolled in themself; a place staff gave them is
 * staff's to take back.
 */
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AccessPolicy, ForbiddenError, HistoricTime, originOf, type Actor } from '@learnstream/access';
import { retryOnConflict } from '@learnstream/core';
import { DomainError } from '@learnstream/domain';
import { CoursesRepository } from '../courses.repository';
import { enrolmentDecider } from '../enrolment';

export class UnenrolLearnerCommand {
  constructor(
    readonly actor: Actor,
    readonly courseId: string,
    readonly learnerId: string,
    readonly reason: string | null = null,
    /** When the learner left, for history (import permission); absent: now. */
    readonly occurredAt?: string,
  ) {}
}

@CommandHandler(UnenrolLearnerCommand)
export class UnenrolLearnerHandler implements ICommandHandler<UnenrolLearnerCommand, void> {
  constructor(
    private readonly policy: AccessPolicy,
    private readonly courses: CoursesRepository,
    private readonly time: HistoricTime,
  ) {}

  async execute({ actor, courseId, learnerId, reason, occurredAt }: UnenrolLearnerCommand): Promise<void> {
    const staff = await this.policy.can(actor, { action: 'course.enrol', courseId });
    if (!staff && learnerId !== actor.userId) throw new ForbiddenError('you may not unenrol learners from this course');
    const time = await this.time.forCourse(actor, courseId, occurredAt);
    await retryOnConflict(async () => {
      const { state: course } = await this.courses.existingCourse(courseId);
      const { state, revision } = await this.courses.loadEnrolment(courseId, learnerId);
      if (!staff && state.status === 'enrolled' && state.method !== 'self') throw new ForbiddenError('only staff can end an enrolment they made');
      if (state.enrolledAt !== null && Date.parse(time.at) < Date.parse(state.enrolledAt)) {
        throw new DomainError('invalid', 'ENROLMENT_INVALID', `the learner cannot leave (${time.at}) before they were enrolled (${state.enrolledAt})`);
      }
      const events = enrolmentDecider.decide({ type: 'UnenrolLearner', courseId, learnerId, by: actor.userId, now: time.at, reason }, state);
      return this.courses.appendEnrolment(actor, course, learnerId, revision, events, originOf(time));
    });
  }
}
