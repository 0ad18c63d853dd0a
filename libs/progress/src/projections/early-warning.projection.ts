/**
 * The facts of the at-risk model, with their times (migration
 * 1734008000100): assessments and due dates, submissions and grades at their
 * occurredAt, enrolment periods, and each school's threshold setting. The class
 * report reads them as of a date. Clear fields only (ids, times, grades).
 * Times are the events' own `at` (what the features' read models record:
 * enrolled_at, submitted_at, graded_at), else the envelope's occurredAt.
 *
 * A batch is written with one multi-row statement per table, in the order of
 * its events (an unenrolment closes the enrolment opened before it, in the same
 * batch or an earlier one).
 */
import type { StoredEvent } from '@learnstream/event-store';
import type { Projection } from '@learnstream/projections';
import { insertRows } from '@learnstream/database';
import type { EntityManager } from 'typeorm';
import { EARLY_WARNING_EVENTS } from '../progress.events';

const HANDLED = [
  'AssignmentCreated',
  'AssignmentUpdated',
  'QuizCreated',
  'QuizSettingsUpdated',
  'OfflineTestCreated',
  'AssignmentSubmitted',
  'SubmissionGraded',
  'AttemptSubmitted',
  'AttemptGraded',
  'OfflineResultRecorded',
  'LearnerEnrolled',
  'LearnerUnenrolled',
  EARLY_WARNING_EVENTS.thresholdSet,
  EARLY_WARNING_EVENTS.modelTrained,
] as const;

type AssessmentRow = { id: string; courseId: string; schoolId: string | null; kind: string; title: string; dueAt: string | null; createdAt: string };
type WorkRow = { eventId: string; courseId: string; schoolId: string | null; assessmentId: string; learnerId: string; kind: 'submitted' | 'graded'; at: string; grade: number | null; maxGrade: number | null; attemptNumber: number | null };

interface Data {
  assignmentId?: string;
  quizId?: string;
  offlineTestId?: string;
  courseId?: string;
  learnerId?: string;
  schoolId?: string;
  title?: string;
  dueAt?: string | null;
  closesAt?: string | null;
  takenOn?: string;
  changes?: { title?: string; dueAt?: string | null; closesAt?: string | null };
  grade?: number;
  maxGrade?: number;
  threshold?: string;
  model?: unknown;
  courses?: number;
  learners?: number;
  by?: string;
  attemptNumber?: number;
  at?: string;
}

const endOfDay = (date: string) => `${date}T23:59:59.000Z`;

export class EarlyWarningProjection implements Projection {
  readonly name = 'progress-early-warning';
  readonly eventTypes = HANDLED;
  readonly readsPersonalData = false;

  handle(event: StoredEvent, tx: EntityManager): Promise<void> {
    return this.handleBatch([event], tx);
  }

