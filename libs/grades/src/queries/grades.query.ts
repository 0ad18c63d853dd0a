/**
 * Course grades, computed at read time from the gradebook state and the
 * learners' activity results (both read models of the grades projection)
 * with the pure computeCourseGrades:
 *
 * - GetCourseGradesQuery: every learner of the course (course.teach);
 * - GetLearnerGradesQuery: one learner (course.learner). The course staff and
 *   the school admin see everything; the learner and their parent see what is
 *   released (visibleToLearner).
 * - GetGradebookQuery: the gradebook's settings, categories and items (course.teach).
 *
 * `final`: missing grades count as 0 (the end-of-term total) instead of being
 * left out (the total so far). Viewing grades is recorded (GradesViewed), and
 * viewing other people's grades also for the access audit (PersonalDataAccessed).
 * Policy first, then row-level security.
 */
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { AccessPolicy, TenantDb, type Actor } from '@learnstream/access';
import { DomainError } from '@learnstream/domain';
import { accessPurposeOf, personalDataAccessEvents } from '@learnstream/privacy';
import type { EntityManager } from 'typeorm';
import { withActivityResults, type ActivityResult } from '../activity-results';
import { computeCourseGrades, visibleToLearner } from '../course-grades';
import type { GradebookState } from '../gradebook.state';
import { GradesRepository } from '../grades.repository';
import { gradebookFromJson } from '../state-json';
import { gradebookViewOf, type CourseGradesView, type GradebookView, type LearnerGradesResponse } from '../views';

export class GetCourseGradesQuery extends Query<CourseGradesView> {
  constructor(
    readonly actor: Actor,
    readonly courseId: string,
    readonly final: boolean,
  ) {
    super();
  }
}

export class GetLearnerGradesQuery extends Query<LearnerGradesResponse> {
  constructor(
    readonly actor: Actor,
    readonly courseId: string,
    readonly learnerId: string,
    readonly final: boolean,
  ) {
    super();
  }
}

export class GetGradebookQuery extends Query<GradebookView> {
  constructor(
    readonly actor: Actor,
    readonly courseId: string,
  ) {
    super();
  }
}

const gradebookNotFound = () => new DomainError('not_found', 'GRADEBOOK_NOT_FOUND', 'this course has no gradebook: set it up first');

/** The gradebook state, with every activity result of the course (or of one learner) on its items. */
export async function readGradebook(db: EntityManager, courseId: string, learnerId: string | null): Promise<GradebookState | null> {
  const [row] = await db.query('SELECT state FROM gradebooks WHERE course_id = $1', [courseId]);
  if (!row) return null;
  const rows: { activity_id: string; learner_id: string; grade: number; max_grade: number }[] = await db.query(
    'SELECT activity_id, learner_id, grade, max_grade FROM activity_results WHERE course_id = $1 AND ($2::uuid IS NULL OR learner_id = $2)',
    [courseId, learnerId],
  );
  const results: ActivityResult[] = rows.map((r) => ({ activityId: r.activity_id, learnerId: r.learner_id, grade: r.grade, maxGrade: r.max_grade }));
  return withActivityResults(gradebookFromJson(row.state), results);
}

/** The course's learners: everyone ever enrolled (teachers keep seeing those who left), and anyone with a grade. */
export async function courseLearners(db: EntityManager, courseId: string, extra: Iterable<string> = []): Promise<string[]> {
  const rows: { learner_id: string }[] = await db.query('SELECT learner_id FROM course_enrolments WHERE course_id = $1 ORDER BY enrolled_at, learner_id', [courseId]);
  return [...new Set([...rows.map((r) => r.learner_id), ...extra])];
}

@QueryHandler(GetCourseGradesQuery)
export class GetCourseGradesHandler implements IQueryHandler<GetCourseGradesQuery, CourseGradesView> {
  constructor(
    private readonly policy: AccessPolicy,
    private readonly db: TenantDb,
    private readonly repo: GradesRepository,
  ) {}

  async execute({ actor, courseId, final }: GetCourseGradesQuery): Promise<CourseGradesView> {
    await this.policy.require(actor, { action: 'course.teach', courseId });
    const course = await this.repo.course(courseId);
    const { state, learners: all } = await this.db.read(await this.policy.scopeOf(actor), async (db) => {
      const state = await readGradebook(db, courseId, null);
      return { state, learners: state ? await courseLearners(db, courseId, state.learners.keys()) : [] };
    });
    if (!state) throw gradebookNotFound();
    // Learners whose processing is restricted are left out (and counted), not read.
    const hidden = await this.policy.restrictedFrom(actor, all);
    const learners = all.filter((id) => !hidden.has(id));
    const accessed = personalDataAccessEvents(actor, { subjectIds: learners, what: 'grades', purpose: accessPurposeOf(await this.policy.factsOf(actor)), courseId, schoolId: course.schoolId });
    await this.repo.recordView(actor, course.schoolId, { type: 'GradesViewed', data: { courseId, learnerId: null, final } }, accessed);
    return {
      ...gradebookViewOf(courseId, state),
      final,
      learners: learners.map((learnerId) => ({ learnerId, ...computeCourseGrades(state, learnerId, { final }) })),
      restricted: hidden.size,
    };
  }
}

@QueryHandler(GetLearnerGradesQuery)
export class GetLearnerGradesHandler implements IQueryHandler<GetLearnerGradesQuery, LearnerGradesResponse> {
  constructor(
    private readonly policy: AccessPolicy,
    private readonly db: TenantDb,
    private readonly repo: GradesRepository,
  ) {}

  async execute({ actor, courseId, learnerId, final }: GetLearnerGradesQuery): Promise<LearnerGradesResponse> {
    await this.policy.require(actor, { action: 'course.learner', courseId, learnerId });
    const staff = await this.policy.can(actor, { action: 'course.teach', courseId });
    const course = await this.repo.course(courseId);
    const state = await this.db.read(await this.policy.scopeOf(actor), (db) => readGradebook(db, courseId, learnerId));
    if (!state) throw gradebookNotFound();
    const grades = computeCourseGrades(state, learnerId, { final });
    // PersonalDataAccessed names no reader as their own subject: none when the learner reads their own grades.
    const accessed = personalDataAccessEvents(actor, { subjectIds: [learnerId], what: 'grades', purpose: accessPurposeOf(await this.policy.factsOf(actor), [learnerId]), courseId, schoolId: course.schoolId });
    await this.repo.recordView(actor, course.schoolId, { type: 'GradesViewed', data: { courseId, learnerId, final } }, accessed);
    return { courseId, learnerId, final, releasedOnly: !staff, ...(staff ? grades : visibleToLearner(grades, state)) };
  }
}

@QueryHandler(GetGradebookQuery)
export class GetGradebookHandler implements IQueryHandler<GetGradebookQuery, GradebookView> {
  constructor(
    private readonly policy: AccessPolicy,
    private readonly db: TenantDb,
  ) {}

  async execute({ actor, courseId }: GetGradebookQuery): Promise<GradebookView> {
    await this.policy.require(actor, { action: 'course.teach', courseId });
    const [row] = await this.db.read(await this.policy.scopeOf(actor), (db) => db.query('SELECT state FROM gradebooks WHERE course_id = $1', [courseId]));
    if (!row) throw gradebookNotFound();
    return gradebookViewOf(courseId, gradebookFromJson(row.state));
  }
}
