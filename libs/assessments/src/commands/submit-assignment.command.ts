/**
 * A learner hands in work for an assignment, on their own submission stream.
 * The text is the learner's personal data: sealed under their id. The
 * decider's rules: NOT_ENROLLED, SUBMISSION_CLOSED (after the cut-off),
 * RESUBMISSION_NOT_ALLOWED (graded and not reopened), SUBMISSION_INVALID.
 */
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AccessPolicy, HistoricTime, originOf, type Actor, type EventTime } from '@learnstream/access';
import { personal } from '@learnstream/personal-data';
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
    readonly input: {
      text?: string | null;
      fileRefs?: string[];
      /** An import recording a learner's submission: whose it is (the import permission). */
      learnerId?: string;
      /** When it was handed in, for history (the import permission); absent: now. */
      occurredAt?: string;
    },
  ) {
    super();
  }
}

@CommandHandler(SubmitAssignmentCommand)
export class SubmitAssignmentHandler implements ICommandHandler<SubmitAssignmentCommand> {
  constructor(
    private readonly policy: AccessPolicy,
    private readonly repo: AssessmentsRepository,
    private readonly time: HistoricTime,
  ) {}

  async execute({ actor, assignmentId, input }: SubmitAssignmentCommand): Promise<SubmittedWork> {
    const assignment = await existingAssignment(this.repo, assignmentId);
    const course = await this.repo.course(assignment.courseId);
    const learnerId = input.learnerId ?? actor.userId;
    const onBehalf = learnerId !== actor.userId;
    let time: EventTime;
    if (onBehalf) {
      // An integration records the learner's work: it is the learner's, marked as imported.
      await this.time.requireImport(actor, course.schoolId);
      time = { ...(await this.time.forCourse(actor, assignment.courseId, input.occurredAt)), imported: true };
    } else {
      time = await this.time.forCourse(actor, assignment.courseId, input.occurredAt);
    }
    // Now: enrolled and still a learner of the course's school; an import's past time: enrolled then.
    const enrolled = input.occurredAt === undefined ? await this.policy.isEnrolled(assignment.courseId, learnerId) : await this.policy.enrolledAt(assignment.courseId, learnerId, time.at);
    const text = input.text == null ? undefined : personal(learnerId, input.text);
    const { events } = await this.repo.decideAndAppend({
      streamId: assignmentSubmissionStreamId(assignmentId, learnerId),
      decider: submissionDecider,
      actor: onBehalf ? { userId: learnerId, realActorId: null, request: actor.request } : actor,
      schoolId: course.schoolId,
      origin: originOf(time),
      decide: (state) =>
        submissionDecider.decide(
          { type: 'SubmitAssignment', assignmentId, learnerId, text, fileRefs: input.fileRefs, now: time.at, assignment: assignmentSnapshotOf(assignment), enrolled },
          state,
        ),
    });
    const submitted = events.find((e): e is AssignmentSubmitted => e.type === 'AssignmentSubmitted')!;
    const { submissionNumber, late, lateBySeconds, at } = submitted.data;
    return { assignmentId, learnerId, submissionNumber, late, lateBySeconds, submittedAt: at };
  }
}