  async handleBatch(events: StoredEvent[], tx: EntityManager): Promise<void> {
    const assessments = new Map<string, AssessmentRow>();
    const changes: { id: string; title: string | null; dueAt: string | null; dueChanged: boolean }[] = [];
    const work: WorkRow[] = [];
    const enrolments: { eventId: string; courseId: string; schoolId: string | null; learnerId: string; at: string }[] = [];
    const unenrolments: { courseId: string; learnerId: string; at: string }[] = [];
    const settings = new Map<string, { threshold: string; by: string; at: string }>();
    const models = new Map<string, { model: unknown; courses: number; learners: number; by: string; at: string }>();

    const flush = async () => {
      await this.writeAssessments(tx, [...assessments.values()]);
      assessments.clear();
      for (const c of changes) {
        await tx.query(
          `UPDATE progress_ew_assessments SET title = coalesce($2, title), due_at = CASE WHEN $4 THEN $3::timestamptz ELSE due_at END WHERE assessment_id = $1`,
          [c.id, c.title, c.dueAt, c.dueChanged],
        );
      }
      changes.length = 0;
      await this.writeWork(tx, work);
      work.length = 0;
      await insertRows(
        tx,
        'progress_ew_enrolments',
        { event_id: ['uuid', (e) => e.eventId], course_id: ['uuid', (e) => e.courseId], school_id: ['uuid', (e) => e.schoolId], learner_id: ['uuid', (e) => e.learnerId], enrolled_at: ['timestamptz', (e) => e.at] },
        enrolments,
        'ON CONFLICT (event_id) DO NOTHING',
      );
      enrolments.length = 0;
      for (const u of unenrolments) {
        await tx.query(
          `UPDATE progress_ew_enrolments SET unenrolled_at = $3 WHERE event_id = (
             SELECT event_id FROM progress_ew_enrolments WHERE course_id = $1 AND learner_id = $2 AND unenrolled_at IS NULL ORDER BY enrolled_at DESC LIMIT 1)`,
          [u.courseId, u.learnerId, u.at],
        );
      }
      unenrolments.length = 0;
      for (const [schoolId, s] of settings) {
        await tx.query(
          `INSERT INTO progress_ew_settings (school_id, threshold, set_by, set_at) VALUES ($1, $2, $3, $4)
           ON CONFLICT (school_id) DO UPDATE SET threshold = EXCLUDED.threshold, set_by = EXCLUDED.set_by, set_at = EXCLUDED.set_at`,
          [schoolId, s.threshold, s.by, s.at],
        );
      }
      settings.clear();
      for (const [schoolId, m] of models) {
        await tx.query(
          `INSERT INTO progress_ew_models (school_id, model, courses, learners, trained_by, trained_at) VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (school_id) DO UPDATE SET model = EXCLUDED.model, courses = EXCLUDED.courses, learners = EXCLUDED.learners, trained_by = EXCLUDED.trained_by, trained_at = EXCLUDED.trained_at`,
          [schoolId, JSON.stringify(m.model), m.courses, m.learners, m.by, m.at],
        );
      }
      models.clear();
    };

    for (const event of events) {
      const d = event.data as Data;
      // The time the feature itself records (data.at, as its own read models do), else when the event happened.
      const at = d.at ?? event.envelope.occurredAt;
      const schoolId = event.envelope.schoolId;
      const courseId = d.courseId ?? event.envelope.courseId;
      switch (event.type as (typeof HANDLED)[number]) {
        case 'AssignmentCreated':
          assessments.set(d.assignmentId!, { id: d.assignmentId!, courseId: courseId!, schoolId, kind: 'assignment', title: d.title!, dueAt: d.dueAt ?? null, createdAt: at });
          break;
        case 'QuizCreated':
          assessments.set(d.quizId!, { id: d.quizId!, courseId: courseId!, schoolId, kind: 'quiz', title: d.title!, dueAt: d.closesAt ?? null, createdAt: at });
          break;
        case 'OfflineTestCreated':
          assessments.set(d.offlineTestId!, { id: d.offlineTestId!, courseId: courseId!, schoolId, kind: 'offline_test', title: d.title!, dueAt: endOfDay(d.takenOn!), createdAt: at });
          break;
        case 'AssignmentUpdated':
        case 'QuizSettingsUpdated': {
          const id = d.assignmentId ?? d.quizId!;
          const c = d.changes ?? {};
          const due = event.type === 'AssignmentUpdated' ? c.dueAt : c.closesAt;
          const pending = assessments.get(id);
          if (pending) {
            // Created in this batch: change the row before it is written.
            assessments.set(id, { ...pending, title: c.title ?? pending.title, dueAt: due === undefined ? pending.dueAt : due });
          } else {
            changes.push({ id, title: c.title ?? null, dueAt: due ?? null, dueChanged: due !== undefined });
          }
          break;
        }
        case 'AssignmentSubmitted':
        case 'AttemptSubmitted':
          work.push({ eventId: event.id, courseId: courseId!, schoolId, assessmentId: d.assignmentId ?? d.quizId!, learnerId: d.learnerId!, kind: 'submitted', at, grade: null, maxGrade: null, attemptNumber: d.attemptNumber ?? null });
          break;
        case 'SubmissionGraded':
        case 'AttemptGraded':
        case 'OfflineResultRecorded':
          work.push({
            eventId: event.id,
            courseId: courseId!,
            schoolId,
            assessmentId: d.assignmentId ?? d.quizId ?? d.offlineTestId!,
            learnerId: d.learnerId!,
            kind: 'graded',
            at,
            grade: d.grade!,
            maxGrade: d.maxGrade!,
            attemptNumber: d.attemptNumber ?? null,
          });
          break;
        case 'LearnerEnrolled':
          if (unenrolments.length) await flush(); // keep the order: an unenrolment pending closes an earlier enrolment
          enrolments.push({ eventId: event.id, courseId: courseId!, schoolId, learnerId: d.learnerId!, at });
          break;
        case 'LearnerUnenrolled':
          if (enrolments.length) await flush();
          unenrolments.push({ courseId: courseId!, learnerId: d.learnerId!, at });
          break;
        case EARLY_WARNING_EVENTS.thresholdSet:
          settings.set(d.schoolId!, { threshold: d.threshold!, by: d.by!, at });
          break;
        case EARLY_WARNING_EVENTS.modelTrained:
          models.set(d.schoolId!, { model: d.model, courses: d.courses!, learners: d.learners!, by: d.by!, at });
          break;
      }
    }
    await flush();
  }

  private async writeAssessments(tx: EntityManager, rows: AssessmentRow[]): Promise<void> {
    await insertRows(
      tx,
      'progress_ew_assessments',
      {
        assessment_id: ['uuid', (r) => r.id],
        course_id: ['uuid', (r) => r.courseId],
        school_id: ['uuid', (r) => r.schoolId],
        kind: ['text', (r) => r.kind],
        title: ['text', (r) => r.title],
        due_at: ['timestamptz', (r) => r.dueAt],
        created_at: ['timestamptz', (r) => r.createdAt],
      },
      rows,
      'ON CONFLICT (assessment_id) DO NOTHING',
    );
  }

  private async writeWork(tx: EntityManager, rows: WorkRow[]): Promise<void> {
    await insertRows(
      tx,
      'progress_ew_work',
      {
        event_id: ['uuid', (r) => r.eventId],
        course_id: ['uuid', (r) => r.courseId],
        school_id: ['uuid', (r) => r.schoolId],
        assessment_id: ['uuid', (r) => r.assessmentId],
        learner_id: ['uuid', (r) => r.learnerId],
        kind: ['text', (r) => r.kind],
        at: ['timestamptz', (r) => r.at],
        grade: ['float8', (r) => r.grade],
        max_grade: ['float8', (r) => r.maxGrade],
        attempt_number: ['int', (r) => r.attemptNumber],
      },
      rows,
      'ON CONFLICT (event_id) DO NOTHING',
    );
  }

  async reset(tx: EntityManager): Promise<void> {
    await tx.query('TRUNCATE progress_ew_assessments, progress_ew_work, progress_ew_enrolments, progress_ew_settings, progress_ew_models');
  }

  /** Erasure: the person's submissions, grades and enrolments go (a class's ranks are then computed without them). */
  async forgetSubject({ userId }: { userId: string }, tx: EntityManager): Promise<void> {
    await tx.query('DELETE FROM progress_ew_work WHERE learner_id = $1', [userId]);
    await tx.query('DELETE FROM progress_ew_enrolments WHERE learner_id = $1', [userId]);
  }
}
