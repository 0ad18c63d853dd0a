/**
 * Bulk results and grades, in the style of Moodle's grade import: many
 * learners' results of one offline test, or grades of one assignment, in one
 * request.
 *
 *   rows        { learnerId, grade, feedback?, occurredAt? } (occurredAt: the
 *               import permission, historic-time.ts)
 *   idempotent  a learner whose current grade is the row's grade is
 *               `unchanged` and nothing is recorded: the same upload sent
 *               again records nothing
 *   enrolment   a learner must have been enrolled at the row's time (a learner
 *               who has since left counts for the time they were in)
 *   validated   every row is checked and decided first; mode `all_or_nothing`
 *               (default) refuses the upload with 400 BULK_REJECTED and each
 *               refused row in `details`; `per_row` records the good rows
 *   fast        one query for the enrolments (grading-context.ts, shared with
 *               the single-learner handlers); an offline test's results are
 *               one append to its stream, an assignment's grades one atomic
 *               append over the learners' submission streams; the inline read
 *               models are written in that append's transaction, and the
 *               answer does not wait for the reports (asynchronous: they catch
 *               up, GET /admin/projections shows how far)
 */
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { Actor } from '@learnstream/access';
import { retryOnConflict } from '@learnstream/core';
import { DomainError } from '@learnstream/domain';
import { personal } from '@learnstream/personal-data';
import type { NewAppend } from '@learnstream/event-store';
import { AssessmentsRepository } from '../assessments.repository';
import { submissionDecider, type SubmissionState } from '../assignment-submission';
import type { AssessmentEvent } from '../new-events';
import { toNewEvents } from '../new-events';
import { offlineTestDecider } from '../offline-test';
import { assignmentSubmissionStreamId, offlineTestStreamId } from '../streams';
import { existingAssignment } from './create-assignment.command';
import { existingOfflineTestFromRows, Grading, type GradingContext } from './grading-context';

export type BulkMode = 'all_or_nothing' | 'per_row';

export interface BulkResultRow {
  learnerId: string;
  grade: number;
  feedback?: string | null;
  occurredAt?: string;
}

export type BulkResultStatus = 'recorded' | 'unchanged' | 'refused';

export interface BulkResultRowResult {
  row: number;
  learnerId: string;
  status: BulkResultStatus;
  code?: string;
  message?: string;
}

export interface BulkResultsOutcome {
  recorded: number;
  unchanged: number;
  refused: number;
  results: BulkResultRowResult[];
}

export class BulkRecordOfflineResultsCommand extends Command<BulkResultsOutcome> {
  constructor(
    readonly actor: Actor,
    readonly offlineTestId: string,
    readonly rows: BulkResultRow[],
    readonly mode: BulkMode = 'all_or_nothing',
  ) {
    super();
  }
}

export class BulkGradeSubmissionsCommand extends Command<BulkResultsOutcome> {
  constructor(
    readonly actor: Actor,
    readonly assignmentId: string,
    readonly rows: BulkResultRow[],
    readonly mode: BulkMode = 'all_or_nothing',
  ) {
    super();
  }
}

/** Rows refused before any decision: a learner named twice, a bad time, not enrolled then. */
function refusals(rows: BulkResultRow[], context: GradingContext): Map<number, BulkResultRowResult> {
  const refused = new Map<number, BulkResultRowResult>();
  const seen = new Set<string>();
  rows.forEach((row, index) => {
    const refuse = (code: string, message: string) => refused.set(index, { row: index, learnerId: row.learnerId, status: 'refused', code, message });
    const time = context.rows[index];
    if (seen.has(row.learnerId)) refuse('DUPLICATE_ROW', `learner ${row.learnerId} is in the upload more than once`);
    else if (time.problem) refuse(time.problem.code, time.problem.message);
    else if (!time.enrolled) refuse('NOT_ENROLLED', `learner ${row.learnerId} was not enrolled in the course at ${time.at}`);
    seen.add(row.learnerId);
  });
  return refused;
}

/** The time of a row that passed refusals(). */
const timeOf = (context: GradingContext, index: number): string => (context.rows[index] as { at: string }).at;

function outcome(rows: BulkResultRow[], results: BulkResultRowResult[], mode: BulkMode): BulkResultsOutcome {
  const refused = results.filter((r) => r.status === 'refused');
  if (mode === 'all_or_nothing' && refused.length) {
    throw new DomainError('invalid', 'BULK_REJECTED', `${refused.length} of ${rows.length} rows cannot be recorded: nothing was recorded`, refused);
  }
  const count = (status: BulkResultStatus) => results.filter((r) => r.status === status).length;
  return { recorded: count('recorded'), unchanged: count('unchanged'), refused: refused.length, results };
}

