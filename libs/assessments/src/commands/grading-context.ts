/**
 * What grading asks before anything is decided, the same for one learner
 * (grade-submission, offline-test) and for an upload (bulk-results):
 *
 *   who        the caller teaches the course (non-editing teachers included)
 *   tenant     the course's school, for the events' envelope
 *   time       each row's `occurredAt` (history: the import permission, asked
 *              once when any row gives one; not in the future, not before the
 *              course existed) or now
 *   enrolment  whether the learner was enrolled at the row's time: a learner
 *              who has since left is graded for the time they were in (one
 *              query for all the rows)
 */
import { Injectable } from '@nestjs/common';
import { AccessPolicy, HistoricTime, occurredAtProblems, wasEnrolledAt, type Actor } from '@learnstream/access';
import { DomainError } from '@learnstream/domain';
import type { Origin } from '@learnstream/event-store';
import { AssessmentsRepository } from '../assessments.repository';
import type { OfflineTestState } from '../offline-test';

export interface GradingRow {
  learnerId: string;
  occurredAt?: string | null;
}

/** A row's time and whether its learner was enrolled then, or what is wrong with its time. */
export type RowTime = { at: string; enrolled: boolean; problem?: undefined } | { problem: { code: string; message: string } };

export interface GradingContext {
  courseId: string;
  schoolId: string | null;
  /** `import` when a row gives its time. */
  origin: Origin | undefined;
  rows: RowTime[];
}

const offlineTestNotFound = (offlineTestId: string) => new DomainError('not_found', 'OFFLINE_TEST_NOT_FOUND', `no offline test ${offlineTestId}`);

/**
 * An offline test that must exist, with its stream's revision, from the inline
 * read models (AssessmentsRepository.offlineTestState), not folding a stream that holds every result ever recorded; with
 * `learnerIds`, only their grades (what recording their results decides on).
 */
export async function existingOfflineTestFromRows(repo: AssessmentsRepository, offlineTestId: string, learnerIds?: readonly string[]): Promise<{ state: Extract<OfflineTestState, { status: 'created' }>; revision: bigint | null }> {
  const found = await repo.offlineTestState(offlineTestId, learnerIds);
  if (!found) throw offlineTestNotFound(offlineTestId);
  return found;
}

@Injectable()
export class Grading {
  constructor(
    private readonly policy: AccessPolicy,
    private readonly repo: AssessmentsRepository,
    private readonly time: HistoricTime,
  ) {}

  async context(actor: Actor, courseId: string, rows: readonly GradingRow[]): Promise<GradingContext> {
    await this.policy.require(actor, { action: 'course.teach', courseId });
    const { schoolId } = await this.repo.course(courseId);
    const historic = rows.some((r) => r.occurredAt != null);
    if (historic) await this.time.requireImport(actor, schoolId);
    const [facts, enrolments] = await Promise.all([this.policy.course(courseId), this.policy.enrolmentsOf(courseId, [...new Set(rows.map((r) => r.learnerId))])]);
    const now = this.time.now();
    const times = rows.map((row): RowTime => {
      if (row.occurredAt == null) return { at: now.toISOString(), enrolled: wasEnrolledAt(enrolments.get(row.learnerId), now.toISOString()) };
      const [problem] = occurredAtProblems(row.occurredAt, now, facts.createdAt);
      if (problem) return { problem };
      const at = new Date(row.occurredAt).toISOString();
      return { at, enrolled: wasEnrolledAt(enrolments.get(row.learnerId), at) };
    });
    return { courseId, schoolId, origin: historic ? 'import' : undefined, rows: times };
  }

  /** One learner's grading: its time and enrolment, or 400 with what is wrong with its time. */
  async one(actor: Actor, courseId: string, row: GradingRow): Promise<GradingContext & { at: string; enrolled: boolean }> {
    const context = await this.context(actor, courseId, [row]);
    const [time] = context.rows;
    if (time.problem) throw new DomainError('invalid', time.problem.code, time.problem.message, [{ field: 'occurredAt', message: time.problem.message }]);
    return { ...context, at: time.at, enrolled: time.enrolled };
  }
}
