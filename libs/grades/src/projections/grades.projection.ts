/**
 * The grades read models, in one projection so that everything it derives is
 * computed from its own rows, in log order (a rebuild gives the same rows):
 *
 * - `gradebooks`: each course's gradebook state (gradebook events, folded with
 *   the pure evolve), stored as JSON;
 * - `graded_activities`, `quiz_attempt_grades`, `activity_results`: each
 *   learner's result per activity. A quiz's result is its final grade by the
 *   quiz's grading method over the learner's graded attempts (recomputed when
 *   the method or maximum changes); an assignment's or offline test's is its
 *   latest grade. This is how activity grades reach the gradebook, with no
 *   process manager: the read side adds them to the gradebook state
 *   (activity-results.ts) before computeCourseGrades;
 * - `completion_rules`, `activity_completions`, `course_completions`: facts
 *   from the log (a resource viewed; an attempt started, submitted, passed or
 *   failed; an assignment submitted, graded; an offline result) are judged by
 *   the pure completion decider against the rules in force when they arrive.
 *   The course is evaluated again whenever what it depends on changes (an
 *   activity completed, a result, the gradebook, the criteria). Its minimum
 *   grade is held against the FINAL course total (missing grades count as 0):
 *   completion is final, so it must not be granted on a partial total that a
 *   later grade would bring down (a first quiz at 100 % is not yet a course
 *   at 50 %). Once recorded it stays.
 *
 * Erasure: the learner's results, completions and gradebook entries stay,
 * so that grade distributions and completion rates are unchanged, under the
 * erasure's anonymous id (in the gradebook state too).
 */
import type { GradingMethod } from '@learnstream/assessments';
import type { StoredEvent } from '@learnstream/event-store';
import { typedEvent, type ErasedSubject, type Projection } from '@learnstream/projections';
import type { EntityManager } from 'typeorm';
import { quizResult, withActivityResults, type ActivityResult } from '../activity-results';
import { decideCompletion, initialLearnerCompletion, type LearnerCompletion } from '../completion';
import { evolveCompletionRules, initialCompletionRules, type CompletionRules } from '../completion-rules';
import type { ActivityFact, CompletionRule, CompletionRulesEvent } from '../completion.events';
import { computeCourseGrades } from '../course-grades';
import { evolveGradebook, initialGradebookState, type GradebookState } from '../gradebook.state';
import type { GradebookEvent } from '../gradebook.events';
import { completionRulesFromJson, completionRulesToJson, gradebookFromJson, gradebookToJson } from '../state-json';

export const GRADEBOOK_EVENTS = [
  'GradebookSetUp', 'GradebookSettingsUpdated', 'GradeCategoryAdded', 'GradeCategoryUpdated', 'GradeCategoryRemoved',
  'GradeItemAdded', 'GradeItemUpdated', 'GradeItemRemoved', 'GradeRecorded', 'GradeOverridden', 'GradeOverrideCleared', 'GradesReleased', 'GradesHidden',
];
/** Gradebook events about one learner: only that learner's course total can change. */
const LEARNER_GRADEBOOK_EVENTS = ['GradeRecorded', 'GradeOverridden', 'GradeOverrideCleared'];
const RULES_EVENTS = ['ActivityCompletionRuleSet', 'ActivityCompletionRuleRemoved', 'CourseCompletionCriteriaSet'];
const ACTIVITY_EVENTS = ['QuizCreated', 'QuizSettingsUpdated', 'AssignmentCreated', 'AssignmentUpdated', 'OfflineTestCreated'];
const FACT_EVENTS = ['AttemptStarted', 'AttemptSubmitted', 'AttemptGraded', 'AssignmentSubmitted', 'SubmissionGraded', 'OfflineResultRecorded', 'ResourceViewed'];

/**
 * The fields this projection reads from the events it handles. Each event
 * carries those of its kind (an assignment's events have no quizId, hence the
 * `??` between ids below).
 */
interface Data {
  courseId: string;
  learnerId: string;
  userId: string;
  quizId: string;
  assignmentId: string;
  offlineTestId: string;
  resourceId: string;
  attemptId: string;
  attemptNumber: number;
  grade: number;
  maxGrade: number;
  passGrade: number | null;
  passed: boolean | null;
  gradingMethod: GradingMethod;
  changes: { maxGrade?: number; passGrade?: number | null; gradingMethod?: GradingMethod };
}

