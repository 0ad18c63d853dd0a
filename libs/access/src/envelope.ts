/**
 * The envelope of an event caused by a request: who (and who really, when
 * impersonating), from where (IP and user agent of the request, encrypted by
 * the EventLog), and the request id as correlation id. The request is the
 * actor's (Actor.request); an event of no actor names its request itself.
 */
import { randomUUID } from 'node:crypto';
import type { RequestContext } from '@learnstream/core/headless';
import type { Crud, EnvelopeInput, ObjectRef, Origin } from '@learnstream/event-store';
import type { Actor } from './actor';

export interface EnvelopeFields {
  action: string;
  crud: Crud;
  object: ObjectRef | null;
  courseId?: string | null;
  schoolId?: string | null;
  relatedUserId?: string | null;
  origin?: Origin;
  occurredAt?: string;
  /** The request of an event of no actor (a failed sign-in, an LRS client's read); an actor's event is in the actor's. */
  request?: RequestContext | null;
}

/** Who causes an event, in which request (Actor.request; null: none, an import or a job). */
export type EventActor = Pick<Actor, 'userId' | 'realActorId' | 'request'>;

/** The envelope of an event by `actor`, in the actor's request; an event of no actor (null) is in `fields.request`, if any. */
export function envelopeFor(actor: EventActor | null, fields: EnvelopeFields): EnvelopeInput {
  const request = actor ? actor.request : (fields.request ?? null);
  return {
    actorId: actor?.userId ?? null,
    realActorId: actor?.realActorId ?? null,
    courseId: fields.courseId ?? null,
    schoolId: fields.schoolId ?? null,
    action: fields.action,
    crud: fields.crud,
    object: fields.object,
    relatedUserId: fields.relatedUserId ?? null,
    ip: request?.ip ?? null,
    userAgent: request?.userAgent ?? null,
    origin: fields.origin ?? (request ? 'web' : 'system'),
    correlationId: request?.requestId ?? randomUUID(),
    causationId: null,
    ...(fields.occurredAt && { occurredAt: fields.occurredAt }),
  };
}
