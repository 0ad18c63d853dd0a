/**
 * Where activity goes: the EventLog (validation, sealing of IP and user agent)
 * on top of the AppendBatcher (group commit, bounded queue, idempotent event
 * ids) in front of the PostgreSQL event store. An answer means committed.
 *
 * With EventStoreDB (EVENT_STORE=esdb) there is no group commit here: each
 * request is one append (the server batches its own writes), the same bound
 * on events in flight applies, and a retried event id relies on EventStoreDB's
 * idempotent appends (exact retries only: duplicates are not reported).
 *
 * On shutdown, what was accepted is committed before the pools close
 * (beforeApplicationShutdown runs before CoreModule closes them).
 */
import { Inject, Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { PG_POOL } from '@learnstream/core';
import {
  AppendBatcher,
  EVENT_STORE,
  EventLog,
  EventRegistry,
  OverloadedError,
  PostgresEventStore,
  ShuttingDownError,
  type AppendResult,
  type BatchedAppendResult,
  type EventStore,
  type NewEvent,
} from '@learnstream/event-store';
import { KeyStore, PersonalDataCipher } from '@learnstream/personal-data';
import type pg from 'pg';
import { ACTIVITY_OPTIONS, type ActivityOptions } from './activity.options';
import { coalescingKeys } from './coalescing-keys';

@Injectable()
export class ActivityWriter implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Activity');
  private readonly log: EventLog;
  readonly batcher: AppendBatcher | null;
  /** EventStoreDB path: events in flight. */
  private inFlight = 0;
  private draining = false;

  constructor(
    @Inject(PG_POOL) pool: pg.Pool,
    @Inject(EVENT_STORE) store: EventStore,
    keys: KeyStore,
    registry: EventRegistry,
    @Inject(ACTIVITY_OPTIONS) private readonly options: ActivityOptions,
  ) {
    this.batcher =
      store instanceof PostgresEventStore
        ? new AppendBatcher(pool, store, {
            duplicates: 'skip',
            queueMaxEvents: options.queueMaxEvents,
            maxBatchEvents: options.groupMaxEvents,
            maxConcurrentCommits: options.commitsInFlight,
            lingerMs: options.lingerMs,
            retryAfterSeconds: options.retryAfterSeconds,
          })
        : null;
    // IP and user agent are sealed with the key lookups of concurrent requests coalesced (coalescing-keys.ts).
    this.log = new EventLog(this.batcher ?? store, new PersonalDataCipher(coalescingKeys(keys)), registry);
  }

  /** Appends to one stream; event ids already in that stream are skipped and listed. */
  async append(streamId: string, events: NewEvent[]): Promise<BatchedAppendResult> {
    if (this.batcher) return (await this.log.append(streamId, events)) as BatchedAppendResult;
    if (this.draining) throw new ShuttingDownError();
    if (this.inFlight > 0 && this.inFlight + events.length > this.options.queueMaxEvents) throw new OverloadedError(this.options.retryAfterSeconds, this.inFlight);
    this.inFlight += events.length;
    try {
      const result: AppendResult = await this.log.append(streamId, events);
      return { ...result, duplicates: [] };
    } finally {
      this.inFlight -= events.length;
    }
  }

  /** Appends to several streams at once, atomically (an import's batch of many learners' activity). */
  async appendMany(requests: { streamId: string; events: NewEvent[] }[]): Promise<BatchedAppendResult[]> {
    const batch = requests.map((r) => ({ ...r, expectedRevision: 'any' as const }));
    if (this.batcher) return (await this.log.appendBatch(batch)) as BatchedAppendResult[];
    if (this.draining) throw new ShuttingDownError();
    const count = requests.reduce((n, r) => n + r.events.length, 0);
    if (this.inFlight > 0 && this.inFlight + count > this.options.queueMaxEvents) throw new OverloadedError(this.options.retryAfterSeconds, this.inFlight);
    this.inFlight += count;
    try {
      return (await this.log.appendBatch(batch)).map((r) => ({ ...r, duplicates: [] }));
    } finally {
      this.inFlight -= count;
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.draining = true;
    if (!this.batcher) return;
    const backlog = this.batcher.backlog;
    if (backlog > 0) this.logger.log({ msg: 'committing accepted activity before shutdown', events: backlog });
    await this.batcher.drain();
  }
}
