/**
 * A learner enrols themself in a course they can see, when the course accepts
 * self-enrolment, with its key if it asks one. In a school's course only the
 * school's learners may (a parent or a teacher who can see the course may not);
 * a platform-wide course takes anyone with an account. The key is compared
 * here, with the hash in the course's state; the decider sees only whether it
 * matched, and refuses in its order: archived, disabled, wrong key, already
 * enrolled, closed.
 */
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AccessPolicy, ForbiddenError, type Actor } from '@learnstream/access';
import { retryOnConflict } from '@learnstream/core';
import { Clock } from '@learnstream/domain';
import { CoursesRepository } from '../courses.repository';
import { enrolmentDecider, enrolmentId } from '../enrolment';
import { enrolmentKeyMatches } from '../enrolment-key';
import type { EnrolmentResult } from './enrol-learner.command';
import { isLearnerOf } from './learners';

export class SelfEnrolCommand extends Command<EnrolmentResult> {
  constructor(
    readonly actor: Actor,
    readonly courseId: string,
    readonly key: string | undefined,
  ) {
    super();
  }
}

@CommandHandler(SelfEnrolCommand)
export class SelfEnrolHandler implements ICommandHandler<SelfEnrolCommand, EnrolmentResult> {
  constructor(
    private readonly clock: Clock,
    private readonly policy: AccessPolicy,
    private readonly courses: CoursesRepository,
  ) {}

  async execute({ actor, courseId, key }: SelfEnrolCommand): Promise<EnrolmentResult> {
    await this.policy.require(actor, { action: 'course.read', courseId });
    const learnerId = actor.userId;
    await retryOnConflict(async () => {
      const { state: course } = await this.courses.existingCourse(courseId);
      if (!(await isLearnerOf(this.policy, course, learnerId))) throw new ForbiddenError('only learners of the course\'s school may enrol themselves');
      const { keyHash } = course.selfEnrolment;
      const keyMatches = !course.selfEnrolment.enabled ? false : keyHash === null ? true : key !== undefined && (await enrolmentKeyMatches(key, keyHash));
      const { state, revision } = await this.courses.loadEnrolment(courseId, learnerId);
      const events = enrolmentDecider.decide({ type: 'EnrolLearner', courseId, learnerId, by: learnerId, method: 'self', now: this.clock.nowIso(), course, keyMatches }, state);
      return this.courses.appendEnrolment(actor, course, learnerId, revision, events);
    });
    return { courseId, learnerId, enrolmentId: enrolmentId(courseId, learnerId) };
  }
}
