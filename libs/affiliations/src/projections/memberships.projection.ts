import type { StoredEvent } from '@learnstream/event-store';
import { inRuns, typedEvent, type ErasedSubject, type Projection } from '@learnstream/projections/headless';
import type { EntityManager } from 'typeorm';
import { MEMBERSHIP_EVENT_TYPES, type MembershipEvent } from '../affiliation.events';

/** The rows of SchoolJoined events, in one statement (a bulk account upload joins a thousand at once). A replay adds nothing. */
async function insertMemberships(events: StoredEvent[], tx: EntityManager): Promise<void> {
  const joined = events.map((event) => typedEvent<Extract<MembershipEvent, { type: 'SchoolJoined' }>>(event).data);
  await tx.query(
    `INSERT INTO school_memberships (membership_id, school_id, user_id, role, class_id, grade_level, started_at)
     SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::uuid[], $6::text[], $7::timestamptz[])
     ON CONFLICT (membership_id) DO NOTHING`,
    [joined.map((d) => d.membershipId), joined.map((d) => d.schoolId), joined.map((d) => d.userId), joined.map((d) => d.role), joined.map((d) => d.classId), joined.map((d) => d.gradeLevel ?? null), joined.map((d) => d.at)],
  );
}

/**
 * Memberships, current and past (`school_memberships`, row-level secured on
 * school_id; ended_at keeps the history). The access policy reads it to know
 * who is who in which school. A grade level erased with its person reads null.
 *
 * Erasure: the person's memberships are deleted (a school's member counts
 * drop them; nothing aggregates memberships over time).
 */
export class MembershipsProjection implements Projection {
  readonly name = 'school-memberships';
  readonly inline = true;
  readonly eventTypes = MEMBERSHIP_EVENT_TYPES;

  async handle(event: StoredEvent, tx: EntityManager): Promise<void> {
    const e = typedEvent<MembershipEvent>(event);
    switch (e.type) {
      case 'SchoolJoined':
        await insertMemberships([event], tx);
        return;
      case 'ClassChanged':
        await tx.query(`UPDATE school_memberships SET class_id = $2, grade_level = $3 WHERE membership_id = $1`, [e.data.membershipId, e.data.classId, e.data.gradeLevel ?? null]);
        return;
      case 'SchoolLeft':
        await tx.query(`UPDATE school_memberships SET ended_at = $2 WHERE membership_id = $1`, [e.data.membershipId, e.data.at]);
        return;
    }
  }

  /** handle() event by event, but each run of SchoolJoined is one statement. */
  async handleBatch(events: StoredEvent[], tx: EntityManager): Promise<void> {
    await inRuns(events, 'SchoolJoined', (run) => insertMemberships(run, tx), (event) => this.handle(event, tx));
  }

  async reset(tx: EntityManager): Promise<void> {
    await tx.query('TRUNCATE school_memberships');
  }

  async forgetSubject({ userId }: ErasedSubject, tx: EntityManager): Promise<void> {
    await tx.query('DELETE FROM school_memberships WHERE user_id = $1', [userId]);
  }
}
