/**
 * The assessments read models: quizzes with their questions, attempts with
 * their saved answers and results, assignments and submissions, offline tests
 * and results. Personal values (answers, texts, feedback) arrive decrypted,
 * or null once the learner is erased, and are held in clear like every read
 * model's. Writes are upserts: a replay changes nothing.
 *
 * Erasure: the learner's attempts, submissions and offline results stay,
 * for the quizzes' and assignments' statistics, under the erasure's
 * anonymous id, with every free text gone (answers, submission texts and
 * files, feedback); scores, grades and pass/fail remain. Where the erased
 * person graded or recorded someone else's work, the anonymous id replaces them.
 * A mention of an erased person in a learner's text, feedback or answer, once the
 * DPO redacts it (the privacy feature's PersonalDataRedacted), reads as a mask.
 */
import type { StoredEvent } from '@learnstream/event-store';
import type { ErasedSubject, Projection } from '@learnstream/projections/headless';
import type { EntityManager } from 'typeorm';
import { masked, type PersonalDataRedacted } from '@learnstream/privacy/headless';
import type { AssignmentEvent, AssignmentSettings } from '../assignment.events';
import type { AttemptEvent } from '../attempt.events';
import type { OfflineTestEvent } from '../offline-test.events';
import type { Question } from '../question';
import type { QuizEvent, QuizSettings } from '../quiz.events';

const QUIZ_COLUMNS: Record<keyof QuizSettings, string> = {
  title: 'title',
  opensAt: 'opens_at',
  closesAt: 'closes_at',
  timeLimitSeconds: 'time_limit_seconds',
  attemptsAllowed: 'attempts_allowed',
  gradingMethod: 'grading_method',
  maxGrade: 'max_grade',
  passGrade: 'pass_grade',
};

const ASSIGNMENT_COLUMNS: Record<keyof AssignmentSettings, string> = {
  title: 'title',
  instructions: 'instructions',
  submissionTypes: 'submission_types',
  dueAt: 'due_at',
  cutoffAt: 'cutoff_at',
  maxGrade: 'max_grade',
  passGrade: 'pass_grade',
};

const json = (v: unknown) => JSON.stringify(v);

/** UPDATE … SET of the given changes only. */
function setClause<K extends string>(columns: Record<K, string>, changes: Partial<Record<K, unknown>>, first: number): { sql: string; values: unknown[] } {
  const entries = (Object.entries(changes) as [K, unknown][]).filter(([k]) => Object.hasOwn(columns, k));
  return {
    sql: entries.map(([k], i) => `${columns[k]} = $${first + i}`).join(', '),
    values: entries.map(([k, v]) => (k === 'submissionTypes' ? json(v) : v)),
  };
}

export const ASSESSMENTS_PROJECTED_EVENTS = [
  'QuizCreated', 'QuizSettingsUpdated', 'QuestionAdded', 'QuestionUpdated', 'QuestionRemoved',
  'AttemptStarted', 'AnswersSaved', 'AttemptSubmitted', 'AttemptGraded', 'AttemptReviewed',
  'AssignmentCreated', 'AssignmentUpdated', 'AssignmentSubmitted', 'SubmissionGraded', 'SubmissionReopened',
  'OfflineTestCreated', 'OfflineResultRecorded',
  // The privacy feature's rectification of a mention of an erased person in a learner's free text.
  'PersonalDataRedacted',
] as const;

