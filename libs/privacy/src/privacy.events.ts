/**
 * The privacy feature's events: its public contract. Every step of a
 * data-subject right is an event.
 *
 *   privacy_request-<requestId>  the request workflow: PrivacyRequestFiled,
 *                                PrivacyRequestApproved / Rejected / Withdrawn,
 *                                ErasureDeferred (a legal hold), PrivacyRequestCompleted
 *   user-<userId>                the person's privacy state, next to their account:
 *                                ConsentGiven / ConsentWithdrawn (per purpose),
 *                                ProcessingRestricted / ProcessingRestrictionLifted,
 *                                ProfilingObjected / ProfilingObjectionWithdrawn
 *                                (read by the progress reports: no at-risk flags),
 *                                LegalHoldPlaced / LegalHoldLifted, AccountCancelled,
 *                                PersonalDataExported (every export, audited),
 *                                SubjectErased (after their keys were destroyed:
 *                                every projection forgets them and acknowledges)
 *   activity-<readerId>          PersonalDataAccessed: a read of other people's
 *                                personal data (the access audit)
 *   erasure_mentions-<requestId> ErasureMentionsFound: where an erased person's names
 *                                stood in other people's free text (mentions.ts)
 *   user-<ownerId>               PersonalDataRedacted: one such mention rectified
 *
 * Ids, types, statuses and dates are clear. What is said about a person (a
 * request's details, the DPO's reasons, a legal hold's reason) is sealed with
 * that person's key: an erasure shreds it with the rest.
 */
import { arrayOf, bool, eventType, instant, isUuid, nullable, object, oneOf, optional, positiveInteger, simple, uuid, wholeNumber, type DomainEvent, type Shape } from '@learnstream/domain';
import type { EventTypeDefinition } from '@learnstream/event-store';
import { sealed, type Personal } from '@learnstream/personal-data';
import { SUBJECT_ERASED } from '@learnstream/projections/headless';

export const REQUEST_TYPES = ['export', 'rectification', 'erasure', 'restriction', 'objection'] as const;
export type RequestType = (typeof REQUEST_TYPES)[number];

/** Who filed a request, relative to its subject. */
export const FILED_AS = ['self', 'parent', 'school_admin', 'dpo', 'system'] as const;
export type FiledAs = (typeof FILED_AS)[number];

export const REQUEST_OUTCOMES = ['export_ready', 'rectified', 'erased', 'restricted', 'objected'] as const;
export type RequestOutcome = (typeof REQUEST_OUTCOMES)[number];

/** Purposes a person consents to (or not). Parental consent for a minor is given by a linked parent. */
export const CONSENT_PURPOSES = ['marketing', 'analytics', 'profiling'] as const;
export type ConsentPurpose = (typeof CONSENT_PURPOSES)[number];

/** What kind of personal data a read showed (the access log's "what"). */
export const ACCESSED_DATA = ['profile', 'directory', 'grades', 'attempts', 'submissions', 'course_log', 'learner_profile', 'export'] as const;
export type AccessedData = (typeof ACCESSED_DATA)[number];

/** Why (the reader's role in the read): the access log's "why". */
export const ACCESS_PURPOSES = ['teaching', 'administration', 'parental', 'support', 'privacy'] as const;
export type AccessPurpose = (typeof ACCESS_PURPOSES)[number];

