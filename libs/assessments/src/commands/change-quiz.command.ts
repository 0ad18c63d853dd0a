/**
 * Every change to an existing quiz: its settings and its questions. One flow:
 * load the quiz (its course says who may edit it) → course.edit → decide →
 * append with the loaded revision, decided again on a concurrent change.
 * Questions freeze once the quiz has an attempt (the decider's rule); whether
 * one exists is read from the attempts read model.
 */
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { AccessPolicy, type Actor } from '@learnstream/access';
import { DomainError, Clock } from '@learnstream/domain';
import { AssessmentsRepository } from '../assessments.repository';
import type { Question } from '../question';
import { quizDecider, type QuizCommand, type QuizState } from '../quiz';
import type { QuizSettings } from '../quiz.events';
import { quizStreamId } from '../streams';
import { quizView, type QuizView } from '../views';

export type QuizChange =
  | ({ type: 'UpdateQuizSettings' } & Partial<QuizSettings>)
  /** questionId is made here when the client gives none. */
  | { type: 'AddQuestion'; question: Omit<Question, 'questionId'> & { questionId?: string } }
  | { type: 'UpdateQuestion'; question: Question }
  | { type: 'RemoveQuestion'; questionId: string };

export class ChangeQuizCommand extends Command<QuizView> {
  constructor(
    readonly actor: Actor,
    readonly quizId: string,
    readonly change: QuizChange,
  ) {
    super();
  }
}

export const quizNotFound = (quizId: string) => new DomainError('not_found', 'QUIZ_NOT_FOUND', `no quiz ${quizId}`);

@CommandHandler(ChangeQuizCommand)
export class ChangeQuizHandler implements ICommandHandler<ChangeQuizCommand> {
  constructor(
    private readonly clock: Clock,
    private readonly policy: AccessPolicy,
    private readonly repo: AssessmentsRepository,
  ) {}

  async execute({ actor, quizId, change }: ChangeQuizCommand): Promise<QuizView> {
    const { state: current } = await this.repo.load(quizStreamId(quizId), quizDecider);
    if (current.status === 'none') throw quizNotFound(quizId);
    const { courseId } = current;
    await this.policy.require(actor, { action: 'course.edit', courseId });
    const course = await this.repo.course(courseId);
    const now = this.clock.nowIso();
    const by = actor.userId;
    const hasAttempts = change.type === 'UpdateQuizSettings' ? false : await this.repo.quizHasAttempts(quizId);
    const command: QuizCommand =
      change.type === 'AddQuestion'
        ? { type: 'AddQuestion', quizId, question: { ...change.question, questionId: change.question.questionId ?? randomUUID() } as Question, hasAttempts, now, by }
        : change.type === 'UpdateQuizSettings'
          ? { ...change, quizId, now, by }
          : { ...change, quizId, hasAttempts, now, by };
    const { state } = await this.repo.decideAndAppend({
      streamId: quizStreamId(quizId),
      decider: quizDecider,
      decide: (s) => quizDecider.decide(command, s),
      actor,
      schoolId: course.schoolId,
    });
    const quiz = state as Extract<QuizState, { status: 'created' }>;
    return quizView(quizId, courseId, quiz.settings, quiz.questions, true);
  }
}