/** A mention of an erased person in a learner's text, feedback or answer, masked in place (same length: other spans stay right). */
async function redact(d: PersonalDataRedacted['data'], tx: EntityManager): Promise<void> {
  const span = { start: d.start, length: d.length };
  if (d.record === 'quiz_attempt') {
    const questionId = d.field.slice('answer:'.length);
    const [row] = await tx.query(`SELECT answers->>$2 AS text FROM quiz_attempts WHERE attempt_id = $1 AND learner_id = $3 FOR UPDATE`, [d.recordId, questionId, d.ownerId]);
    if (typeof row?.text === 'string') await tx.query(`UPDATE quiz_attempts SET answers = jsonb_set(answers, ARRAY[$2::text], to_jsonb($3::text)) WHERE attempt_id = $1`, [d.recordId, questionId, masked(row.text, span)]);
    return;
  }
  const [table, key] = d.record === 'assignment_submission' ? ['assignment_submissions', 'assignment_id'] : ['offline_results', 'offline_test_id'];
  const column = d.field === 'text' ? 'text' : 'feedback';
  const [row] = await tx.query(`SELECT ${column} AS text FROM ${table} WHERE ${key} = $1 AND learner_id = $2 FOR UPDATE`, [d.recordId, d.ownerId]);
  if (typeof row?.text === 'string') await tx.query(`UPDATE ${table} SET ${column} = $3 WHERE ${key} = $1 AND learner_id = $2`, [d.recordId, d.ownerId, masked(row.text, span)]);
}

/**
 * The last event of the run for each learner of each activity (`activity`
 * names the data's activity id), as a column reader over those events: what
 * applying the run's upserts in order leaves.
 */
function lastPerLearner(run: StoredEvent[], activity: 'assignmentId' | 'offlineTestId') {
  const last = new Map<string, StoredEvent>();
  for (const e of run) last.set(`${String(e.data[activity])}|${String(e.data.learnerId)}`, e);
  const rows = [...last.values()];
  return <T>(f: (d: Record<string, unknown>, e: StoredEvent) => T) => rows.map((e) => f(e.data, e));
}

export class AssessmentsProjection implements Projection {
  readonly name = 'assessments';
  /** Inline: commands decide on these rows (an attempt answered right after it was started, a quiz's course). */
  readonly inline = true;
  readonly eventTypes = ASSESSMENTS_PROJECTED_EVENTS;

