/**
 * A teacher of the course (non-editing teachers included) grades a learner's
 * work on an assignment, with optional feedback (personal data about the
 * learner: sealed under the learner's id), or reopens it for a new
 * submission. Grading a learner who has not submitted is allowed (Moodle's
 * rule: work handed in on paper, or a zero for none); grading one who is not
 * enrolled is not (NOT_ENROLLED). Two teachers grading at once both count, in
 * order: the second grade replaces the first and says so (previousGrade).
 */
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AccessPolicy, type Actor } from '@learnstream/access';
import { personal } from '@learnstream/personal-data';
import { Clock } from '@learnstream/domain';
import { AssessmentsRepository } from '../assessments.repository';
import type { SubmissionGraded } from '../assignment.events';
import { submissionDecider } from '../assignment-submission';
import { assignmentSubmissionStreamId } from '../streams';
import { existingAssignment } from './create-assignment.command';
import { Grading } from './grading-context';

export interface GradedWork {
  assignmentId: string;
  learnerId: string;
  grade: number;
  maxGrade: number;
  passed: boolean | null;
  previousGrade: number | null;
  hasSubmission: boolean;
}

export class GradeSubmissionCommand extends Command<GradedWork> {
  constructor(
    readonly actor: Actor,
    readonly assignmentId: string,
    readonly learnerId: string,
    readonly input: { grade: number; feedback?: string | null; occurredAt?: string },
  ) {
    super();
  }
}

export class ReopenSubmissionCommand extends Command<{ assignmentId: string; learnerId: string }> {
  constructor(
    readonly actor: Actor,
    readonly assignmentId: string,
    readonly learnerId: string,
  ) {
    super();
  }
}

@CommandHandler(GradeSubmissionCommand)
export class GradeSubmissionHandler implements ICommandHandler<GradeSubmissionCommand> {
  constructor(
    private readonly grading: Grading,
    private readonly repo: AssessmentsRepository,
  ) {}

  async execute({ actor, assignmentId, learnerId, input }: GradeSubmissionCommand): Promise<GradedWork> {
    const assignment = await existingAssignment(this.repo, assignmentId);
    const { courseId } = assignment;
    const { schoolId, origin, at, enrolled } = await this.grading.one(actor, courseId, { learnerId, occurredAt: input.occurredAt });
    const feedback = input.feedback == null ? undefined : personal(learnerId, input.feedback);
    const { maxGrade, passGrade } = assignment.settings;
    const { events } = await this.repo.decideAndAppend({
      streamId: assignmentSubmissionStreamId(assignmentId, learnerId),
      decider: submissionDecider,
      actor,
      schoolId,
      origin,
      decide: (state) =>
        submissionDecider.decide({ type: 'GradeSubmission', assignmentId, learnerId, courseId, grade: input.grade, feedback, by: actor.userId, now: at, enrolled, maxGrade, passGrade }, state),
    });
    const graded = events.find((e): e is SubmissionGraded => e.type === 'SubmissionGraded')!;
    const { grade, passed, previousGrade, hasSubmission } = graded.data;
    return { assignmentId, learnerId, grade, maxGrade: graded.data.maxGrade, passed, previousGrade, hasSubmission };
  }
}

@CommandHandler(ReopenSubmissionCommand)
export class ReopenSubmissionHandler implements ICommandHandler<ReopenSubmissionCommand> {
  constructor(
    private readonly clock: Clock,
    private readonly policy: AccessPolicy,
    private readonly repo: AssessmentsRepository,
  ) {}

  async execute({ actor, assignmentId, learnerId }: ReopenSubmissionCommand): Promise<{ assignmentId: string; learnerId: string }> {
    const assignment = await existingAssignment(this.repo, assignmentId);
    await this.policy.require(actor, { action: 'course.teach', courseId: assignment.courseId });
    const course = await this.repo.course(assignment.courseId);
    await this.repo.decideAndAppend({
      streamId: assignmentSubmissionStreamId(assignmentId, learnerId),
      decider: submissionDecider,
      actor,
      schoolId: course.schoolId,
      decide: (state) => submissionDecider.decide({ type: 'ReopenSubmission', assignmentId, learnerId, by: actor.userId, now: this.clock.nowIso() }, state),
    });
    return { assignmentId, learnerId };
  }
}
