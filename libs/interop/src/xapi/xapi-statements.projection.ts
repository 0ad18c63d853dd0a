/**
 * The LRS's index (table xapi_statements), for GET /xapi/statements: the
 * clear fields the Statement Resource filters and pages on, and where each
 * statement is. Reads clear fields only. Two kinds of rows:
 *
 *   from XapiStatementRecorded   a statement an LRS client sent; its body is
 *                                read back from the log (sealed under its
 *                                subject). Voiding: a statement is voided when
 *                                a voiding statement of the same school refers
 *                                to it and it is not itself a voiding one,
 *                                whichever of the two arrives first.
 *   from any other event of a    the LMS's own activity (attempts, submissions,
 *   school's course              grades, enrolments, views, imported Moodle
 *                                rows): statement id = event id, timestamp =
 *                                when it happened, stored = when the log
 *                                recorded it; the row keeps the envelope's
 *                                clear fields its statement is made of
 *                                (to-xapi.ts), client_id NULL; never voided (a
 *                                client may not void it). An event that is the
 *                                Learnstream view of a client's statement
 *                                (mapped_event_id) is not indexed twice.
 */
import type { StoredEvent } from '@learnstream/event-store';
import { SUBJECT_ERASED, type Projection } from '@learnstream/projections';
import type { EntityManager } from 'typeorm';
import type { XapiStatementRecorded } from '../interop.events';
import { forgetDocuments } from './documents';
import { lmsActivityIds, verbIri } from './to-xapi';

export const XAPI_STATEMENTS_PROJECTION = 'xapi-statements';
const RECORDED = 'XapiStatementRecorded';

export class XapiStatementsProjection implements Projection {
  readonly name = XAPI_STATEMENTS_PROJECTION;
  /** Every type: any event may belong to a school's course. */
  readonly eventTypes = '*' as const;
  readonly readsPersonalData = false;

  constructor(private readonly homePage: string) {}

  handle(event: StoredEvent, tx: EntityManager): Promise<void> {
    return this.handleBatch([event], tx);
  }

  /** The client's statements one by one, in order; then the batch's LMS events in one multi-row INSERT. */
  async handleBatch(events: StoredEvent[], tx: EntityManager): Promise<void> {
    for (const event of events) if (event.type === RECORDED) await this.recorded(event, tx);
    const lms = events.filter((e) => e.type !== RECORDED && e.type !== SUBJECT_ERASED && e.envelope.courseId && e.envelope.schoolId);
    if (lms.length) await this.lmsEvents(lms, tx);
  }

  private async recorded(event: StoredEvent, tx: EntityManager): Promise<void> {
    const d = event.data as XapiStatementRecorded['data'];
    await tx.query(
      `INSERT INTO xapi_statements (school_id, statement_id, event_id, stream_id, stream_revision, client_id, verb_id, object_type, activity_id, activity_ids,
         statement_ref_id, agent_key, related_agent_keys, learner_id, course_id, registration, voiding, voided, mapped_event_id, "timestamp", stored)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
         NOT $17 AND EXISTS (SELECT 1 FROM xapi_statements v WHERE v.school_id = $1 AND v.voiding AND v.statement_ref_id = $2),
         $18, $19, $20)
       ON CONFLICT DO NOTHING`,
      [
        d.schoolId, d.statementId.toLowerCase(), event.id, event.streamId, event.revision.toString(), d.clientId, d.verbId, d.objectType, d.activityId, d.activityIds,
        d.statementRefId, d.agentKey, d.relatedAgentKeys, d.learnerId, d.courseId, d.registration, d.voiding, d.mappedEventId, d.timestamp, d.stored,
      ],
    );
    if (d.voiding && d.statementRefId) {
      await tx.query('UPDATE xapi_statements SET voided = true WHERE school_id = $1 AND statement_id = $2 AND NOT voiding', [d.schoolId, d.statementRefId.toLowerCase()]);
    }
  }

