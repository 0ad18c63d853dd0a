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
import { AccessPolicy, type Actor } from '@learnstream/access';
import { Clock } from '@learnstream/domain';
import { AssessmentsRepository, type CourseRef } from '../assessments.repository';
import { attemptDecider, type QuizAttemptsState } from '../attempt';
import type { AttemptEvent, AttemptStarted } from '../attempt.events';
import { ms } from '../data-checks';
import { quizDecider, quizGradingOf, quizSnapshotOf, type QuizState } from '../quiz';
import { quizAttemptsStreamId, quizStreamId } from '../streams';
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
 * Closes the learner's overdue attempt on the quiz, if any (as the system);
 * returns the ids closed.
 */
export async function closeOverdue(repo: AssessmentsRepository, clock: Clock, quiz: Extract<QuizState, { status: 'created' }>, learnerId: string, course: CourseRef): Promise<string[]> {
  const closed: string[] = [];
  await repo.decideAndAppend<QuizAttemptsState, AttemptEvent>({
    streamId: quizAttemptsStreamId(quiz.quizId, learnerId),
    decider: attemptDecider,
    actor: null,
    schoolId: course.schoolId,
    decide: (state) => {
      const now = clock.nowIso();
      closed.length = 0;
      const overdue = state.attempts.find((a) => a.status === 'in_progress' && a.deadline !== null && ms(now) > ms(a.deadline));
      if (!overdue) return [];
      closed.push(overdue.attemptId);
      return attemptDecider.decide({ type: 'CloseOverdueAttempt', attemptId: overdue.attemptId, now, ...quizGradingOf(quiz) }, state);
    },
  });
  return closed;
}

@CommandHandler(StartAttemptCommand)
export class StartAttemptHandler implements ICommandHandler<StartAttemptCommand> {
  constructor(
    private readonly clock: Clock,
    private readonly policy: AccessPolicy,
    private readonly repo: AssessmentsRepository,
  ) {}

  async execute({ actor, quizId }: StartAttemptCommand): Promise<StartedAttempt> {
    const quiz = await existingQuiz(this.repo, quizId);
    const course = await this.repo.course(quiz.courseId);
    const enrolled = await this.policy.isEnrolled(quiz.courseId, actor.userId);
    const closedOverdue = enrolled ? await closeOverdue(this.repo, this.clock, quiz, actor.userId, course) : [];
    const attemptId = randomUUID();
    const { events } = await this.repo.decideAndAppend({
      streamId: quizAttemptsStreamId(quizId, actor.userId),
      decider: attemptDecider,
      actor,
      schoolId: course.schoolId,
      decide: (state) =>
        attemptDecider.decide(
          { type: 'StartAttempt', attemptId, quizId, courseId: quiz.courseId, learnerId: actor.userId, now: this.clock.nowIso(), quiz: quizSnapshotOf(quiz), enrolled },
          state,
        ),
    });
    const started = events.find((e): e is AttemptStarted => e.type === 'AttemptStarted')!;
    return { attemptId, quizId, attemptNumber: started.data.attemptNumber, deadline: started.data.deadline, closedOverdue };
  }
}
