/**
 * Client-side activity: what a learner's app reports that the server cannot
 * see (a video watched to a point, time spent on a page, a file opened from a
 * cache). The vocabulary below is the contract of POST /api/v1/activity: each
 * item names one of these types with its fields; the server adds the user, the
 * envelope (course, school, verb, object, IP and user agent, request id) and
 * appends it to the user's activity stream `activity-<userId>`, the stream the
 * server-side views (CourseViewed, ResourceViewed) already use.
 *
 * CourseViewed and ResourceViewed are the courses feature's types (registered
 * there); a client sends them for views the server did not serve (an offline
 * app syncing). The data holds ids and numbers only: no personal data beyond
 * the fact of the action, which the opaque user id names.
 */
import { eventType, simple, uuid, type DomainEvent } from '@learnstream/domain';
import type { EventTypeDefinition } from '@learnstream/event-store';

export { activityStream as activityStreamId } from '@learnstream/event-store';

type OnResource = { courseId: string; resourceId: string; userId: string };

export type VideoProgressed = DomainEvent<'VideoProgressed', OnResource & { positionSeconds: number; durationSeconds: number }>;
export type VideoCompleted = DomainEvent<'VideoCompleted', OnResource & { durationSeconds: number }>;
export type PageTimeRecorded = DomainEvent<'PageTimeRecorded', OnResource & { seconds: number }>;
export type FileDownloaded = DomainEvent<'FileDownloaded', OnResource>;

export type ActivityEvent = VideoProgressed | VideoCompleted | PageTimeRecorded | FileDownloaded;

/** Longest video or page session the log accepts, in seconds (a day). */
export const MAX_SECONDS = 86_400;

export type ResourceKind = 'page' | 'file' | 'url' | 'video';

/** One type of the vocabulary: its client fields, the verb of its log row, and the resource kinds it applies to. */
export interface ActionDefinition {
  type: string;
  /** Fields the client sends besides id, type and courseId. */
  fields: Record<string, 'uuid' | 'seconds' | 'positiveSeconds'>;
  action: string;
  /** On a resource (object = the resource) or on the course itself. */
  object: 'course' | 'resource';
  /** Resource kinds the action makes sense for; any when absent. */
  kinds?: ResourceKind[];
  summary: string;
}

/** The documented vocabulary, in the order the OpenAPI document lists it. */
export const ACTIVITY_VOCABULARY: readonly ActionDefinition[] = [
  { type: 'CourseViewed', fields: {}, action: 'viewed', object: 'course', summary: 'the course page was shown' },
  { type: 'ResourceViewed', fields: { resourceId: 'uuid' }, action: 'viewed', object: 'resource', summary: 'a resource was opened (sectionId is filled in by the server)' },
  {
    type: 'VideoProgressed',
    fields: { resourceId: 'uuid', positionSeconds: 'seconds', durationSeconds: 'positiveSeconds' },
    action: 'progressed',
    object: 'resource',
    kinds: ['video'],
    summary: 'the video was played up to positionSeconds (≤ durationSeconds)',
  },
  { type: 'VideoCompleted', fields: { resourceId: 'uuid', durationSeconds: 'positiveSeconds' }, action: 'completed', object: 'resource', kinds: ['video'], summary: 'the video was played to its end' },
  { type: 'PageTimeRecorded', fields: { resourceId: 'uuid', seconds: 'positiveSeconds' }, action: 'spent_time', object: 'resource', kinds: ['page'], summary: 'seconds spent reading a page' },
  { type: 'FileDownloaded', fields: { resourceId: 'uuid' }, action: 'downloaded', object: 'resource', kinds: ['file'], summary: 'a file was downloaded' },
];

export const ACTIVITY_TYPES: readonly string[] = ACTIVITY_VOCABULARY.map((a) => a.type);

const isSeconds = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= MAX_SECONDS;
const seconds = simple(`a number of seconds from 0 to ${MAX_SECONDS}`, isSeconds);

const define = (type: ActivityEvent['type'], numbers: string[], extra?: (d: Record<string, unknown>) => string[]): EventTypeDefinition =>
  eventType(type, { courseId: uuid, resourceId: uuid, userId: uuid, ...Object.fromEntries(numbers.map((k) => [k, seconds])) }, extra, { closed: true });

/** The registry definitions of the activity feature's own types (CourseViewed and ResourceViewed are the courses feature's). */
export const ACTIVITY_EVENT_TYPES: EventTypeDefinition[] = [
  define('VideoProgressed', ['positionSeconds', 'durationSeconds'], (d) =>
    isSeconds(d.positionSeconds) && isSeconds(d.durationSeconds) && d.positionSeconds > d.durationSeconds ? ['positionSeconds must not be past durationSeconds'] : [],
  ),
  define('VideoCompleted', ['durationSeconds']),
  define('PageTimeRecorded', ['seconds']),
  define('FileDownloaded', []),
];
