/**
 * Imports a Moodle course's gradebook export (plain text / CSV): columns
 * "First name", "Last name", "ID number", "Institution", "Department",
 * "Email address", then one column per grade item ("Quiz: Name (Real)", …),
 * "Course total (Real)" and "Last downloaded from this course".
 *
 *   items     each item with a Real (else Percentage) column becomes a manual
 *             grade item of the course's gradebook ("Quiz: Name"), with the
 *             maximum the mapping file gives (gradeItems), else 100; its id is
 *             derived from the course and the name, so a second import finds it.
 *             Course and category totals are not imported: Learnstream
 *             computes them. Letter-only and feedback columns are skipped.
 *   learners  the mapping file's "learners" (by email or ID number), else the
 *             course's enrolled learner with that email address. Names,
 *             institution and department are read for nothing and stored nowhere.
 *   grades    "-" or empty is no grade; a Percentage column's value is scaled
 *             to the item's maximum. Grades are recorded with the grades
 *             feature's decider (RecordGrade, source manual): a grade the
 *             learner already has records nothing, one out of range is refused.
 *
 * One append to the gradebook stream, with the loaded revision (decided again
 * on a concurrent change); the importer needs course.edit, or school.manage of
 * the course's school.
 */
import { Inject, Injectable } from '@nestjs/common';
import { AccessPolicy, envelopeFor, ForbiddenError, type Actor, type EnvelopeFields } from '@learnstream/access';
import { PG_POOL, retryOnConflict } from '@learnstream/core/headless';
import { retryTransient } from '@learnstream/database';
import { DomainError, uuidV5, Clock } from '@learnstream/domain';
import { EventLog, type NewEvent } from '@learnstream/event-store';
import { gradebook, gradebookStreamId, type GradebookCommand, type GradebookEvent, type GradebookState } from '@learnstream/grades/headless';
import type pg from 'pg';
import { readLogFile } from './log-files';
import { ImporterActor } from './importer-actor';
import { EMPTY_MAPPING, type MappingFile } from './mapping-file';
import { IMPORT_NAMESPACE } from './moodle-log';

export interface MoodleGradesImportOptions {
  file: string;
  courseId: string;
  mapping?: MappingFile;
  as?: string;
}

export interface MoodleGradesImportSummary {
  file: string;
  courseId: string;
  rows: number;
  items: { name: string; itemId: string; maxGrade: number; created: boolean }[];
  grades: { recorded: number; unchanged: number };
  /** Rows, columns and cells not imported, by reason. */
  skipped: Record<string, number>;
}

interface GradeColumn {
  index: number;
  name: string;
  display: 'Real' | 'Percentage';
}

const DEFAULT_MAX_GRADE = 100;
const COLUMN = /^(.*\S)\s*\((Real|Percentage|Letter|Range|Feedback)\)$/i;

export const importedGradeItemId = (courseId: string, name: string) => uuidV5(`moodle-grade-item:${courseId}:${name}`, IMPORT_NAMESPACE);

function verbOf(event: GradebookEvent): Pick<EnvelopeFields, 'action' | 'crud' | 'object' | 'relatedUserId'> {
  switch (event.type) {
    case 'GradebookSetUp':
      return { action: 'created', crud: 'c', object: { type: 'gradebook', id: event.data.courseId } };
    case 'GradeItemAdded':
      return { action: 'created', crud: 'c', object: { type: 'grade_item', id: event.data.itemId } };
    case 'GradeRecorded':
      return { action: 'graded', crud: 'u', object: { type: 'grade_item', id: event.data.itemId }, relatedUserId: event.data.learnerId };
    default:
      return { action: 'updated', crud: 'u', object: { type: 'gradebook', id: event.data.courseId } };
  }
}

/** A cell as a number of points out of `max`, or why not. */
export function gradeOf(cell: string, display: 'Real' | 'Percentage', max: number): number | 'no_grade' | 'not_a_number' {
  const text = cell.trim().replace(/\s*%$/, '');
  if (text === '' || text === '-') return 'no_grade';
  const normal = /^-?\d+,\d+$/.test(text) ? text.replace(',', '.') : text;
  if (!/^-?\d+(\.\d+)?$/.test(normal)) return 'not_a_number';
  const value = Number(normal);
  return display === 'Percentage' ? Math.round((value / 100) * max * 1e5) / 1e5 : value;
}

