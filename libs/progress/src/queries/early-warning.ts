/**
 * A course's facts as of a date (projection progress-early-warning: events
 * whose occurredAt ≤ asOf), read inside the reader's TenantDb transaction, and
 * the at-risk flag of libs/early-warning scored on them. The class report
 * (live, or ?asOf=) and the eval's class reports are this one path.
 *
 * Activity results as of the date: an assignment's or offline test's latest
 * grade by then; a quiz's from its attempts graded by then, by the quiz's
 * grading method (quizResult of the grades feature), as the gradebook does.
 */
import { quizGradingRead, quizResult, type ActivityResult, type QuizGrading } from '@learnstream/grades';
import { combineReads, knownRead, read, runRead, type Queryable, type Read } from '@learnstream/database';
import { enrolmentsRead } from '@learnstream/courses';
import { checkModel, courseFeatures, scoreLearners, TRAINED_MODEL, type CourseSnapshot, type EarlyWarningModel, type RiskReason, type RiskScore, type ThresholdSetting } from '@learnstream/early-warning';
import { isoString, round3, type AssessmentKind, type AtRiskReason } from '../rules';
import { restrictedRead } from './read-models';

export const EARLY_WARNING_RULE_TEXT =
  'AT RISK: the early-warning model (a logistic regression, docs/early-warning.md) puts the risk that the learner fails or withdraws at or above the ' +
  "threshold of the school's setting, from what the course's log said by the report's date: the share of the assessments due that were submitted, " +
  'each result ranked within the class (all of them, and the latest two), the trend of the grades, how early work is handed in relative to the class, ' +
  "the days since the last submission, and the class's own share of work handed in (its level). The reasons are the features that raise the risk the " +
  "most, where the learner's own facts bear them out. Learners who objected to profiling are never scored. The learner and their parent see it " +
  'scored on released grades only.';

/** A model reason: the feature, how much it adds to the log-odds, and the words. */
export type ModelReason = { rule: 'model' } & RiskReason;

export interface AtRiskView {
  /** The early-warning model's flag: risk ≥ the threshold of the setting. */
  flagged: boolean;
  /** The model's risk of failing or withdrawing, 0–1 (3 decimals). */
  risk: number;
  reasons: ModelReason[];
  /** The two rules of before (inactivity, failing grade), for comparison. */
  baseline: { flagged: boolean; reasons: AtRiskReason[] };
}

export { round3 } from '../rules';

/** What a judged learner is shown, in the class report and the learner profile alike: the model's flag, risk and reasons, the baseline beside it. */
export function atRiskView(score: RiskScore | undefined, baseline: AtRiskReason[]): AtRiskView {
  return {
    flagged: score?.flagged ?? false,
    risk: score ? round3(score.risk) : 0,
    reasons: (score?.reasons ?? []).map((r) => ({ rule: 'model' as const, ...r, contribution: round3(r.contribution) })),
    baseline: { flagged: baseline.length > 0, reasons: baseline },
  };
}

/** The learners the flag judges: active then, not objecting to profiling, enrolled by the facts' date. */
export function judgedLearners(facts: CourseFacts, enrolments: readonly { learnerId: string; status: string }[], objecting: ReadonlySet<string>): string[] {
  return enrolments.filter((e) => e.status === 'active' && !objecting.has(e.learnerId) && facts.enrolments.has(e.learnerId)).map((e) => e.learnerId);
}

/** The model a school's class reports score with: its own (trained on its history) or the bundled one. */
export interface SchoolModel {
  source: 'school' | 'bundled';
  model: EarlyWarningModel;
  /** When the school's own was trained, by whom, on how many finished courses and learners (null: bundled). */
  trained: { at: string; by: string; courses: number; learners: number } | null;
}

export const BUNDLED_MODEL: SchoolModel = { source: 'bundled', model: TRAINED_MODEL, trained: null };

interface SchoolModelRow {
  model: EarlyWarningModel;
  courses: number;
  learners: number;
  trained_by: string;
  /** A string from JSON. */
  trained_at: string;
}

const toSchoolModel = (row: SchoolModelRow): SchoolModel => ({
  source: 'school',
  model: checkModel(row.model),
  trained: { at: new Date(row.trained_at).toISOString(), by: row.trained_by, courses: row.courses, learners: row.learners },
});

export function readSchoolModel(db: Queryable, schoolId: string | null): Promise<SchoolModel> {
  return runRead(db, schoolEarlyWarningRead(schoolId)).then((r) => r.model);
}

/**
 * What a class is scored with, in one statement: the school's threshold setting (null when it never chose one:
 * precision-first then) and its model (readSchoolModel).
 */
