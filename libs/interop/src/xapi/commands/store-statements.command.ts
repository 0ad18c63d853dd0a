/**
 * Stores statements (POST: one or a batch; PUT: one, under `statementId`).
 * All or nothing:
 *   400  XAPI_INVALID_STATEMENT   a statement the specification refuses (details
 *                                 name each problem), two with the same id in a
 *                                 batch, a PUT id that differs from statementId,
 *                                 a statement voiding a voiding statement
 *   403  FORBIDDEN                a learner or a course of another school, voiding
 *                                 a statement of the LMS's own activity
 *   409  XAPI_CONFLICT            an id the LRS holds for a different statement
 * A statement the LRS already holds (same id, same statement) changes nothing.
 *
 * Each new statement is an XapiStatementRecorded event: on the learner's
 * activity stream when its actor is a Learnstream user of the client's school,
 * else on a stream of its pseudonymous agent; the statement itself is sealed
 * under that learner or agent. When the learner viewed ("experienced" or
 * "viewed") a course or resource of a course they take part in, the statement
 * also becomes the courses feature's CourseViewed / ResourceViewed, in the
 * same append (its causation: the statement's event); the statement's own
 * event then carries no course, so the course log counts the view once.
 */
import { randomUUID } from 'node:crypto';
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { envelopeFor, ForbiddenError } from '@learnstream/access';
import { courseEnvelopeFieldsOf, type CourseViewEvent } from '@learnstream/courses';
import { DomainError, uuidV5, Clock } from '@learnstream/domain';
import { EventLog, EventStoreError, type NewEvent, type Position } from '@learnstream/event-store';
import { personal } from '@learnstream/personal-data';
import { ProjectionRunner } from '@learnstream/projections';
import { activityStreamId, XAPI_AGENT_STREAM_CATEGORY } from '../../interop.events';
import { INTEROP_OPTIONS, type InteropOptions } from '../../interop.options';
import { XapiActivities } from '../activities';
import { matchAttachments, type AttachmentPart } from '../attachments';
import { AgentKeys, XAPI_NAMESPACE } from '../agent-keys';
import type { LrsClient, RequestingLrsClient } from '../lrs-clients';
import { activityIdsOf, isUuid, normalized, relatedAgentsOf, sameStatement, validateStatement, VOIDED_VERB, type JsonObject } from '../statement';
import { StatementTargets, type CourseTarget } from '../statement-targets';
import { XapiStatementsReader } from '../xapi-statements.reader';
import type { XapiVersion } from '../xapi-version';
import { XAPI_STATEMENTS_PROJECTION } from '../xapi-statements.projection';

export class StoreStatementsCommand {
  constructor(
    readonly client: RequestingLrsClient,
    readonly body: unknown,
    /** PUT: the statementId parameter. */
    readonly statementId?: string,
    /** The xAPI version the request speaks (its rules, and the version a statement without one is kept as). */
    readonly version: XapiVersion = '1.0.3',
    /** The attachment contents of a multipart/mixed request. */
    readonly parts: AttachmentPart[] = [],
  ) {}
}

/** Verbs whose statement on a course or resource is a view. */
export const VIEW_VERBS: readonly string[] = ['http://adlnet.gov/expapi/verbs/experienced', 'http://id.tincanapi.com/verb/viewed', 'https://w3id.org/xapi/adl/verbs/viewed'];

export const invalidStatement = (message: string, details?: unknown) => new DomainError('invalid', 'XAPI_INVALID_STATEMENT', message, details);

export const recordEventId = (schoolId: string, statementId: string) => uuidV5(`xapi:${schoolId}:${statementId.toLowerCase()}`, XAPI_NAMESPACE);
const mappedEventId = (schoolId: string, statementId: string) => uuidV5(`xapi:${schoolId}:${statementId.toLowerCase()}:learnstream`, XAPI_NAMESPACE);

