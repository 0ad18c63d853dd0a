/**
 * The DPO's mentions report of an erasure (mentions.ts), and its redaction
 * command. Only the privacy officer: the report says where an erased person
 * was named in other people's records.
 *
 *   GET  /privacy/requests/:id/mentions      record, field, owner, excerpt (masked), redacted or not
 *   POST /privacy/mentions/:mentionId/redact PersonalDataRedacted on the owner's record
 */
import { CommandHandler, ICommandHandler, IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { Inject } from '@nestjs/common';
import { AccessPolicy, envelopeFor, type Actor } from '@learnstream/access';
import { PG_POOL } from '@learnstream/core';
import { Clock, DomainError } from '@learnstream/domain';
import type pg from 'pg';
import { excerptOf, freeTextOf, MENTION_SOURCES } from '../mentions';
import { userStream, type MentionRecord, type PersonalDataRedacted } from '../privacy.events';
import { PrivacyReader } from '../privacy.reader';
import { PrivacyRepository } from '../privacy.repository';
import { requireOfficer } from '../representation';

export interface MentionView {
  mentionId: string;
  ownerId: string;
  record: MentionRecord;
  recordId: string;
  field: string;
  /** Up to 40 characters either side, the name masked; null once the owner's text is gone. */
  excerpt: string | null;
  foundAt: string;
  redactedAt: string | null;
}

interface MentionRow {
  mention_id: string;
  request_id: string;
  owner_id: string;
  record: MentionRecord;
  record_id: string;
  field: string;
  start_at: number;
  length: number;
  found_at: Date;
  redacted_at: Date | null;
}

export class ListMentionsQuery {
  constructor(
    readonly actor: Actor,
    readonly requestId: string,
  ) {}
}

export class RedactMentionCommand {
  constructor(
    readonly actor: Actor,
    readonly mentionId: string,
  ) {}
}

/** The mention's field as its owner's record holds it now. */
async function currentText(pool: pg.Pool, m: MentionRow): Promise<string | null> {
  const source = MENTION_SOURCES[m.record];
  const { rows } = await pool.query(`SELECT ${source.columns} FROM ${source.table} WHERE ${source.recordId} = $1 AND ${source.owner} = $2`, [m.record_id, m.owner_id]);
  return rows[0] ? (freeTextOf(m.record, rows[0] as { text?: string; feedback?: string; answers?: Record<string, unknown> }).get(m.field) ?? null) : null;
}

/** The mention as the DPO sees it: the excerpt masks it and every other mention of the same field (`all`: the request's). */
async function viewOf(pool: pg.Pool, m: MentionRow, all: readonly MentionRow[] = [m]): Promise<MentionView> {
  const text = await currentText(pool, m);
  const others = all
    .filter((o) => o.mention_id !== m.mention_id && o.owner_id === m.owner_id && o.record === m.record && o.record_id === m.record_id && o.field === m.field)
    .map((o) => ({ start: o.start_at, length: o.length }));
  return {
    mentionId: m.mention_id,
    ownerId: m.owner_id,
    record: m.record,
    recordId: m.record_id,
    field: m.field,
    excerpt: text === null ? null : excerptOf(text, { start: m.start_at, length: m.length }, others),
    foundAt: m.found_at.toISOString(),
    redactedAt: m.redacted_at?.toISOString() ?? null,
  };
}

@QueryHandler(ListMentionsQuery)
export class ListMentionsHandler implements IQueryHandler<ListMentionsQuery> {
  constructor(
    private readonly policy: AccessPolicy,
    private readonly reader: PrivacyReader,
    @Inject(PG_POOL) private readonly pool: pg.Pool,
  ) {}

  async execute({ actor, requestId }: ListMentionsQuery): Promise<{ requestId: string; mentions: MentionView[] }> {
    await requireOfficer(this.policy, actor);
    const request = await this.reader.request(requestId);
    if (request.type !== 'erasure') throw new DomainError('rule', 'NOT_AN_ERASURE', 'mentions are looked for by erasures');
    const { rows } = await this.pool.query<MentionRow>('SELECT * FROM erasure_mentions WHERE request_id = $1 ORDER BY owner_id, record, record_id, field, start_at', [requestId]);
    const mentions: MentionView[] = [];
    for (const row of rows) mentions.push(await viewOf(this.pool, row, rows));
    return { requestId, mentions };
  }
}

@CommandHandler(RedactMentionCommand)
export class RedactMentionHandler implements ICommandHandler<RedactMentionCommand> {
  constructor(
    private readonly clock: Clock,
    private readonly policy: AccessPolicy,
    private readonly repo: PrivacyRepository,
    @Inject(PG_POOL) private readonly pool: pg.Pool,
  ) {}

  async execute({ actor, mentionId }: RedactMentionCommand): Promise<MentionView> {
    await requireOfficer(this.policy, actor);
    const find = async () => (await this.pool.query<MentionRow>('SELECT * FROM erasure_mentions WHERE mention_id = $1', [mentionId])).rows[0];
    const mention = await find();
    if (!mention) throw new DomainError('not_found', 'MENTION_NOT_FOUND', 'no such mention (or its owner was erased since)');
    const siblings = async () => (await this.pool.query<MentionRow>('SELECT * FROM erasure_mentions WHERE request_id = $1', [mention.request_id])).rows;
    if (mention.redacted_at) return viewOf(this.pool, mention, await siblings());
    const data: PersonalDataRedacted['data'] = {
      mentionId,
      ownerId: mention.owner_id,
      record: mention.record,
      recordId: mention.record_id,
      field: mention.field,
      start: mention.start_at,
      length: mention.length,
      userId: mention.owner_id,
      requestId: mention.request_id,
      by: actor.userId,
      at: this.clock.now().toISOString(),
    };
    await this.repo.log.append(userStream(mention.owner_id), [
      { type: 'PersonalDataRedacted', data: { ...data }, envelope: envelopeFor(actor, { action: 'redacted', crud: 'u', object: { type: 'user', id: mention.owner_id }, relatedUserId: mention.owner_id }) },
    ]);
    return viewOf(this.pool, (await find())!, await siblings());
  }
}