/** Pass or fail against the pass mark; null without one. */
const passedFor = (grade: number, passGrade: number | null): boolean | null => (passGrade === null ? null : grade >= passGrade);

const factOf = (passed: boolean | null): ActivityFact | null => (passed === null ? null : passed ? 'passed' : 'failed');

export class GradesProjection implements Projection {
  readonly name = 'grades';
  readonly eventTypes = [...GRADEBOOK_EVENTS, ...RULES_EVENTS, ...ACTIVITY_EVENTS, ...FACT_EVENTS];
  /**
   * The completion rules of the courses a batch touched, while handleBatch
   * runs in that transaction (only this projection writes them, in foldRules,
   * which updates the entry). Every fact and every evaluation reads them: a
   * view of a course without rules (most facts) then costs no statement; it
   * cost one each (79,394 of them in the first 56,719 events of the
   * 1,000,000-event bench term, none finding rules).
   */
  private readonly rulesInBatch = new WeakMap<EntityManager, Map<string, CompletionRules | null>>();

  /**
   * The same rows as handle() event by event, with the rules read once per
   * course and batch, and the graded attempts of courses without completion
   * rules written together. For those, a graded attempt only stores its grade
   * and the learner's quiz result again (the completion steps find no rules),
   * and the other facts of those courses write nothing (views, starts,
   * submissions) or only an assignment's or offline test's result, never a
   * quiz's; so such attempts are gathered while only such facts come between
   * them, and written in four statements, as each of them was before; any
   * other event writes the gathered ones first, then itself.
   */
  async handleBatch(events: StoredEvent[], tx: EntityManager): Promise<void> {
    this.rulesInBatch.set(tx, new Map());
    const graded: StoredEvent[] = [];
    try {
      for (const event of events) {
        const courseId = (event.data as unknown as Data).courseId;
        const withoutRules = (event.type === 'AttemptGraded' || FACT_EVENTS.includes(event.type)) && (await this.loadRules(tx, courseId)) === null;
        if (withoutRules && event.type === 'AttemptGraded') graded.push(event);
        else if (withoutRules) await this.handle(event, tx);
        else {
          await this.gradedAttempts(graded.splice(0), tx);
          await this.handle(event, tx);
        }
      }
      await this.gradedAttempts(graded, tx);
    } finally {
      this.rulesInBatch.delete(tx);
    }
  }

