/**
 * GET /xapi/statements (Communication 2.1.3), for an LRS client, over its
 * school's statements only:
 *   statementId        the statement, unless voided (404)
 *   voidedStatementId  the voided statement (404 when it is not voided)
 *   otherwise          a StatementResult { statements, more }, newest stored
 *                      first (ascending=true: oldest first), voided ones left
 *                      out; filters agent, verb, activity, registration,
 *                      related_activities, related_agents, since (exclusive),
 *                      until (inclusive), limit (0: the most the LRS returns),
 *                      format (exact, ids, canonical); `more` is the URL of
 *                      the next page.
 * Parameters it does not know, or statementId with filters, are 400. Reading
 * is recorded (XapiStatementsRead: how many, about which learners).
 *
 * Restriction of processing (GDPR art. 18): while a person's processing is
 * restricted (an approved restriction, a legal hold, a cancelled account) the
 * statements they made or that concern them (the LMS's: the person affected)
 * are kept but not disclosed: left out of every list and filter, and 404 by
 * id. Once the restriction is lifted they are read again as before.
 */
import { Inject } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { envelopeFor } from '@learnstream/access';
import { DomainError, isRealDay } from '@learnstream/domain';
import { EventLog } from '@learnstream/event-store';
import { xapiClientStreamId } from '../../interop.events';
import { INTEROP_OPTIONS, type InteropOptions } from '../../interop.options';
import { AgentKeys } from '../agent-keys';
import type { RequestingLrsClient } from '../lrs-clients';
import type { AttachmentPart } from '../attachments';
import { canonicalFormat, statementIds } from '../formats';
import { isIri, isUuid, validateStatement, type JsonObject } from '../statement';
import { StatementTargets } from '../statement-targets';
import { schoolScope, XapiStatementsReader, type StatementRow } from '../xapi-statements.reader';

/** `parts`: with attachments=true, the contents of the answer's attachments. */
export type StatementsAnswer = { kind: 'statement'; statement: JsonObject; parts?: AttachmentPart[] } | { kind: 'result'; statements: JsonObject[]; more: string; parts?: AttachmentPart[] };

export class GetStatementsQuery {
  constructor(
    readonly client: RequestingLrsClient,
    readonly params: Record<string, unknown>,
    /** Accept-Language, most wanted first: the language of format=canonical. */
    readonly languages: string[] = [],
  ) {}
}

const PARAMS = ['statementId', 'voidedStatementId', 'agent', 'verb', 'activity', 'registration', 'related_activities', 'related_agents', 'since', 'until', 'limit', 'format', 'attachments', 'ascending', 'more'];
const SINGLE_ALLOWED = ['statementId', 'voidedStatementId', 'format', 'attachments'];
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

const NOBODY = '00000000-0000-0000-0000-000000000000';
/** Statements of no restricted person (ls_restricted_ids(): computed once per query, whatever the reader's scope). */
const DISCLOSABLE = ['learner_id', 'related_user_id'].map((c) => `NOT coalesce(${c} = ANY ((SELECT ls_restricted_ids())::uuid[]), false)`).join(' AND ');
const bad = (message: string) => new DomainError('invalid', 'XAPI_INVALID_PARAMETER', message);

function bool(name: string, value: string | undefined): boolean {
  if (value === undefined) return false;
  if (value !== 'true' && value !== 'false') throw bad(`${name} must be true or false`);
  return value === 'true';
}

@QueryHandler(GetStatementsQuery)
export class GetStatementsHandler implements IQueryHandler<GetStatementsQuery, StatementsAnswer> {
  constructor(
    private readonly reader: XapiStatementsReader,
    private readonly agents: AgentKeys,
    private readonly targets: StatementTargets,
    private readonly log: EventLog,
    @Inject(INTEROP_OPTIONS) private readonly options: InteropOptions,
  ) {}

