/**
 * Assignments, submissions and offline results as their readers may see them:
 * an assignment for its course's staff and learners; every submission or
 * result for the staff (course.teach); one learner's submission for that
 * learner, their parent, the staff and the school admin (course.learner).
 * The policy first (on the course the row names), then row-level security.
 */
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { AccessPolicy, TenantDb, type Actor } from '@learnstream/access';
import { DomainError } from '@learnstream/domain';
import { accessPurposeOf, recordPersonalDataAccess } from '@learnstream/privacy';
import { AssessmentsRepository } from '../assessments.repository';
import { submissionViewOf, type AssignmentView, type OfflineResultView, type SubmissionRow, type SubmissionView } from '../views';

export class GetAssignmentQuery extends Query<AssignmentView> {
  constructor(
    readonly actor: Actor,
    readonly assignmentId: string,
  ) {
    super();
  }
}

export class ListSubmissionsQuery extends Query<{ assignmentId: string; submissions: SubmissionView[]; restricted: number }> {
  constructor(
    readonly actor: Actor,
    readonly assignmentId: string,
  ) {
    super();
  }
}

export class GetSubmissionQuery extends Query<SubmissionView> {
  constructor(
    readonly actor: Actor,
    readonly assignmentId: string,
    readonly learnerId: string,
  ) {
    super();
  }
}

export class ListOfflineResultsQuery extends Query<{ offlineTestId: string; results: Omit<OfflineResultView, 'previousGrade'>[] }> {
  constructor(
    readonly actor: Actor,
    readonly offlineTestId: string,
  ) {
    super();
  }
}

const assignmentNotFound = (id: string) => new DomainError('not_found', 'ASSIGNMENT_NOT_FOUND', `no assignment ${id}`);
const iso = (v: unknown) => (v ? new Date(v as string).toISOString() : null);

@QueryHandler(GetAssignmentQuery)
export class GetAssignmentHandler implements IQueryHandler<GetAssignmentQuery> {
  constructor(
    private readonly policy: AccessPolicy,
    private readonly db: TenantDb,
    private readonly repo: AssessmentsRepository,
  ) {}

  async execute({ actor, assignmentId }: GetAssignmentQuery): Promise<AssignmentView> {
    const courseId = await this.repo.courseOf('assignment', assignmentId);
    if (!(await this.policy.can(actor, { action: 'course.teach', courseId }))) await this.policy.require(actor, { action: 'course.participate', courseId });
    const [row] = await this.db.read(await this.policy.scopeOf(actor), (db) => db.query('SELECT * FROM assignments WHERE assignment_id = $1', [assignmentId]));
    if (!row) throw assignmentNotFound(assignmentId);
    return {
      assignmentId,
      courseId: row.course_id,
      title: row.title,
      instructions: row.instructions,
      submissionTypes: row.submission_types,
      dueAt: iso(row.due_at),
      cutoffAt: iso(row.cutoff_at),
      maxGrade: row.max_grade,
      passGrade: row.pass_grade,
    };
  }
}

@QueryHandler(ListSubmissionsQuery)
export class ListSubmissionsHandler implements IQueryHandler<ListSubmissionsQuery> {
  constructor(
    private readonly policy: AccessPolicy,
    private readonly db: TenantDb,
    private readonly repo: AssessmentsRepository,
  ) {}

  async execute({ actor, assignmentId }: ListSubmissionsQuery): Promise<{ assignmentId: string; submissions: SubmissionView[]; restricted: number }> {
    const courseId = await this.repo.courseOf('assignment', assignmentId);
    await this.policy.require(actor, { action: 'course.teach', courseId });
    const scope = await this.policy.scopeOf(actor);
    const all: SubmissionRow[] = await this.db.read(scope, (db) => db.query('SELECT * FROM assignment_submissions WHERE assignment_id = $1 ORDER BY learner_id', [assignmentId]));
    // Learners whose processing is restricted are left out (and counted), not read.
    const hidden = await this.policy.restrictedFrom(actor, all.map((r) => r.learner_id));
    const rows = all.filter((r) => !hidden.has(r.learner_id));
    await recordPersonalDataAccess(this.repo.log, actor, { subjectIds: rows.map((r) => r.learner_id), what: 'submissions', purpose: accessPurposeOf(await this.policy.factsOf(actor)), courseId, schoolId: rows[0]?.school_id ?? null });
    return { assignmentId, submissions: rows.map(submissionViewOf), restricted: hidden.size };
  }
}

@QueryHandler(GetSubmissionQuery)
export class GetSubmissionHandler implements IQueryHandler<GetSubmissionQuery> {
  constructor(
    private readonly policy: AccessPolicy,
    private readonly db: TenantDb,
    private readonly repo: AssessmentsRepository,
  ) {}

  async execute({ actor, assignmentId, learnerId }: GetSubmissionQuery): Promise<SubmissionView> {
    const courseId = await this.repo.courseOf('assignment', assignmentId);
    await this.policy.require(actor, { action: 'course.learner', courseId, learnerId });
    const scope = await this.policy.scopeOf(actor);
    const [row] = await this.db.read(scope, (db) => db.query('SELECT * FROM assignment_submissions WHERE assignment_id = $1 AND learner_id = $2', [assignmentId, learnerId]));
    if (!row) throw new DomainError('not_found', 'SUBMISSION_NOT_FOUND', 'this learner has no submission or grade for this assignment');
    await recordPersonalDataAccess(this.repo.log, actor, { subjectIds: [learnerId], what: 'submissions', purpose: accessPurposeOf(await this.policy.factsOf(actor), [learnerId]), courseId, schoolId: row.school_id });
    return submissionViewOf(row);
  }
}

@QueryHandler(ListOfflineResultsQuery)
export class ListOfflineResultsHandler implements IQueryHandler<ListOfflineResultsQuery> {
  constructor(
    private readonly policy: AccessPolicy,
    private readonly db: TenantDb,
    private readonly repo: AssessmentsRepository,
  ) {}

  async execute({ actor, offlineTestId }: ListOfflineResultsQuery) {
    const courseId = await this.repo.courseOf('offline', offlineTestId);
    await this.policy.require(actor, { action: 'course.teach', courseId });
    const scope = await this.policy.scopeOf(actor);
    const rows: { learner_id: string; grade: number; max_grade: number; passed: boolean | null }[] = await this.db.read(scope, (db) => db.query('SELECT * FROM offline_results WHERE offline_test_id = $1 ORDER BY learner_id', [offlineTestId]));
    return { offlineTestId, results: rows.map((r) => ({ offlineTestId, learnerId: r.learner_id, grade: r.grade, maxGrade: r.max_grade, passed: r.passed })) };
  }
}
