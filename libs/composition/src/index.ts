/**
 * What the processes run: every event type the log accepts, every read model,
 * and the HTTP feature modules. The api, the projector and the CLI take their
 * lists from here, so that the three never disagree.
 */
import type { Type } from '@nestjs/common';
import type { AppConfig } from '@learnstream/config';
import { ACTIVITY_EVENT_TYPES, ActivityModule } from '@learnstream/activity';
import { ASSESSMENT_EVENT_TYPES, AssessmentsModule, AssessmentsProjection } from '@learnstream/assessments';
import { AFFILIATION_EVENT_TYPES, AffiliationsModule, MembershipsProjection, ParentLinksProjection, SchoolsProjection, TransfersProjection } from '@learnstream/affiliations';
import {
  COURSE_EVENT_TYPES,
  COURSE_VIEW_EVENT_TYPES,
  CourseEnrolmentsProjection,
  CoursesModule,
  CoursesProjection,
  ENROLMENT_EVENT_TYPES,
} from '@learnstream/courses';
import type { EventTypeDefinition } from '@learnstream/event-store';
import { COMPLETION_EVENT_TYPES, COMPLETION_RULES_EVENT_TYPES, GRADE_VIEW_EVENT_TYPES, GRADEBOOK_EVENT_TYPES, GradesModule, GradesProjection } from '@learnstream/grades';
import { ACCOUNT_EVENT_TYPES, AccountsProjection, IdentityModule } from '@learnstream/identity';
import { INTEROP_EVENT_TYPES, InteropModule, interopOptions, XapiStatementsProjection } from '@learnstream/interop';
import {
  AccessLogProjection,
  MentionsProjection,
  PRIVACY_EVENT_TYPES,
  PrivacyModule,
  PrivacyRequestsProjection,
  SubjectEventsProjection,
  SubjectFlagsProjection,
} from '@learnstream/privacy';
import type { Projection } from '@learnstream/projections';
import { EarlyWarningProjection, LearnerActivityProjection, PROGRESS_EVENT_TYPES, ProgressModule, QuestionResultsProjection } from '@learnstream/progress';
import { CourseLogProjection, REPORT_EVENT_TYPES, ReportsModule, UsageActivityProjection } from '@learnstream/reports';

export const EVENT_TYPES: EventTypeDefinition[] = [
  ...ACCOUNT_EVENT_TYPES, ...AFFILIATION_EVENT_TYPES, ...COURSE_EVENT_TYPES, ...ENROLMENT_EVENT_TYPES, ...COURSE_VIEW_EVENT_TYPES,
  ...ASSESSMENT_EVENT_TYPES, ...GRADEBOOK_EVENT_TYPES, ...COMPLETION_RULES_EVENT_TYPES, ...COMPLETION_EVENT_TYPES, ...GRADE_VIEW_EVENT_TYPES,
  ...REPORT_EVENT_TYPES, ...PROGRESS_EVENT_TYPES, ...ACTIVITY_EVENT_TYPES,
  ...INTEROP_EVENT_TYPES,
  ...PRIVACY_EVENT_TYPES,
];

/** `config`: the settings some read models are made with (the xAPI home page of the LMS's statements); the defaults without it. */
export function readModels(config?: AppConfig): { projections: Projection[]; entities: Type[] } {
  return {
    projections: [new CourseLogProjection(), new AccountsProjection(), new SchoolsProjection(), new MembershipsProjection(), new ParentLinksProjection(), new CoursesProjection(), new CourseEnrolmentsProjection(), new AssessmentsProjection(), new GradesProjection(), new UsageActivityProjection(), new LearnerActivityProjection(), new QuestionResultsProjection(), new EarlyWarningProjection(), new XapiStatementsProjection(interopOptions(config).homePage),
      new PrivacyRequestsProjection(), new SubjectFlagsProjection(), new AccessLogProjection(), new SubjectEventsProjection(), new MentionsProjection(), new TransfersProjection()],
    entities: [],
  };
}

/** Nest modules with the REST and GraphQL endpoints of each feature (api only). */
export const FEATURE_MODULES: Type[] = [IdentityModule, AffiliationsModule, CoursesModule, AssessmentsModule, GradesModule, ReportsModule, ProgressModule, ActivityModule, InteropModule, PrivacyModule];
