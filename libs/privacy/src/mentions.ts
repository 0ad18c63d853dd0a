/**
 * The mentions report (issue 14): free text in other people's records that
 * names a person being erased (a classmate's essay, feedback to another
 * learner, another learner's quiz answer). Crypto-shredding cannot reach it:
 * it is sealed under its owner's key, and it is the owner's record.
 *
 * Within the erasure, before the subject's keys go, MentionFinder takes the
 * subject's names (their profile now, and every name their profile events
 * ever held), looks for them in the free-text read models of everyone else
 * (case-insensitively, as whole words where the script has words), and
 * returns where they stand: owner, record, field, offset and length. The
 * names live only in memory for the search; the report holds positions, never
 * the name. The DPO reads it with excerpts masked at read time (excerptOf) and
 * rectifies a mention with PersonalDataRedacted on its owner's record: the span
 * reads as a mask of the same length in the read models and the owner's export.
 */
import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { PG_POOL } from '@learnstream/core/headless';
import type { EventLog } from '@learnstream/event-store';
import type pg from 'pg';
import { userStream, type Mention, type MentionRecord } from './privacy.events';

export const MASK = '█';
const MIN_NAME = 3;
const LATIN_LETTER = /\p{Script=Latin}/u;

export interface Span {
  start: number;
  length: number;
}

/** The spans of `names` in `text`, case-insensitively, longest names first, never overlapping; a Latin name not inside a longer word. */
export function spansOf(text: string, names: readonly string[]): Span[] {
  const lower = text.toLowerCase();
  const taken: Span[] = [];
  for (const name of [...new Set(names.map((n) => n.trim().toLowerCase()).filter((n) => n.length >= MIN_NAME))].sort((a, b) => b.length - a.length)) {
    for (let at = lower.indexOf(name); at >= 0; at = lower.indexOf(name, at + 1)) {
      const before = lower[at - 1] ?? '';
      const after = lower[at + name.length] ?? '';
      if (LATIN_LETTER.test(before) && LATIN_LETTER.test(name[0])) continue;
      if (LATIN_LETTER.test(after) && LATIN_LETTER.test(name[name.length - 1])) continue;
      if (taken.some((s) => at < s.start + s.length && s.start < at + name.length)) continue;
      taken.push({ start: at, length: name.length });
    }
  }
  return taken.sort((a, b) => a.start - b.start);
}

/** `text` with the span replaced by a mask of the same length (offsets of other spans stay right); unchanged when the span is past its end. */
export function masked(text: string, span: Span): string {
  if (span.start + span.length > text.length) return text;
  return text.slice(0, span.start) + MASK.repeat(span.length) + text.slice(span.start + span.length);
}

/** What the DPO sees of a mention: up to 40 characters either side of `span`, it and every other span of the field (`others`) masked. */
export function excerptOf(text: string, span: Span, others: readonly Span[] = []): string {
  const from = Math.max(0, span.start - 40);
  const to = Math.min(text.length, span.start + span.length + 40);
  const all = [span, ...others].reduce((t, s) => masked(t, s), text);
  return `${from > 0 ? '…' : ''}${all.slice(from, to)}${to < text.length ? '…' : ''}`;
}

/** The free-text fields of a record, by field name (`answer:<questionId>` for quiz answers). */
export function freeTextOf(record: MentionRecord, row: { text?: string | null; feedback?: string | null; answers?: Record<string, unknown> | null }): Map<string, string> {
  const out = new Map<string, string>();
  if (record === 'assignment_submission' && typeof row.text === 'string') out.set('text', row.text);
  if (record !== 'quiz_attempt' && typeof row.feedback === 'string') out.set('feedback', row.feedback);
  if (record === 'quiz_attempt') for (const [q, v] of Object.entries(row.answers ?? {})) if (typeof v === 'string') out.set(`answer:${q}`, v);
  return out;
}

/** Where each free-text record of the search lives: its table, key columns and text columns. */
export const MENTION_SOURCES: Record<MentionRecord, { table: string; recordId: string; owner: string; columns: string; text: string }> = {
  assignment_submission: { table: 'assignment_submissions', recordId: 'assignment_id', owner: 'learner_id', columns: 'text, feedback', text: `concat_ws(' ', text, feedback)` },
  quiz_attempt: { table: 'quiz_attempts', recordId: 'attempt_id', owner: 'learner_id', columns: 'answers', text: 'answers::text' },
  offline_result: { table: 'offline_results', recordId: 'offline_test_id', owner: 'learner_id', columns: 'feedback', text: 'feedback' },
};

interface SourceRow {
  record_id: string;
  owner_id: string;
  text?: string | null;
  feedback?: string | null;
  answers?: Record<string, unknown> | null;
}

