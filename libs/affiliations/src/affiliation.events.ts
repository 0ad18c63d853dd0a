/**
 * The events of affiliations: schools and their classes, memberships of people
 * in schools, parent links and parental consent. This union is the feature's
 * public contract with projections and other features.
 *
 *   school-<schoolId>           SchoolCreated/Updated/Archived, ClassCreated/Updated/Archived
 *   user-<userId>               SchoolJoined, ClassChanged, SchoolLeft (the member's stream;
 *                               identity writes its account events there too), and
 *                               ParentalConsentGiven/Withdrawn (on the CHILD's stream)
 *   parent_link-<linkId>        ParentLinkRequested/Confirmed/Rejected/Revoked,
 *                               linkId = uuidV5(parentId:childId)
 *   transfer-<transferId>       TransferRequested/Accepted/Declined/Cancelled: an account
 *                               asked to join a school; accepted in the same append as the
 *                               SchoolJoined (and a learner's SchoolLeft) on the user stream
 *
 * Every event carries the ids it is about, who did it (`by`, null for the
 * system) and when (`at`), so a projection never needs the stream or an
 * earlier event to place it.
 *
 * Personal data: a school's or a class's name is not personal; what is said
 * about a person is. A member's grade level, the reason a membership ended and
 * the purposes of a parental consent are sealed with that person's key
 * (`sealPersonalFields`), and read back as null once they are erased. Ids,
 * roles and statuses stay in clear: they are opaque or categorical, and the
 * read models need them.
 */
import type { SchoolRole } from '@learnstream/access';
import { eventType, instant, isPlainObject, nullable, simple, uuid, type DomainEvent, type Shape } from '@learnstream/domain';
import type { EventTypeDefinition } from '@learnstream/event-store';
import { Personal, personal } from '@learnstream/personal-data';
import { GRADE_LEVEL_MAX, isCountry, isGradeLevel, isPurposes, isSchoolCode, isText, NAME_MAX, REASON_MAX } from './values';

interface Stamp {
  /** Who did it; null when the system did (an import, the first start). */
  by: string | null;
  at: string;
}

export interface SchoolChanges {
  name?: string;
  code?: string;
  country?: string;
}
export interface ClassChanges {
  name?: string;
  gradeLevel?: string | null;
}

export type SchoolCreated = DomainEvent<'SchoolCreated', { schoolId: string; name: string; code: string; country: string } & Stamp>;
/** Only the fields that changed, with their new values. */
export type SchoolUpdated = DomainEvent<'SchoolUpdated', { schoolId: string; changes: SchoolChanges } & Stamp>;
export type SchoolArchived = DomainEvent<'SchoolArchived', { schoolId: string } & Stamp>;
export type ClassCreated = DomainEvent<'ClassCreated', { classId: string; schoolId: string; name: string; gradeLevel: string | null } & Stamp>;
export type ClassUpdated = DomainEvent<'ClassUpdated', { classId: string; schoolId: string; changes: ClassChanges } & Stamp>;
export type ClassArchived = DomainEvent<'ClassArchived', { classId: string; schoolId: string } & Stamp>;

export type SchoolEvent = SchoolCreated | SchoolUpdated | SchoolArchived | ClassCreated | ClassUpdated | ClassArchived;

/** A person becomes a learner, teacher or school admin of a school (a class for a learner: theirs; for a teacher: taught). */
export type SchoolJoined = DomainEvent<
  'SchoolJoined',
  { membershipId: string; userId: string; schoolId: string; role: SchoolRole; classId: string | null; gradeLevel: string | null } & Stamp
>;
/** The membership's complete new class and grade level. */
export type ClassChanged = DomainEvent<'ClassChanged', { membershipId: string; userId: string; schoolId: string; classId: string | null; gradeLevel: string | null } & Stamp>;
/** The membership ends; it stays in the history. */
export type SchoolLeft = DomainEvent<'SchoolLeft', { membershipId: string; userId: string; schoolId: string; reason: string | null } & Stamp>;

export type MembershipEvent = SchoolJoined | ClassChanged | SchoolLeft;