  async handle(event: StoredEvent, tx: EntityManager): Promise<void> {
    if (event.type === 'PersonalDataRedacted') return redact(event.data as unknown as PersonalDataRedacted['data'], tx);
    const e = { type: event.type, data: event.data } as QuizEvent | AttemptEvent | AssignmentEvent | OfflineTestEvent;
    const school = event.envelope.schoolId;
    switch (e.type) {
      case 'QuizCreated': {
        const d = e.data;
        await tx.query(
          `INSERT INTO quizzes (quiz_id, course_id, school_id, title, opens_at, closes_at, time_limit_seconds, attempts_allowed, grading_method, max_grade, pass_grade, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) ON CONFLICT (quiz_id) DO NOTHING`,
          [d.quizId, d.courseId, school, d.title, d.opensAt, d.closesAt, d.timeLimitSeconds, d.attemptsAllowed, d.gradingMethod, d.maxGrade, d.passGrade, d.at],
        );
        return;
      }
      case 'QuizSettingsUpdated': {
        const { sql, values } = setClause(QUIZ_COLUMNS, e.data.changes, 3);
        if (values.length) await tx.query(`UPDATE quizzes SET ${sql}, updated_at = $2 WHERE quiz_id = $1`, [e.data.quizId, e.data.at, ...values]);
        return;
      }
      case 'QuestionAdded':
      case 'QuestionUpdated':
      case 'QuestionRemoved': {
        const [row] = await tx.query('SELECT questions FROM quizzes WHERE quiz_id = $1 FOR UPDATE', [e.data.quizId]);
        if (!row) return;
        const questions = row.questions as Question[];
        const next =
          e.type === 'QuestionAdded'
            ? [...questions.filter((q) => q.questionId !== e.data.question.questionId), e.data.question]
            : e.type === 'QuestionUpdated'
              ? questions.map((q) => (q.questionId === e.data.question.questionId ? e.data.question : q))
              : questions.filter((q) => q.questionId !== e.data.questionId);
        await tx.query('UPDATE quizzes SET questions = $2, updated_at = $3 WHERE quiz_id = $1', [e.data.quizId, json(next), e.data.at]);
        return;
      }
      case 'AttemptStarted': {
        const d = e.data;
        await tx.query(
          `INSERT INTO quiz_attempts (attempt_id, quiz_id, course_id, school_id, learner_id, attempt_number, status, question_ids, started_at, deadline)
           VALUES ($1, $2, $3, $4, $5, $6, 'in_progress', $7, $8, $9) ON CONFLICT (attempt_id) DO NOTHING`,
          [d.attemptId, d.quizId, d.courseId, school, d.learnerId, d.attemptNumber, json(d.questionIds), d.at, d.deadline],
        );
        return;
      }
      case 'AnswersSaved': {
        const answers = Object.fromEntries(e.data.answers.map((a) => [a.questionId, a.answer ?? null]));
        await tx.query('UPDATE quiz_attempts SET answers = answers || $2::jsonb WHERE attempt_id = $1', [e.data.attemptId, json(answers)]);
        return;
      }
      case 'AttemptSubmitted': {
        const d = e.data;
        await tx.query(`UPDATE quiz_attempts SET status = 'submitted', submitted_at = $2, automatic = $3, duration_seconds = $4 WHERE attempt_id = $1`, [
          d.attemptId,
          d.at,
          d.automatic,
          d.durationSeconds,
        ]);
        return;
      }
      case 'AttemptGraded': {
        const d = e.data;
        await tx.query(
          `UPDATE quiz_attempts SET results = $2, total_score = $3, total_points = $4, grade = $5, max_grade = $6, passed = $7 WHERE attempt_id = $1`,
          [d.attemptId, json(d.questions), d.totalScore, d.totalPoints, d.grade, d.maxGrade, d.passed],
        );
        return;
      }
      case 'AttemptReviewed':
        await tx.query('UPDATE quiz_attempts SET last_reviewed_at = $2 WHERE attempt_id = $1', [e.data.attemptId, e.data.at]);
        return;
      case 'AssignmentCreated': {
        const d = e.data;
        await tx.query(
          `INSERT INTO assignments (assignment_id, course_id, school_id, title, instructions, submission_types, due_at, cutoff_at, max_grade, pass_grade, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) ON CONFLICT (assignment_id) DO NOTHING`,
          [d.assignmentId, d.courseId, school, d.title, d.instructions, json(d.submissionTypes), d.dueAt, d.cutoffAt, d.maxGrade, d.passGrade, d.at],
        );
        return;
      }
      case 'AssignmentUpdated': {
        const { sql, values } = setClause(ASSIGNMENT_COLUMNS, e.data.changes, 3);
        if (values.length) await tx.query(`UPDATE assignments SET ${sql}, updated_at = $2 WHERE assignment_id = $1`, [e.data.assignmentId, e.data.at, ...values]);
        return;
      }
      case 'AssignmentSubmitted': {
        const d = e.data;
        await tx.query(
          `INSERT INTO assignment_submissions (assignment_id, learner_id, course_id, school_id, status, submission_number, text, file_refs, late, late_by_seconds, submitted_at)
           VALUES ($1, $2, $3, $4, 'submitted', $5, $6, $7, $8, $9, $10)
           ON CONFLICT (assignment_id, learner_id) DO UPDATE SET status = 'submitted', submission_number = EXCLUDED.submission_number, text = EXCLUDED.text,
             file_refs = EXCLUDED.file_refs, late = EXCLUDED.late, late_by_seconds = EXCLUDED.late_by_seconds, submitted_at = EXCLUDED.submitted_at`,
          [d.assignmentId, d.learnerId, d.courseId, school, d.submissionNumber, (d.text as string | null) ?? null, json(d.fileRefs), d.late, d.lateBySeconds, d.at],
        );
        return;
      }
      case 'SubmissionGraded': {
        const d = e.data;
        await tx.query(
          `INSERT INTO assignment_submissions (assignment_id, learner_id, course_id, school_id, status, grade, max_grade, passed, feedback, graded_by, graded_at)
           VALUES ($1, $2, $3, $4, 'graded', $5, $6, $7, $8, $9, $10)
           ON CONFLICT (assignment_id, learner_id) DO UPDATE SET status = 'graded', grade = EXCLUDED.grade, max_grade = EXCLUDED.max_grade, passed = EXCLUDED.passed,
             feedback = EXCLUDED.feedback, graded_by = EXCLUDED.graded_by, graded_at = EXCLUDED.graded_at`,
          [d.assignmentId, d.learnerId, d.courseId, school, d.grade, d.maxGrade, d.passed, (d.feedback as string | null) ?? null, d.by, d.at],
        );
        return;
      }
      case 'SubmissionReopened':
        await tx.query(`UPDATE assignment_submissions SET status = 'reopened' WHERE assignment_id = $1 AND learner_id = $2`, [e.data.assignmentId, e.data.learnerId]);
        return;
      case 'OfflineTestCreated': {
        const d = e.data;
        await tx.query(
          `INSERT INTO offline_tests (offline_test_id, course_id, school_id, title, max_grade, pass_grade, taken_on, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (offline_test_id) DO NOTHING`,
          [d.offlineTestId, d.courseId, school, d.title, d.maxGrade, d.passGrade, d.takenOn, d.at],
        );
        return;
      }
      case 'OfflineResultRecorded': {
        const d = e.data;
        await tx.query(
          `INSERT INTO offline_results (offline_test_id, learner_id, course_id, school_id, grade, max_grade, passed, feedback, recorded_by, recorded_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
           ON CONFLICT (offline_test_id, learner_id) DO UPDATE SET grade = EXCLUDED.grade, max_grade = EXCLUDED.max_grade, passed = EXCLUDED.passed,
             feedback = EXCLUDED.feedback, recorded_by = EXCLUDED.recorded_by, recorded_at = EXCLUDED.recorded_at`,
          [d.offlineTestId, d.learnerId, d.courseId, school, d.grade, d.maxGrade, d.passed, (d.feedback as string | null) ?? null, d.by, d.at],
        );
        return;
      }
    }
  }

