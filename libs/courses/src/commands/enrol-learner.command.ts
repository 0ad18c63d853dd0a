/**
 * Staff enrol learners one at a time (method manual: enrolling twice is
 * ENROLMENT_EXISTS; many at once: bulk-enrol.command.ts). Each enrolment is
 * its own stream, so enrolments never contend with each other nor with edits
 * of the course; the course is read as a snapshot.
 */
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AccessPolicy, HistoricTime, originOf, type Actor, type EventTime } from '@learnstream/access';
import { retryOnConflict } from '@learnstream/core';
import type { AppendResult } from '@learnstream/event-store';
import type { Course } from '../course.state';
import { CoursesRepository } from '../courses.repository';
import { enrolmentDecider, enrolmentId } from '../enrolment';
import type { EnrolmentMethod } from '../enrolment.events';
import { isLearnerOf, unknownLearner } from './learners';

export interface EnrolLearnerInput {
  learnerId: string;
  startsAt?: string;
  endsAt?: string;
  /** When the learner was enrolled, for history (import permission); absent: now. */
  occurredAt?: string;
}

export class EnrolLearnerCommand extends Command<EnrolmentResult> {
  constructor(
    readonly actor: Actor,
    readonly courseId: string,
    readonly input: EnrolLearnerInput,
  ) {
    super();
  }
}

export interface EnrolmentResult {
  courseId: string;
  learnerId: string;
  enrolmentId: string;
}

/** Enrols one learner in `courseId`; null when the decider recorded nothing (bulk: already enrolled). */
async function enrol(
  courses: CoursesRepository,
  policy: AccessPolicy,
  actor: Actor,
  courseId: string,
  method: EnrolmentMethod,
  input: EnrolLearnerInput,
  time: EventTime,
): Promise<AppendResult | null> {
  const { learnerId } = input;
  return retryOnConflict(async () => {
    const course: Course = (await courses.existingCourse(courseId)).state;
    if (!(await isLearnerOf(policy, course, learnerId))) throw unknownLearner(learnerId);
    const { state, revision } = await courses.loadEnrolment(courseId, learnerId);
    const events = enrolmentDecider.decide(
      { type: 'EnrolLearner', courseId, learnerId, by: actor.userId, method, now: time.at, course, startsAt: input.startsAt, endsAt: input.endsAt },
      state,
    );
    return courses.appendEnrolment(actor, course, learnerId, revision, events, originOf(time));
  });
}

@CommandHandler(EnrolLearnerCommand)
export class EnrolLearnerHandler implements ICommandHandler<EnrolLearnerCommand, EnrolmentResult> {
  constructor(
    private readonly policy: AccessPolicy,
    private readonly courses: CoursesRepository,
    private readonly time: HistoricTime,
  ) {}

  async execute({ actor, courseId, input }: EnrolLearnerCommand): Promise<EnrolmentResult> {
    await this.policy.require(actor, { action: 'course.enrol', courseId });
    const time = await this.time.forCourse(actor, courseId, input.occurredAt);
    await enrol(this.courses, this.policy, actor, courseId, 'manual', input, time);
    return { courseId, learnerId: input.learnerId, enrolmentId: enrolmentId(courseId, input.learnerId) };
  }
}