interface LinkIds {
  linkId: string;
  parentId: string;
  childId: string;
  at: string;
}
export type ParentLinkRequested = DomainEvent<'ParentLinkRequested', LinkIds & { requestedBy: string | null }>;
export type ParentLinkConfirmed = DomainEvent<'ParentLinkConfirmed', LinkIds & { decidedBy: string | null }>;
export type ParentLinkRejected = DomainEvent<'ParentLinkRejected', LinkIds & { decidedBy: string | null }>;
export type ParentLinkRevoked = DomainEvent<'ParentLinkRevoked', LinkIds & { revokedBy: string | null }>;

export type ParentLinkEvent = ParentLinkRequested | ParentLinkConfirmed | ParentLinkRejected | ParentLinkRevoked;

/**
 * On the child's stream. `inForceSince`: since when the child has had a
 * parental consent in force, all parents together (the earliest consent still
 * given), or null when none is left: the read model needs no other event.
 */
export type ParentalConsentGiven = DomainEvent<'ParentalConsentGiven', { childId: string; parentId: string; purposes: string[]; inForceSince: string; at: string }>;
export type ParentalConsentWithdrawn = DomainEvent<'ParentalConsentWithdrawn', { childId: string; parentId: string; inForceSince: string | null; at: string }>;

export type ParentalConsentEvent = ParentalConsentGiven | ParentalConsentWithdrawn;

interface TransferIds {
  transferId: string;
  userId: string;
  toSchoolId: string;
  /** The school a learner leaves (it sees the transfer), or null. */
  fromSchoolId: string | null;
}
/** Staff of `toSchoolId` ask the person to join (as `role`, in `classId`). */
export type TransferRequested = DomainEvent<'TransferRequested', TransferIds & { role: SchoolRole; classId: string | null; gradeLevel: string | null } & Stamp>;
/** `as`: the person themself, a parent of the minor, or the platform admin. `fromSchoolId`: the school actually left. */
export type TransferAccepted = DomainEvent<'TransferAccepted', TransferIds & { as: 'self' | 'parent' | 'platform_admin' } & Stamp>;
export type TransferDeclined = DomainEvent<'TransferDeclined', TransferIds & { as: 'self' | 'parent' | 'platform_admin' } & Stamp>;
/** The asking school withdraws its request. */
export type TransferCancelled = DomainEvent<'TransferCancelled', TransferIds & Stamp>;

export type TransferEvent = TransferRequested | TransferAccepted | TransferDeclined | TransferCancelled;

export type AffiliationEvent = SchoolEvent | MembershipEvent | ParentLinkEvent | ParentalConsentEvent | TransferEvent;

export const SCHOOL_EVENT_TYPES = ['SchoolCreated', 'SchoolUpdated', 'SchoolArchived', 'ClassCreated', 'ClassUpdated', 'ClassArchived'] as const;
export const MEMBERSHIP_EVENT_TYPES = ['SchoolJoined', 'ClassChanged', 'SchoolLeft'] as const;
export const PARENT_LINK_EVENT_TYPES = ['ParentLinkRequested', 'ParentLinkConfirmed', 'ParentLinkRejected', 'ParentLinkRevoked'] as const;
export const PARENTAL_CONSENT_EVENT_TYPES = ['ParentalConsentGiven', 'ParentalConsentWithdrawn'] as const;
export const TRANSFER_EVENT_TYPES = ['TransferRequested', 'TransferAccepted', 'TransferDeclined', 'TransferCancelled'] as const;

/** Wraps the personal fields of an event with `personal(subject, value)` for the EventLog to seal. */
export function sealPersonalFields(event: AffiliationEvent): Record<string, unknown> {
  switch (event.type) {
    case 'SchoolJoined':
    case 'ClassChanged':
    case 'TransferRequested':
      return { ...event.data, gradeLevel: event.data.gradeLevel === null ? null : personal(event.data.userId, event.data.gradeLevel) };
    case 'SchoolLeft':
      return { ...event.data, reason: event.data.reason === null ? null : personal(event.data.userId, event.data.reason) };
    case 'ParentalConsentGiven':
      return { ...event.data, purposes: personal(event.data.childId, event.data.purposes) };
    default:
      return { ...event.data };
  }
}

// --- Validators of the registry: run on append, before anything is written.