  /**
   * A batch in few statements: each run of consecutive events of one of the
   * frequent kinds (attempts started, answers saved, submitted, graded;
   * offline results) is written with one multi-row statement, the rest event
   * by event; runs stay in log order, so the rows are those `handle` gives.
   */
  async handleBatch(events: StoredEvent[], tx: EntityManager): Promise<void> {
    let i = 0;
    while (i < events.length) {
      const lifecycle = LIFECYCLE.includes(events[i].type);
      let j = i + 1;
      while (j < events.length && LIFECYCLE.includes(events[j].type) === lifecycle) j++;
      const part = events.slice(i, j);
      i = j;
      if (lifecycle && inLifecycleOrder(part)) await this.writePhases(part, tx);
      else await this.writeRuns(part, tx);
    }
  }

  /**
   * Attempts' events as the log has them (each attempt's started, saved,
   * submitted, graded, one attempt after another): consecutive runs of one
   * kind are one event long there. When every attempt's events of the part
   * come in that order, the rows do not depend on how the attempts
   * interleave (each statement writes its own columns of its own attempts),
   * so each kind is written in one statement for all the part's attempts,
   * in lifecycle order: four statements for the part instead of one per event.
   */
  private async writePhases(part: StoredEvent[], tx: EntityManager): Promise<void> {
    for (const type of LIFECYCLE) {
      const run = part.filter((e) => e.type === type);
      if (run.length === 1) await this.handle(run[0], tx);
      else if (run.length > 1) await this.writeRun(type, run, tx);
    }
  }

  /** Each run of consecutive events of one kind in one statement (when the kind is written in runs), the others one by one. */
  private async writeRuns(events: StoredEvent[], tx: EntityManager): Promise<void> {
    let i = 0;
    while (i < events.length) {
      const type = events[i].type;
      let j = i + 1;
      while (j < events.length && events[j].type === type) j++;
      const run = events.slice(i, j);
      i = j;
      if (run.length === 1 || !(await this.writeRun(type, run, tx))) for (const event of run) await this.handle(event, tx);
    }
  }