  /**
   * Graded attempts of courses without completion rules, in log order: their
   * grades (the last of each attempt), then each learner's quiz result again
   * from all their graded attempts, at the time of their last one here.
   */
  private async gradedAttempts(events: StoredEvent[], tx: EntityManager): Promise<void> {
    if (events.length === 0) return;
    if (events.length === 1) return this.handle(events[0], tx);
    const byAttempt = new Map<string, { d: Data; school: string | null }>();
    for (const e of events) byAttempt.set((e.data as unknown as Data).attemptId, { d: e.data as unknown as Data, school: e.envelope.schoolId });
    const attempts = [...byAttempt.values()];
    await tx.query(
      `INSERT INTO quiz_attempt_grades (attempt_id, quiz_id, course_id, school_id, learner_id, attempt_number, grade, max_grade)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::uuid[], $6::int[], $7::float8[], $8::float8[])
       ON CONFLICT (attempt_id) DO UPDATE SET grade = EXCLUDED.grade, max_grade = EXCLUDED.max_grade`,
      [...(['attemptId', 'quizId', 'courseId'] as const).map((k) => attempts.map((a) => a.d[k])), attempts.map((a) => a.school), ...(['learnerId', 'attemptNumber', 'grade', 'maxGrade'] as const).map((k) => attempts.map((a) => a.d[k]))],
    );
    // Each learner's quiz: the last event here gives its time and school.
    const pairs = new Map<string, { d: Data; at: string; school: string | null }>();
    for (const e of events) {
      const d = e.data as unknown as Data;
      pairs.set(`${d.quizId}|${d.learnerId}`, { d, at: e.envelope.occurredAt, school: e.envelope.schoolId });
    }
    const list = [...pairs.values()];
    const rows: { quiz_id: string; learner_id: string; attempt_number: number; grade: number; max_grade: number }[] = await tx.query(
      `SELECT g.quiz_id, g.learner_id, g.attempt_number, g.grade, g.max_grade FROM quiz_attempt_grades g
       JOIN unnest($1::uuid[], $2::uuid[]) AS t(quiz_id, learner_id) ON g.quiz_id = t.quiz_id AND g.learner_id = t.learner_id`,
      [list.map((p) => p.d.quizId), list.map((p) => p.d.learnerId)],
    );
    const quizzes: { activity_id: string; max_grade: number; pass_grade: number | null; grading_method: GradingMethod | null }[] = await tx.query(
      'SELECT activity_id, max_grade, pass_grade, grading_method FROM graded_activities WHERE activity_id = ANY($1::uuid[])',
      [[...new Set(list.map((p) => p.d.quizId))]],
    );
    const quizOf = new Map(quizzes.map((q) => [q.activity_id, q]));
    const attemptsOf = new Map<string, typeof rows>();
    for (const r of rows) attemptsOf.set(`${r.quiz_id}|${r.learner_id}`, [...(attemptsOf.get(`${r.quiz_id}|${r.learner_id}`) ?? []), r]);
    const results: { p: (typeof list)[number]; grade: number; maxGrade: number; passed: boolean | null }[] = [];
    for (const p of list) {
      const own = attemptsOf.get(`${p.d.quizId}|${p.d.learnerId}`) ?? [];
      const quiz = quizOf.get(p.d.quizId);
      const maxGrade: number = quiz?.max_grade ?? own[own.length - 1]?.max_grade;
      const grade = quizResult(own.map((a) => ({ attemptNumber: a.attempt_number, grade: a.grade, maxGrade: a.max_grade })), quiz?.grading_method ?? 'highest', maxGrade);
      if (grade !== null) results.push({ p, grade, maxGrade, passed: passedFor(grade, quiz?.pass_grade ?? null) });
    }
    if (results.length === 0) return;
    await tx.query(
      `INSERT INTO activity_results (activity_id, learner_id, course_id, school_id, kind, grade, max_grade, passed, graded_at)
       SELECT a, l, c, s, 'quiz', g, mg, p, at FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::float8[], $6::float8[], $7::boolean[], $8::timestamptz[]) AS t(a, l, c, s, g, mg, p, at)
       ON CONFLICT (activity_id, learner_id) DO UPDATE SET grade = EXCLUDED.grade, max_grade = EXCLUDED.max_grade, passed = EXCLUDED.passed, graded_at = EXCLUDED.graded_at`,
      [
        results.map((r) => r.p.d.quizId),
        results.map((r) => r.p.d.learnerId),
        results.map((r) => r.p.d.courseId),
        results.map((r) => r.p.school),
        results.map((r) => r.grade),
        results.map((r) => r.maxGrade),
        results.map((r) => r.passed),
        results.map((r) => r.p.at),
      ],
    );
  }

