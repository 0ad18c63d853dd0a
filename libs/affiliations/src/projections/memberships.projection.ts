import type { StoredEvent } from '@learnstream/event-store';
import { typedEvent, type ErasedSubject, type Projection } from '@learnstream/projections';
import type { EntityManager } from 'typeorm';
import { MEMBERSHIP_EVENT_TYPES, type MembershipEvent } from '../affiliation.events';

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
      case 'SchoolJoined': {
        const { membershipId, schoolId, userId, role, classId, gradeLevel, at } = e.data;
        await tx.query(
          `INSERT INTO school_memberships (membership_id, school_id, user_id, role, class_id, grade_level, started_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (membership_id) DO NOTHING`,
          [membershipId, schoolId, userId, role, classId, gradeLevel ?? null, at],
        );
        return;
      }
      case 'ClassChanged':
        await tx.query(`UPDATE school_memberships SET class_id = $2, grade_level = $3 WHERE membership_id = $1`, [e.data.membershipId, e.data.classId, e.data.gradeLevel ?? null]);
        return;
      case 'SchoolLeft':
        await tx.query(`UPDATE school_memberships SET ended_at = $2 WHERE membership_id = $1`, [e.data.membershipId, e.data.at]);
        return;
    }
  }

  async reset(tx: EntityManager): Promise<void> {
    await tx.query('TRUNCATE school_memberships');
  }

  async forgetSubject({ userId }: ErasedSubject, tx: EntityManager): Promise<void> {
    await tx.query('DELETE FROM school_memberships WHERE user_id = $1', [userId]);
  }
}
