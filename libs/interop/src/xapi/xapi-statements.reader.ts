/**
 * Reads the LRS: the rows of xapi_statements (through TenantDb: row-level
 * security with the client's school as the only tenant) and the statements
 * themselves from the log, decrypted. A statement whose subject was erased
 * reads back as its clear skeleton (id, verb, object id, times, authority)
 * with an anonymous actor: counts stay right, nobody is named.
 */
import { Inject, Injectable } from '@nestjs/common';
import { TenantDb, type TenantScope } from '@learnstream/access';
import { EventLog, type RecordedEvent, type StoredEvent } from '@learnstream/event-store';
import type { XapiStatementRecorded } from '../interop.events';
import { INTEROP_OPTIONS, type InteropOptions } from '../interop.options';
import type { AttachmentPart } from './attachments';
import type { Json, JsonObject } from './statement';
import { toStatement, type LogEventFacts } from './to-xapi';

export interface StatementRow {
  statementId: string;
  eventId: string;
  streamId: string;
  revision: bigint;
  verbId: string;
  objectType: string;
  activityId: string | null;
  statementRefId: string | null;
  voiding: boolean;
  voided: boolean;
  learnerId: string | null;
  mappedEventId: string | null;
  stored: Date;
  /** A row of the LMS's own activity: the event's clear facts its statement is made of (to-xapi.ts); null for a client's statement. */
  lms: LogEventFacts | null;
}

export const schoolScope = (schoolId: string): TenantScope => ({ all: false, schoolIds: [schoolId], userIds: [] });

const COLUMNS = `statement_id, event_id, stream_id, stream_revision, verb_id, object_type, activity_id, statement_ref_id, voiding, voided, learner_id, mapped_event_id, stored,
  "timestamp", course_id, event_type, action, crud, origin, object_ref_type, object_ref_id, real_actor_id, related_user_id`;

/** A row of COLUMNS (bigint columns come back as strings). */
interface XapiStatementsTableRow {
  statement_id: string;
  event_id: string;
  stream_id: string;
  stream_revision: string;
  verb_id: string;
  object_type: string;
  activity_id: string | null;
  statement_ref_id: string | null;
  voiding: boolean;
  voided: boolean;
  learner_id: string | null;
  mapped_event_id: string | null;
  stored: Date;
  timestamp: Date;
  course_id: string | null;
  event_type: string | null;
  action: string | null;
  crud: string | null;
  origin: string | null;
  object_ref_type: string | null;
  object_ref_id: string | null;
  real_actor_id: string | null;
  related_user_id: string | null;
}

function toRow(r: XapiStatementsTableRow): StatementRow {
  return {
    statementId: r.statement_id,
    eventId: r.event_id,
    streamId: r.stream_id,
    revision: BigInt(r.stream_revision),
    verbId: r.verb_id,
    objectType: r.object_type,
    activityId: r.activity_id,
    statementRefId: r.statement_ref_id,
    voiding: r.voiding,
    voided: r.voided,
    learnerId: r.learner_id,
    mappedEventId: r.mapped_event_id,
    stored: r.stored,
    lms:
      r.event_type === null
        ? null
        : {
            eventId: r.event_id,
            eventType: r.event_type,
            occurredAt: r.timestamp.toISOString(),
            action: r.action ?? 'recorded',
            crud: r.crud ?? 'r',
            origin: r.origin ?? 'system',
            courseId: r.course_id,
            objectType: r.object_ref_type,
            objectId: r.object_ref_id,
            actorId: r.learner_id,
            realActorId: r.real_actor_id,
            relatedUserId: r.related_user_id,
            recordedAt: r.stored.toISOString(),
          },
  };
}

/** Property order of a returned statement (the specification's). */
const ORDER = ['id', 'actor', 'verb', 'object', 'result', 'context', 'timestamp', 'stored', 'authority', 'version', 'attachments'];

@Injectable()
export class XapiStatementsReader {
  constructor(
    private readonly db: TenantDb,
    private readonly log: EventLog,
    @Inject(INTEROP_OPTIONS) private readonly options: InteropOptions,
  ) {}

