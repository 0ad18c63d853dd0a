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
import { envelopeFor, ForbiddenError, type Actor } from '@learnstream/access';
import { DomainError } from '@learnstream/domain';
import { positionToString, type NewEvent } from '@learnstream/event-store';
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

    const events: NewEvent[] = items.map((item, index) => toNewEvent(actor, item, definitions[index], schools.get(item.courseId) ?? null, resources.get(item.resourceId ?? '')));
    const result = await this.writer.append(activityStreamId(actor.userId), events);
    return {
      received: items.length,
      recorded: items.length - result.duplicates.length,
      duplicates: result.duplicates.length,
      duplicateIds: result.duplicates,
      position: positionToString(result.position),
    };
  }
}

function resourceProblem(item: ActivityItem, definition: ActionDefinition, resource: ResourceFacts | undefined, teaches: boolean): string | null {
  if (definition.object !== 'resource') return null;
  // A hidden resource is for its staff: to a learner it does not exist.
  if (!resource || resource.courseId !== item.courseId || (!resource.visible && !teaches)) return 'is not a resource of this course';
  if (definition.kinds && !definition.kinds.includes(resource.kind)) return `is a ${resource.kind}: ${definition.type} needs a ${definition.kinds.join(' or ')}`;
  return null;
}

function toNewEvent(actor: Actor, item: ActivityItem, definition: ActionDefinition, schoolId: string | null, resource: ResourceFacts | undefined): NewEvent {
  const { id, type, ...fields } = item;
  const data: Record<string, unknown> = { ...fields, userId: actor.userId };
  if (type === 'ResourceViewed') data.sectionId = resource!.sectionId;
  const object = definition.object === 'course' ? { type: 'course', id: item.courseId } : { type: 'resource', id: item.resourceId! };
  return { id, type, data, envelope: envelopeFor(actor, { action: definition.action, crud: 'r', object, courseId: item.courseId, schoolId }) };
}