  async handle(event: StoredEvent, tx: EntityManager): Promise<void> {
    const d = event.data as unknown as Data;
    const at = event.envelope.occurredAt;
    const school = event.envelope.schoolId;
    if (GRADEBOOK_EVENTS.includes(event.type)) {
      await this.foldGradebook(tx, d.courseId, school, typedEvent<GradebookEvent>(event), at);
      await this.evaluateCourse(tx, d.courseId, LEARNER_GRADEBOOK_EVENTS.includes(event.type) ? [d.learnerId] : null, at, school);
      return;
    }
    if (RULES_EVENTS.includes(event.type)) {
      await this.foldRules(tx, d.courseId, school, typedEvent<CompletionRulesEvent>(event));
      await this.evaluateCourse(tx, d.courseId, null, at, school);
      return;
    }
    switch (event.type) {
      case 'QuizCreated':
        await this.upsertActivity(tx, d.quizId, d.courseId, school, 'quiz', d.maxGrade, d.passGrade, d.gradingMethod);
        return;
      case 'AssignmentCreated':
        await this.upsertActivity(tx, d.assignmentId, d.courseId, school, 'assignment', d.maxGrade, d.passGrade, null);
        return;
      case 'OfflineTestCreated':
        await this.upsertActivity(tx, d.offlineTestId, d.courseId, school, 'offline', d.maxGrade, d.passGrade, null);
        return;
      case 'QuizSettingsUpdated':
      case 'AssignmentUpdated': {
        const { maxGrade, passGrade, gradingMethod } = d.changes;
        const id = d.quizId ?? d.assignmentId;
        if (maxGrade === undefined && passGrade === undefined && gradingMethod === undefined) return;
        await tx.query(
          `UPDATE graded_activities SET max_grade = coalesce($2, max_grade), pass_grade = CASE WHEN $3 THEN $4 ELSE pass_grade END, grading_method = coalesce($5, grading_method)
           WHERE activity_id = $1`,
          [id, maxGrade ?? null, passGrade !== undefined, passGrade ?? null, gradingMethod ?? null],
        );
        if (event.type === 'QuizSettingsUpdated') {
          const learners: { learner_id: string }[] = await tx.query('SELECT DISTINCT learner_id FROM quiz_attempt_grades WHERE quiz_id = $1', [id]);
          for (const { learner_id } of learners) await this.quizResultChanged(tx, d.courseId, id, learner_id, at, school);
          if (learners.length) await this.evaluateCourse(tx, d.courseId, learners.map((l) => l.learner_id), at, school);
        }
        return;
      }
      case 'AttemptStarted':
        await this.fact(tx, d.courseId, d.learnerId, d.quizId, 'viewed', at, school);
        return;
      case 'AttemptSubmitted':
        await this.fact(tx, d.courseId, d.learnerId, d.quizId, 'submitted', at, school);
        return;
      case 'AttemptGraded':
        await tx.query(
          `INSERT INTO quiz_attempt_grades (attempt_id, quiz_id, course_id, school_id, learner_id, attempt_number, grade, max_grade)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (attempt_id) DO UPDATE SET grade = EXCLUDED.grade, max_grade = EXCLUDED.max_grade`,
          [d.attemptId, d.quizId, d.courseId, school, d.learnerId, d.attemptNumber, d.grade, d.maxGrade],
        );
        await this.quizResultChanged(tx, d.courseId, d.quizId, d.learnerId, at, school);
        await this.graded(tx, d.courseId, d.learnerId, d.quizId, d.passed, at, school);
        return;
      case 'AssignmentSubmitted':
        await this.fact(tx, d.courseId, d.learnerId, d.assignmentId, 'submitted', at, school);
        return;
      case 'SubmissionGraded':
      case 'OfflineResultRecorded': {
        const activityId = d.assignmentId ?? d.offlineTestId;
        await this.upsertResult(tx, { activityId, learnerId: d.learnerId, grade: d.grade, maxGrade: d.maxGrade }, d.courseId, school, event.type === 'SubmissionGraded' ? 'assignment' : 'offline', d.passed, at);
        await this.graded(tx, d.courseId, d.learnerId, activityId, d.passed, at, school);
        return;
      }
      case 'ResourceViewed':
        await this.fact(tx, d.courseId, d.userId, d.resourceId, 'viewed', at, school);
        return;
    }
  }

  async reset(tx: EntityManager): Promise<void> {
    for (const table of ['course_completions', 'activity_completions', 'completion_rules', 'activity_results', 'quiz_attempt_grades', 'graded_activities', 'gradebooks']) {
      await tx.query(`DELETE FROM ${table}`);
    }
  }

  async forgetSubject({ userId, anonymousId }: ErasedSubject, tx: EntityManager): Promise<void> {
    for (const table of ['quiz_attempt_grades', 'activity_results', 'activity_completions', 'course_completions']) {
      await tx.query(`UPDATE ${table} SET learner_id = $2 WHERE learner_id = $1`, [userId, anonymousId]);
    }
    await tx.query(
      `UPDATE gradebooks SET state = jsonb_set(state, '{learners}', (
         SELECT coalesce(jsonb_agg(CASE WHEN l->>'learnerId' = $1::text THEN jsonb_set(l, '{learnerId}', to_jsonb($2::text)) ELSE l END ORDER BY n), '[]'::jsonb)
           FROM jsonb_array_elements(state->'learners') WITH ORDINALITY AS x(l, n)))
       WHERE state->'learners' @> jsonb_build_array(jsonb_build_object('learnerId', $1::text))`,
      [userId, anonymousId],
    );
  }

  // --- Gradebook and rules states

