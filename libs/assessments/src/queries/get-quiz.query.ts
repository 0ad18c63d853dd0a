/**
 * A quiz as its reader may see it: whole for the course's staff; without the
 * answers for its learners (they see right answers only in the review of a
 * submitted attempt). The policy first (on the quiz's course), then
 * row-level security.
 */
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { AccessPolicy, TenantDb, type Actor } from '@learnstream/access';
import { DomainError } from '@learnstream/domain';
import { AssessmentsRepository } from '../assessments.repository';
import type { QuizSettings } from '../quiz.events';
import { quizView, type QuizView } from '../views';

export class GetQuizQuery extends Query<QuizView> {
  constructor(
    readonly actor: Actor,
    readonly quizId: string,
  ) {
    super();
  }
}

const iso = (v: unknown) => (v ? new Date(v as string).toISOString() : null);

/** The settings columns of a `quizzes` row. */
export interface QuizSettingsRow {
  title: string;
  opens_at: Date | null;
  closes_at: Date | null;
  time_limit_seconds: number | null;
  attempts_allowed: number;
  grading_method: QuizSettings['gradingMethod'];
  max_grade: number;
  pass_grade: number | null;
}

export function quizSettingsOf(row: QuizSettingsRow): QuizSettings {
  return {
    title: row.title,
    opensAt: iso(row.opens_at),
    closesAt: iso(row.closes_at),
    timeLimitSeconds: row.time_limit_seconds,
    attemptsAllowed: row.attempts_allowed,
    gradingMethod: row.grading_method,
    maxGrade: row.max_grade,
    passGrade: row.pass_grade,
  };
}

@QueryHandler(GetQuizQuery)
export class GetQuizHandler implements IQueryHandler<GetQuizQuery, QuizView> {
  constructor(
    private readonly policy: AccessPolicy,
    private readonly db: TenantDb,
    private readonly repo: AssessmentsRepository,
  ) {}

  async execute({ actor, quizId }: GetQuizQuery): Promise<QuizView> {
    const courseId = await this.repo.courseOf('quiz', quizId);
    const staff = await this.policy.can(actor, { action: 'course.teach', courseId });
    if (!staff) await this.policy.require(actor, { action: 'course.participate', courseId });
    const [row] = await this.db.read(await this.policy.scopeOf(actor), (db) => db.query('SELECT * FROM quizzes WHERE quiz_id = $1', [quizId]));
    if (!row) throw new DomainError('not_found', 'QUIZ_NOT_FOUND', `no quiz ${quizId}`);
    return quizView(row.quiz_id, row.course_id, quizSettingsOf(row), row.questions, staff);
  }
}
