/**
 * A learner's activity as xAPI statements, for the privacy export (a copy of
 * the subject's data in a machine-readable, portable form): every event of
 * their user stream (account, memberships, consents) and of their activity
 * stream (views, client-side activity, report reads, imported Moodle rows,
 * xAPI statements), oldest first. Statements that came in over xAPI come
 * back as the LRS stored them (decrypted: it is the subject's own data).
 *
 *   for await (const statement of learnerStatements(log, userId)) …
 *
 * or, inside Nest, `XapiExport.learnerStatements(userId)`.
 */
import { Inject, Injectable } from '@nestjs/common';
import { EventLog, type StoredEvent } from '@learnstream/event-store';
import { activityStreamId } from '../interop.events';
import { DEFAULT_INTEROP_OPTIONS, INTEROP_OPTIONS, type InteropOptions } from '../interop.options';
import type { JsonObject } from './statement';
import { toStatement } from './to-xapi';
import { statementOf } from './xapi-statements.reader';

/** One event as a statement. */
export function eventToStatement(event: StoredEvent, homePage: string): JsonObject {
  if (event.type === 'XapiStatementRecorded') return statementOf(event, homePage);
  const e = event.envelope;
  return toStatement(homePage, {
    eventId: event.id,
    eventType: event.type,
    occurredAt: e.occurredAt,
    action: e.action,
    crud: e.crud,
    origin: e.origin,
    courseId: e.courseId,
    objectType: e.object?.type ?? null,
    objectId: e.object?.id ?? null,
    actorId: e.actorId,
    realActorId: e.realActorId,
    relatedUserId: e.relatedUserId,
    recordedAt: event.recordedAt.toISOString(),
  });
}

export async function* learnerStatements(log: EventLog, userId: string, options: { homePage?: string } = {}): AsyncGenerator<JsonObject> {
  const homePage = (options.homePage ?? DEFAULT_INTEROP_OPTIONS.homePage).replace(/\/+$/, '');
  const id = userId.toLowerCase();
  for (const streamId of [`user-${id}`, activityStreamId(id)]) {
    for await (const event of log.readStream(streamId)) yield eventToStatement(event, homePage);
  }
}

@Injectable()
export class XapiExport {
  constructor(
    private readonly log: EventLog,
    @Inject(INTEROP_OPTIONS) private readonly options: InteropOptions,
  ) {}

  learnerStatements(userId: string): AsyncGenerator<JsonObject> {
    return learnerStatements(this.log, userId, { homePage: this.options.homePage });
  }
}
