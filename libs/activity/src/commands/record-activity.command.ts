/**
 * Records client-side activity: one item or a batch, all or nothing.
 *   400  VALIDATION_FAILED, with { index, field, message } per problem (nothing recorded)
 *   403  FORBIDDEN when the caller may not record activity in one of the courses
 *        (an enrolled learner, course.participate, or its staff, course.teach)
 *   429  OVERLOADED (the controller adds Retry-After): nothing recorded, send it again later
 * Each item's client id is the event's id: items already in the caller's
 * stream (a retried request, or a batch overlapping one sent before) are
 * skipped and counted as duplicates, never recorded twice.
 */
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AccessPolicy, envelopeFor, ForbiddenError, HistoricTime, occurredAtProblems, type Actor } from '@learnstream/access';
import { DomainError } from '@learnstream/domain';
import { comparePositions, positionToString, type NewEvent } from '@learnstream/event-store';
import { activityStreamId, type ActionDefinition } from '../activity.events';
import { ActivityFacts, type ResourceFacts } from '../activity-facts';
import { parseActivityBody, type ActivityItem, type ItemProblem } from '../activity.validation';
import { ActivityWriter } from '../activity-writer';
import type { ActivityOptions } from '../activity.options';

export interface RecordActivityResult {
  /** Items in the request. */
  received: number;
  /** Items appended now. */
  recorded: number;
  /** Items already recorded by an earlier request (same id): not counted again. */
  duplicates: number;
  duplicateIds: string[];
  /** Position of the request's last event in the log (commit/prepare). */
  position: string;
}

export class RecordActivityCommand {
  constructor(
    readonly actor: Actor,
    readonly body: unknown,
    readonly options: Pick<ActivityOptions, 'maxBatchItems'>,
  ) {}
}

const invalid = (message: string, details: ItemProblem[]) => new DomainError('invalid', 'VALIDATION_FAILED', message, details);

@CommandHandler(RecordActivityCommand)
export class RecordActivityHandler implements ICommandHandler<RecordActivityCommand, RecordActivityResult> {
  constructor(
    private readonly facts: ActivityFacts,
    private readonly writer: ActivityWriter,
    private readonly policy: AccessPolicy,
    private readonly time: HistoricTime,
  ) {}

  async execute({ actor, body, options }: RecordActivityCommand): Promise<RecordActivityResult> {
    const parsed = parseActivityBody(body, options.maxBatchItems);
    if (!parsed.ok) throw invalid(parsed.message, parsed.details);
    const { items, definitions } = parsed;

    const courseIds = [...new Set(items.map((i) => i.courseId))];
    const teaches = new Map<string, boolean>();
    for (const courseId of courseIds) {
      const access = await this.facts.courseAccess(actor, courseId);
      if (!access.allowed) throw new ForbiddenError(`you may not record activity in course ${courseId}: only its enrolled learners and staff may`);
      teaches.set(courseId, access.teaches);
    }
    const [schools, resources] = await Promise.all([
      this.facts.schoolsOf(courseIds),
      this.facts.resourcesOf([...new Set(items.flatMap((i) => (i.resourceId ? [i.resourceId] : [])))]),
    ]);

    const problems: ItemProblem[] = [];
    items.forEach((item, index) => {
      const problem = resourceProblem(item, definitions[index], resources.get(item.resourceId ?? ''), teaches.get(item.courseId)!);
      if (problem) problems.push({ index, field: 'resourceId', message: problem });
    });
    if (problems.length) throw invalid(`${problems.length} of ${items.length} events name a resource they cannot: nothing was recorded`, problems);

    const historic = items.some((i) => i.occurredAt !== undefined || (i.learnerId !== undefined && i.learnerId !== actor.userId));
    if (historic) await this.checkHistory(actor, items, courseIds, schools);

    const byStream = new Map<string, NewEvent[]>();
    const envelopes: Envelopes = new Map();
    items.forEach((item, index) => {
      const learnerId = item.learnerId ?? actor.userId;
      const streamId = activityStreamId(learnerId);
      const event = toNewEvent(actor, item, definitions[index], schools.get(item.courseId) ?? null, resources.get(item.resourceId ?? ''), envelopes);
      const events = byStream.get(streamId);
      if (events) events.push(event);
      else byStream.set(streamId, [event]);
    });
    const requests = [...byStream].map(([streamId, events]) => ({ streamId, events }));
    const results = requests.length === 1 ? [await this.writer.append(requests[0].streamId, requests[0].events)] : await this.writer.appendMany(requests);
    const duplicateIds = results.flatMap((r) => r.duplicates);
    const last = results.map((r) => r.position).reduce((a, b) => (comparePositions(a, b) >= 0 ? a : b));
    return {
      received: items.length,
      recorded: items.length - duplicateIds.length,
      duplicates: duplicateIds.length,
      duplicateIds,
      position: positionToString(last),
    };
  }

