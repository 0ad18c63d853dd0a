/**
 * A learner hands in work for an assignment, on their own submission stream.
 * The text is the learner's personal data: sealed under their id. The
 * decider's rules: NOT_ENROLLED, SUBMISSION_CLOSED (after the cut-off),
 * RESUBMISSION_NOT_ALLOWED (graded and not reopened), SUBMISSION_INVALID.
 */
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AccessPolicy, type Actor } from '@learnstream/access';
import { personal } from '@learnstream/personal-data';
import { Clock } from '@learnstream/domain';
import { AssessmentsRepository } from '../assessments.repository';
import { assignmentSnapshotOf } from '../assignment';
import type { AssignmentSubmitted } from '../assignment.events';
import { submissionDecider } from '../assignment-submission';
import { assignmentSubmissionStreamId } from '../streams';
import { existingAssignment } from './create-assignment.command';

export interface SubmittedWork {
  assignmentId: string;
  learnerId: string;
  submissionNumber: number;
  late: boolean;
  lateBySeconds: number;
  submittedAt: string;
}

export class SubmitAssignmentCommand extends Command<SubmittedWork> {
  constructor(
    readonly actor: Actor,
    readonly assignmentId: string,
    readonly input: { text?: string | null; fileRefs?: string[] },
  ) {
    super();
  }
}

@CommandHandler(SubmitAssignmentCommand)
export class SubmitAssignmentHandler implements ICommandHandler<SubmitAssignmentCommand> {
  constructor(
    private readonly clock: Clock,
    private readonly policy: AccessPolicy,
    private readonly repo: AssessmentsRepository,
  ) {}

  async execute({ actor, assignmentId, input }: SubmitAssignmentCommand): Promise<SubmittedWork> {
    const assignment = await existingAssignment(this.repo, assignmentId);
    const course = await this.repo.course(assignment.courseId);
    const enrolled = await this.policy.isEnrolled(assignment.courseId, actor.userId);
    const learnerId = actor.userId;
    const text = input.text == null ? undefined : personal(learnerId, input.text);
    const { events } = await this.repo.decideAndAppend({
      streamId: assignmentSubmissionStreamId(assignmentId, learnerId),
      decider: submissionDecider,
      actor,
      schoolId: course.schoolId,
      decide: (state) =>
        submissionDecider.decide(
          { type: 'SubmitAssignment', assignmentId, learnerId, text, fileRefs: input.fileRefs, now: this.clock.nowIso(), assignment: assignmentSnapshotOf(assignment), enrolled },
          state,
        ),
    });
    const submitted = events.find((e): e is AssignmentSubmitted => e.type === 'AssignmentSubmitted')!;
    const { submissionNumber, late, lateBySeconds, at } = submitted.data;
    return { assignmentId, learnerId, submissionNumber, late, lateBySeconds, submittedAt: at };
  }
}