  async execute({ client, params: raw, languages }: GetStatementsQuery): Promise<StatementsAnswer> {
    let params = this.strings(raw);
    let after: { stored: string; id: string } | null = null;
    if (params.more !== undefined) {
      if (Object.keys(params).length > 1) throw bad('more is used on its own');
      ({ params, after } = this.decodeMore(params.more));
    }
    const format = params.format ?? 'exact';
    if (!['exact', 'ids', 'canonical'].includes(format)) throw bad('format must be exact, ids or canonical');
    const withAttachments = bool('attachments', params.attachments);
    const shape = (s: JsonObject): JsonObject => (format === 'ids' ? statementIds(s) : format === 'canonical' ? (canonicalFormat(s, languages) as JsonObject) : s);

    const single = params.statementId ?? params.voidedStatementId;
    if (single !== undefined) {
      if (params.statementId !== undefined && params.voidedStatementId !== undefined) throw bad('statementId and voidedStatementId cannot be used together');
      const extra = Object.keys(params).filter((k) => !SINGLE_ALLOWED.includes(k));
      if (extra.length) throw bad(`${extra.join(', ')} cannot be used with ${params.statementId !== undefined ? 'statementId' : 'voidedStatementId'}`);
      if (!isUuid(single)) throw bad('the statement id must be a UUID');
      const [row] = await this.reader.select(schoolScope(client.schoolId), `school_id = $1 AND statement_id = $2 AND ${DISCLOSABLE}`, [client.schoolId, single.toLowerCase()], 'statement_id', 1);
      const wantVoided = params.voidedStatementId !== undefined;
      if (!row || row.voided !== wantVoided) throw new DomainError('not_found', 'XAPI_STATEMENT_NOT_FOUND', wantVoided ? `no voided statement ${single}` : `no statement ${single}`);
      const { statements: [statement], parts } = await this.reader.withAttachments([row]);
      await this.recordRead(client, [row]);
      return { kind: 'statement', statement: shape(statement), ...(withAttachments && { parts }) };
    }

    const where = ['school_id = $1', 'NOT voided', DISCLOSABLE];
    // The filters on what a statement is about (agent, verb, activity, registration), over a table alias (`t.`):
    // a statement matches them, or refers (StatementRef) to a statement that does, voided or not (Communication 2.1.4).
    const about: ((t: string) => string)[] = [];
    const values: unknown[] = [client.schoolId];
    const param = (v: unknown) => {
      values.push(v);
      return `$${values.length}`;
    };
    if (params.agent !== undefined) {
      let agent: unknown;
      try {
        agent = JSON.parse(params.agent);
      } catch {
        throw bad('agent must be an Agent or identified Group as JSON');
      }
      const problems = validateStatement({ actor: agent, verb: { id: 'http://x.invalid/v' }, object: { id: 'http://x.invalid/a' } }).filter((p) => p.startsWith('statement.actor'));
      const hash = this.agents.hashOf(agent);
      if (problems.length || !hash) throw bad(`agent must be an Agent or identified Group with one identifier${problems.length ? `: ${problems[0]}` : ''}`);
      // An agent the index does not know (never seen, or erased) has no statements.
      const k = param((await this.agents.find([hash])).get(hash) ?? NOBODY);
      // The LMS's own activity names its people by user id: the agent is one when it is a member of the client's school (by account or email).
      const person = await this.targets.learner(client.schoolId, agent, { anyRole: true });
      const u = param(person && 'found' in person ? person.found : NOBODY);
      const related = bool('related_agents', params.related_agents);
      about.push((t) =>
        related
          ? `(${t}agent_key = ${k} OR ${k} = ANY (${t}related_agent_keys) OR (${t}event_type IS NOT NULL AND ${u} IN (${t}learner_id, ${t}related_user_id, ${t}real_actor_id)))`
          : `(${t}agent_key = ${k} OR (${t}event_type IS NOT NULL AND ${t}learner_id = ${u}))`,
      );
    } else bool('related_agents', params.related_agents);
    if (params.verb !== undefined) {
      if (!isIri(params.verb)) throw bad('verb must be an IRI');
      const v = param(params.verb);
      about.push((t) => `${t}verb_id = ${v}`);
    }
    if (params.activity !== undefined) {
      if (!isIri(params.activity)) throw bad('activity must be an IRI');
      const a = param(params.activity);
      about.push(bool('related_activities', params.related_activities) ? (t) => `${a} = ANY (${t}activity_ids)` : (t) => `${t}activity_id = ${a}`);
    } else bool('related_activities', params.related_activities);
    if (params.registration !== undefined) {
      if (!isUuid(params.registration)) throw bad('registration must be a UUID');
      const r = param(params.registration.toLowerCase());
      about.push((t) => `${t}registration = ${r}`);
    }
    for (const [name, op] of [['since', '>'], ['until', '<=']] as const) {
      const v = params[name];
      if (v === undefined) continue;
      if (!TIMESTAMP.test(v) || !isRealDay(v) || Number.isNaN(Date.parse(v))) throw bad(`${name} must be an ISO 8601 timestamp with a time zone`);
      where.push(`stored ${op} ${param(new Date(v).toISOString())}`);
    }
    if (about.length) {
      const all = (t: string) => about.map((f) => f(t)).join(' AND ');
      where.push(`(${all('xapi_statements.')} OR EXISTS (SELECT 1 FROM xapi_statements t WHERE t.school_id = $1 AND t.statement_id = xapi_statements.statement_ref_id AND ${all('t.')}))`);
    }
    const ascending = bool('ascending', params.ascending);
    let limit = this.options.maxLimit;
    if (params.limit !== undefined) {
      if (!/^\d{1,9}$/.test(params.limit)) throw bad('limit must be a whole number from 0');
      const n = Number(params.limit);
      limit = n === 0 ? this.options.maxLimit : Math.min(n, this.options.maxLimit);
    }
    if (after) where.push(`(stored, statement_id) ${ascending ? '>' : '<'} (${param(after.stored)}::timestamptz, ${param(after.id)}::uuid)`);
    const order = ascending ? 'stored ASC, statement_id ASC' : 'stored DESC, statement_id DESC';
    const rows = await this.reader.select(schoolScope(client.schoolId), where.join(' AND '), values, order, limit + 1);
    const page = rows.slice(0, limit);
    const { statements, parts } = await this.reader.withAttachments(page);
    await this.recordRead(client, page);
    const last = page[page.length - 1];
    const more = rows.length > limit && last ? this.encodeMore(params, { stored: last.stored.toISOString(), id: last.statementId }) : '';
    return { kind: 'result', statements: statements.map(shape), more, ...(withAttachments && { parts }) };
  }

