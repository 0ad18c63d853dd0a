/**
 * The learner saves answers to their attempt in progress (any subset of its
 * questions; each replaces that question's saved answer). Answers are the
 * learner's personal data: sealed under the learner's id. Each answer must
 * fit its question's kind (QUESTION_ANSWER_INVALID), checked here so that a
 * malformed answer never waits in the log to refuse the submission.
 */
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { HistoricTime, originOf, type Actor } from '@learnstream/access';
import { personal } from '@learnstream/personal-data';
import { AssessmentsRepository } from '../assessments.repository';
import { attemptDecider } from '../attempt';
import type { AttemptEvent } from '../attempt.events';
import { gradeAnswer } from '../question';
import { quizAttemptsStreamId } from '../streams';
import { assertNotBeforeStart, attemptStepTime } from './attempt-time';
import { existingQuiz } from './start-attempt.command';

export class SaveAnswersCommand extends Command<{ attemptId: string; saved: string[] }> {
  constructor(
    readonly actor: Actor,
    readonly attemptId: string,
    /** A missing answer is null: it clears the question's saved answer. */
    readonly answers: { questionId: string; answer?: unknown }[],
    /** An import records the learner's answers (the import permission) at this time; absent: now. */
    readonly occurredAt?: string,
  ) {
    super();
  }
}

@CommandHandler(SaveAnswersCommand)
export class SaveAnswersHandler implements ICommandHandler<SaveAnswersCommand> {
  constructor(
    private readonly repo: AssessmentsRepository,
    private readonly historic: HistoricTime,
  ) {}

  async execute({ actor: caller, attemptId, answers, occurredAt }: SaveAnswersCommand): Promise<{ attemptId: string; saved: string[] }> {
    const ref = await this.repo.attempt(attemptId);
    const course = await this.repo.course(ref.courseId);
    const { time, actor } = await attemptStepTime(this.historic, caller, { courseId: ref.courseId, schoolId: course.schoolId }, ref.learnerId, occurredAt, 'only the learner who started this attempt may answer in it');
    const quiz = await existingQuiz(this.repo, ref.quizId);
    const sealed = answers.map((a) => ({ questionId: a.questionId, answer: personal(ref.learnerId, a.answer ?? null) }));
    const { events } = await this.repo.decideAndAppend({
      streamId: quizAttemptsStreamId(ref.quizId, ref.learnerId),
      decider: attemptDecider,
      actor,
      schoolId: course.schoolId,
      origin: originOf(time),
      decide: (state) => {
        assertNotBeforeStart(time.at, state.attempts.find((a) => a.attemptId === attemptId)?.startedAt);
        const decided: AttemptEvent[] = attemptDecider.decide({ type: 'SaveAnswers', attemptId, answers: sealed, now: time.at }, state);
        // The decider has checked the questions are the attempt's; now each answer against its question.
        for (const answer of answers) {
          const question = quiz.questions.find((q) => q.questionId === answer.questionId);
          if (question) gradeAnswer(question, answer.answer ?? null);
        }
        return decided;
      },
    });
    const saved = events.flatMap((e) => (e.type === 'AnswersSaved' ? e.data.answers.map((a) => a.questionId) : []));
    return { attemptId, saved };
  }
}
