/**
 * Staff enrol learners: one at a time (method manual: enrolling twice is
 * ENROLMENT_EXISTS), or many at once (method bulk: idempotent, whoever is
 * enrolled already is skipped, and the answer says what became of each).
 * Each enrolment is its own stream, so enrolments never contend with each
 * other nor with edits of the course; the course is read as a snapshot.
 */
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AccessPolicy, type Actor } from '@learnstream/access';
import { retryOnConflict } from '@learnstream/core';
import { Clock, DomainError } from '@learnstream/domain';
import { WrongExpectedRevisionError, type AppendResult } from '@learnstream/event-store';
import { courseArchived } from '../course.errors';
import type { Course } from '../course.state';
import { CoursesRepository } from '../courses.repository';
import { enrolmentDecider, enrolmentId } from '../enrolment';
import type { EnrolmentMethod } from '../enrolment.events';
import { isLearnerOf, unknownLearner } from './learners';

export interface EnrolLearnerInput {
  learnerId: string;
  startsAt?: string;
  endsAt?: string;
}

export class EnrolLearnerCommand {
  constructor(
    readonly actor: Actor,
    readonly courseId: string,
    readonly input: EnrolLearnerInput,
  ) {}
}

export class BulkEnrolLearnersCommand {
  constructor(
    readonly actor: Actor,
    readonly courseId: string,
    readonly learnerIds: string[],
  ) {}
}

export interface EnrolmentResult {
  courseId: string;
  learnerId: string;
  enrolmentId: string;
}

export interface BulkEnrolmentResult {
  courseId: string;
  enrolled: number;
  alreadyEnrolled: number;
  refused: number;
  results: { learnerId: string; status: 'enrolled' | 'already_enrolled' | 'refused'; code?: string; message?: string }[];
}

/** Enrols one learner in `courseId`; null when the decider recorded nothing (bulk: already enrolled). */
async function enrol(
  courses: CoursesRepository,
  clock: Clock,
  policy: AccessPolicy,
  actor: Actor,
  courseId: string,
  method: EnrolmentMethod,
  input: EnrolLearnerInput,
  known?: Course,
): Promise<AppendResult | null> {
  const { learnerId } = input;
  return retryOnConflict(async () => {
    const course = known ?? (await courses.existingCourse(courseId)).state;
    if (!(await isLearnerOf(policy, course, learnerId))) throw unknownLearner(learnerId);
    const { state, revision } = await courses.loadEnrolment(courseId, learnerId);
    const events = enrolmentDecider.decide(
      { type: 'EnrolLearner', courseId, learnerId, by: actor.userId, method, now: clock.nowIso(), course, startsAt: input.startsAt, endsAt: input.endsAt },
      state,
    );
    return courses.appendEnrolment(actor, course, learnerId, revision, events);
  });
}

@CommandHandler(EnrolLearnerCommand)
export class EnrolLearnerHandler implements ICommandHandler<EnrolLearnerCommand, EnrolmentResult> {
  constructor(
    private readonly clock: Clock,
    private readonly policy: AccessPolicy,
    private readonly courses: CoursesRepository,
  ) {}

  async execute({ actor, courseId, input }: EnrolLearnerCommand): Promise<EnrolmentResult> {
    await this.policy.require(actor, { action: 'course.enrol', courseId });
    await enrol(this.courses, this.clock, this.policy, actor, courseId, 'manual', input);
    return { courseId, learnerId: input.learnerId, enrolmentId: enrolmentId(courseId, input.learnerId) };
  }
}

/** How many learners are enrolled at once in a bulk run. */
const BULK_CONCURRENCY = 8;

@CommandHandler(BulkEnrolLearnersCommand)
export class BulkEnrolLearnersHandler implements ICommandHandler<BulkEnrolLearnersCommand, BulkEnrolmentResult> {
  constructor(
    private readonly clock: Clock,
    private readonly policy: AccessPolicy,
    private readonly courses: CoursesRepository,
  ) {}

  async execute({ actor, courseId, learnerIds }: BulkEnrolLearnersCommand): Promise<BulkEnrolmentResult> {
    await this.policy.require(actor, { action: 'course.enrol', courseId });
    // What refuses every learner alike refuses the request.
    const { state: course } = await this.courses.existingCourse(courseId);
    if (course.archived) throw courseArchived(courseId);
    const unique = [...new Set(learnerIds)];
    const results: BulkEnrolmentResult['results'] = new Array(unique.length);
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < unique.length; i = next++) {
        const learnerId = unique[i];
        try {
          const appended = await enrol(this.courses, this.clock, this.policy, actor, courseId, 'bulk', { learnerId }, course);
          results[i] = { learnerId, status: appended ? 'enrolled' : 'already_enrolled' };
        } catch (error) {
          // A refusal, or a conflict that outlasted the retries, concerns this learner only.
          if (!(error instanceof DomainError || error instanceof WrongExpectedRevisionError)) throw error;
          results[i] = { learnerId, status: 'refused', code: error.code, message: error.message };
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(BULK_CONCURRENCY, unique.length) }, worker));
    const count = (status: string) => results.filter((r) => r.status === status).length;
    return { courseId, enrolled: count('enrolled'), alreadyEnrolled: count('already_enrolled'), refused: count('refused'), results };
  }
}