  /**
   * History and activity recorded for learners (an import): the import
   * permission in every course named, each time within bounds (not in the
   * future, not before the course), and each learner enrolled in the course at
   * that time. Every problem is reported with its item; nothing is recorded.
   */
  private async checkHistory(actor: Actor, items: ActivityItem[], courseIds: string[], schools: Map<string, string | null>): Promise<void> {
    const created = new Map<string, Date | null>();
    for (const courseId of courseIds) {
      await this.time.requireImport(actor, schools.get(courseId) ?? null);
      created.set(courseId, (await this.policy.course(courseId)).createdAt);
    }
    const learnerIds = [...new Set(items.flatMap((i) => (i.learnerId ? [i.learnerId] : [])))];
    const enrolments = learnerIds.length ? await this.facts.enrolmentsOf(courseIds, learnerIds) : new Map<string, { enrolledAt: number; unenrolledAt: number | null }>();
    const now = this.time.now();
    const problems: ItemProblem[] = [];
    items.forEach((item, index) => {
      const at = item.occurredAt ?? now.toISOString();
      const [bad] = occurredAtProblems(at, now, created.get(item.courseId) ?? null);
      if (bad) return problems.push({ index, field: 'occurredAt', message: bad.message });
      if (!item.learnerId || item.learnerId === actor.userId) return;
      const enrolment = enrolments.get(`${item.courseId}|${item.learnerId}`);
      const t = Date.parse(at);
      if (!enrolment || t < enrolment.enrolledAt || (enrolment.unenrolledAt !== null && t > enrolment.unenrolledAt)) {
        problems.push({ index, field: 'learnerId', message: `was not enrolled in course ${item.courseId} at ${at}` });
      }
    });
    if (problems.length) throw invalid(`${new Set(problems.map((p) => p.index)).size} of ${items.length} events cannot be recorded at their time or for their learner: nothing was recorded`, problems);
  }
}

function resourceProblem(item: ActivityItem, definition: ActionDefinition, resource: ResourceFacts | undefined, teaches: boolean): string | null {
  if (definition.object !== 'resource') return null;
  // A hidden resource is for its staff: to a learner it does not exist.
  if (!resource || resource.courseId !== item.courseId || (!resource.visible && !teaches)) return 'is not a resource of this course';
  if (definition.kinds && !definition.kinds.includes(resource.kind)) return `is a ${resource.kind}: ${definition.type} needs a ${definition.kinds.join(' or ')}`;
  return null;
}

/** A request's envelopes by everything they say: items alike but for their data share one (the EventLog then checks, seals and sends it once). */
type Envelopes = Map<string, ReturnType<typeof envelopeFor>>;

/**
 * The item as an event. An import's item for a learner is the learner's (their
 * stream, their activity in every report), with origin `import`; an item with
 * occurredAt happened then.
 */
function toNewEvent(actor: Actor, item: ActivityItem, definition: ActionDefinition, schoolId: string | null, resource: ResourceFacts | undefined, envelopes: Envelopes): NewEvent {
  const { id, type, occurredAt, learnerId, ...fields } = item;
  const onBehalf = learnerId !== undefined && learnerId !== actor.userId;
  const by = onBehalf ? { userId: learnerId, realActorId: null, request: actor.request } : actor;
  const data: Record<string, unknown> = { ...fields, userId: by.userId };
  if (type === 'ResourceViewed') data.sectionId = resource!.sectionId;
  const objectType = definition.object === 'course' ? 'course' : 'resource';
  const objectId = definition.object === 'course' ? item.courseId : item.resourceId!;
  const imported = onBehalf || occurredAt !== undefined;
  const key = `${by.userId}|${definition.action}|${objectType}|${objectId}|${item.courseId}|${occurredAt ?? ''}|${imported}`;
  let envelope = envelopes.get(key);
  if (!envelope) {
    const object = { type: objectType, id: objectId };
    envelope = envelopeFor(by, { action: definition.action, crud: 'r', object, courseId: item.courseId, schoolId, ...(occurredAt && { occurredAt }), ...(imported && { origin: 'import' as const }) });
    envelopes.set(key, envelope);
  }
  return { id, type, data, envelope };
}