  private async loadGradebook(tx: EntityManager, courseId: string, lock = false): Promise<GradebookState | null> {
    const [row] = await tx.query(`SELECT state FROM gradebooks WHERE course_id = $1${lock ? ' FOR UPDATE' : ''}`, [courseId]);
    return row ? gradebookFromJson(row.state) : null;
  }

  private async foldGradebook(tx: EntityManager, courseId: string, school: string | null, event: GradebookEvent, at: string): Promise<void> {
    const state = evolveGradebook((await this.loadGradebook(tx, courseId, true)) ?? initialGradebookState(), { type: event.type, data: event.data } as GradebookEvent);
    await tx.query(
      `INSERT INTO gradebooks (course_id, school_id, state, updated_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (course_id) DO UPDATE SET state = EXCLUDED.state, updated_at = EXCLUDED.updated_at`,
      [courseId, school, JSON.stringify(gradebookToJson(state)), at],
    );
  }

  private async loadRules(tx: EntityManager, courseId: string): Promise<CompletionRules | null> {
    const cached = this.rulesInBatch.get(tx);
    if (cached?.has(courseId)) return cached.get(courseId)!;
    const [row] = await tx.query('SELECT rules FROM completion_rules WHERE course_id = $1', [courseId]);
    const rules = row ? completionRulesFromJson(row.rules) : null;
    cached?.set(courseId, rules);
    return rules;
  }

  private async foldRules(tx: EntityManager, courseId: string, school: string | null, event: CompletionRulesEvent): Promise<void> {
    const rules = evolveCompletionRules((await this.loadRules(tx, courseId)) ?? initialCompletionRules(), { type: event.type, data: event.data } as CompletionRulesEvent);
    await tx.query(
      `INSERT INTO completion_rules (course_id, school_id, rules) VALUES ($1, $2, $3) ON CONFLICT (course_id) DO UPDATE SET rules = EXCLUDED.rules`,
      [courseId, school, JSON.stringify(completionRulesToJson(rules))],
    );
    this.rulesInBatch.get(tx)?.set(courseId, rules);
  }

  // --- Activity results

  private async upsertActivity(tx: EntityManager, activityId: string, courseId: string, school: string | null, kind: string, maxGrade: number, passGrade: number | null, method: string | null): Promise<void> {
    await tx.query(
      `INSERT INTO graded_activities (activity_id, course_id, school_id, kind, max_grade, pass_grade, grading_method) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (activity_id) DO NOTHING`,
      [activityId, courseId, school, kind, maxGrade, passGrade, method],
    );
  }

  private async upsertResult(tx: EntityManager, r: ActivityResult, courseId: string, school: string | null, kind: string, passed: boolean | null, at: string): Promise<void> {
    await tx.query(
      `INSERT INTO activity_results (activity_id, learner_id, course_id, school_id, kind, grade, max_grade, passed, graded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (activity_id, learner_id) DO UPDATE SET grade = EXCLUDED.grade, max_grade = EXCLUDED.max_grade, passed = EXCLUDED.passed, graded_at = EXCLUDED.graded_at`,
      [r.activityId, r.learnerId, courseId, school, kind, r.grade, r.maxGrade, passed, at],
    );
  }

  /** The learner's quiz result again, from all their graded attempts, by the quiz's grading method. */
  private async quizResultChanged(tx: EntityManager, courseId: string, quizId: string, learnerId: string, at: string, school: string | null): Promise<void> {
    const attempts: { attempt_number: number; grade: number; max_grade: number }[] = await tx.query(
      'SELECT attempt_number, grade, max_grade FROM quiz_attempt_grades WHERE quiz_id = $1 AND learner_id = $2',
      [quizId, learnerId],
    );
    const [quiz] = await tx.query('SELECT max_grade, pass_grade, grading_method FROM graded_activities WHERE activity_id = $1', [quizId]);
    const maxGrade: number = quiz?.max_grade ?? attempts[attempts.length - 1]?.max_grade;
    const method: GradingMethod = quiz?.grading_method ?? 'highest';
    const grade = quizResult(attempts.map((a) => ({ attemptNumber: a.attempt_number, grade: a.grade, maxGrade: a.max_grade })), method, maxGrade);
    if (grade === null) return;
    await this.upsertResult(tx, { activityId: quizId, learnerId, grade, maxGrade }, courseId, school, 'quiz', passedFor(grade, quiz?.pass_grade ?? null), at);
  }

  // --- Completion