export function schoolEarlyWarningRead(schoolId: string | null): Read<{ setting: ThresholdSetting | null; model: SchoolModel }> {
  if (!schoolId) return knownRead({ setting: null, model: BUNDLED_MODEL });
  return read(
    `SELECT (SELECT threshold FROM progress_ew_settings WHERE school_id = $1) AS threshold,
       (SELECT to_jsonb(m) FROM (SELECT model, courses, learners, trained_by, trained_at FROM progress_ew_models WHERE school_id = $1) m) AS trained`,
    [schoolId],
    (rows: { threshold: ThresholdSetting | null; trained: SchoolModelRow | null }[]) => {
      const row = rows[0];
      return { setting: row?.threshold ?? null, model: row?.trained ? toSchoolModel(row.trained) : BUNDLED_MODEL };
    },
  );
}

export const readSchoolEarlyWarning = (db: Queryable, schoolId: string | null) => runRead(db, schoolEarlyWarningRead(schoolId));

/**
 * What the learner profile needs to give a learner the class report's flag now: the whole class (the ranks and
 * the class's level are within it) as the report reads it (restricted learners left out), and the school's setting.
 */
export function readClassForFlag(db: Queryable, courseId: string, schoolId: string | null, now: Date) {
  return runRead(
    db,
    combineReads(
      { facts: courseFactsRead(courseId, now), restricted: restrictedRead(), enrolled: enrolmentsRead({ courseIds: [courseId] }), school: schoolEarlyWarningRead(schoolId) },
      ({ facts, restricted, enrolled, school }) => ({
        courseId,
        facts,
        enrolments: enrolled.filter((e) => !restricted.has(e.learnerId)),
        setting: school.setting ?? ('precision-first' as const),
        model: school.model.model,
      }),
    ),
  );
}

export interface EnrolmentAsOf {
  learnerId: string;
  status: 'active' | 'unenrolled';
  enrolledAt: string;
  /** enrolledAt in milliseconds since the epoch (the model's input). */
  enrolledAtMs: number;
  unenrolledAt: string | null;
}

export interface CourseFacts {
  asOf: Date;
  /** Learners enrolled at some time up to asOf, their latest enrolment by then. */
  enrolments: Map<string, EnrolmentAsOf>;
  results: ActivityResult[];
  assessments: { id: string; kind: AssessmentKind; title: string; dueAt: number | null }[];
  /** Per learner: assessment → first submission time (or first grade, graded without one). */
  submissions: Map<string, Map<string, number>>;
  /** Per learner: assessment → first time handed in by the learner (a submission or a quiz attempt's; never a grade). */
  handedIn: Map<string, Map<string, number>>;
}

export interface WorkRow {
  assessment_id: string;
  learner_id: string;
  kind: 'submitted' | 'graded';
  /** Milliseconds since the epoch (read as a number: a class's work is thousands of rows, each a Date to parse otherwise). */
  at: number;
  grade: number | null;
  max_grade: number | null;
  attempt_number: number | null;
}

/**
 * The rows of the work text: `assessment learner kind at grade max_grade attempt_number` (space-separated, an empty
 * field for NULL, so that a row has six spaces; uuids, a word and numbers as PostgreSQL writes them: float8 in its shortest exact form), `;` between rows.
 */
export function workRows(text: string | null): WorkRow[] {
  const rows: WorkRow[] = [];
  eachWorkRow(text, (assessment_id, learner_id, kind, at, grade, max_grade, attempt_number) => {
    rows.push({ assessment_id, learner_id, kind, at, grade, max_grade, attempt_number });
  });
  return rows;
}

/**
 * The work text's rows (workRows), one call each with its fields: no object, array or string per field made of a
 * row (a class's work is thousands of them, read on every class report), only its two ids.
 */
export function eachWorkRow(
  text: string | null,
  row: (assessmentId: string, learnerId: string, kind: WorkRow['kind'], at: number, grade: number | null, maxGrade: number | null, attemptNumber: number | null) => void,
): void {
  if (!text) return;
  const end = text.length;
  // Each row's first six fields end at a space, its last at the ';' before the next row (or the text's end).
  let at = 0;
  let fieldEnd = 0;
  const field = (): number => {
    const start = at;
    fieldEnd = text.indexOf(' ', start);
    if (fieldEnd < 0) throw new Error(`work text: a row with fewer than 7 fields at ${start}`);
    at = fieldEnd + 1;
    return start;
  };
  const numberOrNull = (start: number): number | null => (fieldEnd === start ? null : Number(text.slice(start, fieldEnd)));
  while (at < end) {
    let start = field();
    const assessmentId = text.slice(start, fieldEnd);
    start = field();
    const learnerId = text.slice(start, fieldEnd);
    start = field();
    // 'submitted' or 'graded': told apart by their first letter.
    const kind: WorkRow['kind'] = text.charCodeAt(start) === 103 ? 'graded' : 'submitted';
    start = field();
    const time = Number(text.slice(start, fieldEnd));
    const grade = numberOrNull(field());
    const maxGrade = numberOrNull(field());
    start = at;
    fieldEnd = text.indexOf(';', start);
    if (fieldEnd < 0) fieldEnd = end;
    at = fieldEnd + 1;
    const attemptNumber = numberOrNull(start);
    row(assessmentId, learnerId, kind, time, grade, maxGrade, attemptNumber);
  }
}

