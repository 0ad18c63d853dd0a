/**
 * An editing teacher sets how the course's activities are completed and what
 * completes the course (stream `completion_rules-<courseId>`). A rule names
 * an activity of this course: a resource, or a quiz, assignment or offline
 * test (ACTIVITY_NOT_FOUND otherwise). Learners' completion is derived from
 * their activity by the grades projection, judged against the rules in force
 * when each fact arrives (completion is final).
 */
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AccessPolicy, type Actor } from '@learnstream/access';
import { DomainError } from '@learnstream/domain';
import { completionRules, type RemoveActivityCompletionRule, type SetActivityCompletionRule, type SetCourseCompletion } from '../completion-rules';
import { completionRulesStreamId } from '../completion.events';
import { GradesRepository } from '../grades.repository';
import { completionRulesViewOf, type CompletionRulesView } from '../views';

type Change<C> = Omit<C, 'courseId'>;
export type CompletionChange = Change<SetActivityCompletionRule> | Change<RemoveActivityCompletionRule> | Change<SetCourseCompletion>;

export class ChangeCompletionCommand extends Command<CompletionRulesView & { changed: boolean }> {
  constructor(
    readonly actor: Actor,
    readonly courseId: string,
    readonly change: CompletionChange,
  ) {
    super();
  }
}

@CommandHandler(ChangeCompletionCommand)
export class ChangeCompletionHandler implements ICommandHandler<ChangeCompletionCommand> {
  constructor(
    private readonly policy: AccessPolicy,
    private readonly repo: GradesRepository,
  ) {}

  async execute({ actor, courseId, change }: ChangeCompletionCommand): Promise<CompletionRulesView & { changed: boolean }> {
    await this.policy.require(actor, { action: 'course.edit', courseId });
    const course = await this.repo.course(courseId);
    if (change.type === 'SetActivityCompletionRule' && !(await this.repo.hasActivity(courseId, change.kind, change.activityId))) {
      throw new DomainError('not_found', 'ACTIVITY_NOT_FOUND', `no ${change.kind} ${change.activityId} in this course`);
    }
    const command = { ...change, courseId };
    const { state, events } = await this.repo.decideAndAppend(
      { streamId: completionRulesStreamId(courseId), initial: completionRules.initialState, evolve: completionRules.evolve },
      actor,
      course.schoolId,
      (s) => completionRules.decide(command, s),
    );
    return { ...completionRulesViewOf(courseId, state), changed: events.length > 0 };
  }
}
