/**
 * The participants of a course, for those who teach it (course.teach): its
 * learners with their enrolment (active ones, or every one on request) and
 * their display name where the reader may see the account (row-level security).
 * Learners whose processing is restricted are left out, and counted in
 * `restricted` (AccessPolicy.restrictedFrom).
 */
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { AccessPolicy, TenantDb, type Actor } from '@learnstream/access';
import { iso } from './course-views';

export interface ParticipantView {
  learnerId: string;
  displayName: string | null;
  status: 'active' | 'unenrolled';
  method: string;
  enrolledAt: string;
  unenrolledAt: string | null;
  startsAt: string | null;
  endsAt: string | null;
}

export interface ParticipantsView {
  courseId: string;
  participants: ParticipantView[];
  /** Learners left out: their processing is restricted (only they and the DPO see their record). */
  restricted: number;
}

export class ListParticipantsQuery extends Query<ParticipantsView> {
  constructor(
    readonly actor: Actor,
    readonly courseId: string,
    readonly includeUnenrolled = false,
  ) {
    super();
  }
}

@QueryHandler(ListParticipantsQuery)
export class ListParticipantsHandler implements IQueryHandler<ListParticipantsQuery, ParticipantsView> {
  constructor(
    private readonly policy: AccessPolicy,
    private readonly db: TenantDb,
  ) {}

  async execute({ actor, courseId, includeUnenrolled }: ListParticipantsQuery): Promise<ParticipantsView> {
    await this.policy.require(actor, { action: 'course.teach', courseId });
    const scope = await this.policy.scopeOf(actor);
    const rows: {
      learner_id: string;
      display_name: string | null;
      status: ParticipantView['status'];
      method: string;
      enrolled_at: Date;
      unenrolled_at: Date | null;
      starts_at: Date | null;
      ends_at: Date | null;
    }[] = await this.db.read(scope, (db) =>
      db.query(
        `SELECT e.learner_id, a.display_name, e.status, e.method, e.enrolled_at, e.unenrolled_at, e.starts_at, e.ends_at
         FROM course_enrolments e LEFT JOIN accounts a ON a.user_id = e.learner_id
         WHERE e.course_id = $1 AND ($2 OR e.status = 'active')
         ORDER BY a.display_name NULLS LAST, e.learner_id`,
        [courseId, includeUnenrolled],
      ),
    );
    const hidden = await this.policy.restrictedFrom(actor, rows.map((r) => r.learner_id));
    return {
      courseId,
      restricted: hidden.size,
      participants: rows.filter((r) => !hidden.has(r.learner_id)).map((r) => ({
        learnerId: r.learner_id,
        displayName: r.display_name,
        status: r.status,
        method: r.method,
        enrolledAt: iso(r.enrolled_at)!,
        unenrolledAt: iso(r.unenrolled_at),
        startsAt: iso(r.starts_at),
        endsAt: iso(r.ends_at),
      })),
    };
  }
}
