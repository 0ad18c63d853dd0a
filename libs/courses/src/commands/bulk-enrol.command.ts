/**
 * Bulk enrolment, in the style of Moodle's upload of enrolments: many
 * learners at once, each row with its own dates.
 *
 *   rows         { learnerId, occurredAt?, startsAt?, endsAt?, unenrolledAt? }:
 *                `occurredAt` when they were enrolled, `unenrolledAt` when they
 *                left (history: the import permission, historic-time.ts);
 *                `startsAt`/`endsAt` their own period
 *   idempotent   a learner enrolled already is `already_enrolled` and nothing is
 *                recorded for them; the same upload sent again records nothing
 *   validated    every row is checked and decided before anything is written:
 *                mode `all_or_nothing` refuses the whole upload (400
 *                BULK_REJECTED, every row's problem in `details`) when one row
 *                is refused; mode `per_row` (the default of the older
 *                `learnerIds` form) records the good rows and reports the others
 *   fast         the learners are checked in one query, and every enrolment
 *                stream is appended in one atomic append (a concurrent change
 *                to one of them decides the upload again)
 */
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AccessPolicy, HistoricTime, occurredAtProblems, type Actor } from '@learnstream/access';
import { retryOnConflict } from '@learnstream/core';
import { DomainError } from '@learnstream/domain';
import type { NewEvent } from '@learnstream/event-store';
import { courseArchived } from '../course.errors';
import { CoursesRepository } from '../courses.repository';
import { enrolmentDecider, enrolmentStreamId, initialEnrolmentState, type EnrolmentState } from '../enrolment';
import type { EnrolmentEvent } from '../enrolment.events';
import { toNewEvents } from '../new-events';

export type BulkMode = 'all_or_nothing' | 'per_row';

export interface BulkEnrolmentRow {
  learnerId: string;
  occurredAt?: string;
  startsAt?: string;
  endsAt?: string;
  unenrolledAt?: string;
}

export class BulkEnrolLearnersCommand {
  constructor(
    readonly actor: Actor,
    readonly courseId: string,
    readonly rows: BulkEnrolmentRow[],
    readonly mode: BulkMode = 'per_row',
  ) {}
}

export type BulkEnrolmentStatus = 'enrolled' | 'already_enrolled' | 'refused';

export interface BulkEnrolmentRowResult {
  /** Position of the row in the upload (from 0). */
  row: number;
  learnerId: string;
  status: BulkEnrolmentStatus;
  /** Also unenrolled (the row's unenrolledAt). */
  unenrolled?: boolean;
  code?: string;
  message?: string;
}

export interface BulkEnrolmentResult {
  courseId: string;
  enrolled: number;
  alreadyEnrolled: number;
  refused: number;
  results: BulkEnrolmentRowResult[];
}

/** How many existing enrolment streams are read at once. */
const READ_CONCURRENCY = 8;

const refusal = (code: string, message: string) => ({ status: 'refused' as const, code, message });

@CommandHandler(BulkEnrolLearnersCommand)
export class BulkEnrolLearnersHandler implements ICommandHandler<BulkEnrolLearnersCommand, BulkEnrolmentResult> {
  constructor(
    private readonly policy: AccessPolicy,
    private readonly courses: CoursesRepository,
    private readonly time: HistoricTime,
  ) {}

