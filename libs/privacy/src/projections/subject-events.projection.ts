/**
 * The index of each person's events (`subject_events`), for the export of
 * their activity log: every event that involves them, and how —
 *
 *   actor       the envelope's actor
 *   real_actor  the staff member behind an impersonated session
 *   related     the envelope's related user (the learner graded, enrolled…)
 *   mentioned   the subject of a sealed value in the event's data (their
 *               answer inside a teacher's event, feedback about them), or a
 *               person id field of the data (learnerId, childId, …)
 *
 * From clear fields only: a sealed value names its subject in clear (`s`),
 * so nothing is decrypted. Erasure deletes the person's rows.
 */
import { ANONYMOUS_SUBJECT, type StoredEvent } from '@learnstream/event-store';
import type { ErasedSubject, Projection } from '@learnstream/projections';
import { isUuid } from '@learnstream/domain';
import type { EntityManager } from 'typeorm';

/** Data fields that name a person the event is about. */
const PERSON_FIELDS = ['userId', 'learnerId', 'childId', 'parentId', 'subjectId'];

type Involvement = 'actor' | 'real_actor' | 'related' | 'mentioned';

/** Subjects of the sealed values in a (still sealed) document. */
function sealedSubjects(node: unknown, into: Set<string>, depth = 0): void {
  if (depth > 20 || node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const v of node) sealedSubjects(v, into, depth + 1);
    return;
  }
  const o = node as Record<string, unknown>;
  if (o.$pd === 1 && typeof o.s === 'string') {
    into.add(o.s.toLowerCase());
    return;
  }
  for (const v of Object.values(o)) sealedSubjects(v, into, depth + 1);
}

export function involvementOf(event: StoredEvent): Map<string, Set<Involvement>> {
  const people = new Map<string, Set<Involvement>>();
  const add = (id: unknown, how: Involvement) => {
    if (typeof id !== 'string' || !isUuid(id)) return;
    const key = id.toLowerCase();
    if (key === ANONYMOUS_SUBJECT) return;
    const set = people.get(key) ?? new Set<Involvement>();
    set.add(how);
    people.set(key, set);
  };
  const env = event.envelope;
  add(env.actorId, 'actor');
  add(env.realActorId, 'real_actor');
  add(env.relatedUserId, 'related');
  const data = event.data as Record<string, unknown>;
  for (const field of PERSON_FIELDS) add(data[field], 'mentioned');
  const sealed = new Set<string>();
  sealedSubjects(data, sealed);
  for (const s of sealed) add(s, 'mentioned');
  return people;
}

export class SubjectEventsProjection implements Projection {
  readonly name = 'subject-events';
  readonly eventTypes = '*' as const;
  readonly readsPersonalData = false;

  handle(event: StoredEvent, tx: EntityManager): Promise<void> {
    return this.handleBatch([event], tx);
  }

  async handleBatch(events: StoredEvent[], tx: EntityManager): Promise<void> {
    const rows: { userId: string; event: StoredEvent; involvement: string[] }[] = [];
    for (const event of events) {
      for (const [userId, how] of involvementOf(event)) rows.push({ userId, event, involvement: [...how].sort() });
    }
    if (!rows.length) return;
    const col = <T>(pick: (r: (typeof rows)[number]) => T) => rows.map(pick);
    // text[] per row cannot be unnested from a ragged 2-D array: they travel as JSON.
    await tx.query(
      `INSERT INTO subject_events (user_id, event_id, stream_id, event_type, occurred_at, position_commit, position_prepare, involvement)
       SELECT u, e, s, t, o, c, p, ARRAY(SELECT jsonb_array_elements_text(i))
       FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::timestamptz[], $6::bigint[], $7::bigint[], $8::jsonb[]) AS x(u, e, s, t, o, c, p, i)
       ON CONFLICT (user_id, position_commit, position_prepare) DO NOTHING`,
      [
        col((r) => r.userId),
        col((r) => r.event.id),
        col((r) => r.event.streamId),
        col((r) => r.event.type),
        col((r) => r.event.envelope.occurredAt),
        col((r) => r.event.position.commit.toString()),
        col((r) => r.event.position.prepare.toString()),
        col((r) => JSON.stringify(r.involvement)),
      ],
    );
  }

  async reset(tx: EntityManager): Promise<void> {
    await tx.query('TRUNCATE subject_events');
  }

  async forgetSubject({ userId }: ErasedSubject, tx: EntityManager): Promise<void> {
    await tx.query('DELETE FROM subject_events WHERE user_id = $1', [userId]);
  }
}
