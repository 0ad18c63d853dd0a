/**
 * From decided events to events for the log: the envelope of a Moodle log row
 * (verb, object, course, tenant, learner affected) and, for the one personal
 * field (an override's reason, about the learner), the seal under the
 * learner's id. The decider checks the reason as plain text first.
 */
import { envelopeFor, type EventActor, type EnvelopeFields } from '@learnstream/access';
import type { NewEvent } from '@learnstream/event-store';
import { personal } from '@learnstream/personal-data';
import type { CompletionRulesEvent } from './completion.events';
import type { GradeViewEvent } from './grade-views.events';
import { COURSE_TOTAL, type GradebookEvent } from './gradebook.events';

export type GradesFeatureEvent = GradebookEvent | CompletionRulesEvent | GradeViewEvent;

type Verb = Pick<EnvelopeFields, 'action' | 'crud' | 'object' | 'relatedUserId'>;

function verbOf(event: GradesFeatureEvent): Verb {
  const gradebook = { type: 'gradebook', id: event.data.courseId };
  switch (event.type) {
    case 'GradebookSetUp':
      return { action: 'created', crud: 'c', object: gradebook };
    case 'GradebookSettingsUpdated':
      return { action: 'updated', crud: 'u', object: gradebook };
    case 'GradeCategoryAdded':
      return { action: 'created', crud: 'c', object: { type: 'grade_category', id: event.data.categoryId } };
    case 'GradeCategoryUpdated':
      return { action: 'updated', crud: 'u', object: { type: 'grade_category', id: event.data.categoryId } };
    case 'GradeCategoryRemoved':
      return { action: 'deleted', crud: 'd', object: { type: 'grade_category', id: event.data.categoryId } };
    case 'GradeItemAdded':
      return { action: 'created', crud: 'c', object: { type: 'grade_item', id: event.data.itemId } };
    case 'GradeItemUpdated':
      return { action: 'updated', crud: 'u', object: { type: 'grade_item', id: event.data.itemId } };
    case 'GradeItemRemoved':
      return { action: 'deleted', crud: 'd', object: { type: 'grade_item', id: event.data.itemId } };
    case 'GradeRecorded':
      return { action: 'graded', crud: 'u', object: { type: 'grade_item', id: event.data.itemId }, relatedUserId: event.data.learnerId };
    case 'GradeOverridden':
    case 'GradeOverrideCleared': {
      const object = event.data.target === COURSE_TOTAL ? { type: 'course', id: event.data.courseId } : { type: 'grade_item', id: event.data.target };
      return { action: event.type === 'GradeOverridden' ? 'overridden' : 'override_cleared', crud: 'u', object, relatedUserId: event.data.learnerId };
    }
    case 'GradesReleased':
      return { action: 'released', crud: 'u', object: gradebook };
    case 'GradesHidden':
      return { action: 'hidden', crud: 'u', object: gradebook };
    case 'ActivityCompletionRuleSet':
      return { action: 'updated', crud: 'u', object: { type: 'activity', id: event.data.activityId } };
    case 'ActivityCompletionRuleRemoved':
      return { action: 'deleted', crud: 'd', object: { type: 'activity', id: event.data.activityId } };
    case 'CourseCompletionCriteriaSet':
      return { action: 'updated', crud: 'u', object: { type: 'course', id: event.data.courseId } };
    case 'GradesViewed':
      return { action: 'viewed', crud: 'r', object: gradebook, relatedUserId: event.data.learnerId };
    case 'CompletionViewed':
      return { action: 'viewed', crud: 'r', object: { type: 'course_completion', id: event.data.courseId }, relatedUserId: event.data.learnerId };
  }
}

export function envelopeFieldsOf(event: GradesFeatureEvent, schoolId: string | null): EnvelopeFields {
  return { relatedUserId: null, ...verbOf(event), courseId: event.data.courseId, schoolId };
}

function sealed(event: GradesFeatureEvent): Record<string, unknown> {
  if (event.type === 'GradeOverridden') return { ...event.data, reason: personal(event.data.learnerId, event.data.reason) };
  return event.data as unknown as Record<string, unknown>;
}

/** The log events of decided events, caused by `actor`, in a course of school `schoolId`. */
export function toNewEvents(actor: EventActor, events: GradesFeatureEvent[], schoolId: string | null): NewEvent[] {
  return events.map((event) => ({ type: event.type, data: sealed(event), envelope: envelopeFor(actor, envelopeFieldsOf(event, schoolId)) }));
}