  async execute({ actor, courseId, rows, mode }: BulkEnrolLearnersCommand): Promise<BulkEnrolmentResult> {
    await this.policy.require(actor, { action: 'course.enrol', courseId });
    const historic = rows.some((r) => r.occurredAt !== undefined || r.unenrolledAt !== undefined);
    return retryOnConflict(async () => {
      // What refuses every learner alike refuses the request.
      const { state: course } = await this.courses.existingCourse(courseId);
      if (course.archived) throw courseArchived(courseId);
      if (historic) await this.time.requireImport(actor, course.schoolId);
      const facts = await this.policy.course(courseId);
      const now = this.time.now();
      const learnerIds = [...new Set(rows.map((r) => r.learnerId))];
      const [learners, existing] = await Promise.all([this.policy.learnersOf(course.schoolId, learnerIds), this.policy.enrolmentRowsOf(courseId, learnerIds)]);
      const loaded = await this.loadStates(courseId, [...existing]);

      const results: BulkEnrolmentRowResult[] = [];
      const appends: { streamId: string; events: NewEvent[]; expectedRevision: bigint | 'no_stream' }[] = [];
      const seen = new Set<string>();
      rows.forEach((row, index) => {
        const { learnerId } = row;
        const result = (fields: Omit<BulkEnrolmentRowResult, 'row' | 'learnerId'>) => results.push({ row: index, learnerId, ...fields });
        if (seen.has(learnerId)) return result(refusal('DUPLICATE_ROW', `learner ${learnerId} is in the upload more than once`));
        seen.add(learnerId);
        if (!learners.has(learnerId)) return result(refusal('UNKNOWN_LEARNER', `user ${learnerId} is not a learner of this course's school`));
        const times = [row.occurredAt, row.unenrolledAt].filter((t): t is string => t !== undefined);
        for (const t of times) {
          const [problem] = occurredAtProblems(t, now, facts.createdAt);
          if (problem) return result(refusal(problem.code, problem.message));
        }
        const at = row.occurredAt === undefined ? now.toISOString() : new Date(row.occurredAt).toISOString();
        const leftAt = row.unenrolledAt === undefined ? null : new Date(row.unenrolledAt).toISOString();
        if (leftAt !== null && leftAt < at) return result(refusal('ENROLMENT_INVALID', 'unenrolledAt must not be before occurredAt'));
        const { state, revision } = loaded.get(learnerId) ?? { state: initialEnrolmentState(), revision: null };
        try {
          const events: EnrolmentEvent[] = enrolmentDecider.decide(
            { type: 'EnrolLearner', courseId, learnerId, by: actor.userId, method: 'bulk', now: at, course, startsAt: row.startsAt, endsAt: row.endsAt },
            state,
          );
          if (!events.length) return result({ status: 'already_enrolled' });
          if (leftAt !== null) {
            const enrolled = events.reduce(enrolmentDecider.evolve, state);
            events.push(...enrolmentDecider.decide({ type: 'UnenrolLearner', courseId, learnerId, by: actor.userId, now: leftAt }, enrolled));
          }
          appends.push({
            streamId: enrolmentStreamId(courseId, learnerId),
            events: toNewEvents(actor, events, course.schoolId, historic ? 'import' : undefined),
            expectedRevision: revision ?? 'no_stream',
          });
          result({ status: 'enrolled', ...(leftAt !== null && { unenrolled: true }) });
        } catch (error) {
          if (!(error instanceof DomainError)) throw error;
          result(refusal(error.code, error.message));
        }
      });
      const refused = results.filter((r) => r.status === 'refused');
      if (mode === 'all_or_nothing' && refused.length) {
        throw new DomainError('invalid', 'BULK_REJECTED', `${refused.length} of ${rows.length} rows cannot be enrolled: nothing was recorded`, refused);
      }
      if (appends.length) await this.courses.log.appendBatch(appends);
      const count = (status: BulkEnrolmentStatus) => results.filter((r) => r.status === status).length;
      return { courseId, enrolled: count('enrolled'), alreadyEnrolled: count('already_enrolled'), refused: refused.length, results };
    });
  }

  /** The enrolment streams that exist, folded (a migration's first upload has none). */
  private async loadStates(courseId: string, learnerIds: string[]): Promise<Map<string, { state: EnrolmentState; revision: bigint | null }>> {
    const states = new Map<string, { state: EnrolmentState; revision: bigint | null }>();
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < learnerIds.length; i = next++) states.set(learnerIds[i], await this.courses.loadEnrolment(courseId, learnerIds[i]));
    };
    await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, learnerIds.length) }, worker));
    return states;
  }
}
