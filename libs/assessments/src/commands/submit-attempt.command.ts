/**
 * The learner submits their attempt; it is graded in the same append
 * (AttemptSubmitted + AttemptGraded). An attempt whose deadline has passed is
 * closed instead (CloseOverdueAttempt: what was saved is submitted, marked
 * automatic), so a learner coming back late finds it graded, never stuck.
 */
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { HistoricTime, originOf, type Actor } from '@learnstream/access';
import { AssessmentsRepository } from '../assessments.repository';
import { attemptDecider } from '../attempt';
import type { AttemptGraded } from '../attempt.events';
import { ms } from '../data-checks';
import { quizGradingOf } from '../quiz';
import { quizAttemptsStreamId } from '../streams';
import { assertNotBeforeStart, attemptStepTime } from './attempt-time';
import { existingQuiz } from './start-attempt.command';

export interface SubmittedAttempt {
  attemptId: string;
  attemptNumber: number;
  /** true: the deadline had passed, and the system submitted what was saved. */
  automatic: boolean;
  totalScore: number;
  totalPoints: number;
  grade: number;
  maxGrade: number;
  passed: boolean | null;
}

export class SubmitAttemptCommand extends Command<SubmittedAttempt> {
  constructor(
    readonly actor: Actor,
    readonly attemptId: string,
    /** An import records the learner's submission (the import permission) at this time; absent: now. */
    readonly occurredAt?: string,
  ) {
    super();
  }
}

@CommandHandler(SubmitAttemptCommand)
export class SubmitAttemptHandler implements ICommandHandler<SubmitAttemptCommand> {
  constructor(
    private readonly repo: AssessmentsRepository,
    private readonly historic: HistoricTime,
  ) {}

  async execute({ actor: caller, attemptId, occurredAt }: SubmitAttemptCommand): Promise<SubmittedAttempt> {
    const ref = await this.repo.attempt(attemptId);
    const course = await this.repo.course(ref.courseId);
    const { time, actor } = await attemptStepTime(this.historic, caller, { courseId: ref.courseId, schoolId: course.schoolId }, ref.learnerId, occurredAt, 'only the learner who started this attempt may submit it');
    const quiz = await existingQuiz(this.repo, ref.quizId);
    let automatic = false;
    const { events } = await this.repo.decideAndAppend({
      streamId: quizAttemptsStreamId(ref.quizId, ref.learnerId),
      decider: attemptDecider,
      actor,
      schoolId: course.schoolId,
      origin: originOf(time),
      decide: (state) => {
        const now = time.at;
        const attempt = state.attempts.find((a) => a.attemptId === attemptId);
        assertNotBeforeStart(now, attempt?.startedAt);
        automatic = attempt?.status === 'in_progress' && attempt.deadline !== null && ms(now) > ms(attempt.deadline);
        return attemptDecider.decide({ type: automatic ? 'CloseOverdueAttempt' : 'SubmitAttempt', attemptId, now, ...quizGradingOf(quiz) }, state);
      },
    });
    const graded = events.find((e): e is AttemptGraded => e.type === 'AttemptGraded')!;
    const { attemptNumber, totalScore, totalPoints, grade, maxGrade, passed } = graded.data;
    return { attemptId, attemptNumber, automatic, totalScore, totalPoints, grade, maxGrade, passed };
  }
}