const refusalOf = (row: number, learnerId: string, error: unknown): BulkResultRowResult => {
  if (!(error instanceof DomainError)) throw error;
  return { row, learnerId, status: 'refused', code: error.code, message: error.message };
};

@CommandHandler(BulkRecordOfflineResultsCommand)
export class BulkRecordOfflineResultsHandler implements ICommandHandler<BulkRecordOfflineResultsCommand> {
  constructor(
    private readonly grading: Grading,
    private readonly repo: AssessmentsRepository,
  ) {}

  async execute({ actor, offlineTestId, rows, mode }: BulkRecordOfflineResultsCommand): Promise<BulkResultsOutcome> {
    const learnerIds = [...new Set(rows.map((r) => r.learnerId))];
    let loaded: Awaited<ReturnType<typeof existingOfflineTestFromRows>> | null = await existingOfflineTestFromRows(this.repo, offlineTestId, learnerIds);
    const context = await this.grading.context(actor, loaded.state.courseId, rows);
    const refused = refusals(rows, context);
    return retryOnConflict(async () => {
      const { state, revision } = loaded ?? (await existingOfflineTestFromRows(this.repo, offlineTestId, learnerIds));
      loaded = null;
      const events: AssessmentEvent[] = [];
      // Each learner is in the upload once (refusals): each row is decided on the loaded state.
      const results = rows.map((row, index): BulkResultRowResult => {
        const { learnerId } = row;
        if (refused.has(index)) return refused.get(index)!;
        if (state.grades[learnerId] === row.grade) return { row: index, learnerId, status: 'unchanged' };
        try {
          const feedback = row.feedback == null ? undefined : personal(learnerId, row.feedback);
          events.push(...offlineTestDecider.decide({ type: 'RecordOfflineResult', offlineTestId, learnerId, grade: row.grade, feedback, by: actor.userId, now: timeOf(context, index), enrolled: true }, state));
          return { row: index, learnerId, status: 'recorded' };
        } catch (error) {
          return refusalOf(index, learnerId, error);
        }
      });
      const done = outcome(rows, results, mode);
      // The inline read models are written in the append's transaction; the reports catch up on their own.
      if (events.length) await this.repo.log.append(offlineTestStreamId(offlineTestId), toNewEvents(actor, events, context.schoolId, context.origin), { expectedRevision: revision ?? 'no_stream' });
      return done;
    });
  }
}

@CommandHandler(BulkGradeSubmissionsCommand)
export class BulkGradeSubmissionsHandler implements ICommandHandler<BulkGradeSubmissionsCommand> {
  constructor(
    private readonly grading: Grading,
    private readonly repo: AssessmentsRepository,
  ) {}

  async execute({ actor, assignmentId, rows, mode }: BulkGradeSubmissionsCommand): Promise<BulkResultsOutcome> {
    const assignment = await existingAssignment(this.repo, assignmentId);
    const { courseId } = assignment;
    const context = await this.grading.context(actor, courseId, rows);
    const refused = refusals(rows, context);
    const learnerIds = [...new Set(rows.map((r) => r.learnerId))];
    const { maxGrade, passGrade } = assignment.settings;
    return retryOnConflict(async () => {
      const streams = await this.repo.submissionStates(assignmentId, learnerIds);
      const appends: NewAppend[] = [];
      const results = rows.map((row, index): BulkResultRowResult => {
        const { learnerId } = row;
        if (refused.has(index)) return refused.get(index)!;
        const streamId = assignmentSubmissionStreamId(assignmentId, learnerId);
        const { state, revision } = streams.get(learnerId) ?? { state: submissionDecider.initialState() as SubmissionState, revision: null };
        if (state.grade === row.grade) return { row: index, learnerId, status: 'unchanged' };
        try {
          const feedback = row.feedback == null ? undefined : personal(learnerId, row.feedback);
          const events = submissionDecider.decide(
            { type: 'GradeSubmission', assignmentId, learnerId, courseId, grade: row.grade, feedback, by: actor.userId, now: timeOf(context, index), enrolled: true, maxGrade, passGrade },
            state,
          );
          appends.push({ streamId, events: toNewEvents(actor, events, context.schoolId, context.origin), expectedRevision: revision ?? 'no_stream' });
          return { row: index, learnerId, status: 'recorded' };
        } catch (error) {
          return refusalOf(index, learnerId, error);
        }
      });
      const done = outcome(rows, results, mode);
      // The inline read models are written in the append's transaction; the reports catch up on their own.
      if (appends.length) await this.repo.log.appendBatch(appends);
      return done;
    });
  }
}