export function courseFactsRead(courseId: string, asOf: Date): Read<CourseFacts> {
  return combineReads(
    {
      assessments: read<{ assessment_id: string; title: string; due_at: string | null; kind: 'assignment' | 'quiz' | 'offline_test' }>(
        'SELECT assessment_id, title, due_at, kind FROM progress_ew_assessments WHERE course_id = $1 AND created_at <= $2 ORDER BY due_at NULLS LAST, assessment_id',
        [courseId, asOf],
      ),
      enrolmentRows: read<{ learner_id: string; enrolled_at: string; unenrolled_at: string | null }>(
        'SELECT learner_id, enrolled_at, unenrolled_at FROM progress_ew_enrolments WHERE course_id = $1 AND enrolled_at <= $2 ORDER BY enrolled_at, event_id',
        [courseId, asOf],
      ),
      // A class's work is thousands of rows: one text of them (workRows), in a statement of its own. As rows, pg made
      // a string of each of their 7 fields (a native call each: a few ms of CPU for the 1,300 rows of term1m's big
      // course); as JSON objects PostgreSQL took twice the statement's time to build them, and the text inside the
      // other statements' JSON would be escaped character by character (about 1.5 ms for its 130 kB). Each row's
      // line is stored with it (its generated column `line`, migration 1740000000100): built here, they were ~3 ms
      // of the statement's 4.4–5.8 ms on that course.
      work: read<{ work: string | null }, string | null>(
        `SELECT string_agg(line, ';' ORDER BY progress_ew_work.at, event_id) AS work FROM progress_ew_work WHERE course_id = $1 AND at <= $2`,
        [courseId, asOf],
        (rows) => rows[0]?.work ?? null,
        { alone: true },
      ),
      quizzes: quizGradingRead(courseId),
    },
    (rows) => courseFacts(asOf, rows),
  );
}

export const readCourseFacts = (db: Queryable, courseId: string, asOf: Date): Promise<CourseFacts> => runRead(db, courseFactsRead(courseId, asOf));

function courseFacts(
  asOf: Date,
  {
    assessments,
    enrolmentRows,
    work,
    quizzes,
  }: {
    assessments: { assessment_id: string; title: string; due_at: string | null; kind: 'assignment' | 'quiz' | 'offline_test' }[];
    enrolmentRows: { learner_id: string; enrolled_at: string; unenrolled_at: string | null }[];
    /** The work text (eachWorkRow). */
    work: string | null;
    quizzes: QuizGrading[];
  },
): CourseFacts {
  const enrolments = new Map<string, EnrolmentAsOf>();
  for (const e of enrolmentRows) {
    const unenrolledAt = e.unenrolled_at === null ? null : new Date(e.unenrolled_at);
    const ended = unenrolledAt !== null && unenrolledAt.getTime() <= asOf.getTime();
    const enrolledAt = isoString(e.enrolled_at);
    enrolments.set(e.learner_id, {
      learnerId: e.learner_id,
      status: ended ? 'unenrolled' : 'active',
      enrolledAt,
      enrolledAtMs: Date.parse(enrolledAt),
      unenrolledAt: ended ? unenrolledAt.toISOString() : null,
    });
  }

  // Keyed by assessment then learner (no key string per row); `results` keeps the order of a learner's first result
  // in the log (the latest grade in its place), the quizzes' after, in the order of their first graded attempt.
  const quizById = new Map(quizzes.map((q) => [q.quizId, q]));
  const results: ActivityResult[] = [];
  const resultAt = new Map<string, Map<string, number>>();
  // A learner's graded attempts at a quiz, each attempt's latest grade, in the order of their first (a handful: an array, not a map).
  type Attempts = { attemptNumber: number; grade: number; maxGrade: number }[];
  const attempts: { quizId: string; learnerId: string; byAttempt: Attempts }[] = [];
  const attemptsOf = new Map<string, Map<string, Attempts>>();
  const submissions = new Map<string, Map<string, number>>();
  const handedIn = new Map<string, Map<string, number>>();
  eachWorkRow(work, (assessmentId, learnerId, kind, at, grade, maxGrade, attemptNumber) => {
    let mine = submissions.get(learnerId);
    if (mine === undefined) submissions.set(learnerId, (mine = new Map<string, number>()));
    if (!mine.has(assessmentId)) mine.set(assessmentId, at);
    if (kind !== 'graded') {
      let own = handedIn.get(learnerId);
      if (own === undefined) handedIn.set(learnerId, (own = new Map<string, number>()));
      if (!own.has(assessmentId)) own.set(assessmentId, at);
    }
    if (kind !== 'graded' || grade === null || maxGrade === null) return;
    if (quizById.has(assessmentId)) {
      let ofQuiz = attemptsOf.get(assessmentId);
      if (ofQuiz === undefined) attemptsOf.set(assessmentId, (ofQuiz = new Map<string, Attempts>()));
      let byAttempt = ofQuiz.get(learnerId);
      if (byAttempt === undefined) {
        ofQuiz.set(learnerId, (byAttempt = []));
        attempts.push({ quizId: assessmentId, learnerId, byAttempt });
      }
      const number = attemptNumber ?? 1;
      const graded = { attemptNumber: number, grade, maxGrade };
      const i = byAttempt.findIndex((a) => a.attemptNumber === number);
      if (i < 0) byAttempt.push(graded);
      else byAttempt[i] = graded;
    } else {
      let ofAssessment = resultAt.get(assessmentId);
      if (ofAssessment === undefined) resultAt.set(assessmentId, (ofAssessment = new Map<string, number>()));
      const result = { activityId: assessmentId, learnerId, grade, maxGrade };
      const i = ofAssessment.get(learnerId);
      if (i === undefined) ofAssessment.set(learnerId, results.push(result) - 1);
      else results[i] = result;
    }
  });
  for (const { quizId, learnerId, byAttempt } of attempts) {
    const quiz = quizById.get(quizId)!;
    const grade = quizResult(byAttempt, quiz.gradingMethod ?? 'highest', quiz.maxGrade);
    if (grade !== null) results.push({ activityId: quizId, learnerId, grade, maxGrade: quiz.maxGrade });
  }

  return {
    asOf,
    enrolments,
    results,
    assessments: assessments.map((a) => ({ id: a.assessment_id, kind: a.kind === 'offline_test' ? 'offline' : a.kind, title: a.title, dueAt: a.due_at ? Date.parse(a.due_at) : null })),
    submissions,
    handedIn,
  };
}

