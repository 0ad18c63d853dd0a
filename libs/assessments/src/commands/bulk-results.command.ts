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
 *   fast        one query for the enrolments; an offline test's results are
 *               one append to its stream, an assignment's grades one atomic
 *               append over the learners' submission streams
 */
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AccessPolicy, HistoricTime, occurredAtProblems, wasEnrolledAt, type Actor } from '@learnstream/access';
import { retryOnConflict } from '@learnstream/core';
import { DomainError } from '@learnstream/domain';
import { personal } from '@learnstream/personal-data';
import { comparePositions, type NewAppend } from '@learnstream/event-store';
import { AssessmentsRepository } from '../assessments.repository';
import { submissionDecider, type SubmissionState } from '../assignment-submission';
import type { AssessmentEvent } from '../new-events';
import { toNewEvents } from '../new-events';
import { offlineTestDecider, type OfflineTestState } from '../offline-test';
import { assignmentSubmissionStreamId, offlineTestStreamId } from '../streams';
import { existingAssignment } from './create-assignment.command';

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

/** One row's checks that need no stream: a learner named once, a time within bounds, enrolled then. */
interface RowCheck {
  courseId: string;
  createdAt: Date | null;
  now: Date;
  enrolments: Awaited<ReturnType<AccessPolicy['enrolmentsOf']>>;
}

function precheck(rows: BulkResultRow[], check: RowCheck): { at: string[]; refused: Map<number, BulkResultRowResult> } {
  const refused = new Map<number, BulkResultRowResult>();
  const seen = new Set<string>();
  const at = rows.map((row, index) => {
    const time = row.occurredAt === undefined ? check.now.toISOString() : new Date(row.occurredAt).toISOString();
    const refuse = (code: string, message: string) => refused.set(index, { row: index, learnerId: row.learnerId, status: 'refused', code, message });
    if (seen.has(row.learnerId)) refuse('DUPLICATE_ROW', `learner ${row.learnerId} is in the upload more than once`);
    seen.add(row.learnerId);
    const [bad] = row.occurredAt === undefined ? [] : occurredAtProblems(row.occurredAt, check.now, check.createdAt);
    if (bad && !refused.has(index)) refuse(bad.code, bad.message);
    if (!refused.has(index) && !wasEnrolledAt(check.enrolments.get(row.learnerId), time)) refuse('NOT_ENROLLED', `learner ${row.learnerId} was not enrolled in the course at ${time}`);
    return time;
  });
  return { at, refused };
}

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
    private readonly policy: AccessPolicy,
    private readonly repo: AssessmentsRepository,
    private readonly time: HistoricTime,
  ) {}

  async execute({ actor, offlineTestId, rows, mode }: BulkRecordOfflineResultsCommand): Promise<BulkResultsOutcome> {
    const streamId = offlineTestStreamId(offlineTestId);
    const { state: loaded } = await this.repo.load(streamId, offlineTestDecider);
    if (loaded.status === 'none') throw new DomainError('not_found', 'OFFLINE_TEST_NOT_FOUND', `no offline test ${offlineTestId}`);
    const { courseId } = loaded;
    await this.policy.require(actor, { action: 'course.teach', courseId });
    const course = await this.repo.course(courseId);
    const historic = rows.some((r) => r.occurredAt !== undefined);
    if (historic) await this.time.requireImport(actor, course.schoolId);
    const facts = await this.policy.course(courseId);
    const enrolments = await this.policy.enrolmentsOf(courseId, [...new Set(rows.map((r) => r.learnerId))]);
    return retryOnConflict(async () => {
      const { state, revision } = await this.repo.load(streamId, offlineTestDecider);
      const { at, refused } = precheck(rows, { courseId, createdAt: facts.createdAt, now: this.time.now(), enrolments });
      let current: OfflineTestState = state;
      const events: AssessmentEvent[] = [];
      const results = rows.map((row, index): BulkResultRowResult => {
        const { learnerId } = row;
        if (refused.has(index)) return refused.get(index)!;
        if (current.status === 'created' && current.grades[learnerId] === row.grade) return { row: index, learnerId, status: 'unchanged' };
        try {
          const feedback = row.feedback == null ? undefined : personal(learnerId, row.feedback);
          const decided = offlineTestDecider.decide({ type: 'RecordOfflineResult', offlineTestId, learnerId, grade: row.grade, feedback, by: actor.userId, now: at[index], enrolled: true }, current);
          current = decided.reduce(offlineTestDecider.evolve, current);
          events.push(...decided);
          return { row: index, learnerId, status: 'recorded' };
        } catch (error) {
          return refusalOf(index, learnerId, error);
        }
      });
      const done = outcome(rows, results, mode);
      if (events.length) {
        const result = await this.repo.log.append(streamId, toNewEvents(actor, events, course.schoolId, historic ? 'import' : undefined), { expectedRevision: revision ?? 'no_stream' });
        await this.repo.settle(result.position);
      }
      return done;
    });
  }
}

@CommandHandler(BulkGradeSubmissionsCommand)
export class BulkGradeSubmissionsHandler implements ICommandHandler<BulkGradeSubmissionsCommand> {
  constructor(
    private readonly policy: AccessPolicy,
    private readonly repo: AssessmentsRepository,
    private readonly time: HistoricTime,
  ) {}

  async execute({ actor, assignmentId, rows, mode }: BulkGradeSubmissionsCommand): Promise<BulkResultsOutcome> {
    const assignment = await existingAssignment(this.repo, assignmentId);
    const { courseId } = assignment;
    await this.policy.require(actor, { action: 'course.teach', courseId });
    const course = await this.repo.course(courseId);
    const historic = rows.some((r) => r.occurredAt !== undefined);
    if (historic) await this.time.requireImport(actor, course.schoolId);
    const facts = await this.policy.course(courseId);
    const learnerIds = [...new Set(rows.map((r) => r.learnerId))];
    const enrolments = await this.policy.enrolmentsOf(courseId, learnerIds);
    const { maxGrade, passGrade } = assignment.settings;
    return retryOnConflict(async () => {
      const { at, refused } = precheck(rows, { courseId, createdAt: facts.createdAt, now: this.time.now(), enrolments });
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
            { type: 'GradeSubmission', assignmentId, learnerId, courseId, grade: row.grade, feedback, by: actor.userId, now: at[index], enrolled: true, maxGrade, passGrade },
            state,
          );
          appends.push({ streamId, events: toNewEvents(actor, events, course.schoolId, historic ? 'import' : undefined), expectedRevision: revision ?? 'no_stream' });
          return { row: index, learnerId, status: 'recorded' };
        } catch (error) {
          return refusalOf(index, learnerId, error);
        }
      });
      const done = outcome(rows, results, mode);
      if (appends.length) {
        const written = await this.repo.log.appendBatch(appends);
        await this.repo.settle(written.map((w) => w.position).reduce((a, b) => (comparePositions(a, b) >= 0 ? a : b)));
      }
      return done;
    });
  }
}
