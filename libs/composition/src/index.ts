/**
 * What the processes run: every event type the log accepts, every read model,
 * and the HTTP feature modules. The api, the projector and the CLI take their
 * lists from here, so that the three never disagree.
 */
import type { Type } from '@nestjs/common';
import type { AppConfig } from '@learnstream/config';
import { ActivityModule } from '@learnstream/activity';
import { AssessmentsModule } from '@learnstream/assessments';
import { AffiliationsModule } from '@learnstream/affiliations';
import { CoursesModule } from '@learnstream/courses';
import { GradesModule, GradesProjection } from '@learnstream/grades';
import { IdentityModule } from '@learnstream/identity';
import { InteropModule, interopOptions, XapiStatementsProjection } from '@learnstream/interop';
import { AccessLogProjection, PrivacyModule, SubjectEventsProjection } from '@learnstream/privacy';
import type { Projection } from '@learnstream/projections';
import { EarlyWarningProjection, LearnerActivityProjection, ProgressModule, QuestionResultsProjection } from '@learnstream/progress';
import { CourseLogProjection, ReportsModule, UsageActivityProjection } from '@learnstream/reports';
import { inlineReadModels } from './headless';

export { EVENT_TYPES, inlineReadModels } from './headless';

/** `config`: the settings some read models are made with (the xAPI home page of the LMS's statements); the defaults without it. */
export function readModels(config?: AppConfig): { projections: Projection[]; entities: Type[] } {
  return {
    projections: [new CourseLogProjection(), ...inlineReadModels(), new GradesProjection(), new UsageActivityProjection(), new LearnerActivityProjection(), new QuestionResultsProjection(), new EarlyWarningProjection(), new XapiStatementsProjection(interopOptions(config).homePage),
      new AccessLogProjection(), new SubjectEventsProjection()],
    entities: [],
  };
}

/** Nest modules with the REST and GraphQL endpoints of each feature (api only). */
export const FEATURE_MODULES: Type[] = [IdentityModule, AffiliationsModule, CoursesModule, AssessmentsModule, GradesModule, ReportsModule, ProgressModule, ActivityModule, InteropModule, PrivacyModule];
