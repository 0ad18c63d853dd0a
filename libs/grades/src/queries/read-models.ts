/**
 * The grades feature's read models as other features read them, inside their
 * TenantDb transaction (row-level security on): each course's gradebook with
 * its activity results, and completion rows. Grades and completion are
 * computed this feature's way (withActivityResults, computeCourseGrades /
 * visibleToLearner, completion `progress`), so a report never recomputes them
 * differently. The progress reports read these tables only through here.
 */
import { combineReads, knownRead, query, read, runRead, type Queryable, type Read } from '@learnstream/database';
import type { GradingMethod } from '@learnstream/assessments';
import { withActivityResults, type ActivityResult } from '../activity-results';
import { progress as completionProgress, initialLearnerCompletion, type LearnerCompletion } from '../completion';
import type { CompletionRule } from '../completion.events';
import { initialCompletionRules, type CompletionRules } from '../completion-rules';
import { computeCourseGrades, visibleToLearner, type ItemGrade } from '../course-grades';
import type { GradebookState } from '../gradebook.state';
import { completionRulesFromJson, gradebookFromJson } from '../state-json';

const iso = (v: Date | string | null): string | null => (v === null ? null : new Date(v).toISOString());

/**
 * Each course's gradebook state with its activity results (of every learner, or of one). `results: 'none'`: the
 * gradebooks alone, for a caller that adds results of its own (withActivityResults): early-warning.ts's as of a date.
 */
export function gradebooksRead(courseIds: readonly string[], learnerId: string | null, results: 'current' | 'none' = 'current'): Read<Map<string, GradebookState>> {
  if (!courseIds.length) return knownRead(new Map<string, GradebookState>());
  return combineReads(
    {
      books: read<{ course_id: string; state: Parameters<typeof gradebookFromJson>[0] }>('SELECT course_id, state FROM gradebooks WHERE course_id = ANY ($1)', [courseIds]),
      // Only the results of courses with a gradebook: the others' have nowhere to go.
      current:
        results === 'none'
          ? knownRead([])
          : read<{ activity_id: string; learner_id: string; course_id: string; grade: number; max_grade: number }>(
              `SELECT activity_id, learner_id, course_id, grade, max_grade FROM activity_results
               WHERE course_id = ANY ($1) AND ($2::uuid IS NULL OR learner_id = $2) AND EXISTS (SELECT 1 FROM gradebooks g WHERE g.course_id = activity_results.course_id)`,
              [courseIds, learnerId],
            ),
    },
    ({ books, current }) => {
      const byCourse = new Map<string, ActivityResult[]>();
      for (const r of current) {
        const list = byCourse.get(r.course_id) ?? [];
        list.push({ activityId: r.activity_id, learnerId: r.learner_id, grade: r.grade, maxGrade: r.max_grade });
        byCourse.set(r.course_id, list);
      }
      return new Map(books.map((b) => [b.course_id, withActivityResults(gradebookFromJson(b.state), byCourse.get(b.course_id) ?? [])]));
    },
  );
}

/** As gradebooksRead; `asOf`: one course's results as they were at a date in place of today's (the gradebook's items, weights, manual grades and overrides are today's). */
export async function readGradebooks(db: Queryable, courseIds: string[], learnerId: string | null, asOf?: { results: ActivityResult[] }): Promise<Map<string, GradebookState>> {
  const books = await runRead(db, gradebooksRead(courseIds, learnerId, asOf ? 'none' : 'current'));
  return asOf ? new Map([...books].map(([id, book]) => [id, withActivityResults(book, asOf.results)])) : books;
}

export interface CourseGradeView {
  /** Staff see every item; the learner and their parent only released ones (and a total only when all it counts is released). */
  releasedOnly: boolean;
  passPercentage: number;
  total: { percentage: number | null; letter: string | null; passed: boolean | null; overridden: boolean; hidden: boolean };
  items: (ItemGrade & { name: string })[];
}

/** A learner's current grades in a course (the total so far: missing grades left out), as the reader may see them. */
export function learnerGrades(state: GradebookState, learnerId: string, staff: boolean): CourseGradeView {
  const all = computeCourseGrades(state, learnerId);
  const seen = staff ? { ...all, total: { ...all.total, hidden: false } } : visibleToLearner(all, state);
  return {
    releasedOnly: !staff,
    passPercentage: state.passPercentage,
    total: seen.total,
    items: seen.items.map((i) => ({ ...i, name: state.items.get(i.itemId)?.name ?? '' })),
  };
}

export interface CompletionRows {
  rules: Map<string, CompletionRules>;
  /** courseId → learnerId → completion. */
  learners: Map<string, Map<string, LearnerCompletion>>;
}