  /** One statement for a run of events of one kind; false when the kind is not written in runs. */
  private async writeRun(type: string, run: StoredEvent[], tx: EntityManager): Promise<boolean> {
    const col = <T>(f: (d: Record<string, unknown>, e: StoredEvent) => T) => run.map((e) => f(e.data as Record<string, unknown>, e));
    const str = (v: unknown) => (v === undefined || v === null ? null : String(v));
    switch (type) {
      case 'AttemptStarted':
        await tx.query(
          `INSERT INTO quiz_attempts (attempt_id, quiz_id, course_id, school_id, learner_id, attempt_number, status, question_ids, started_at, deadline)
           SELECT a, q, c, s, l, n, 'in_progress', qs, at, dl
           FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::uuid[], $6::int[], $7::jsonb[], $8::timestamptz[], $9::timestamptz[]) AS t(a, q, c, s, l, n, qs, at, dl)
           ON CONFLICT (attempt_id) DO NOTHING`,
          [col((d) => d.attemptId), col((d) => d.quizId), col((d) => d.courseId), col((_, e) => e.envelope.schoolId), col((d) => d.learnerId), col((d) => d.attemptNumber), col((d) => json(d.questionIds)), col((d) => d.at), col((d) => str(d.deadline))],
        );
        return true;
      case 'AnswersSaved': {
        // Saves of one attempt merge in log order, as `answers || saved` one after the other would.
        const merged = new Map<string, Record<string, unknown>>();
        for (const e of run) {
          const d = e.data as { attemptId: string; answers: { questionId: string; answer?: unknown }[] };
          const into = merged.get(d.attemptId) ?? {};
          for (const a of d.answers) into[a.questionId] = a.answer ?? null;
          merged.set(d.attemptId, into);
        }
        await tx.query(
          `UPDATE quiz_attempts q SET answers = q.answers || t.saved FROM unnest($1::uuid[], $2::jsonb[]) AS t(a, saved) WHERE q.attempt_id = t.a`,
          [[...merged.keys()], [...merged.values()].map(json)],
        );
        return true;
      }
      case 'AttemptSubmitted':
      case 'AttemptGraded': {
        // One row per attempt: the last event of the run for it wins, as applying them in order would.
        const last = new Map<string, StoredEvent>();
        for (const e of run) last.set(String((e.data as { attemptId: string }).attemptId), e);
        const rows = [...last.values()];
        const c = <T>(f: (d: Record<string, unknown>) => T) => rows.map((e) => f(e.data as Record<string, unknown>));
        if (type === 'AttemptSubmitted') {
          await tx.query(
            `UPDATE quiz_attempts q SET status = 'submitted', submitted_at = t.at, automatic = t.auto, duration_seconds = t.dur
             FROM unnest($1::uuid[], $2::timestamptz[], $3::boolean[], $4::int[]) AS t(a, at, auto, dur) WHERE q.attempt_id = t.a`,
            [c((d) => d.attemptId), c((d) => d.at), c((d) => d.automatic), c((d) => d.durationSeconds)],
          );
        } else {
          await tx.query(
            `UPDATE quiz_attempts q SET results = t.r, total_score = t.ts, total_points = t.tp, grade = t.g, max_grade = t.mg, passed = t.p
             FROM unnest($1::uuid[], $2::jsonb[], $3::float8[], $4::float8[], $5::float8[], $6::float8[], $7::boolean[]) AS t(a, r, ts, tp, g, mg, p) WHERE q.attempt_id = t.a`,
            [c((d) => d.attemptId), c((d) => json(d.questions)), c((d) => d.totalScore), c((d) => d.totalPoints), c((d) => d.grade), c((d) => d.maxGrade), c((d) => d.passed)],
          );
        }
        return true;
      }
      case 'SubmissionGraded': {
        // One row per learner's submission: the last grade of the run wins, as applying them in order would.
        const c = lastPerLearner(run, 'assignmentId');
        await tx.query(
          `INSERT INTO assignment_submissions (assignment_id, learner_id, course_id, school_id, status, grade, max_grade, passed, feedback, graded_by, graded_at)
           SELECT a, l, c, s, 'graded', g, mg, p, f, b, at
           FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::float8[], $6::float8[], $7::boolean[], $8::text[], $9::uuid[], $10::timestamptz[]) AS t(a, l, c, s, g, mg, p, f, b, at)
           ON CONFLICT (assignment_id, learner_id) DO UPDATE SET status = 'graded', grade = EXCLUDED.grade, max_grade = EXCLUDED.max_grade, passed = EXCLUDED.passed,
             feedback = EXCLUDED.feedback, graded_by = EXCLUDED.graded_by, graded_at = EXCLUDED.graded_at`,
          [c((d) => d.assignmentId), c((d) => d.learnerId), c((d) => d.courseId), c((_, e) => e.envelope.schoolId), c((d) => d.grade), c((d) => d.maxGrade), c((d) => d.passed), c((d) => str(d.feedback)), c((d) => d.by), c((d) => d.at)],
        );
        return true;
      }
      case 'OfflineResultRecorded': {
        const c = lastPerLearner(run, 'offlineTestId');
        await tx.query(
          `INSERT INTO offline_results (offline_test_id, learner_id, course_id, school_id, grade, max_grade, passed, feedback, recorded_by, recorded_at)
           SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::float8[], $6::float8[], $7::boolean[], $8::text[], $9::uuid[], $10::timestamptz[])
           ON CONFLICT (offline_test_id, learner_id) DO UPDATE SET grade = EXCLUDED.grade, max_grade = EXCLUDED.max_grade, passed = EXCLUDED.passed,
             feedback = EXCLUDED.feedback, recorded_by = EXCLUDED.recorded_by, recorded_at = EXCLUDED.recorded_at`,
          [c((d) => d.offlineTestId), c((d) => d.learnerId), c((d) => d.courseId), c((_, e) => e.envelope.schoolId), c((d) => d.grade), c((d) => d.maxGrade), c((d) => d.passed), c((d) => str(d.feedback)), c((d) => d.by), c((d) => d.at)],
        );
        return true;
      }
      default:
        return false;
    }
  }