  private async learnerCompletion(tx: EntityManager, courseId: string, learnerId: string): Promise<LearnerCompletion> {
    const rows: { activity_id: string; rule: string; completed_at: Date }[] = await tx.query(
      'SELECT activity_id, rule, completed_at FROM activity_completions WHERE course_id = $1 AND learner_id = $2',
      [courseId, learnerId],
    );
    const [course] = await tx.query('SELECT completed_at FROM course_completions WHERE course_id = $1 AND learner_id = $2', [courseId, learnerId]);
    return {
      ...initialLearnerCompletion(),
      completed: new Map(rows.map((r) => [r.activity_id, { rule: r.rule as CompletionRule, at: new Date(r.completed_at).toISOString() }])),
      courseCompletedAt: course ? new Date(course.completed_at).toISOString() : null,
    };
  }

  /** A graded activity: the pass or fail fact, then the course (the learner's total changed). */
  private async graded(tx: EntityManager, courseId: string, learnerId: string, activityId: string, passed: boolean | null, at: string, school: string | null): Promise<void> {
    const fact = factOf(passed);
    if (fact) await this.fact(tx, courseId, learnerId, activityId, fact, at, school);
    await this.evaluateCourse(tx, courseId, [learnerId], at, school);
  }

  private async fact(tx: EntityManager, courseId: string, learnerId: string, activityId: string, fact: ActivityFact, at: string, school: string | null): Promise<void> {
    const rules = await this.loadRules(tx, courseId);
    if (!rules) return;
    const state = await this.learnerCompletion(tx, courseId, learnerId);
    const events = decideCompletion({ type: 'RecordActivityFact', courseId, learnerId, activityId, fact, at, rules }, state);
    for (const e of events) {
      if (e.type !== 'ActivityCompleted') continue;
      await tx.query(
        `INSERT INTO activity_completions (course_id, learner_id, activity_id, school_id, rule, completed_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
        [courseId, learnerId, e.data.activityId, school, e.data.rule, e.data.at],
      );
    }
    if (events.length) await this.evaluateCourse(tx, courseId, [learnerId], at, school);
  }

  /** Evaluates course completion for these learners (null: every learner the course's records know). */
  private async evaluateCourse(tx: EntityManager, courseId: string, learnerIds: string[] | null, at: string, school: string | null): Promise<void> {
    const rules = await this.loadRules(tx, courseId);
    if (!rules?.criteria) return;
    const gradebook = rules.criteria.minimumCourseGradePercentage === null ? null : await this.loadGradebook(tx, courseId);
    let learners = learnerIds;
    if (!learners) {
      const rows: { learner_id: string }[] = await tx.query(
        'SELECT learner_id FROM activity_completions WHERE course_id = $1 UNION SELECT learner_id FROM activity_results WHERE course_id = $1',
        [courseId],
      );
      learners = [...new Set([...rows.map((r) => r.learner_id), ...(gradebook ? gradebook.learners.keys() : [])])];
    }
    for (const learnerId of learners) {
      const state = await this.learnerCompletion(tx, courseId, learnerId);
      if (state.courseCompletedAt !== null) continue;
      const percentage = gradebook ? await this.courseTotal(tx, gradebook, courseId, learnerId) : null;
      const events = decideCompletion({ type: 'EvaluateCourseCompletion', courseId, learnerId, now: at, rules, courseGradePercentage: percentage }, state);
      if (events.some((e) => e.type === 'CourseCompleted')) {
        await tx.query(`INSERT INTO course_completions (course_id, learner_id, school_id, completed_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, [courseId, learnerId, school, at]);
      }
    }
  }

  /** The learner's final course total (missing grades count as 0), with their activity results. */
  private async courseTotal(tx: EntityManager, gradebook: GradebookState, courseId: string, learnerId: string): Promise<number | null> {
    const rows: { activity_id: string; grade: number; max_grade: number }[] = await tx.query(
      'SELECT activity_id, grade, max_grade FROM activity_results WHERE course_id = $1 AND learner_id = $2',
      [courseId, learnerId],
    );
    const results = rows.map((r) => ({ activityId: r.activity_id, learnerId, grade: r.grade, maxGrade: r.max_grade }));
    return computeCourseGrades(withActivityResults(gradebook, results), learnerId, { final: true }).total.percentage;
  }
}
