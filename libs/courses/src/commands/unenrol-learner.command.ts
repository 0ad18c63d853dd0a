/**
 * Staff who may enrol learners may unenrol them, with a reason if they like
 * (personal data about the learner: sealed under the learner's key). A learner
 * may leave a course they enrolled in themself; a place staff gave them is
 * staff's to take back.
 */
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AccessPolicy, ForbiddenError, type Actor } from '@learnstream/access';
import { retryOnConflict } from '@learnstream/core';
import { Clock } from '@learnstream/domain';
import { CoursesRepository } from '../courses.repository';
import { enrolmentDecider } from '../enrolment';

export class UnenrolLearnerCommand {
  constructor(
    readonly actor: Actor,
    readonly courseId: string,
    readonly learnerId: string,
    readonly reason: string | null = null,
  ) {}
}

@CommandHandler(UnenrolLearnerCommand)
export class UnenrolLearnerHandler implements ICommandHandler<UnenrolLearnerCommand, void> {
  constructor(
    private readonly clock: Clock,
    private readonly policy: AccessPolicy,
    private readonly courses: CoursesRepository,
  ) {}

  async execute({ actor, courseId, learnerId, reason }: UnenrolLearnerCommand): Promise<void> {
    const staff = await this.policy.can(actor, { action: 'course.enrol', courseId });
    if (!staff && learnerId !== actor.userId) throw new ForbiddenError('you may not unenrol learners from this course');
    await retryOnConflict(async () => {
      const { state: course } = await this.courses.existingCourse(courseId);
      const { state, revision } = await this.courses.loadEnrolment(courseId, learnerId);
      if (!staff && state.status === 'enrolled' && state.method !== 'self') throw new ForbiddenError('only staff can end an enrolment they made');
      const events = enrolmentDecider.decide({ type: 'UnenrolLearner', courseId, learnerId, by: actor.userId, now: this.clock.nowIso(), reason }, state);
      return this.courses.appendEnrolment(actor, course, learnerId, revision, events);
    });
  }
}
