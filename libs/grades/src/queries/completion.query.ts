/**
 * Completion as the grades projection derived it: the course's rules, each
 * learner's completed activities, their progress through the required ones
 * (the pure `progress`), and whether and when they completed the course.
 * GetCourseCompletionQuery: every learner of the course (course.teach);
 * GetLearnerCompletionQuery: one learner (course.learner). Viewing is recorded
 * (CompletionViewed). Policy first, then row-level security.
 */
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { AccessPolicy, TenantDb, type Actor } from '@learnstream/access';
import type { EntityManager } from 'typeorm';
import { initialLearnerCompletion, progress, type LearnerCompletion } from '../completion';
import { initialCompletionRules, type CompletionRules } from '../completion-rules';
import type { CompletionRule } from '../completion.events';
import { GradesRepository } from '../grades.repository';
import { completionRulesFromJson } from '../state-json';
import { completionRulesViewOf, type CompletionRulesView, type LearnerCompletionView } from '../views';
import { courseLearners } from './grades.query';

export interface CourseCompletionView {
  rules: CompletionRulesView;
  learners: LearnerCompletionView[];
}

export class GetCourseCompletionQuery extends Query<CourseCompletionView> {
  constructor(
    readonly actor: Actor,
    readonly courseId: string,
  ) {
    super();
  }
}

export class GetLearnerCompletionQuery extends Query<LearnerCompletionView & { courseId: string; rules: CompletionRulesView }> {
  constructor(
    readonly actor: Actor,
    readonly courseId: string,
    readonly learnerId: string,
  ) {
    super();
  }
}

interface CompletionRows {
  rules: CompletionRules;
  byLearner: Map<string, LearnerCompletion>;
}

async function readCompletion(db: EntityManager, courseId: string, learnerId: string | null): Promise<CompletionRows> {
  const [rulesRow] = await db.query('SELECT rules FROM completion_rules WHERE course_id = $1', [courseId]);
  const activities: { learner_id: string; activity_id: string; rule: string; completed_at: Date }[] = await db.query(
    'SELECT learner_id, activity_id, rule, completed_at FROM activity_completions WHERE course_id = $1 AND ($2::uuid IS NULL OR learner_id = $2) ORDER BY completed_at, activity_id',
    [courseId, learnerId],
  );
  const courses: { learner_id: string; completed_at: Date }[] = await db.query(
    'SELECT learner_id, completed_at FROM course_completions WHERE course_id = $1 AND ($2::uuid IS NULL OR learner_id = $2)',
    [courseId, learnerId],
  );
  const byLearner = new Map<string, LearnerCompletion>();
  const of = (id: string) => byLearner.get(id) ?? initialLearnerCompletion();
  for (const a of activities) {
    const current = of(a.learner_id);
    byLearner.set(a.learner_id, { ...current, completed: new Map(current.completed).set(a.activity_id, { rule: a.rule as CompletionRule, at: new Date(a.completed_at).toISOString() }) });
  }
  for (const c of courses) byLearner.set(c.learner_id, { ...of(c.learner_id), courseCompletedAt: new Date(c.completed_at).toISOString() });
  return { rules: rulesRow ? completionRulesFromJson(rulesRow.rules) : { ...initialCompletionRules(), courseId }, byLearner };
}

function learnerView(learnerId: string, state: LearnerCompletion, rules: CompletionRules): LearnerCompletionView {
  return {
    learnerId,
    activities: [...state.completed].map(([activityId, c]) => ({ activityId, rule: c.rule, completedAt: c.at })),
    progress: progress(state, rules),
    courseCompleted: state.courseCompletedAt !== null,
    courseCompletedAt: state.courseCompletedAt,
  };
}

@QueryHandler(GetCourseCompletionQuery)
export class GetCourseCompletionHandler implements IQueryHandler<GetCourseCompletionQuery, CourseCompletionView> {
  constructor(
    private readonly policy: AccessPolicy,
    private readonly db: TenantDb,
    private readonly repo: GradesRepository,
  ) {}

  async execute({ actor, courseId }: GetCourseCompletionQuery): Promise<CourseCompletionView> {
    await this.policy.require(actor, { action: 'course.teach', courseId });
    const course = await this.repo.course(courseId);
    const { rows, learners } = await this.db.read(await this.policy.scopeOf(actor), async (db) => {
      const rows = await readCompletion(db, courseId, null);
      return { rows, learners: await courseLearners(db, courseId) };
    });
    await this.repo.recordView(actor, course.schoolId, { type: 'CompletionViewed', data: { courseId, learnerId: null } });
    return {
      rules: completionRulesViewOf(courseId, rows.rules),
      learners: learners.map((id) => learnerView(id, rows.byLearner.get(id) ?? initialLearnerCompletion(), rows.rules)),
    };
  }
}

@QueryHandler(GetLearnerCompletionQuery)
export class GetLearnerCompletionHandler implements IQueryHandler<GetLearnerCompletionQuery> {
  constructor(
    private readonly policy: AccessPolicy,
    private readonly db: TenantDb,
    private readonly repo: GradesRepository,
  ) {}

  async execute({ actor, courseId, learnerId }: GetLearnerCompletionQuery) {
    await this.policy.require(actor, { action: 'course.learner', courseId, learnerId });
    const course = await this.repo.course(courseId);
    const rows = await this.db.read(await this.policy.scopeOf(actor), (db) => readCompletion(db, courseId, learnerId));
    await this.repo.recordView(actor, course.schoolId, { type: 'CompletionViewed', data: { courseId, learnerId } });
    return { courseId, rules: completionRulesViewOf(courseId, rows.rules), ...learnerView(learnerId, rows.byLearner.get(learnerId) ?? initialLearnerCompletion(), rows.rules) };
  }
}
