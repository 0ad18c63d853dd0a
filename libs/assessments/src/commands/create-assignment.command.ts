/**
 * An editing teacher creates an assignment (placed in the course as an
 * activity, like a quiz) or changes its settings.
 */
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { AccessPolicy, HistoricTime, originOf, type Actor } from '@learnstream/access';
import { DomainError, Clock } from '@learnstream/domain';
import { AssessmentsRepository } from '../assessments.repository';
import { assignmentDecider, type AssignmentState, type CreateAssignment } from '../assignment';
import type { AssignmentSettings } from '../assignment.events';
import { CoursePlacement } from '../course-placement';
import { assignmentStreamId } from '../streams';
import type { AssignmentView } from '../views';

export type CreateAssignmentInput = Omit<CreateAssignment, 'type' | 'assignmentId' | 'courseId' | 'now' | 'by'> & { sectionId?: string; occurredAt?: string; idNumber?: string };

export class CreateAssignmentCommand extends Command<AssignmentView> {
  constructor(
    readonly actor: Actor,
    readonly courseId: string,
    readonly input: CreateAssignmentInput,
  ) {
    super();
  }
}

export class UpdateAssignmentCommand extends Command<AssignmentView> {
  constructor(
    readonly actor: Actor,
    readonly assignmentId: string,
    readonly changes: Partial<AssignmentSettings>,
  ) {
    super();
  }
}

export const assignmentNotFound = (assignmentId: string) => new DomainError('not_found', 'ASSIGNMENT_NOT_FOUND', `no assignment ${assignmentId}`);

export function assignmentViewOf(state: AssignmentState): AssignmentView {
  if (state.status === 'none') throw new Error('assignmentViewOf: no assignment');
  return { assignmentId: state.assignmentId, courseId: state.courseId, ...state.settings };
}

/** Loads an assignment that must exist. */
export async function existingAssignment(repo: AssessmentsRepository, assignmentId: string): Promise<Extract<AssignmentState, { status: 'created' }>> {
  const { state } = await repo.load(assignmentStreamId(assignmentId), assignmentDecider);
  if (state.status === 'none') throw assignmentNotFound(assignmentId);
  return state;
}

@CommandHandler(CreateAssignmentCommand)
export class CreateAssignmentHandler implements ICommandHandler<CreateAssignmentCommand> {
  constructor(
    private readonly policy: AccessPolicy,
    private readonly repo: AssessmentsRepository,
    private readonly placement: CoursePlacement,
    private readonly time: HistoricTime,
  ) {}

  async execute({ actor, courseId, input }: CreateAssignmentCommand): Promise<AssignmentView> {
    await this.policy.require(actor, { action: 'course.edit', courseId });
    const course = await this.repo.course(courseId);
    const { sectionId, occurredAt, idNumber, ...settings } = input;
    const time = await this.time.forCourse(actor, courseId, occurredAt);
    const assignmentId = randomUUID();
    const command: CreateAssignment = { type: 'CreateAssignment', ...settings, assignmentId, courseId, now: time.at, by: actor.userId };
    const events = assignmentDecider.decide(command, assignmentDecider.initialState());
    const section = await this.placement.sectionFor(courseId, sectionId);
    await this.placement.place(actor, courseId, assignmentId, 'assignment', section, this.repo.newStream(assignmentStreamId(assignmentId), events, actor, course.schoolId, originOf(time)), idNumber);
    return assignmentViewOf(events.reduce(assignmentDecider.evolve, assignmentDecider.initialState()));
  }
}

@CommandHandler(UpdateAssignmentCommand)
export class UpdateAssignmentHandler implements ICommandHandler<UpdateAssignmentCommand> {
  constructor(
    private readonly clock: Clock,
    private readonly policy: AccessPolicy,
    private readonly repo: AssessmentsRepository,
  ) {}

  async execute({ actor, assignmentId, changes }: UpdateAssignmentCommand): Promise<AssignmentView> {
    const current = await existingAssignment(this.repo, assignmentId);
    await this.policy.require(actor, { action: 'course.edit', courseId: current.courseId });
    const course = await this.repo.course(current.courseId);
    const { state } = await this.repo.decideAndAppend({
      streamId: assignmentStreamId(assignmentId),
      decider: assignmentDecider,
      decide: (s) => assignmentDecider.decide({ type: 'UpdateAssignment', ...changes, assignmentId, now: this.clock.nowIso(), by: actor.userId }, s),
      actor,
      schoolId: course.schoolId,
    });
    return assignmentViewOf(state);
  }
}