  private async lmsEvents(events: StoredEvent[], tx: EntityManager): Promise<void> {
    const column = <T>(pick: (e: StoredEvent) => T) => events.map(pick);
    const activities = events.map((e) => lmsActivityIds(this.homePage, { eventId: e.id, courseId: e.envelope.courseId, objectType: e.envelope.object?.type ?? null, objectId: e.envelope.object?.id ?? null }));
    await tx.query(
      `INSERT INTO xapi_statements (school_id, statement_id, event_id, stream_id, stream_revision, verb_id, object_type, activity_id, activity_ids, learner_id, course_id,
         voiding, voided, "timestamp", stored, event_type, action, crud, origin, object_ref_type, object_ref_id, real_actor_id, related_user_id)
       SELECT u.school_id, u.event_id, u.event_id, u.stream_id, u.revision, u.verb_id, 'Activity', u.activity_id, ARRAY(SELECT jsonb_array_elements_text(u.activity_ids)),
         u.actor_id, u.course_id, false, false, u.occurred_at, u.recorded_at, u.event_type, u.action, u.crud, u.origin, u.object_ref_type, u.object_ref_id, u.real_actor_id, u.related_user_id
       FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::jsonb[], $8::uuid[], $9::uuid[], $10::timestamptz[], $11::timestamptz[],
                   $12::text[], $13::text[], $14::text[], $15::text[], $16::text[], $17::uuid[], $18::uuid[], $19::uuid[])
         AS u(school_id, event_id, stream_id, revision, verb_id, activity_id, activity_ids, actor_id, course_id, occurred_at, recorded_at,
              event_type, action, crud, origin, object_ref_type, object_ref_id, real_actor_id, related_user_id)
       WHERE NOT EXISTS (SELECT 1 FROM xapi_statements m WHERE m.mapped_event_id = u.event_id)
       ON CONFLICT DO NOTHING`,
      [
        column((e) => e.envelope.schoolId),
        column((e) => e.id),
        column((e) => e.streamId),
        column((e) => e.revision.toString()),
        column((e) => verbIri(this.homePage, e.envelope.action)),
        activities.map((a) => a[0]),
        activities.map((a) => JSON.stringify(a)),
        column((e) => e.envelope.actorId),
        column((e) => e.envelope.courseId),
        column((e) => e.envelope.occurredAt),
        column((e) => e.recordedAt.toISOString()),
        column((e) => e.type),
        column((e) => e.envelope.action),
        column((e) => e.envelope.crud),
        column((e) => e.envelope.origin),
        column((e) => e.envelope.object?.type ?? null),
        column((e) => e.envelope.object?.id ?? null),
        column((e) => e.envelope.realActorId),
        column((e) => e.envelope.relatedUserId),
      ],
    );
  }

  async reset(tx: EntityManager): Promise<void> {
    await tx.query('TRUNCATE xapi_statements');
  }

  /**
   * Erasure: the subject's statements stay counted, under the erasure's anonymous id (the sealed bodies of a
   * client's statements are already unreadable), as the actor, the real actor, the person affected or the object; their
   * agent index rows go.
   */
  async forgetSubject({ userId, anonymousId }: { userId: string; anonymousId: string }, tx: EntityManager): Promise<void> {
    for (const column of ['learner_id', 'real_actor_id', 'related_user_id']) {
      await tx.query(`UPDATE xapi_statements SET ${column} = $2 WHERE ${column} = $1`, [userId, anonymousId]);
    }
    // An LMS statement whose object is the person (a teacher assigned to a course): its object and the activity ids
    // made of it (…/users/<id>) name the anonymous id too, or the old id beside the anonymous one would say whose it is.
    await tx.query(
      `UPDATE xapi_statements SET object_ref_id = $2::text::uuid, activity_id = replace(activity_id, $1::text, $2::text),
         activity_ids = ARRAY(SELECT replace(a, $1::text, $2::text) FROM unnest(activity_ids) WITH ORDINALITY AS x(a, n) ORDER BY n)
       WHERE object_ref_id = $1::text::uuid`,
      [userId, anonymousId],
    );
    // An LMS statement's row keeps the stream its event is in (never read back: its statement is made of the row), which
    // for the person's own activity is named by their old id (activity-<id>): the anonymous id there too.
    await tx.query(`UPDATE xapi_statements SET stream_id = replace(stream_id, $1, $2) WHERE event_type IS NOT NULL AND stream_id LIKE '%' || $1`, [userId, anonymousId]);
    // Their State and Agent Profile documents go with them; then nothing leads from their email, account or old id to these statements any more (agent-keys.ts).
    await forgetDocuments(tx, userId);
    await tx.query('DELETE FROM xapi_agents WHERE learner_id = $1', [userId]);
  }
}