/** The envelope verb of a statement's event: the verb IRI's last word, when it is one. */
export function actionOf(verbId: string): string {
  const word = verbId.replace(/[#/]+$/, '').split(/[/#:]/).pop()?.toLowerCase().replace(/[^a-z_]+/g, '_') ?? '';
  return /^[a-z][a-z_]{1,49}$/.test(word) ? word : 'recorded';
}

interface Prepared {
  id: string;
  statement: JsonObject;
  timestamp: string;
  version: string;
  /** The contents of its attachments sent in the request. */
  parts: AttachmentPart[];
}

@CommandHandler(StoreStatementsCommand)
export class StoreStatementsHandler implements ICommandHandler<StoreStatementsCommand, string[]> {
  constructor(
    private readonly clock: Clock,
    private readonly log: EventLog,
    private readonly reader: XapiStatementsReader,
    private readonly targets: StatementTargets,
    private readonly agents: AgentKeys,
    private readonly runner: ProjectionRunner,
    private readonly activities: XapiActivities,
    @Inject(INTEROP_OPTIONS) private readonly options: InteropOptions,
  ) {}

  async execute({ client, body, statementId, version: spoken, parts }: StoreStatementsCommand): Promise<string[]> {
    const statements = this.received(body, statementId);
    const problems = statements.flatMap((s, i) => validateStatement(s, statements.length > 1 || Array.isArray(body) ? `statements[${i}]` : 'statement', spoken));
    if (problems.length) throw invalidStatement(`the statement${statements.length > 1 ? 's are' : ' is'} not valid xAPI ${spoken}: ${problems.slice(0, 3).join('; ')}`, problems);

    // Every attachment's content is at its fileUrl or in a part; every part is an attachment's; signatures verify.
    const kept = matchAttachments(statements as JsonObject[], parts);
    const now = this.clock.nowIso();
    const prepared: Prepared[] = statements.map((raw, index) => {
      const s = raw as JsonObject;
      const id = typeof s.id === 'string' ? s.id.toLowerCase() : randomUUID();
      const { stored: _stored, authority: _authority, version, ...rest } = s;
      const timestamp = typeof s.timestamp === 'string' ? s.timestamp : now;
      return { id, statement: normalized({ ...rest, id, timestamp }), timestamp, version: typeof version === 'string' ? version : spoken === '2.0.0' ? '2.0.0' : '1.0.0', parts: kept[index] };
    });
    const ids = prepared.map((p) => p.id);
    if (new Set(ids).size !== ids.length) throw invalidStatement('a batch must not hold two statements with the same id');

    const fresh = await this.withoutKnown(client, prepared);
    await this.checkVoiding(client, prepared, fresh);
    const events = await this.toEvents(client, fresh, now);
    if (events.size) {
      let position: Position;
      try {
        const results = await this.log.appendBatch([...events].map(([streamId, list]) => ({ streamId, events: list, expectedRevision: 'any' as const })));
        position = results.reduce((a, b) => (b.position.commit > a.position.commit || (b.position.commit === a.position.commit && b.position.prepare > a.position.prepare) ? b : a)).position;
      } catch (error) {
        if (!(error instanceof EventStoreError) || error.code !== 'DUPLICATE_EVENT_ID') throw error;
        // Another request stored one of these ids meanwhile: once it is indexed, the same statement is fine, another is a conflict.
        const head = await this.log.store.headPosition();
        if (head) await this.runner.settle(head, [XAPI_STATEMENTS_PROJECTION]);
        const again = await this.withoutKnown(client, prepared);
        if (again.length) throw error;
        return ids;
      }
      await this.runner.settle(position, [XAPI_STATEMENTS_PROJECTION]);
      // The Activities resource: the definitions these statements give, merged into what the school's LRS knows.
      await this.activities.record(client.schoolId, fresh.map((p) => p.statement));
    }
    return ids;
  }

  private received(body: unknown, statementId?: string): unknown[] {
    if (statementId !== undefined) {
      if (!isUuid(statementId)) throw invalidStatement('statementId must be a UUID');
      if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalidStatement('PUT takes one statement (a JSON object)');
      const id = (body as { id?: unknown }).id;
      if (id !== undefined && (typeof id !== 'string' || id.toLowerCase() !== statementId.toLowerCase())) throw invalidStatement('the statement\'s id must be the statementId parameter');
      return [{ ...(body as object), id: statementId.toLowerCase() }];
    }
    if (Array.isArray(body)) return body;
    if (typeof body !== 'object' || body === null) throw invalidStatement('the body must be a statement or an array of statements (JSON)');
    return [body];
  }

  /** The statements the LRS does not hold yet; one it holds under the same id but different is a conflict. */
  private async withoutKnown(client: LrsClient, prepared: Prepared[]): Promise<Prepared[]> {
    const known = await this.reader.byIds(client.schoolId, prepared.map((p) => p.id));
    if (!known.size) return prepared;
    const held = prepared.filter((p) => known.has(p.id));
    const existing = await this.reader.statements(held.map((p) => known.get(p.id)!));
    held.forEach((p, i) => {
      if (!sameStatement(existing[i], p.statement)) {
        throw new DomainError('conflict', 'XAPI_CONFLICT', `the LRS holds a different statement under id ${p.id}`);
      }
    });
    return prepared.filter((p) => !known.has(p.id));
  }

  /** A voiding statement must not target a voiding statement (here or in the batch), nor the LMS's own activity (403). */
  private async checkVoiding(client: LrsClient, all: Prepared[], fresh: Prepared[]): Promise<void> {
    const isVoiding = (s: JsonObject) => (s.verb as JsonObject).id === VOIDED_VERB;
    const targets = fresh.filter((p) => isVoiding(p.statement)).map((p) => ((p.statement.object as JsonObject).id as string).toLowerCase());
    if (!targets.length) return;
    const inBatch = new Map(all.map((p) => [p.id, p.statement]));
    const stored = await this.reader.byIds(client.schoolId, targets);
    for (const target of targets) {
      if (stored.get(target)?.lms) throw new ForbiddenError(`statement ${target} is Learnstream's own record of what happened in a course: an LRS client cannot void it`);
      const voiding = inBatch.has(target) ? isVoiding(inBatch.get(target)!) : (stored.get(target)?.voiding ?? false);
      if (voiding) throw invalidStatement(`statement ${target} is a voiding statement: a voiding statement cannot be voided`);
    }
  }

  private async toEvents(client: RequestingLrsClient, fresh: Prepared[], stored: string): Promise<Map<string, NewEvent[]>> {
    const byStream = new Map<string, NewEvent[]>();
    const authority: JsonObject = { objectType: 'Agent', name: client.name, account: { homePage: `${this.options.homePage}/xapi/clients`, name: client.clientId } };
    // Who each statement names: the learner it is (if any), and every agent's id in the index.
    const learners = new Map<Prepared, string | null>();
    const named: { hash: string; learnerId: string | null }[] = [];
    for (const p of fresh) {
      const learner = await this.targets.learner(client.schoolId, p.statement.actor);
      if (learner && 'forbidden' in learner) throw new ForbiddenError(learner.forbidden);
      learners.set(p, learner?.found ?? null);
      const actorHash = this.agents.hashOf(p.statement.actor);
      if (actorHash) named.push({ hash: actorHash, learnerId: learner?.found ?? null });
      for (const a of relatedAgentsOf(p.statement)) {
        const hash = this.agents.hashOf(a);
        if (hash) named.push({ hash, learnerId: null });
      }
    }
    const agentIds = await this.agents.ensure(named);
    const idOf = (agent: unknown) => {
      const hash = this.agents.hashOf(agent);
      return hash ? (agentIds.get(hash) ?? null) : null;
    };
    for (const p of fresh) {
      const s = p.statement;
      const verbId = (s.verb as JsonObject).id as string;
      const object = s.object as JsonObject;
      const objectType = (object.objectType as string | undefined) ?? 'Activity';
      const { activityId, all: activityIds } = activityIdsOf(s);

      const course = await this.targets.course(client.schoolId, activityId);
      if (course && 'forbidden' in course) throw new ForbiddenError(course.forbidden);
      const learnerId = learners.get(p) ?? null;
      const target = course?.found ?? null;

      const agentKey = idOf(s.actor);
      const subject = learnerId ?? agentKey ?? uuidV5(`xapi-anonymous-group:${client.schoolId}:${p.id}`, XAPI_NAMESPACE);
      const streamId = learnerId ? activityStreamId(learnerId) : `${XAPI_AGENT_STREAM_CATEGORY}-${subject}`;
      const recordId = recordEventId(client.schoolId, p.id);
      const occurredAt = new Date(p.timestamp).toISOString();
      const view = learnerId && target && VIEW_VERBS.includes(verbId) ? await this.viewOf(learnerId, target) : null;
      const actor = learnerId ? { userId: learnerId, realActorId: null, request: client.request } : null;
      const events: NewEvent[] = [];
      events.push({
        id: recordId,
        type: 'XapiStatementRecorded',
        data: {
          statementId: p.id,
          schoolId: client.schoolId,
          clientId: client.clientId,
          verbId,
          objectType,
          activityId,
          activityIds,
          statementRefId: objectType === 'StatementRef' ? (object.id as string).toLowerCase() : null,
          voiding: verbId === VOIDED_VERB,
          agentKey,
          relatedAgentKeys: [...new Set(relatedAgentsOf(s).map(idOf).filter((k): k is string => k !== null))],
          learnerId,
          courseId: target?.courseId ?? null,
          registration: s.context && typeof (s.context as JsonObject).registration === 'string' ? ((s.context as JsonObject).registration as string).toLowerCase() : null,
          timestamp: p.timestamp,
          stored,
          version: p.version,
          authority,
          statement: personal(subject, s),
          mappedEventId: view ? mappedEventId(client.schoolId, p.id) : null,
          ...(p.parts.length && { attachments: personal(subject, p.parts.map((a) => ({ sha2: a.sha2, contentType: a.contentType, content: a.content.toString('base64') }))) }),
        },
        envelope: envelopeFor(actor, {
          action: actionOf(verbId),
          crud: 'c',
          object: target ? (target.resource ? { type: 'resource', id: target.resource.resourceId } : { type: 'course', id: target.courseId }) : { type: 'xapi_statement', id: p.id },
          courseId: view ? null : (target?.courseId ?? null),
          schoolId: client.schoolId,
          origin: 'ws',
          occurredAt,
          request: client.request,
        }),
      });
      if (view) {
        events.push({
          id: mappedEventId(client.schoolId, p.id),
          type: view.type,
          data: view.data as unknown as Record<string, unknown>,
          envelope: { ...envelopeFor(actor, { ...courseEnvelopeFieldsOf(view, target!.schoolId), origin: 'ws', occurredAt }), causationId: recordId },
        });
      }
      byStream.set(streamId, [...(byStream.get(streamId) ?? []), ...events]);
    }
    return byStream;
  }

  /** The Learnstream view a statement is, when the learner takes part in the course (and may see the resource). */
  private async viewOf(learnerId: string, target: CourseTarget): Promise<CourseViewEvent | null> {
    const { participates, teaches } = await this.targets.participates(target.courseId, learnerId);
    if (!participates) return null;
    if (!target.resource) return { type: 'CourseViewed', data: { courseId: target.courseId, userId: learnerId } };
    if (!target.resource.visible && !teaches) return null;
    return { type: 'ResourceViewed', data: { courseId: target.courseId, sectionId: target.resource.sectionId, resourceId: target.resource.resourceId, userId: learnerId } };
  }
}
