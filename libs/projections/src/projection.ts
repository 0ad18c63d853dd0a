import type { DomainEvent } from '@learnstream/domain';
import type { StoredEvent } from '@learnstream/event-store';
import type { EntityManager } from 'typeorm';

/**
 * A read model fed by the event log. The runner calls `handle` inside the same
 * transaction that moves the projection's checkpoint, so a crash never
 * double-applies an event; handlers are written as upserts all the same, so a
 * replay changes nothing.
 */
export interface Projection {
  /** Stable name: the key of its checkpoint. */
  readonly name: string;
  /** Event types it handles, or '*' for all; the checkpoint moves past the others without calling it. */
  readonly eventTypes: readonly string[] | '*';
  handle(event: StoredEvent, tx: EntityManager): Promise<void>;
  /**
   * Optional: applies many events in few statements (multi-row inserts). When
   * present the runner uses it for catch-up; it must give the same rows as
   * calling `handle` for each event in order.
   */
  handleBatch?(events: StoredEvent[], tx: EntityManager): Promise<void>;
  /**
   * False when the projection reads only clear fields (ids, the envelope's
   * clear metadata): its events are then not decrypted, which is most of the
   * cost of catching up. Personal values reach it still sealed, never in clear.
   */
  readonly readsPersonalData?: boolean;
  /**
   * True for the read models that commands and the access policy decide on:
   * on the PostgreSQL event store they are written in the append's own
   * transaction (InlineProjections), not by the async runner.
   */
  readonly inline?: boolean;
  /** Empties the read model, for a rebuild from zero (inside the rebuild transaction). */
  reset(tx: EntityManager): Promise<void>;
  /**
   * Erasure (DESIGN.md, crypto-shredding): deletes or anonymises every row of
   * the erased subject, wherever they appear (as the learner, the actor, the
   * related user…). The runner calls it when the projection passes a
   * `SubjectErased` event, whether or not the projection handles that type,
   * after the events before it and in the same transaction, and records the
   * projection's erasure receipt there too. Projections that hold no row of a
   * person leave it out; they still acknowledge.
   */
  forgetSubject?(subject: ErasedSubject, tx: EntityManager): Promise<void>;
}

/** The event type of an erasure (the privacy feature appends it, once the subject's keys are destroyed). */
export const SUBJECT_ERASED = 'SubjectErased';

/** What a projection is told about an erased subject (the clear data of `SubjectErased`). */
export interface ErasedSubject {
  userId: string;
  /** The privacy request that asked for (or the retention sweep that made) the erasure. */
  requestId: string;
  /**
   * A random id, the same for every projection: rows kept for aggregates
   * (grades, enrolments, counts) take it in place of the user id, so that
   * they still add up and still belong together, but to nobody.
   */
  anonymousId: string;
  /** The SubjectErased event. */
  eventId: string;
  at: string;
}

/** Nest injection token for the list of projections a process runs. */
export const PROJECTIONS = Symbol('PROJECTIONS');

/**
 * A stored event read as its feature's event union (`SchoolEvent`, …): the
 * registry checked its data against that type's validator before it was
 * appended, and a projection only receives the types it lists. The one place
 * where stored data becomes a typed event; projections switch over its `type`.
 */
export function typedEvent<E extends DomainEvent<string, object>>(event: StoredEvent): E {
  return event as unknown as E;
}
