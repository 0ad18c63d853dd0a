/**
 * Attempts as their readers may see them; the policy first (on the ids the
 * attempt's row gives), then row-level security.
 *
 * GetAttemptQuery: one attempt, for its learner, their parent, the course's
 * teachers and the school admin (course.learner). While it is in progress the
 * learner sees the questions without their answers; once submitted, reading
 * it is a review: right answers and per-question results, and an
 * AttemptReviewed event (reads are events too).
 *
 * ListAttemptsQuery: a quiz's attempts, without answers: all of them for the
 * course's staff, their own for a learner of the course.
 *
 * Reading someone else's attempts is recorded for the access audit
 * (PersonalDataAccessed).
 */
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { AccessPolicy, TenantDb, type Actor } from '@learnstream/access';
import { DomainError, Clock } from '@learnstream/domain';
import { accessPurposeOf, recordPersonalDataAccess } from '@learnstream/privacy';
import { AssessmentsRepository } from '../assessments.repository';
import { attemptDecider } from '../attempt';
import { quizAttemptsStreamId } from '../streams';
import { attemptViewOf, type AttemptRow, type AttemptView } from '../views';

export class GetAttemptQuery extends Query<AttemptView> {
  constructor(
    readonly actor: Actor,
    readonly attemptId: string,
  ) {
    super();
  }
}

export interface AttemptSummary {
  attemptId: string;
  learnerId: string;
  attemptNumber: number;
  status: 'in_progress' | 'submitted';
  startedAt: string;
  deadline: string | null;
  submittedAt: string | null;
  automatic: boolean | null;
  grade: number | null;
  maxGrade: number | null;
  passed: boolean | null;
}

export class ListAttemptsQuery extends Query<{ quizId: string; attempts: AttemptSummary[]; restricted: number }> {
  constructor(
    readonly actor: Actor,
    readonly quizId: string,
  ) {
    super();
  }
}

const attemptNotFound = (attemptId: string) => new DomainError('not_found', 'ATTEMPT_NOT_FOUND', `no attempt ${attemptId}`);
const iso = (v: unknown) => (v ? new Date(v as string).toISOString() : null);

@QueryHandler(GetAttemptQuery)
export class GetAttemptHandler implements IQueryHandler<GetAttemptQuery, AttemptView> {
  constructor(
    private readonly clock: Clock,
    private readonly policy: AccessPolicy,
    private readonly db: TenantDb,
    private readonly repo: AssessmentsRepository,
  ) {}

  async execute({ actor, attemptId }: GetAttemptQuery): Promise<AttemptView> {
    const ref = await this.repo.attempt(attemptId);
    await this.policy.require(actor, { action: 'course.learner', courseId: ref.courseId, learnerId: ref.learnerId });
    const { attempt, quiz } = await this.db.read(await this.policy.scopeOf(actor), async (db) => {
      const [attempt] = await db.query('SELECT * FROM quiz_attempts WHERE attempt_id = $1', [attemptId]);
      const [quiz] = attempt ? await db.query('SELECT questions FROM quizzes WHERE quiz_id = $1', [attempt.quiz_id]) : [];
      return { attempt, quiz };
    });
    if (!attempt || !quiz) throw attemptNotFound(attemptId);
    const submitted = attempt.status === 'submitted';
    const staff = !submitted && (await this.policy.can(actor, { action: 'course.teach', courseId: attempt.course_id }));
    if (submitted) {
      const course = await this.repo.course(attempt.course_id);
      await this.repo.decideAndAppend({
        streamId: quizAttemptsStreamId(attempt.quiz_id, attempt.learner_id),
        decider: attemptDecider,
        actor,
        schoolId: course.schoolId,
        decide: (state) => attemptDecider.decide({ type: 'ReviewAttempt', attemptId, by: actor.userId, now: this.clock.nowIso() }, state),
      });
    }
    if (attempt.learner_id !== actor.userId) {
      await recordPersonalDataAccess(this.repo.log, actor, {
        subjectIds: [attempt.learner_id],
        what: 'attempts',
        purpose: accessPurposeOf(await this.policy.factsOf(actor), [attempt.learner_id]),
        courseId: attempt.course_id,
        schoolId: attempt.school_id,
      });
    }
    return attemptViewOf(attempt, quiz.questions, submitted || staff);
  }
}

@QueryHandler(ListAttemptsQuery)
export class ListAttemptsHandler implements IQueryHandler<ListAttemptsQuery> {
  constructor(
    private readonly policy: AccessPolicy,
    private readonly db: TenantDb,
    private readonly repo: AssessmentsRepository,
  ) {}

  async execute({ actor, quizId }: ListAttemptsQuery): Promise<{ quizId: string; attempts: AttemptSummary[]; restricted: number }> {
    const courseId = await this.repo.courseOf('quiz', quizId);
    const staff = await this.policy.can(actor, { action: 'course.teach', courseId });
    if (!staff) await this.policy.require(actor, { action: 'course.participate', courseId });
    const scope = await this.policy.scopeOf(actor);
    const all: AttemptRow[] = await this.db.read(scope, (db) =>
      db.query(`SELECT * FROM quiz_attempts WHERE quiz_id = $1 AND ($2::uuid IS NULL OR learner_id = $2) ORDER BY learner_id, attempt_number`, [quizId, staff ? null : actor.userId]),
    );
    // Learners whose processing is restricted are left out (and counted), not read.
    const hidden = await this.policy.restrictedFrom(actor, all.map((r) => r.learner_id));
    const rows = all.filter((r) => !hidden.has(r.learner_id));
    if (staff) {
      await recordPersonalDataAccess(this.repo.log, actor, { subjectIds: rows.map((r) => r.learner_id), what: 'attempts', purpose: accessPurposeOf(await this.policy.factsOf(actor)), courseId, schoolId: rows[0]?.school_id ?? null });
    }
    return {
      quizId,
      restricted: hidden.size,
      attempts: rows.map((r) => ({
        attemptId: r.attempt_id,
        learnerId: r.learner_id,
        attemptNumber: r.attempt_number,
        status: r.status,
        startedAt: iso(r.started_at)!,
        deadline: iso(r.deadline),
        submittedAt: iso(r.submitted_at),
        automatic: r.automatic,
        grade: r.grade,
        maxGrade: r.max_grade,
        passed: r.passed,
      })),
    };
  }
}