  /** Rows matching `where` (SQL over the table's columns, $1 = the school), in `order`. */
  async select(scope: TenantScope, where: string, params: unknown[], order: string, limit: number): Promise<StatementRow[]> {
    const rows: XapiStatementsTableRow[] = await this.db.read(scope, (tx) =>
      tx.query(`SELECT ${COLUMNS} FROM xapi_statements WHERE ${where} ORDER BY ${order} LIMIT ${Math.trunc(limit)}`, params),
    );
    return rows.map(toRow);
  }

  async byIds(schoolId: string, statementIds: string[]): Promise<Map<string, StatementRow>> {
    if (!statementIds.length) return new Map();
    const rows = await this.select(schoolScope(schoolId), 'school_id = $1 AND statement_id = ANY ($2)', [schoolId, statementIds.map((s) => s.toLowerCase())], 'statement_id', statementIds.length);
    return new Map(rows.map((r) => [r.statementId, r]));
  }

  /** The statements of these rows, from the log, in the rows' order. */
  async statements(rows: StatementRow[]): Promise<JsonObject[]> {
    return (await this.withAttachments(rows)).statements;
  }

  /**
   * The statements of these rows and the contents of their attachments (none for an erased subject's).
   * A client's statement is read from the log; the LMS's own activity is made from its row (the row
   * holds what erasure left of its people).
   */
  async withAttachments(rows: StatementRow[]): Promise<{ statements: JsonObject[]; parts: AttachmentPart[] }> {
    const events = await this.events(rows);
    const home = this.options.homePage;
    const statements = events.map((event, i) => {
      const lms = rows[i].lms;
      if (lms) return toStatement(home, lms);
      return event ? statementOf(event, home) : skeleton(rows[i], home);
    });
    const parts = events.flatMap((event) => {
      const sealed = (event?.data as XapiStatementRecorded['data'] | undefined)?.attachments;
      if (!Array.isArray(sealed)) return [];
      return (sealed as { sha2: string; contentType: string; content: string }[]).map((a) => ({ sha2: a.sha2, contentType: a.contentType, content: Buffer.from(a.content, 'base64') }));
    });
    return { statements, parts };
  }

  /**
   * The events of a client's statements (null for the LMS's own rows and for events gone): read one by one
   * from their streams, then decrypted together (one key-store round trip for the page, not one per statement).
   */
  private async events(rows: StatementRow[]): Promise<(StoredEvent | null)[]> {
    const records = await Promise.all(rows.map((r) => (r.lms ? null : this.record(r.streamId, r.revision))));
    const found = records.filter((r): r is RecordedEvent => r !== null);
    const decoded = new Map(found.length ? (await this.log.decode(found)).map((e, i) => [found[i], e]) : []);
    return records.map((r) => (r ? (decoded.get(r) ?? null) : null));
  }

  private async record(streamId: string, revision: bigint): Promise<RecordedEvent | null> {
    for await (const record of this.log.store.readStream(streamId, { fromRevision: revision, maxCount: 1 })) return record;
    return null;
  }
}

/** The statement an XapiStatementRecorded event holds, as the LRS returns it. */
export function statementOf(event: StoredEvent, homePage: string): JsonObject {
  const d = event.data as XapiStatementRecorded['data'];
  const body = (d.statement ?? null) as JsonObject | null;
  const base: JsonObject = body ?? {
    id: d.statementId,
    actor: { objectType: 'Agent', account: { homePage, name: 'erased' } },
    verb: { id: d.verbId },
    object: d.objectType === 'StatementRef' ? { objectType: 'StatementRef', id: d.statementRefId } : d.activityId ? { objectType: 'Activity', id: d.activityId } : { objectType: 'Activity', id: `${homePage}/erased` },
    timestamp: d.timestamp,
  };
  const full: JsonObject = { ...base, stored: d.stored, authority: d.authority as Json, version: d.version };
  return Object.fromEntries(ORDER.filter((k) => full[k] !== undefined).map((k) => [k, full[k]]).concat(Object.entries(full).filter(([k]) => !ORDER.includes(k))));
}

function skeleton(row: StatementRow, homePage: string): JsonObject {
  return { id: row.statementId, actor: { objectType: 'Agent', account: { homePage, name: 'erased' } }, verb: { id: row.verbId }, object: row.activityId ? { objectType: 'Activity', id: row.activityId } : { objectType: 'Activity', id: `${homePage}/erased` }, stored: row.stored.toISOString() };
}