const likeEscaped = (s: string) => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

@Injectable()
export class MentionFinder {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  /** The subject's names: their profile now and every name their profile events held (read while their keys exist). */
  async namesOf(log: EventLog, subjectId: string): Promise<string[]> {
    const names = new Set<string>();
    const add = (p: Record<string, unknown> | null | undefined) => {
      if (!p) return;
      for (const k of ['displayName', 'givenName', 'familyName']) if (typeof p[k] === 'string') names.add(p[k]);
      if (typeof p.givenName === 'string' && typeof p.familyName === 'string') names.add(`${p.givenName} ${p.familyName}`);
    };
    const { rows } = await this.pool.query<{ display_name: string | null; given_name: string | null; family_name: string | null }>(
      'SELECT display_name, given_name, family_name FROM accounts WHERE user_id = $1',
      [subjectId],
    );
    for (const r of rows) add({ displayName: r.display_name, givenName: r.given_name, familyName: r.family_name });
    for await (const e of log.readStream(userStream(subjectId))) {
      if (e.type === 'AccountCreated') add(e.data.profile as Record<string, unknown> | null);
      if (e.type === 'ProfileUpdated') add(e.data.changes as Record<string, unknown> | null);
    }
    return [...names].filter((n) => n.trim().length >= MIN_NAME);
  }

  /** Every span of `names` in the free text of records owned by anyone but the subject. */
  async find(subjectId: string, names: readonly string[]): Promise<Mention[]> {
    if (!names.length) return [];
    const patterns = names.map(likeEscaped);
    const mentions: Mention[] = [];
    for (const [record, source] of Object.entries(MENTION_SOURCES) as [MentionRecord, (typeof MENTION_SOURCES)[MentionRecord]][]) {
      const { rows } = await this.pool.query<SourceRow>(
        `SELECT ${source.recordId} AS record_id, ${source.owner} AS owner_id, ${source.columns} FROM ${source.table}
         WHERE ${source.owner} <> $1 AND ${source.text} ILIKE ANY ($2::text[])`,
        [subjectId, patterns],
      );
      for (const row of rows) {
        for (const [field, text] of freeTextOf(record, row)) {
          for (const span of spansOf(text, names)) mentions.push({ mentionId: randomUUID(), ownerId: row.owner_id, record, recordId: row.record_id, field, ...span });
        }
      }
    }
    return mentions;
  }
}

/** Where a field of a mention stands in its owner's events: the event type, the record id's field, and how to reach the text. */
const EVENT_FIELDS: { record: MentionRecord; field: (f: string) => boolean; type: string; recordKey: string }[] = [
  { record: 'assignment_submission', field: (f) => f === 'text', type: 'AssignmentSubmitted', recordKey: 'assignmentId' },
  { record: 'assignment_submission', field: (f) => f === 'feedback', type: 'SubmissionGraded', recordKey: 'assignmentId' },
  { record: 'offline_result', field: (f) => f === 'feedback', type: 'OfflineResultRecorded', recordKey: 'offlineTestId' },
  { record: 'quiz_attempt', field: (f) => f.startsWith('answer:'), type: 'AnswersSaved', recordKey: 'attemptId' },
];

interface EventLike {
  type: string;
  data: Record<string, unknown>;
}

/**
 * The owner's events with their redactions applied (the owner's export): each
 * PersonalDataRedacted among them masks its span in the events that wrote that
 * record's field (their submission, the feedback to them, their answer).
 */
export function withRedactions<E extends EventLike>(ownerId: string, events: E[]): E[] {
  const redactions = events.filter((e) => e.type === 'PersonalDataRedacted' && e.data.ownerId === ownerId).map((e) => e.data as unknown as Mention);
  if (!redactions.length) return events;
  return events.map((e) => {
    let data = e.data;
    for (const r of redactions) {
      const where = EVENT_FIELDS.find((f) => f.record === r.record && f.field(r.field) && f.type === e.type);
      if (!where || data[where.recordKey] !== r.recordId) continue;
      if (where.type === 'AnswersSaved') {
        const questionId = r.field.slice('answer:'.length);
        const answers = (data.answers as { questionId: string; answer: unknown }[] | undefined) ?? [];
        data = { ...data, answers: answers.map((a) => (a.questionId === questionId && typeof a.answer === 'string' ? { ...a, answer: masked(a.answer, r) } : a)) };
      } else {
        const key = r.field;
        if (typeof data[key] === 'string') data = { ...data, [key]: masked(data[key], r) };
      }
    }
    return data === e.data ? e : { ...e, data };
  });
}
