/**
 * The events of one learner's enrolment in one course: the contract with
 * projections (participants, learner profiles) and the grades feature.
 * Both go to the stream `enrolment-<uuid>`, the uuid derived from the pair by
 * enrolmentStreamId(courseId, learnerId) in enrolment.ts: one stream per pair,
 * found without a lookup, so enrolling never locks or contends on the course.
 */
import type { DomainEvent } from '@learnstream/domain';
import type { EventTypeDefinition } from '@learnstream/event-store';
import { eventType, instant, nullable, oneOf, present, uuid } from './event-data.validation';

export const ENROLMENT_METHODS = ['manual', 'self', 'bulk'] as const;
/** manual: by staff, one learner; self: the learner, maybe with a key; bulk: an import or a class at once. */
export type EnrolmentMethod = (typeof ENROLMENT_METHODS)[number];

export type LearnerEnrolled = DomainEvent<
  'LearnerEnrolled',
  {
    courseId: string;
    learnerId: string;
    method: EnrolmentMethod;
    /** The learner's own period (null = open): access from startsAt, until endsAt. */
    startsAt: string | null;
    endsAt: string | null;
    by: string;
    at: string;
  }
>;

export type LearnerUnenrolled = DomainEvent<
  'LearnerUnenrolled',
  {
    courseId: string;
    learnerId: string;
    /**
     * Why, in free text, or null. Personal data about the learner: the handler
     * wraps it with personal(learnerId, text) and it reads back as null once
     * erased. The decider passes it through untouched.
     */
    reason: unknown;
    by: string;
    at: string;
  }
>;

export type EnrolmentEvent = LearnerEnrolled | LearnerUnenrolled;

export const ENROLMENT_EVENT_TYPES: EventTypeDefinition[] = [
  eventType('LearnerEnrolled', {
    courseId: uuid,
    learnerId: uuid,
    method: oneOf(...ENROLMENT_METHODS),
    startsAt: nullable(instant),
    endsAt: nullable(instant),
    by: uuid,
    at: instant,
  }),
  eventType('LearnerUnenrolled', { courseId: uuid, learnerId: uuid, reason: present, by: uuid, at: instant }),
];