const uuidOrNull = nullable(uuid);
const instantOrNull = nullable(instant);
const name = simple(`a trimmed text of 1 to ${NAME_MAX} characters`, (v) => isText(v, NAME_MAX));
const code = simple('2 to 20 of A-Z 0-9 -', isSchoolCode);
const country = simple('an ISO 3166-1 alpha-2 code', isCountry);
const gradeLevel = simple(`null or a trimmed text of 1 to ${GRADE_LEVEL_MAX} characters`, isGradeLevel);
const role = simple('learner, teacher or school_admin', (v) => v === 'learner' || v === 'teacher' || v === 'school_admin');
/** A personal value: a personal() marker around a value that is `what`. */
const isSealed = (ok: (v: unknown) => boolean) => (v: unknown) => v instanceof Personal && ok(v.value);
const sealedAs = (what: string, ok: (v: unknown) => boolean) => simple(`sealed with personal() and ${what}`, isSealed(ok));
const sealedOrNull = (what: string, ok: (v: unknown) => boolean) => simple(`null or sealed with personal() and ${what}`, (v) => v === null || isSealed(ok)(v));
const changes = (fields: Shape) =>
  simple(
    `an object with at least one of ${Object.keys(fields).join(', ')}`,
    (v) => isPlainObject(v) && Object.keys(v).length > 0 && Object.entries(v).every(([k, x]) => Object.hasOwn(fields, k) && fields[k](x, k).length === 0),
  );
const define = (type: AffiliationEvent['type'], shape: Shape): EventTypeDefinition => eventType(type, shape, null, { closed: true });

const stamp = { by: uuidOrNull, at: instant };
const link = { linkId: uuid, parentId: uuid, childId: uuid, at: instant };
const transfer = { transferId: uuid, userId: uuid, toSchoolId: uuid, fromSchoolId: uuidOrNull, by: uuid, at: instant };
const decidedAs = simple('self, parent or platform_admin', (v) => v === 'self' || v === 'parent' || v === 'platform_admin');

export const AFFILIATION_EVENT_TYPES: EventTypeDefinition[] = [
  define('SchoolCreated', { schoolId: uuid, name, code, country, ...stamp }),
  define('SchoolUpdated', { schoolId: uuid, changes: changes({ name, code, country }), ...stamp }),
  define('SchoolArchived', { schoolId: uuid, ...stamp }),
  define('ClassCreated', { classId: uuid, schoolId: uuid, name, gradeLevel, ...stamp }),
  define('ClassUpdated', { classId: uuid, schoolId: uuid, changes: changes({ name, gradeLevel }), ...stamp }),
  define('ClassArchived', { classId: uuid, schoolId: uuid, ...stamp }),
  define('SchoolJoined', {
    membershipId: uuid, userId: uuid, schoolId: uuid, role, classId: uuidOrNull,
    gradeLevel: sealedOrNull('a grade level', (v) => v !== null && isGradeLevel(v)), ...stamp,
  }),
  define('ClassChanged', {
    membershipId: uuid, userId: uuid, schoolId: uuid, classId: uuidOrNull,
    gradeLevel: sealedOrNull('a grade level', (v) => v !== null && isGradeLevel(v)), ...stamp,
  }),
  define('SchoolLeft', { membershipId: uuid, userId: uuid, schoolId: uuid, reason: sealedOrNull(`a text of at most ${REASON_MAX} characters`, (v) => isText(v, REASON_MAX)), ...stamp }),
  define('ParentLinkRequested', { ...link, requestedBy: uuidOrNull }),
  define('ParentLinkConfirmed', { ...link, decidedBy: uuidOrNull }),
  define('ParentLinkRejected', { ...link, decidedBy: uuidOrNull }),
  define('ParentLinkRevoked', { ...link, revokedBy: uuidOrNull }),
  define('ParentalConsentGiven', { childId: uuid, parentId: uuid, purposes: sealedAs('1 to 20 distinct purposes (lower-case words)', isPurposes), inForceSince: instant, at: instant }),
  define('ParentalConsentWithdrawn', { childId: uuid, parentId: uuid, inForceSince: instantOrNull, at: instant }),
  define('TransferRequested', { ...transfer, role, classId: uuidOrNull, gradeLevel: sealedOrNull('a grade level', (v) => v !== null && isGradeLevel(v)) }),
  define('TransferAccepted', { ...transfer, as: decidedAs }),
  define('TransferDeclined', { ...transfer, as: decidedAs }),
  define('TransferCancelled', transfer),
];