/** `asOf`: only what was completed by then. */
export function completionRead(courseIds: readonly string[], learnerId: string | null, asOf: Date | null = null): Read<CompletionRows> {
  if (!courseIds.length) return knownRead({ rules: new Map<string, CompletionRules>(), learners: new Map<string, Map<string, LearnerCompletion>>() });
  return combineReads(
    {
      ruleRows: read<{ course_id: string; rules: Parameters<typeof completionRulesFromJson>[0] }>('SELECT course_id, rules FROM completion_rules WHERE course_id = ANY ($1)', [courseIds]),
      activities: read<{ course_id: string; learner_id: string; activity_id: string; rule: CompletionRule; completed_at: string }>(
        `SELECT course_id, learner_id, activity_id, rule, completed_at FROM activity_completions
         WHERE course_id = ANY ($1) AND ($2::uuid IS NULL OR learner_id = $2) AND ($3::timestamptz IS NULL OR completed_at <= $3) ORDER BY completed_at, activity_id`,
        [courseIds, learnerId, asOf],
      ),
      courses: courseCompletionsRead(courseIds, { learnerId, by: asOf }),
    },
    ({ ruleRows, activities, courses }) => {
      const rules = new Map(ruleRows.map((r) => [r.course_id, completionRulesFromJson(r.rules)]));
      // Each learner's state is built here, once: a map of their completions filled in order.
      const learners = new Map<string, Map<string, { completed: Map<string, { rule: CompletionRule; at: string }>; courseCompletedAt: string | null }>>();
      const of = (courseId: string, id: string) => {
        const course = learners.get(courseId) ?? new Map();
        learners.set(courseId, course);
        const state = course.get(id) ?? { completed: new Map(), courseCompletedAt: null };
        course.set(id, state);
        return state;
      };
      for (const a of activities) of(a.course_id, a.learner_id).completed.set(a.activity_id, { rule: a.rule, at: iso(a.completed_at)! });
      for (const c of courses) of(c.courseId, c.learnerId).courseCompletedAt = iso(c.completedAt);
      return { rules, learners };
    },
  );
}

export const readCompletion = (db: Queryable, courseIds: string[], learnerId: string | null, asOf: Date | null = null): Promise<CompletionRows> =>
  runRead(db, completionRead(courseIds, learnerId, asOf));

export interface CourseCompletionRecord {
  courseId: string;
  learnerId: string;
  completedAt: Date;
}

/**
 * Who completed these courses (of one learner, or of all), and when: with `by`, completed at or
 * before it; with `before`, strictly before it.
 */
export function courseCompletionsRead(
  courseIds: readonly string[],
  when: { learnerId?: string | null; by?: Date | null; before?: Date | string | null } = {},
): Read<CourseCompletionRecord[]> {
  if (!courseIds.length) return knownRead([]);
  return read(
    `SELECT course_id, learner_id, completed_at FROM course_completions
     WHERE course_id = ANY ($1) AND ($2::uuid IS NULL OR learner_id = $2) AND ($3::timestamptz IS NULL OR completed_at <= $3) AND ($4::timestamptz IS NULL OR completed_at < $4)`,
    [courseIds, when.learnerId ?? null, when.by ?? null, when.before ?? null],
    (rows: { course_id: string; learner_id: string; completed_at: string }[]) => rows.map((r) => ({ courseId: r.course_id, learnerId: r.learner_id, completedAt: new Date(r.completed_at) })),
  );
}

export const readCourseCompletions = (db: Queryable, courseIds: readonly string[], when: Parameters<typeof courseCompletionsRead>[1] = {}): Promise<CourseCompletionRecord[]> =>
  runRead(db, courseCompletionsRead(courseIds, when));

export interface CompletionsInPeriod {
  /** The period's first day (YYYY-MM-DD, UTC). */
  period: string;
  completions: number;
  people: number;
}

/**
 * Course completions in all courses the reader may see, per period (`granularity`: day, week from
 * Monday, month) of the UTC days [from, to] (YYYY-MM-DD): how many, and how many people.
 * `excluded`: people left out.
 */
export async function completionsPerPeriod(
  db: Queryable,
  range: { from: string; to: string; granularity: 'day' | 'week' | 'month' },
  excluded: readonly string[],
): Promise<CompletionsInPeriod[]> {
  const rows = await query<{ period: string; completions: number; people: number }>(
    db,
    `SELECT to_char(date_trunc($3, (completed_at AT TIME ZONE 'UTC')::date::timestamp), 'YYYY-MM-DD') AS period,
            count(*)::int AS completions, count(DISTINCT learner_id)::int AS people
     FROM course_completions
     WHERE completed_at >= ($1::date)::timestamp AT TIME ZONE 'UTC' AND completed_at < ($2::date + 1)::timestamp AT TIME ZONE 'UTC'
       AND NOT (learner_id = ANY ($4::uuid[]))
     GROUP BY 1`,
    [range.from, range.to, range.granularity, excluded],
  );
  return rows;
}

export interface QuizGrading {
  quizId: string;
  /** null: the gradebook's default (highest). */
  gradingMethod: GradingMethod | null;
  maxGrade: number;
}

/** How the gradebook grades each quiz of a course from its attempts. */
export function quizGradingRead(courseId: string): Read<QuizGrading[]> {
  return read(
    `SELECT activity_id, grading_method, max_grade FROM graded_activities WHERE course_id = $1 AND kind = 'quiz'`,
    [courseId],
    (rows: { activity_id: string; grading_method: GradingMethod | null; max_grade: number }[]) =>
      rows.map((r) => ({ quizId: r.activity_id, gradingMethod: r.grading_method, maxGrade: r.max_grade })),
  );
}

export const readQuizGrading = (db: Queryable, courseId: string): Promise<QuizGrading[]> => runRead(db, quizGradingRead(courseId));

export interface CompletionView {
  progress: { completed: number; required: number; percentage: number | null };
  courseCompleted: boolean;
  courseCompletedAt: string | null;
}

export function learnerCompletion(rows: CompletionRows, courseId: string, learnerId: string): CompletionView {
  const state = rows.learners.get(courseId)?.get(learnerId) ?? initialLearnerCompletion();
  const rules = rows.rules.get(courseId) ?? { ...initialCompletionRules(), courseId };
  return { progress: completionProgress(state, rules), courseCompleted: state.courseCompletedAt !== null, courseCompletedAt: state.courseCompletedAt };
}