  private strings(raw: Record<string, unknown>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(raw)) {
      if (!PARAMS.includes(k)) throw bad(`unknown parameter ${k}`);
      if (typeof v !== 'string') throw bad(`${k} must be given once`);
      out[k] = v;
    }
    return out;
  }

  private encodeMore(params: Record<string, string>, after: { stored: string; id: string }): string {
    const token = Buffer.from(JSON.stringify({ p: params, a: after })).toString('base64url');
    return `/xapi/statements?more=${token}`;
  }

  private decodeMore(token: string): { params: Record<string, string>; after: { stored: string; id: string } } {
    try {
      const { p, a } = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
      if (typeof p !== 'object' || p === null || 'more' in p || !isUuid(a?.id) || Number.isNaN(Date.parse(a?.stored))) throw new Error('bad token');
      return { params: this.strings(p), after: { stored: a.stored, id: a.id } };
    } catch (error) {
      if (error instanceof DomainError) throw error;
      throw bad('more is not a link this LRS gave out');
    }
  }

  /** Reading statements is an action too: which client, how many, about which learners. */
  private async recordRead(client: RequestingLrsClient, rows: StatementRow[]): Promise<void> {
    if (!rows.length) return;
    const learnerIds = [...new Set(rows.map((r) => r.learnerId).filter((id): id is string => id !== null))];
    await this.log.append(xapiClientStreamId(client.clientId), [
      {
        type: 'XapiStatementsRead',
        data: { clientId: client.clientId, schoolId: client.schoolId, statements: rows.length, learnerIds },
        envelope: envelopeFor(null, { action: 'viewed', crud: 'r', object: { type: 'xapi_client', id: client.clientId }, schoolId: client.schoolId, relatedUserId: learnerIds.length === 1 ? learnerIds[0] : null, origin: 'ws', request: client.request }),
      },
    ]);
  }
}