  async reset(tx: EntityManager): Promise<void> {
    for (const table of ['offline_results', 'offline_tests', 'assignment_submissions', 'assignments', 'quiz_attempts', 'quizzes']) await tx.query(`DELETE FROM ${table}`);
  }

  async forgetSubject({ userId, anonymousId }: ErasedSubject, tx: EntityManager): Promise<void> {
    await tx.query(`UPDATE quiz_attempts SET learner_id = $2, answers = '{}' WHERE learner_id = $1`, [userId, anonymousId]);
    await tx.query(`UPDATE assignment_submissions SET learner_id = $2, text = NULL, file_refs = '[]', feedback = NULL WHERE learner_id = $1`, [userId, anonymousId]);
    await tx.query(`UPDATE assignment_submissions SET graded_by = $2 WHERE graded_by = $1`, [userId, anonymousId]);
    await tx.query(`UPDATE offline_results SET learner_id = $2, feedback = NULL WHERE learner_id = $1`, [userId, anonymousId]);
    await tx.query(`UPDATE offline_results SET recorded_by = $2 WHERE recorded_by = $1`, [userId, anonymousId]);
  }
}

/** An attempt's events in the order its life gives them (a save after a submission would not be). */
const LIFECYCLE = ['AttemptStarted', 'AnswersSaved', 'AttemptSubmitted', 'AttemptGraded'];

/** Whether each attempt's events in `part` come in lifecycle order (several saves in a row are in order). */
function inLifecycleOrder(part: StoredEvent[]): boolean {
  const reached = new Map<string, number>();
  for (const e of part) {
    const attempt = String((e.data as { attemptId: string }).attemptId);
    const phase = LIFECYCLE.indexOf(e.type);
    if (phase < (reached.get(attempt) ?? 0)) return false;
    reached.set(attempt, phase);
  }
  return true;
}
