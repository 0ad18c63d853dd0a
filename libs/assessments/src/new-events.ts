/**
 * From decided events to events for the log: the envelope of a Moodle log row
 * (verb, object, course, tenant, learner affected). Personal fields (saved
 * answers, submission texts, feedback) arrive already wrapped with
 * `personal(learnerId, …)` by the handlers, which the event validators check.
 */
import { envelopeFor, type EventActor, type EnvelopeFields } from '@learnstream/access';
import type { NewEvent, Origin } from '@learnstream/event-store';
import type { RequestContext } from '@learnstream/core/headless';
import type { AssignmentEvent } from './assignment.events';
import type { AttemptEvent } from './attempt.events';
import type { OfflineTestEvent } from './offline-test.events';
import type { QuizEvent } from './quiz.events';

export type AssessmentEvent = QuizEvent | AttemptEvent | AssignmentEvent | OfflineTestEvent;

type Verb = Pick<EnvelopeFields, 'action' | 'crud' | 'object' | 'relatedUserId'>;

function verbOf(event: AssessmentEvent): Verb {
  switch (event.type) {
    case 'QuizCreated':
      return { action: 'created', crud: 'c', object: { type: 'quiz', id: event.data.quizId } };
    case 'QuizSettingsUpdated':
      return { action: 'updated', crud: 'u', object: { type: 'quiz', id: event.data.quizId } };
    case 'QuestionAdded':
      return { action: 'created', crud: 'c', object: { type: 'question', id: event.data.question.questionId } };
    case 'QuestionUpdated':
      return { action: 'updated', crud: 'u', object: { type: 'question', id: event.data.question.questionId } };
    case 'QuestionRemoved':
      return { action: 'deleted', crud: 'd', object: { type: 'question', id: event.data.questionId } };
    case 'AttemptStarted':
      return { action: 'started', crud: 'c', object: { type: 'attempt', id: event.data.attemptId }, relatedUserId: event.data.learnerId };
    case 'AnswersSaved':
      return { action: 'answered', crud: 'u', object: { type: 'attempt', id: event.data.attemptId }, relatedUserId: event.data.learnerId };
    case 'AttemptSubmitted':
      return { action: 'submitted', crud: 'u', object: { type: 'attempt', id: event.data.attemptId }, relatedUserId: event.data.learnerId };
    case 'AttemptGraded':
      return { action: 'graded', crud: 'u', object: { type: 'attempt', id: event.data.attemptId }, relatedUserId: event.data.learnerId };
    case 'AttemptReviewed':
      return { action: 'reviewed', crud: 'r', object: { type: 'attempt', id: event.data.attemptId }, relatedUserId: event.data.learnerId };
    case 'AssignmentCreated':
      return { action: 'created', crud: 'c', object: { type: 'assignment', id: event.data.assignmentId } };
    case 'AssignmentUpdated':
      return { action: 'updated', crud: 'u', object: { type: 'assignment', id: event.data.assignmentId } };
    case 'AssignmentSubmitted':
      return { action: 'submitted', crud: 'c', object: { type: 'assignment', id: event.data.assignmentId }, relatedUserId: event.data.learnerId };
    case 'SubmissionGraded':
      return { action: 'graded', crud: 'u', object: { type: 'assignment', id: event.data.assignmentId }, relatedUserId: event.data.learnerId };
    case 'SubmissionReopened':
      return { action: 'reopened', crud: 'u', object: { type: 'assignment', id: event.data.assignmentId }, relatedUserId: event.data.learnerId };
    case 'OfflineTestCreated':
      return { action: 'created', crud: 'c', object: { type: 'offline_test', id: event.data.offlineTestId } };
    case 'OfflineResultRecorded':
      return { action: 'graded', crud: 'u', object: { type: 'offline_test', id: event.data.offlineTestId }, relatedUserId: event.data.learnerId };
  }
}

/** The envelope fields of an assessment event in a course of school `schoolId` (null: platform-wide). */
export function envelopeFieldsOf(event: AssessmentEvent, schoolId: string | null): EnvelopeFields {
  return { relatedUserId: null, ...verbOf(event), courseId: event.data.courseId, schoolId };
}

/**
 * The log events of decided events, caused by `actor`; null is the system
 * (an overdue attempt closed when its learner comes back). Each occurred at
 * its data's `at` (now, or the historic time an import gave: origin `import`).
 * The system's events are in `request`, the request they came about in, if any.
 */
export function toNewEvents(actor: EventActor | null, events: AssessmentEvent[], schoolId: string | null, origin?: Origin, request: RequestContext | null = null): NewEvent[] {
  return events.map((event) => ({
    type: event.type,
    data: event.data as unknown as Record<string, unknown>,
    envelope: envelopeFor(actor, { ...envelopeFieldsOf(event, schoolId), occurredAt: event.data.at, request, ...(actor === null && { origin: 'system' as const }), ...(origin && { origin }) }),
  }));
}
