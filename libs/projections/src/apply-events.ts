/**
 * How a batch of the log is applied to one projection, shared by the async
 * runner and the inline read models: the projection's events in log order,
 * with each erasure (`SubjectErased`) in its place, in the caller's transaction.
 */
import type { EventLog, RecordedEvent, StoredEvent } from '@learnstream/event-store';
import { isUuid } from '@learnstream/domain';
import type { EntityManager } from 'typeorm';
import { SUBJECT_ERASED, type ErasedSubject, type Projection } from './projection';

/** A batch as the projection sees it: runs of its events, cut by the erasures the batch holds. */
export type Step = { events: StoredEvent[] } | { erased: ErasedSubject };

export function wants(p: Projection, type: string): boolean {
  return p.eventTypes === '*' || p.eventTypes.includes(type);
}

/** The clear data of a SubjectErased event (ids only: it needs no decryption). */
export function erasedSubjectOf(event: StoredEvent): ErasedSubject {
  const d = event.data as Record<string, unknown>;
  if (!isUuid(d.userId) || !isUuid(d.requestId) || !isUuid(d.anonymousId)) throw new Error(`${SUBJECT_ERASED} ${event.id} lacks userId, requestId or anonymousId`);
  return {
    userId: String(d.userId).toLowerCase(),
    requestId: String(d.requestId).toLowerCase(),
    anonymousId: String(d.anonymousId).toLowerCase(),
    eventId: event.id,
    at: typeof d.at === 'string' ? d.at : event.envelope.occurredAt,
  };
}

/**
 * The batch in log order: the projection's (decoded) events, with each
 * erasure in its place. Without an erasure, one run of events.
 */
export function stepsOf(p: Projection, log: EventLog, batch: RecordedEvent[], events: StoredEvent[]): Step[] {
  if (!batch.some((r) => r.type === SUBJECT_ERASED)) return [{ events }];
  const steps: Step[] = [];
  let run: StoredEvent[] = [];
  let next = 0;
  for (const record of batch) {
    if (wants(p, record.type)) run.push(events[next++]);
    if (record.type !== SUBJECT_ERASED) continue;
    steps.push({ events: run }, { erased: erasedSubjectOf(log.decodeSealed([record])[0]) });
    run = [];
  }
  steps.push({ events: run });
  return steps;
}

/** Applies the steps in the caller's transaction; returns how many events the projection handled. */
export async function applySteps(p: Projection, steps: Step[], tx: EntityManager): Promise<number> {
  let handled = 0;
  for (const step of steps) {
    if ('erased' in step) {
      await forget(p, step.erased, tx);
      continue;
    }
    const { events } = step;
    if (p.handleBatch && events.length > 1) await p.handleBatch(events, tx);
    else for (const event of events) await p.handle(event, tx);
    handled += events.length;
  }
  return handled;
}

/** The projection forgets the subject and acknowledges, in the caller's transaction. A replay keeps the first receipt. */
export async function forget(p: Projection, subject: ErasedSubject, tx: EntityManager): Promise<void> {
  if (p.forgetSubject) await p.forgetSubject(subject, tx);
  await tx.query(
    `INSERT INTO erasure_receipts (request_id, user_id, projection, event_id) VALUES ($1, $2, $3, $4)
     ON CONFLICT (request_id, projection) DO NOTHING`,
    [subject.requestId, subject.userId, p.name, subject.eventId],
  );
}

/**
 * Decodes a batch for several projections at once: decrypted once when one of
 * them reads personal data, upcast without decryption otherwise. Returns, per
 * projection, the events it wants, in log order.
 */
export async function decodeFor(
  projections: readonly Projection[],
  log: EventLog,
  batch: RecordedEvent[],
  open: (records: RecordedEvent[]) => Promise<StoredEvent[]> = (records) => log.decode(records),
): Promise<Map<Projection, StoredEvent[]>> {
  const wanted = (p: Projection) => batch.filter((r) => wants(p, r.type));
  const personal = new Set<RecordedEvent>();
  for (const p of projections) if (p.readsPersonalData !== false) for (const r of wanted(p)) personal.add(r);
  const opened = new Map<RecordedEvent, StoredEvent>();
  const toOpen = batch.filter((r) => personal.has(r));
  if (toOpen.length) (await open(toOpen)).forEach((e, i) => opened.set(toOpen[i], e));
  const sealed = new Map<RecordedEvent, StoredEvent>();
  const result = new Map<Projection, StoredEvent[]>();
  for (const p of projections) {
    result.set(
      p,
      wanted(p).map((r) => {
        if (p.readsPersonalData !== false) return opened.get(r)!;
        let e = sealed.get(r);
        if (!e) sealed.set(r, (e = log.decodeSealed([r])[0]));
        return e;
      }),
    );
  }
  return result;
}

/**
 * A handleBatch made of handle(): each run of consecutive events of `type`
 * is written by `run` (one multi-row statement), every other event by `one`.
 */
export async function inRuns(events: StoredEvent[], type: string, run: (events: StoredEvent[]) => Promise<void>, one: (event: StoredEvent) => Promise<void>): Promise<void> {
  for (let i = 0; i < events.length; ) {
    let j = i;
    while (j < events.length && events[j].type === type) j++;
    if (j > i) await run(events.slice(i, j));
    else await one(events[j++]);
    i = j;
  }
}
