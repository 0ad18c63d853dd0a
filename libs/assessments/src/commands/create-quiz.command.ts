/**
 * An editing teacher creates a quiz, optionally with its first questions: the
 * new quiz stream's events and the course's CourseActivityAdded are one
 * atomic append (course-placement.ts). The quiz is decided before anything is
 * appended, and a refusal at the append leaves neither stream written.
 */
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { AccessPolicy, type Actor } from '@learnstream/access';
import { Clock } from '@learnstream/domain';
import { AssessmentsRepository } from '../assessments.repository';
import { CoursePlacement } from '../course-placement';
import type { Question } from '../question';
import { quizDecider, type CreateQuiz, type QuizCommand, type QuizState } from '../quiz';
import type { QuizEvent } from '../quiz.events';
import { quizStreamId } from '../streams';
import { quizView, type QuizView } from '../views';

/** Questions without a questionId get one. */
export type CreateQuizInput = Omit<CreateQuiz, 'type' | 'quizId' | 'courseId' | 'now' | 'by'> & { sectionId?: string; idNumber?: string; questions?: (Omit<Question, 'questionId'> & { questionId?: string })[] };

export class CreateQuizCommand extends Command<QuizView> {
  constructor(
    readonly actor: Actor,
    readonly courseId: string,
    readonly input: CreateQuizInput,
  ) {
    super();
  }
}

/** Decides several commands in a row, each on the state the previous ones left. */
export function decideAll(commands: QuizCommand[], state: QuizState): QuizEvent[] {
  const events: QuizEvent[] = [];
  for (const command of commands) {
    const decided = quizDecider.decide(command, events.reduce(quizDecider.evolve, state));
    events.push(...decided);
  }
  return events;
}

@CommandHandler(CreateQuizCommand)
export class CreateQuizHandler implements ICommandHandler<CreateQuizCommand> {
  constructor(
    private readonly clock: Clock,
    private readonly policy: AccessPolicy,
    private readonly repo: AssessmentsRepository,
    private readonly placement: CoursePlacement,
  ) {}

  async execute({ actor, courseId, input }: CreateQuizCommand): Promise<QuizView> {
    await this.policy.require(actor, { action: 'course.edit', courseId });
    const course = await this.repo.course(courseId);
    const { sectionId, idNumber, questions = [], ...settings } = input;
    const quizId = randomUUID();
    const now = this.clock.nowIso();
    const commands: QuizCommand[] = [
      { type: 'CreateQuiz', ...settings, quizId, courseId, now, by: actor.userId },
      ...questions.map((q): QuizCommand => ({ type: 'AddQuestion', quizId, question: { ...q, questionId: q.questionId ?? randomUUID() } as Question, hasAttempts: false, now, by: actor.userId })),
    ];
    const events = decideAll(commands, quizDecider.initialState());
    const section = await this.placement.sectionFor(courseId, sectionId);
    await this.placement.place(actor, courseId, quizId, 'quiz', section, this.repo.newStream(quizStreamId(quizId), events, actor, course.schoolId), idNumber);
    const quiz = events.reduce(quizDecider.evolve, quizDecider.initialState()) as Extract<QuizState, { status: 'created' }>;
    return quizView(quizId, courseId, quiz.settings, quiz.questions, true);
  }
}
