/**
 * The feature's I/O: deciding on a stream and appending the outcome (with the
 * loaded revision as expected revision, retried on a concurrent change, then
 * waiting for the read models so the caller reads their own write), and the
 * few lookups the command side makes as the system (no tenant scope: they
 * answer yes/no questions and never return another school's rows to a caller).
 */
import { Inject, Injectable } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { Actor } from '@learnstream/access';
import { DomainError } from '@learnstream/domain';
import { retryOnConflict } from '@learnstream/core';
import { EventLog, type ExpectedRevision } from '@learnstream/event-store';
import type { DataSource } from 'typeorm';
import type { AffiliationEvent } from './affiliation.events';
import { loadSchool } from './load-school';
import { toNewEvents } from './new-events';
import { evolveParentLink, type ParentLinkState } from './parent-link';
import type { SchoolState } from './school';
import { parentLinkStream } from './streams';
import type { TransferRow } from './views';

export interface DecideAndAppend<S, E extends AffiliationEvent> {
  streamId: string;
  initial: S;
  evolve: (state: S, event: { type: string; data: unknown }) => S;
  /** Decides on the current state; may look something up (then it runs again on a conflict). */
  decide: (state: S) => E[] | Promise<E[]>;
  actor: Actor;
  /** The tenant of parent-link and consent events: the child's school. */
  childSchoolId?: string | null;
}

@Injectable()
export class AffiliationsRepository {
  constructor(
    readonly log: EventLog,
    @Inject(getDataSourceToken()) private readonly db: DataSource,
  ) {}

  /** Returns the events appended (none when the decision changed nothing) and the state after them. */
  async decideAndAppend<S, E extends AffiliationEvent>(input: DecideAndAppend<S, E>): Promise<{ state: S; events: E[] }> {
    const outcome = await retryOnConflict(async () => {
      const { state, revision } = await this.log.aggregate(input.streamId, input.initial, input.evolve);
      const events = await input.decide(state);
      if (events.length === 0) return { state, events, position: null };
      const result = await this.log.append(input.streamId, toNewEvents(input.actor, events, input.childSchoolId ?? null), { expectedRevision: revision ?? 'no_stream' });
      return { state: events.reduce(input.evolve, state), events, position: result.position };
    });
    return { state: outcome.state, events: outcome.events };
  }

  /**
   * Appends decided events to several streams at once (all or nothing), each
   * at the revision its state was read at; streams with no event are skipped.
   */
  async appendBatch(actor: Actor, childSchoolId: string | null, requests: { streamId: string; events: AffiliationEvent[]; expectedRevision: ExpectedRevision }[]): Promise<void> {
    const writes = requests.filter((r) => r.events.length > 0);
    if (!writes.length) return;
    await this.log.appendBatch(writes.map((r) => ({ streamId: r.streamId, events: toNewEvents(actor, r.events, childSchoolId), expectedRevision: r.expectedRevision })));
  }

  loadSchool(schoolId: string): Promise<SchoolState | null> {
    return loadSchool(this.log, schoolId);
  }

  async loadParentLink(linkId: string): Promise<ParentLinkState | null> {
    return (await this.log.aggregate(parentLinkStream(linkId), null, evolveParentLink)).state;
  }

  async accountExists(userId: string): Promise<boolean> {
    return (await this.db.query(`SELECT 1 FROM accounts WHERE user_id = $1`, [userId])).length > 0;
  }

  /** Usernames are case-insensitive. */
  async userIdByUsername(username: string): Promise<string | null> {
    const [row] = await this.db.query(`SELECT user_id FROM accounts WHERE lower(username) = lower($1) LIMIT 1`, [username.trim()]);
    return row?.user_id ?? null;
  }

  /**
   * The school holding a code, if any. Codes are unique by this check only:
   * two creations racing with the same code within the projection lag can
   * both pass (the log has no uniqueness); an admin then renames one.
   */
  async schoolIdByCode(code: string): Promise<string | null> {
    const [row] = await this.db.query(`SELECT school_id FROM schools WHERE upper(code) = upper($1) LIMIT 1`, [code]);
    return row?.school_id ?? null;
  }

  async assertSchoolCodeFree(code: string, schoolId: string): Promise<void> {
    const holder = await this.schoolIdByCode(code);
    if (holder && holder !== schoolId) throw new DomainError('conflict', 'SCHOOL_CODE_TAKEN', `the school code ${code} is taken`);
  }

  /** A transfer's row with the asking school's name, read as the system (callers choose what the reader sees). */
  async transferRow(transferId: string): Promise<TransferRow | null> {
    const [row] = await this.db.query(
      `SELECT t.*, s.name AS to_school_name FROM school_transfers t LEFT JOIN schools s ON s.school_id = t.to_school_id WHERE t.transfer_id = $1`,
      [transferId],
    );
    return row ?? null;
  }

  /** Schools' names (not personal), read as the system: the person a school asks to join is told who asks. */
  async schoolNames(schoolIds: string[]): Promise<Map<string, string>> {
    if (!schoolIds.length) return new Map();
    const rows: { school_id: string; name: string }[] = await this.db.query(`SELECT school_id, name FROM schools WHERE school_id = ANY ($1::uuid[])`, [[...new Set(schoolIds)]]);
    return new Map(rows.map((r) => [r.school_id, r.name]));
  }

  /** Whether the school already asked this person and is waiting for an answer. */
  async transferPending(userId: string, toSchoolId: string): Promise<boolean> {
    return (await this.db.query(`SELECT 1 FROM school_transfers WHERE user_id = $1 AND to_school_id = $2 AND status = 'requested'`, [userId, toSchoolId])).length > 0;
  }

  /** The tenant of an event about a child: the school they learn in (else any school they belong to), or null. */
  async schoolOf(userId: string): Promise<string | null> {
    const [row] = await this.db.query(
      `SELECT school_id FROM school_memberships WHERE user_id = $1 AND ended_at IS NULL ORDER BY (role = 'learner') DESC, started_at LIMIT 1`,
      [userId],
    );
    return row?.school_id ?? null;
  }
}
