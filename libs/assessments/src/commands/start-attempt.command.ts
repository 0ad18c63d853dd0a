/**
 * A learner starts an attempt on a quiz, on their own attempts stream. The
 * quiz's window, attempt limit and the learner's enrolment are the decider's
 * rules (NOT_ENROLLED, QUIZ_NOT_OPEN, QUIZ_CLOSED, NO_ATTEMPTS_LEFT,
 * ATTEMPT_IN_PROGRESS).
 *
 * OVERDUE ATTEMPTS are closed when touched: an attempt in progress whose
 * deadline has passed is submitted by the system with what was saved
 * (CloseOverdueAttempt) before the new start is decided. That close is the
 * system's act, due whatever becomes of the start, so it is appended on its
 * own even when the start is then refused.
 */
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { AccessPolicy, HistoricTime, originOf, type Actor } from '@learnstream/access';
import { AssessmentsRepository } from '../assessments.repository';
import { attemptDecider, type QuizAttemptsState } from '../attempt';
import type { AttemptEvent, AttemptStarted } from '../attempt.events';
import { ms } from '../data-checks';
import { quizDecider, quizGradingOf, quizSnapshotOf, type QuizState } from '../quiz';
import { quizAttemptsStreamId, quizStreamId } from '../streams';
import { attemptStepTime } from './attempt-time';
import { quizNotFound } from './change-quiz.command';

export interface StartedAttempt {
  attemptId: string;
  quizId: string;
  attemptNumber: number;
  deadline: string | null;
  /** Attempts of this learner closed automatically on the way (their deadline had passed). */
  closedOverdue: string[];
}

export class StartAttemptCommand extends Command<StartedAttempt> {
  constructor(
    readonly actor: Actor,
    readonly quizId: string,
    /** An import records `learnerId`'s attempt (the import permission), at `occurredAt` when given. */
    readonly input: { learnerId?: string; occurredAt?: string } = {},
  ) {
    super();
  }
}

/** Loads a quiz that must exist. */
export async function existingQuiz(repo: AssessmentsRepository, quizId: string): Promise<Extract<QuizState, { status: 'created' }>> {
  const { state } = await repo.load(quizStreamId(quizId), quizDecider);
  if (state.status === 'none') throw quizNotFound(quizId);
  return state;
}

/**
 * The events closing the learner's overdue attempt on the quiz, if any (the
 * system's decision, made in the same append as what follows it).
 */
export function closeOverdue(state: QuizAttemptsState, quiz: Extract<QuizState, { status: 'created' }>, now: string): { closed: string[]; events: AttemptEvent[] } {
  const overdue = state.attempts.find((a) => a.status === 'in_progress' && a.deadline !== null && ms(now) > ms(a.deadline));
  if (!overdue) return { closed: [], events: [] };
  return { closed: [overdue.attemptId], events: attemptDecider.decide({ type: 'CloseOverdueAttempt', attemptId: overdue.attemptId, now, ...quizGradingOf(quiz) }, state) };
}

@CommandHandler(StartAttemptCommand)
export class StartAttemptHandler implements ICommandHandler<StartAttemptCommand> {
  constructor(
    private readonly policy: AccessPolicy,
    private readonly repo: AssessmentsRepository,
    private readonly historic: HistoricTime,
  ) {}

  async execute({ actor: caller, quizId, input }: StartAttemptCommand): Promise<StartedAttempt> {
    const quiz = await existingQuiz(this.repo, quizId);
    const course = await this.repo.course(quiz.courseId);
    const learnerId = input.learnerId ?? caller.userId;
    const { time, actor } = await attemptStepTime(this.historic, caller, { courseId: quiz.courseId, schoolId: course.schoolId }, learnerId, input.occurredAt, null);
    const enrolled = input.occurredAt === undefined ? await this.policy.isEnrolled(quiz.courseId, learnerId) : await this.policy.enrolledAt(quiz.courseId, learnerId, time.at);
    const attemptId = randomUUID();
    let closedOverdue: string[] = [];
    let closing: AttemptEvent[] = [];
    // The overdue attempt's closing (as the system) and the new start: one append to the learner's attempts stream.
    const { events } = await this.repo.decideAndAppend({
      streamId: quizAttemptsStreamId(quizId, actor.userId),
      decider: attemptDecider,
      actor,
      schoolId: course.schoolId,
      origin: originOf(time),
      decide: (state) => {
        const now = time.at;
        const overdue = enrolled ? closeOverdue(state, quiz, now) : { closed: [], events: [] };
        [closedOverdue, closing] = [overdue.closed, overdue.events];
        const after = closing.reduce(attemptDecider.evolve, state);
        const started = attemptDecider.decide(
          { type: 'StartAttempt', attemptId, quizId, courseId: quiz.courseId, learnerId: actor.userId, now, quiz: quizSnapshotOf(quiz), enrolled },
          after,
        );
        return [...closing, ...started];
      },
      bySystem: (e) => closing.includes(e),
    });
    const started = events.find((e): e is AttemptStarted => e.type === 'AttemptStarted')!;
    return { attemptId, quizId, attemptNumber: started.data.attemptNumber, deadline: started.data.deadline, closedOverdue };
  }
}