export const EXPORT_FORMATS = ['json', 'xapi'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** A value sealed with `personal(subjectId, …)` by the writer; null once the subject is erased. */
type Sealed<T> = T | Personal<T> | null;

/** What a request says, beyond its type (sealed with the subject's key). */
export interface RequestDetails {
  /** The requester's own words. */
  note?: string;
  /** Rectification: the profile fields to correct, with their right values. */
  changes?: Record<string, unknown>;
}

interface RequestIds {
  requestId: string;
  subjectId: string;
  type: RequestType;
  at: string;
}

export type PrivacyRequestFiled = DomainEvent<
  'PrivacyRequestFiled',
  RequestIds & { filedBy: string | null; filedAs: FiledAs; details: Sealed<RequestDetails>; dueAt: string }
>;
export type PrivacyRequestApproved = DomainEvent<'PrivacyRequestApproved', RequestIds & { by: string | null; reason: Sealed<string> }>;
export type PrivacyRequestRejected = DomainEvent<'PrivacyRequestRejected', RequestIds & { by: string; reason: Sealed<string> }>;
export type PrivacyRequestWithdrawn = DomainEvent<'PrivacyRequestWithdrawn', RequestIds & { by: string }>;
/** An approved erasure waits: the subject is under a legal hold (their data stays, restricted). */
export type ErasureDeferred = DomainEvent<'ErasureDeferred', RequestIds & { holdId: string }>;
export type PrivacyRequestCompleted = DomainEvent<'PrivacyRequestCompleted', RequestIds & { outcome: RequestOutcome }>;

export type PrivacyRequestEvent =
  | PrivacyRequestFiled
  | PrivacyRequestApproved
  | PrivacyRequestRejected
  | PrivacyRequestWithdrawn
  | ErasureDeferred
  | PrivacyRequestCompleted;

export type ConsentGiven = DomainEvent<'ConsentGiven', { userId: string; purpose: ConsentPurpose; by: string; onBehalf: boolean; at: string }>;
export type ConsentWithdrawn = DomainEvent<'ConsentWithdrawn', { userId: string; purpose: ConsentPurpose; by: string; onBehalf: boolean; at: string }>;
export type ProcessingRestricted = DomainEvent<'ProcessingRestricted', { userId: string; requestId: string | null; by: string | null; at: string }>;
export type ProcessingRestrictionLifted = DomainEvent<'ProcessingRestrictionLifted', { userId: string; by: string; at: string }>;
/**
 * No profiling of this person (automated advice, at-risk flags): an approved
 * objection, or the profiling consent withdrawn. The progress reports read
 * `{ userId, at }`; the last of the two events says what holds.
 */
export type ProfilingObjected = DomainEvent<'ProfilingObjected', { userId: string; basis: 'objection' | 'consent_withdrawn'; requestId: string | null; at: string }>;
export type ProfilingObjectionWithdrawn = DomainEvent<'ProfilingObjectionWithdrawn', { userId: string; basis: 'objection' | 'consent_given'; at: string }>;
export type LegalHoldPlaced = DomainEvent<'LegalHoldPlaced', { userId: string; holdId: string; by: string; reason: Sealed<string>; until: string | null; at: string }>;
/** `by` null with `expired`: the retention sweep lifted a hold whose end date had passed. */
export type LegalHoldLifted = DomainEvent<'LegalHoldLifted', { userId: string; holdId: string; by: string | null; expired: boolean; at: string }>;
/** The account is closed: its data is restricted at once and shredded at `shredAfter` (the legal hold period). */
export type AccountCancelled = DomainEvent<'AccountCancelled', { userId: string; by: string; shredAfter: string; at: string }>;
export type PersonalDataExported = DomainEvent<
  'PersonalDataExported',
  { userId: string; by: string; format: ExportFormat; requestId: string | null; events: number; at: string }
>;
/** The subject's keys are destroyed; projections forget them (`anonymousId` replaces them in rows kept for aggregates). */
export type SubjectErased = DomainEvent<typeof SUBJECT_ERASED, { userId: string; requestId: string; anonymousId: string; at: string }>;

export type PrivacySubjectEvent =
  | ConsentGiven
  | ConsentWithdrawn
  | ProcessingRestricted
  | ProcessingRestrictionLifted
  | ProfilingObjected
  | ProfilingObjectionWithdrawn
  | LegalHoldPlaced
  | LegalHoldLifted
  | AccountCancelled
  | PersonalDataExported
  | SubjectErased;

/** A read of other people's personal data, on the reader's activity stream. */
export type PersonalDataAccessed = DomainEvent<
  'PersonalDataAccessed',
  /** statedPurpose: what a platform admin gave as the reason of the read (sealed under the reader's key); absent otherwise. */
  { readerId: string; subjectIds: string[]; what: AccessedData; purpose: AccessPurpose; courseId: string | null; statedPurpose?: unknown }
>;

/** Free-text records of other people that may name a person (mentions.ts). */
export const MENTION_RECORDS = ['assignment_submission', 'quiz_attempt', 'offline_result'] as const;
export type MentionRecord = (typeof MENTION_RECORDS)[number];

/**
 * Where one of an erased person's names stood in someone else's free text,
 * found within the erasure: the record, its owner, the field and the span
 * (JavaScript string offsets into the field's text at the time). Never the name.
 */
export interface Mention {
  mentionId: string;
  ownerId: string;
  record: MentionRecord;
  /** The assignment, attempt or offline test. */
  recordId: string;
  /** `text` or `feedback`; `answer:<questionId>` for a quiz answer. */
  field: string;
  start: number;
  length: number;
}

/** The DPO's mentions report of an erasure (on `erasure_mentions-<requestId>`). */
export type ErasureMentionsFound = DomainEvent<'ErasureMentionsFound', { requestId: string; mentions: Mention[]; at: string }>;
/**
 * A mention rectified on its owner's record (their user stream): the span
 * reads as a mask of the same length in the read models and in the owner's
 * export from now on.
 */
export type PersonalDataRedacted = DomainEvent<'PersonalDataRedacted', Mention & { userId: string; requestId: string; by: string; at: string }>;

export type PrivacyEvent = PrivacyRequestEvent | PrivacySubjectEvent | PersonalDataAccessed | ErasureMentionsFound | PersonalDataRedacted;

export const erasureMentionsStream = (requestId: string) => `erasure_mentions-${requestId.toLowerCase()}`;

export const privacyRequestStream = (requestId: string) => `privacy_request-${requestId.toLowerCase()}`;
export const userStream = (userId: string) => `user-${userId.toLowerCase()}`;
export { activityStream } from '@learnstream/event-store';

// --- Validators (the registry runs them on append, before anything is written).

const define = (type: PrivacyEvent['type'], shape: Shape): EventTypeDefinition => eventType(type, shape, null, { closed: true });

const request = { requestId: uuid, subjectId: uuid, type: oneOf(...REQUEST_TYPES), at: instant };
const purpose = oneOf(...CONSENT_PURPOSES);

const mentionFields: Shape = {
  mentionId: uuid,
  ownerId: uuid,
  record: oneOf(...MENTION_RECORDS),
  recordId: uuid,
  field: simple('text, feedback or answer:<questionId>', (v) => v === 'text' || v === 'feedback' || (typeof v === 'string' && v.startsWith('answer:') && isUuid(v.slice('answer:'.length)))),
  start: wholeNumber,
  length: positiveInteger,
};

export const PRIVACY_EVENT_TYPES: EventTypeDefinition[] = [
  define('ErasureMentionsFound', { requestId: uuid, mentions: arrayOf(object(mentionFields), 1, 10_000), at: instant }),
  define('PersonalDataRedacted', { ...mentionFields, userId: uuid, requestId: uuid, by: uuid, at: instant }),
  define('PrivacyRequestFiled', { ...request, filedBy: nullable(uuid), filedAs: oneOf(...FILED_AS), details: nullable(sealed), dueAt: instant }),
  define('PrivacyRequestApproved', { ...request, by: nullable(uuid), reason: nullable(sealed) }),
  define('PrivacyRequestRejected', { ...request, by: uuid, reason: sealed }),
  define('PrivacyRequestWithdrawn', { ...request, by: uuid }),
  define('ErasureDeferred', { ...request, holdId: uuid }),
  define('PrivacyRequestCompleted', { ...request, outcome: oneOf(...REQUEST_OUTCOMES) }),
  define('ConsentGiven', { userId: uuid, purpose, by: uuid, onBehalf: bool, at: instant }),
  define('ConsentWithdrawn', { userId: uuid, purpose, by: uuid, onBehalf: bool, at: instant }),
  define('ProcessingRestricted', { userId: uuid, requestId: nullable(uuid), by: nullable(uuid), at: instant }),
  define('ProcessingRestrictionLifted', { userId: uuid, by: uuid, at: instant }),
  define('ProfilingObjected', { userId: uuid, basis: oneOf('objection', 'consent_withdrawn'), requestId: nullable(uuid), at: instant }),
  define('ProfilingObjectionWithdrawn', { userId: uuid, basis: oneOf('objection', 'consent_given'), at: instant }),
  define('LegalHoldPlaced', { userId: uuid, holdId: uuid, by: uuid, reason: sealed, until: nullable(instant), at: instant }),
  define('LegalHoldLifted', { userId: uuid, holdId: uuid, by: nullable(uuid), expired: bool, at: instant }),
  define('AccountCancelled', { userId: uuid, by: uuid, shredAfter: instant, at: instant }),
  define('PersonalDataExported', { userId: uuid, by: uuid, format: oneOf(...EXPORT_FORMATS), requestId: nullable(uuid), events: wholeNumber, at: instant }),
  define(SUBJECT_ERASED, { userId: uuid, requestId: uuid, anonymousId: uuid, at: instant }),
  define('PersonalDataAccessed', {
    readerId: uuid,
    subjectIds: arrayOf(uuid, 1, 500),
    what: oneOf(...ACCESSED_DATA),
    purpose: oneOf(...ACCESS_PURPOSES),
    courseId: nullable(uuid),
    statedPurpose: optional(sealed),
  }),
];

export const PRIVACY_REQUEST_EVENT_TYPES = ['PrivacyRequestFiled', 'PrivacyRequestApproved', 'PrivacyRequestRejected', 'PrivacyRequestWithdrawn', 'ErasureDeferred', 'PrivacyRequestCompleted'] as const;
export const PRIVACY_SUBJECT_EVENT_TYPES = [
  'ConsentGiven', 'ConsentWithdrawn', 'ProcessingRestricted', 'ProcessingRestrictionLifted', 'ProfilingObjected', 'ProfilingObjectionWithdrawn',
  'LegalHoldPlaced', 'LegalHoldLifted', 'AccountCancelled',
] as const;