/**
 * The facts as a learner sees them: the grades of activities whose gradebook item is released, no other (a
 * submission whose grade is withheld counts as handed in, not graded). The learner's own profile (and their
 * parent's) scores the class on these, so that their risk and its reasons never move with a grade they cannot
 * see, theirs or a classmate's; the class report and a teacher's view of the profile read every grade.
 */
export function releasedOnly(facts: CourseFacts, released: ReadonlySet<string>): CourseFacts {
  // Of a withheld grade, only what the learner handed in counts: a grade without a submission (an offline test's result) is not seen at all.
  const submissions = new Map(
    [...facts.submissions].map(([learnerId, times]) => [
      learnerId,
      new Map([...times].flatMap(([id, at]): [string, number][] => {
        const own = facts.handedIn.get(learnerId)?.get(id);
        return released.has(id) ? [[id, at]] : own === undefined ? [] : [[id, own]];
      })),
    ]),
  );
  return { ...facts, results: facts.results.filter((r) => released.has(r.activityId)), submissions };
}

/** The snapshot of the learners judged (active as of the date, not objecting, not restricted): the model's input. */
export function snapshotOf(courseId: string, facts: CourseFacts, learnerIds: readonly string[]): CourseSnapshot {
  // Activity → learner → score (the last result of a pair wins, as it did keyed by the pair): a map per assessment, not per learner.
  const scoreOf = new Map<string, Map<string, number | null>>();
  for (const r of facts.results) {
    let ofActivity = scoreOf.get(r.activityId);
    if (ofActivity === undefined) scoreOf.set(r.activityId, (ofActivity = new Map<string, number | null>()));
    ofActivity.set(r.learnerId, r.maxGrade > 0 ? r.grade / r.maxGrade : null);
  }
  return {
    courseId,
    asOf: facts.asOf.getTime(),
    assessments: facts.assessments,
    learners: learnerIds.map((learnerId) => {
      const submissions: CourseSnapshot['learners'][number]['submissions'] = [];
      for (const [assessmentId, submittedAt] of facts.submissions.get(learnerId) ?? []) {
        submissions.push({ assessmentId, submittedAt, score: scoreOf.get(assessmentId)?.get(learnerId) ?? null });
      }
      return { learnerId, enrolledAt: facts.enrolments.get(learnerId)!.enrolledAtMs, submissions };
    }),
  };
}

export function scoreClass(snapshot: CourseSnapshot, setting: ThresholdSetting, model: EarlyWarningModel = TRAINED_MODEL): Map<string, RiskScore> {
  return new Map(scoreLearners(model, courseFeatures(snapshot), setting).map((s) => [s.learnerId, s]));
}
