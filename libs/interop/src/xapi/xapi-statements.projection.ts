/**
 * The LRS's index (table xapi_statements) from XapiStatementRecorded: the
 * clear fields the Statement Resource filters and pages on, and where each
 * statement is in the log. Voiding: a statement is voided when a voiding
 * statement of the same school refers to it and it is not itself a voiding
 * one, whichever of the two arrives first. Reads clear fields only.
 */
import type { StoredEvent } from '@learnstream/event-store';
import type { Projection } from '@learnstream/projections';
import type { EntityManager } from 'typeorm';
import type { XapiStatementRecorded } from '../interop.events';
import { forgetDocuments } from './documents';

export const XAPI_STATEMENTS_PROJECTION = 'xapi-statements';

export class XapiStatementsProjection implements Projection {
  readonly name = XAPI_STATEMENTS_PROJECTION;
  readonly eventTypes = ['XapiStatementRecorded'];
  readonly readsPersonalData = false;

  async handle(event: StoredEvent, tx: EntityManager): Promise<void> {
    const d = event.data as XapiStatementRecorded['data'];
    await tx.query(
      `INSERT INTO xapi_statements (school_id, statement_id, event_id, stream_id, stream_revision, client_id, verb_id, object_type, activity_id, activity_ids,
         statement_ref_id, agent_key, related_agent_keys, learner_id, course_id, registration, voiding, voided, mapped_event_id, "timestamp", stored)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
         NOT $17 AND EXISTS (SELECT 1 FROM xapi_statements v WHERE v.school_id = $1 AND v.voiding AND v.statement_ref_id = $2),
         $18, $19, $20)
       ON CONFLICT (school_id, statement_id) DO NOTHING`,
      [
        d.schoolId, d.statementId.toLowerCase(), event.id, event.streamId, event.revision.toString(), d.clientId, d.verbId, d.objectType, d.activityId, d.activityIds,
        d.statementRefId, d.agentKey, d.relatedAgentKeys, d.learnerId, d.courseId, d.registration, d.voiding, d.mappedEventId, d.timestamp, d.stored,
      ],
    );
    if (d.voiding && d.statementRefId) {
      await tx.query('UPDATE xapi_statements SET voided = true WHERE school_id = $1 AND statement_id = $2 AND NOT voiding', [d.schoolId, d.statementRefId.toLowerCase()]);
    }
  }

  async reset(tx: EntityManager): Promise<void> {
    await tx.query('TRUNCATE xapi_statements');
  }

  /** Erasure: the learner's statements stay counted, under the erasure's anonymous id (their sealed bodies are already unreadable); their agent index rows go. */
  async forgetSubject({ userId, anonymousId }: { userId: string; anonymousId: string }, tx: EntityManager): Promise<void> {
    await tx.query('UPDATE xapi_statements SET learner_id = $2 WHERE learner_id = $1', [userId, anonymousId]);
    // Their State and Agent Profile documents go with them; then nothing leads from their email, account or old id to these statements any more (agent-keys.ts).
    await forgetDocuments(tx, userId);
    await tx.query('DELETE FROM xapi_agents WHERE learner_id = $1', [userId]);
  }
}
