/**
 * '@learnstream/composition/headless': every event type the log accepts and the inline read models (those written in
 * an append's own transaction), from each feature's part without HTTP: what the CLI's import runs with. It loads none
 * of the controllers, GraphQL, Swagger or class-validator that the barrel's feature modules bring.
 */
import { ACTIVITY_EVENT_TYPES } from '@learnstream/activity/headless';
import { AFFILIATION_EVENT_TYPES, MembershipsProjection, ParentLinksProjection, SchoolsProjection, TransfersProjection } from '@learnstream/affiliations/headless';
import { ASSESSMENT_EVENT_TYPES, AssessmentsProjection } from '@learnstream/assessments/headless';
import { COURSE_EVENT_TYPES, COURSE_VIEW_EVENT_TYPES, CourseEnrolmentsProjection, CoursesProjection, ENROLMENT_EVENT_TYPES } from '@learnstream/courses/headless';
import type { EventTypeDefinition } from '@learnstream/event-store';
import { COMPLETION_EVENT_TYPES, COMPLETION_RULES_EVENT_TYPES, GRADE_VIEW_EVENT_TYPES, GRADEBOOK_EVENT_TYPES } from '@learnstream/grades/headless';
import { ACCOUNT_EVENT_TYPES, AccountsProjection } from '@learnstream/identity/headless';
import { INTEROP_EVENT_TYPES } from '@learnstream/interop/headless';
import { MentionsProjection, PRIVACY_EVENT_TYPES, PrivacyRequestsProjection, SubjectFlagsProjection } from '@learnstream/privacy/headless';
import type { Projection } from '@learnstream/projections/headless';
import { PROGRESS_EVENT_TYPES } from '@learnstream/progress/headless';
import { REPORT_EVENT_TYPES } from '@learnstream/reports/headless';

export const EVENT_TYPES: EventTypeDefinition[] = [
  ...ACCOUNT_EVENT_TYPES, ...AFFILIATION_EVENT_TYPES, ...COURSE_EVENT_TYPES, ...ENROLMENT_EVENT_TYPES, ...COURSE_VIEW_EVENT_TYPES,
  ...ASSESSMENT_EVENT_TYPES, ...GRADEBOOK_EVENT_TYPES, ...COMPLETION_RULES_EVENT_TYPES, ...COMPLETION_EVENT_TYPES, ...GRADE_VIEW_EVENT_TYPES,
  ...REPORT_EVENT_TYPES, ...PROGRESS_EVENT_TYPES, ...ACTIVITY_EVENT_TYPES,
  ...INTEROP_EVENT_TYPES,
  ...PRIVACY_EVENT_TYPES,
];

/**
 * The read models written inside an append's transaction (`inline = true`), and only those: a process that appends
 * without running the report projections (the CLI's import) needs no other. readModels() lists them among all.
 */
export function inlineReadModels(): Projection[] {
  return [new AccountsProjection(), new SchoolsProjection(), new MembershipsProjection(), new ParentLinksProjection(), new CoursesProjection(), new CourseEnrolmentsProjection(), new AssessmentsProjection(),
    new PrivacyRequestsProjection(), new SubjectFlagsProjection(), new MentionsProjection(), new TransfersProjection()];
}