@Injectable()
export class MoodleGradesImporter {
  constructor(
    private readonly clock: Clock,
    private readonly log: EventLog,
    private readonly policy: AccessPolicy,
    private readonly importers: ImporterActor,
    @Inject(PG_POOL) private readonly pool: pg.Pool,
  ) {}

  async import(options: MoodleGradesImportOptions): Promise<MoodleGradesImportSummary> {
    const mapping = options.mapping ?? EMPTY_MAPPING;
    const courseId = options.courseId.toLowerCase();
    const importer = await this.importers.resolve(options.as);
    const course = await this.policy.course(courseId);
    if (!course.exists) throw new DomainError('not_found', 'COURSE_NOT_FOUND', `no course ${courseId}`);
    const allowed =
      (await this.policy.can(importer, { action: 'course.edit', courseId })) ||
      (course.schoolId !== null && (await this.policy.can(importer, { action: 'school.manage', schoolId: course.schoolId })));
    if (!allowed) throw new ForbiddenError(`you may not import grades into course ${courseId}`);

    const skipped: Record<string, number> = {};
    const skip = (reason: string, n = 1) => (skipped[reason] = (skipped[reason] ?? 0) + n);
    const records: string[][] = [];
    for await (const record of readLogFile(options.file)) if (!record.error) records.push(record.fields);
    const [header, ...rows] = records;
    if (!header) throw new DomainError('invalid', 'IMPORT_INVALID', 'the gradebook export is empty');
    const at = (name: string) => header.findIndex((h) => h.trim().toLowerCase() === name);
    const emailAt = at('email address');
    const idNumberAt = at('id number');
    if (emailAt < 0 && idNumberAt < 0) throw new DomainError('invalid', 'IMPORT_INVALID', 'the gradebook export has neither an "Email address" nor an "ID number" column');

    // Grade columns: Real preferred, else Percentage; totals are computed here, not imported.
    const columns = new Map<string, GradeColumn>();
    header.forEach((title, index) => {
      const m = COLUMN.exec(title.trim());
      if (!m) return;
      const [, name, kind] = m;
      const display = (kind[0].toUpperCase() + kind.slice(1).toLowerCase()) as 'Real' | 'Percentage' | 'Letter' | 'Range' | 'Feedback';
      if (/^(course|category) total$/i.test(name) || / total$/i.test(name)) return skip('total_column');
      if (display !== 'Real' && display !== 'Percentage') return skip(`${display.toLowerCase()}_column`);
      const known = columns.get(name);
      if (!known || (known.display === 'Percentage' && display === 'Real')) columns.set(name, { index, name, display });
    });
    if (!columns.size) throw new DomainError('invalid', 'IMPORT_INVALID', 'the gradebook export has no grade item column ("Name (Real)" or "Name (Percentage)")');

    // Learners: the mapping's, else the course's enrolled learners by email address.
    const { rows: enrolled } = await this.pool.query(
      `SELECT e.learner_id, lower(a.email) AS email, e.status FROM course_enrolments e LEFT JOIN accounts a ON a.user_id = e.learner_id WHERE e.course_id = $1`,
      [courseId],
    );
    const active = new Set<string>(enrolled.filter((r) => r.status === 'active').map((r) => r.learner_id));
    const byEmail = new Map<string, string>(enrolled.filter((r) => r.email && r.status === 'active').map((r) => [r.email, r.learner_id]));
    const learnerOf = (row: string[]): string | 'learner_not_found' | 'not_enrolled' => {
      const email = emailAt >= 0 ? row[emailAt]?.trim() : '';
      const idNumber = idNumberAt >= 0 ? row[idNumberAt]?.trim() : '';
      const mapped = (email && mapping.learners[email]) || (email && mapping.learners[email.toLowerCase()]) || (idNumber && mapping.learners[idNumber]);
      if (mapped) return active.has(mapped) ? mapped : 'not_enrolled';
      return (email && byEmail.get(email.toLowerCase())) || 'learner_not_found';
    };

    const now = this.clock.nowIso();
    const items = [...columns.values()].map((c) => ({ ...c, itemId: importedGradeItemId(courseId, c.name), maxGrade: mapping.gradeItems[c.name]?.maxGrade ?? DEFAULT_MAX_GRADE }));
    const grades: { learnerId: string; itemId: string; grade: number }[] = [];
    let rowCount = 0;
    for (const row of rows) {
      rowCount++;
      const learner = learnerOf(row);
      if (learner === 'learner_not_found' || learner === 'not_enrolled') {
        skip(learner);
        continue;
      }
      for (const item of items) {
        const grade = gradeOf(row[item.index] ?? '', item.display, item.maxGrade);
        if (typeof grade === 'number') grades.push({ learnerId: learner, itemId: item.itemId, grade });
        else skip(grade);
      }
    }

    // Decided on the gradebook as read, appended with its revision: tried again on a conflict, and while
    // the database is unavailable (a retry re-reads the gradebook, so a grade already recorded stays unchanged).
    const outcome = await retryTransient(() => retryOnConflict(async () => {
      const streamId = gradebookStreamId(courseId);
      const { state, revision } = await this.log.aggregate<GradebookState>(streamId, gradebook.initialState(), (s, e) => gradebook.evolve(s, { type: e.type, data: e.data } as unknown as GradebookEvent));
      let current = state;
      const events: GradebookEvent[] = [];
      const outcome = { created: new Set<string>(), recorded: 0, unchanged: 0, refused: {} as Record<string, number> };
      const decide = (command: GradebookCommand): GradebookEvent[] => {
        const decided = gradebook.decide(command, current);
        current = decided.reduce(gradebook.evolve, current);
        events.push(...decided);
        return decided;
      };
      const by = { courseId, by: importer.userId, now };
      if (current.courseId === null) decide({ type: 'SetUpGradebook', ...by });
      for (const item of items) {
        if (current.items.has(item.itemId)) continue;
        decide({ type: 'AddGradeItem', ...by, itemId: item.itemId, name: item.name, source: { kind: 'manual' }, categoryId: null, maxGrade: item.maxGrade, weight: 1 });
        outcome.created.add(item.itemId);
      }
      for (const g of grades) {
        try {
          const decided = decide({ type: 'RecordGrade', courseId, itemId: g.itemId, learnerId: g.learnerId, grade: g.grade, source: 'manual', by: importer.userId, now, enrolled: true });
          if (decided.length) outcome.recorded++;
          else outcome.unchanged++;
        } catch (error) {
          if (!(error instanceof DomainError)) throw error;
          outcome.refused[error.code] = (outcome.refused[error.code] ?? 0) + 1;
        }
      }
      if (events.length) {
        await this.log.append(streamId, events.map((e) => this.toNewEvent(importer, e, course.schoolId, courseId)), { expectedRevision: revision ?? 'no_stream' });
      }
      return { ...outcome, state: current };
    }), { maxWaitMs: 60_000 });
    for (const [code, n] of Object.entries(outcome.refused)) skip(code.toLowerCase(), n);
    return {
      file: options.file,
      courseId,
      rows: rowCount,
      items: items.map((i) => ({ name: i.name, itemId: i.itemId, maxGrade: outcome.state.items.get(i.itemId)?.maxGrade ?? i.maxGrade, created: outcome.created.has(i.itemId) })),
      grades: { recorded: outcome.recorded, unchanged: outcome.unchanged },
      skipped,
    };
  }

  private toNewEvent(importer: Actor, event: GradebookEvent, schoolId: string | null, courseId: string): NewEvent {
    const envelope = envelopeFor(importer, { relatedUserId: null, ...verbOf(event), courseId, schoolId, origin: 'import' });
    return { type: event.type, data: event.data as unknown as Record<string, unknown>, envelope: { ...envelope, correlationId: `moodle-grades:${courseId}` } };
  }
}
