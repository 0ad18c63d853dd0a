/**
 * Two times on every event (DESIGN.md): when it happened (`occurredAt`, in the
 * envelope and as the data's `at`) and when Learnstream recorded it (the log
 * position and `recordedAt`, set by the store). A write leaves `occurredAt`
 * out and it is now; a client with the import permission may set it, to load
 * history (a term migrated from another system, an OULAD-style data set):
 *
 *   who       the import permission (`school.import`): an admin of the school
 *             the data belongs to (an integration signs in as a dedicated
 *             school-admin account, as Moodle's web-service users hold the
 *             capability), or a platform admin for platform-wide courses
 *   bounds    never in the future (OCCURRED_AT_IN_FUTURE), never before the
 *             course existed (OCCURRED_AT_BEFORE_COURSE: a migrated course is
 *             itself created with its historic `occurredAt` first)
 *   marking   the events of such a write have origin `import`; an action a
 *             learner did (a submission, client-side activity) is recorded as
 *             the learner's (actor = the learner, no real actor), so it counts
 *             as their activity in every report, and the import origin says
 *             who did not type it
 *
 * Everything that reasons about time (lateness, periods, inactivity, usage by
 * day, timelines, xAPI `timestamp`) reads `occurredAt`; xAPI `stored` is `recordedAt`.
 */
import { DomainError, isInstant, type Clock } from '@learnstream/domain';
import type { Origin } from '@learnstream/event-store';
import { AccessPolicy } from './access-policy';
import type { Actor } from './actor';

/** The time an event of a write gets, and whether it was given by an import. */
export interface EventTime {
  /** ISO-8601 UTC: the decider's `now`, the data's `at`, the envelope's `occurredAt`. */
  at: string;
  imported: boolean;
}

/** The OpenAPI description of an `occurredAt` field of a request body. */
export const OCCURRED_AT_DOC = {
  type: String,
  format: 'date-time',
  example: '2024-05-01T08:30:00Z',
  description: 'when it happened, for loading history (ISO-8601 UTC): only with the import permission (an admin of the school), never in the future, never before the course existed; absent: now',
};

/** The envelope origin of a write at `time` (an import is marked as one). */
export const originOf = (time: EventTime | undefined): Origin | undefined => (time?.imported ? 'import' : undefined);

/**
 * What is wrong with a historic time given by a client, as sentences (empty:
 * fine); `notBefore` is when the course (or other owner) came to be.
 */
export function occurredAtProblems(occurredAt: unknown, now: Date, notBefore: Date | null): { code: string; message: string }[] {
  if (!isInstant(occurredAt)) {
    return [{ code: 'OCCURRED_AT_INVALID', message: 'occurredAt must be an ISO-8601 UTC timestamp, e.g. 2024-05-01T08:30:00Z' }];
  }
  const at = Date.parse(occurredAt);
  if (at > now.getTime()) return [{ code: 'OCCURRED_AT_IN_FUTURE', message: `occurredAt ${occurredAt} is in the future: history can be recorded, the future cannot` }];
  if (notBefore && at < notBefore.getTime()) {
    return [{ code: 'OCCURRED_AT_BEFORE_COURSE', message: `occurredAt ${occurredAt} is before the course existed (${notBefore.toISOString()}): create the course with its historic occurredAt first` }];
  }
  return [];
}

/** Normalises to milliseconds precision with a Z, as every `at` in the log is written. */
const normalised = (occurredAt: string) => new Date(occurredAt).toISOString();

export class HistoricTime {
  constructor(
    private readonly policy: AccessPolicy,
    private readonly clock: Clock,
  ) {}

  now(): Date {
    return this.clock.now();
  }

  /** Now, for a write that gives no time. */
  current(): EventTime {
    return { at: this.now().toISOString(), imported: false };
  }

  /** May the caller set occurredAt on writes for this school (null: platform-wide)? */
  canImport(actor: Actor, schoolId: string | null): Promise<boolean> {
    return this.policy.can(actor, { action: 'school.import', schoolId });
  }

  async requireImport(actor: Actor, schoolId: string | null): Promise<void> {
    if (actor.realActorId || !(await this.canImport(actor, schoolId))) {
      throw new DomainError('forbidden', 'IMPORT_NOT_ALLOWED', 'only an admin of the school (or an integration account that is one) may record history with occurredAt');
    }
  }

  /**
   * The time of a write in a course: `occurredAt` when given (import permission,
   * not in the future, not before the course was created), else now.
   */
  async forCourse(actor: Actor, courseId: string, occurredAt: string | null | undefined): Promise<EventTime> {
    if (occurredAt === undefined || occurredAt === null) return this.current();
    const course = await this.policy.course(courseId);
    if (!course.exists) throw new DomainError('not_found', 'COURSE_NOT_FOUND', `no course ${courseId}`);
    await this.requireImport(actor, course.schoolId);
    return this.checked(occurredAt, course.createdAt);
  }

  /** The time of a write in a school (an account, a new course): `occurredAt` when given, else now. */
  async forSchool(actor: Actor, schoolId: string | null, occurredAt: string | null | undefined): Promise<EventTime> {
    if (occurredAt === undefined || occurredAt === null) return this.current();
    await this.requireImport(actor, schoolId);
    return this.checked(occurredAt, null);
  }

  /** Bounds only (the permission checked already): for the rows of a bulk write. */
  checked(occurredAt: string, notBefore: Date | null): EventTime {
    const [problem] = occurredAtProblems(occurredAt, this.now(), notBefore);
    if (problem) throw new DomainError('invalid', problem.code, problem.message, [{ field: 'occurredAt', message: problem.message }]);
    return { at: normalised(occurredAt), imported: true };
  }
}
