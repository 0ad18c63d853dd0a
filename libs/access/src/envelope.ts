/**
 * The envelope of an event caused by a request: who (and who really, when
 * impersonating), from where (IP and user agent of the request, encrypted by
 * the EventLog), and the request id as correlation id.
 */
import { randomUUID } from 'node:crypto';
import { currentRequest } from '@learnstream/core/headless';
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
}

export function envelopeFor(actor: Pick<Actor, 'userId' | 'realActorId'> | null, fields: EnvelopeFields): EnvelopeInput {
  const request = currentRequest();
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
