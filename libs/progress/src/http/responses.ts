/** The response bodies of the progress reports (OpenAPI; see libs/core/src/api-response.ts). */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ApiCounts, ApiList, ApiNullable, ApiOneOf } from '@learnstream/core';

export class ProgressResponse {
  @ApiProperty() completed!: number;
  @ApiProperty() required!: number;
  @ApiNullable(Number) percentage!: number | null;
}

export class CompletionResponse {
  @ApiProperty({ type: () => ProgressResponse }) progress!: ProgressResponse;
  @ApiProperty() courseCompleted!: boolean;
  @ApiNullable(String, { format: 'date-time' }) courseCompletedAt!: string | null;
}

export class CurrentGradeResponse {
  @ApiNullable(Number) percentage!: number | null;
  @ApiNullable(String) letter!: string | null;
  @ApiNullable(Boolean) passed!: boolean | null;
}

/** Why a learner is at risk: `inactive` (since, neverActive, days) or `failing` (percentage, passPercentage). */
export class AtRiskReasonResponse {
  @ApiOneOf(['inactive', 'failing']) rule!: 'inactive' | 'failing';
  @ApiProperty({ description: 'the reason in words' }) text!: string;
  @ApiPropertyOptional({ format: 'date-time', description: 'inactive: the last activity (or the enrolment)' }) since?: string;
  @ApiPropertyOptional({ description: 'inactive: no activity at all since the enrolment' }) neverActive?: boolean;
  @ApiPropertyOptional({ description: 'inactive: days without activity' }) days?: number;
  @ApiPropertyOptional({ description: 'failing: the current grade' }) percentage?: number;
  @ApiPropertyOptional({ description: 'failing: the gradebook\'s pass mark' }) passPercentage?: number;
}

export class AtRiskResponse {
  @ApiProperty() flagged!: boolean;
  @ApiList(() => AtRiskReasonResponse) reasons!: AtRiskReasonResponse[];
}

/** A reason of the early-warning model: a feature that raises the learner's risk (docs/early-warning.md). */
export class ModelReasonResponse {
  @ApiOneOf(['model']) rule!: 'model';
  @ApiProperty({ description: 'the feature (submittedShare, assessmentRank, recentRank, trend, leadRank, daysSinceLast, …)' }) feature!: string;
  @ApiProperty({ description: 'what it adds to the log-odds of the risk' }) contribution!: number;
  @ApiProperty({ description: 'the reason in words and numbers' }) text!: string;
}

export class ModelAtRiskResponse {
  @ApiProperty({ description: "the early-warning model's flag: risk ≥ the threshold of the setting" }) flagged!: boolean;
  @ApiProperty({ description: 'the risk of failing or withdrawing, 0–1 (3 decimals)' }) risk!: number;
  @ApiList(() => ModelReasonResponse) reasons!: ModelReasonResponse[];
  @ApiProperty({ type: () => AtRiskResponse, description: 'the two rules of before (inactivity, failing grade), for comparison' }) baseline!: AtRiskResponse;
}

export class EarlyWarningResponse {
  @ApiOneOf(['precision-first', 'recall-first']) threshold!: 'precision-first' | 'recall-first';
  @ApiProperty({ description: 'flagged when risk ≥ this' }) riskAtLeast!: number;
  @ApiProperty({ description: 'on courses the model was not fitted on (leave-one-module-out)' }) expectedPrecision!: number;
  @ApiProperty() expectedRecall!: number;
  @ApiProperty() rule!: string;
  @ApiProperty() trainedOn!: string;
  @ApiOneOf(['school', 'bundled'], { description: "school: the model trained on the school's own history (GET /reports/schools/{id}/early-warning/model); bundled: the product's" }) model!: 'school' | 'bundled';
}

export class ThresholdSettingResponse {
  @ApiProperty({ format: 'uuid' }) schoolId!: string;
  @ApiOneOf(['precision-first', 'recall-first']) threshold!: 'precision-first' | 'recall-first';
  @ApiProperty() riskAtLeast!: number;
  @ApiProperty() expectedPrecision!: number;
  @ApiProperty() expectedRecall!: number;
}

export class ModelWeightResponse {
  @ApiProperty() feature!: string;
  @ApiProperty({ description: 'per standard deviation of the feature' }) weight!: number;
  @ApiProperty() mean!: number;
  @ApiProperty() sd!: number;
}

export class ModelThresholdResponse {
  @ApiProperty({ description: 'flagged when risk ≥ this' }) riskAtLeast!: number;
  @ApiProperty({ description: 'on the held-out courses (a school model: each of its finished courses held out in turn)' }) expectedPrecision!: number;
  @ApiProperty() expectedRecall!: number;
  @ApiProperty() rule!: string;
}

export class ModelThresholdsResponse {
  @ApiProperty({ type: () => ModelThresholdResponse }) 'precision-first'!: ModelThresholdResponse;
  @ApiProperty({ type: () => ModelThresholdResponse }) 'recall-first'!: ModelThresholdResponse;
}

export class ModelTrainingResponse {
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({ format: 'uuid' }) by!: string;
  @ApiProperty({ description: 'finished courses trained on' }) courses!: number;
  @ApiProperty({ description: 'learners judged in them' }) learners!: number;
}

export class SchoolModelResponse {
  @ApiProperty({ format: 'uuid' }) schoolId!: string;
  @ApiOneOf(['school', 'bundled'], { description: "school: trained on the school's own history; bundled: the product's (the school has none)" }) source!: 'school' | 'bundled';
  @ApiProperty() trainedOn!: string;
  @ApiNullable(() => ModelTrainingResponse, { description: 'null for the bundled model' }) trained!: ModelTrainingResponse | null;
  @ApiProperty({ description: 'the L2 penalty of the fit' }) l2!: number;
  @ApiProperty({ type: [Number] }) atDays!: number[];
  @ApiProperty() intercept!: number;
  @ApiList(() => ModelWeightResponse) weights!: ModelWeightResponse[];
  @ApiProperty({ type: () => ModelThresholdsResponse }) thresholds!: ModelThresholdsResponse;
}

export class ClassParticipantResponse {
  @ApiProperty({ format: 'uuid' }) learnerId!: string;
  @ApiNullable(String) displayName!: string | null;
  @ApiProperty({ description: 'active or unenrolled' }) status!: string;
  @ApiProperty({ format: 'date-time' }) enrolledAt!: string;
  @ApiNullable(String, { format: 'date-time' }) unenrolledAt!: string | null;
  @ApiNullable(String, { format: 'date-time', description: 'the learner\'s last own action in the course' }) lastAccessAt!: string | null;
  @ApiProperty({ description: 'own events in the course' }) events!: number;
  @ApiCounts({ description: 'own events in the course by action (verb)' }) activity!: Record<string, number>;
  @ApiProperty({ type: () => CompletionResponse }) completion!: CompletionResponse;
  @ApiNullable(() => CurrentGradeResponse, { description: 'current total; null without a gradebook' }) grade!: CurrentGradeResponse | null;
  @ApiProperty() profilingObjected!: boolean;
  @ApiNullable(() => ModelAtRiskResponse, { description: 'null when not judged: not an active enrolment, or an objection to profiling' }) atRisk!: ModelAtRiskResponse | null;
}

export class QuestionStatisticsResponse {
  @ApiProperty({ format: 'uuid' }) quizId!: string;
  @ApiNullable(String) quizTitle!: string | null;
  @ApiProperty({ description: 'place in the attempt (from 0)' }) position!: number;
  @ApiProperty() questionId!: string;
  @ApiNullable(String) kind!: string | null;
  @ApiNullable(String) text!: string | null;
  @ApiList() skills!: string[];
  @ApiProperty() points!: number;
  @ApiProperty({ description: 'learners whose first attempt had the question' }) learners!: number;
  @ApiProperty() meanScore!: number;
  @ApiProperty({ description: '0..1, 3 decimals' }) facility!: number;
  @ApiNullable(Number, { description: '-1..1, 3 decimals; null when the score or the rest does not vary' }) discrimination!: number | null;
}

export class GradeBinResponse {
  @ApiProperty({ description: 'percentage from (included)…' }) from!: number;
  @ApiProperty({ description: '…to (excluded; 100 is in the last bin)' }) to!: number;
  @ApiProperty() count!: number;
}

export class AssessmentStatisticsResponse {
  @ApiProperty({ format: 'uuid' }) assessmentId!: string;
  @ApiOneOf(['quiz', 'assignment', 'offline']) kind!: string;
  @ApiProperty() title!: string;
  @ApiNullable(String, { format: 'date-time' }) dueAt!: string | null;
  @ApiProperty({ description: 'active learners' }) learners!: number;
  @ApiProperty({ description: 'of them, graded (a quiz: by its grading method)' }) graded!: number;
  @ApiNullable(Number, { description: 'mean grade, percent of the maximum, 2 decimals' }) meanPercentage!: number | null;
  @ApiNullable(Number, { description: 'median grade, percent of the maximum, 2 decimals' }) medianPercentage!: number | null;
  @ApiList(() => GradeBinResponse, { description: 'grades in bins of 10 percentage points' }) distribution!: GradeBinResponse[];
  @ApiNullable(Number, { description: 'mean grade / maximum, 0..1, 3 decimals' }) facility!: number | null;
  @ApiNullable(Number, { description: 'first handed in (or graded without a submission) after the due date; null without one' }) late!: number | null;
  @ApiProperty({ description: 'nothing handed in or graded yet' }) missing!: number;
}

export class ClassReportRulesResponse {
  @ApiProperty() atRisk!: string;
  @ApiProperty() inactiveDays!: number;
  @ApiProperty() grades!: string;
  @ApiProperty() questions!: string;
  @ApiProperty() assessments!: string;
  @ApiProperty() distribution!: string;
  @ApiProperty() suggestions!: string;
}

export class ClassSuggestionResponse {
  @ApiOneOf(['reteach_skill', 'review_question', 'reach_learners', 'chase_assessment']) kind!: string;
  @ApiProperty({ description: 'what to do, with its figures' }) text!: string;
  @ApiProperty({ description: 'how many learners it concerns (the ordering)' }) learners!: number;
}

export class ClassReportSummaryResponse {
  @ApiProperty() learners!: number;
  @ApiProperty() completed!: number;
  @ApiNullable(Number) completionRate!: number | null;
  @ApiProperty() graded!: number;
  @ApiNullable(Number) meanGrade!: number | null;
  @ApiProperty() passing!: number;
  @ApiProperty({ description: 'flagged by the model' }) atRisk!: number;
  @ApiProperty({ description: 'flagged by the two rules of before' }) atRiskBaseline!: number;
  @ApiProperty() profilingObjected!: number;
}

export class ClassReportResponse {
  @ApiProperty({ format: 'uuid' }) courseId!: string;
  @ApiProperty() title!: string;
  @ApiProperty() code!: string;
  @ApiProperty() subject!: string;
  @ApiNullable(String) gradeLevel!: string | null;
  @ApiProperty({ format: 'date-time' }) generatedAt!: string;
  @ApiNullable(String, { format: 'date-time', description: 'the date the report describes; null: now, from the live read models' }) asOf!: string | null;
  @ApiProperty({ type: () => EarlyWarningResponse }) earlyWarning!: EarlyWarningResponse;
  @ApiProperty({ type: () => ClassReportRulesResponse }) rules!: ClassReportRulesResponse;
  @ApiProperty({ type: () => ClassReportSummaryResponse, description: 'over the active enrolments' }) summary!: ClassReportSummaryResponse;
  @ApiList(() => ClassParticipantResponse) participants!: ClassParticipantResponse[];
  @ApiList(() => ClassSuggestionResponse, { description: 'the three things that would help the class most' }) suggestions!: ClassSuggestionResponse[];
  @ApiList(() => GradeBinResponse) gradeDistribution!: GradeBinResponse[];
  @ApiList(() => QuestionStatisticsResponse) questions!: QuestionStatisticsResponse[];
  @ApiList(() => AssessmentStatisticsResponse, { description: 'per quiz, assignment and offline test' }) assessments!: AssessmentStatisticsResponse[];
}

// ---------------------------------------------------------------- the learner profile

export class TimelineObjectResponse {
  @ApiProperty() type!: string;
  @ApiNullable(String) id!: string | null;
  @ApiNullable(String, { description: 'its title (a course, section, resource, activity or school); null where the reader may not see it, it is gone, or it has none' }) title!: string | null;
}

export class TimelineEntryResponse {
  @ApiProperty({ format: 'uuid' }) eventId!: string;
  @ApiProperty({ format: 'date-time' }) occurredAt!: string;
  @ApiProperty({ description: 'the event type (as in the course log)' }) eventType!: string;
  @ApiProperty() action!: string;
  @ApiProperty() crud!: string;
  @ApiOneOf(['actor', 'related'], { description: 'actor: the learner did it; related: it was done to them' }) involvement!: 'actor' | 'related';
  @ApiNullable(String, { format: 'uuid' }) courseId!: string | null;
  @ApiNullable(String, { format: 'uuid' }) schoolId!: string | null;
  @ApiNullable(() => TimelineObjectResponse) object!: TimelineObjectResponse | null;
  @ApiNullable(String, { format: 'uuid' }) actorId!: string | null;
  @ApiNullable(String, { format: 'uuid', description: 'the staff member acting as the actor (impersonation)' }) realActorId!: string | null;
  @ApiNullable(String, { format: 'uuid' }) relatedUserId!: string | null;
}

export class TimelinePageResponse {
  @ApiProperty({ format: 'uuid' }) learnerId!: string;
  @ApiList(() => TimelineEntryResponse, { description: 'newest first' }) events!: TimelineEntryResponse[];
  @ApiNullable(String, { description: 'pass as ?cursor= for the next (older) page; null at the end' }) nextCursor!: string | null;
}

export class ProfileEnrolmentResponse {
  @ApiProperty() status!: string;
  @ApiProperty() method!: string;
  @ApiProperty({ format: 'date-time' }) enrolledAt!: string;
  @ApiNullable(String, { format: 'date-time' }) unenrolledAt!: string | null;
}

export class CourseTotalResponse {
  @ApiNullable(Number) percentage!: number | null;
  @ApiNullable(String) letter!: string | null;
  @ApiNullable(Boolean) passed!: boolean | null;
  @ApiProperty() overridden!: boolean;
  @ApiProperty() hidden!: boolean;
}

export class ItemGradeResponse {
  @ApiProperty({ format: 'uuid' }) itemId!: string;
  @ApiProperty() name!: string;
  @ApiNullable(String, { format: 'uuid' }) categoryId!: string | null;
  @ApiNullable(Number, { description: 'points that count: the override if any, else the recorded grade' }) grade!: number | null;
  @ApiNullable(Number) percentage!: number | null;
  @ApiProperty() released!: boolean;
  @ApiProperty() overridden!: boolean;
  @ApiProperty({ description: 'dropped by its category\'s dropLowest: shown, not counted' }) dropped!: boolean;
}

export class CourseGradesResponse {
  @ApiProperty({ description: 'the learner and their parent see released items only' }) releasedOnly!: boolean;
  @ApiProperty() passPercentage!: number;
  @ApiProperty({ type: () => CourseTotalResponse }) total!: CourseTotalResponse;
  @ApiList(() => ItemGradeResponse) items!: ItemGradeResponse[];
}

export class ProfileCourseResponse {
  @ApiProperty({ format: 'uuid' }) courseId!: string;
  @ApiProperty() title!: string;
  @ApiProperty() code!: string;
  @ApiProperty() subject!: string;
  @ApiNullable(String) gradeLevel!: string | null;
  @ApiProperty({ type: () => ProfileEnrolmentResponse }) enrolment!: ProfileEnrolmentResponse;
  @ApiNullable(String, { format: 'date-time' }) lastAccessAt!: string | null;
  @ApiCounts({ description: 'the learner\'s own events in the course, by action (verb)' }) activity!: Record<string, number>;
  @ApiProperty({ type: () => CompletionResponse }) completion!: CompletionResponse;
  @ApiNullable(() => CourseGradesResponse, { description: 'null when the course has no gradebook' }) grades!: CourseGradesResponse | null;
  @ApiNullable(() => ModelAtRiskResponse, { description: "the class report's flag of the learner; null when not judged: not an active enrolment, or an objection to profiling" }) atRisk!: ModelAtRiskResponse | null;
}

export class SkillResponse {
  @ApiProperty() skill!: string;
  @ApiProperty({ description: 'points earned' }) earned!: number;
  @ApiProperty({ description: 'points that could be earned' }) possible!: number;
  @ApiProperty({ description: 'questions counted' }) questions!: number;
  @ApiNullable(Number, { description: 'earned / possible × 100, 2 decimals' }) percentage!: number | null;
  @ApiList(String, { description: 'the courses the skill was seen in' }) courseIds!: string[];
}

export class ProfilingResponse {
  @ApiProperty() objected!: boolean;
  @ApiNullable(String) note!: string | null;
}

export class LearnerRulesResponse {
  @ApiProperty() skills!: string;
  @ApiProperty() atRisk!: string;
  @ApiProperty() inactiveDays!: number;
  @ApiProperty({ description: 'how the advice is worked out' }) advice!: string;
}

export class AdviceEvidenceResponse {
  @ApiProperty({ description: 'points earned on the questions tagged with the skill' }) earned!: number;
  @ApiProperty() possible!: number;
  @ApiProperty({ description: 'how many questions that was' }) questions!: number;
  @ApiProperty() percentage!: number;
  @ApiProperty({ description: 'the evidence in words' }) text!: string;
}

export class MissedQuestionResponse {
  @ApiProperty({ format: 'uuid' }) quizId!: string;
  @ApiProperty() quizTitle!: string;
  @ApiProperty({ format: 'uuid' }) questionId!: string;
  @ApiNullable(String) text!: string | null;
  @ApiProperty() score!: number;
  @ApiProperty() points!: number;
}

export class AdviceResourceResponse {
  @ApiProperty({ format: 'uuid' }) resourceId!: string;
  @ApiProperty() kind!: string;
  @ApiProperty() title!: string;
}

export class SkillAdviceResponse {
  @ApiProperty({ format: 'uuid' }) courseId!: string;
  @ApiProperty() skill!: string;
  @ApiProperty({ type: () => AdviceEvidenceResponse }) evidence!: AdviceEvidenceResponse;
  @ApiList(() => MissedQuestionResponse) missedQuestions!: MissedQuestionResponse[];
  @ApiList(() => AdviceResourceResponse, { description: 'the resources that teach the skill' }) resources!: AdviceResourceResponse[];
  @ApiProperty({ type: [String], description: 'what to do next, in words' }) next!: string[];
}

export class LearnerProfileResponse {
  @ApiProperty({ format: 'uuid' }) learnerId!: string;
  @ApiNullable(String) displayName!: string | null;
  @ApiProperty({ format: 'date-time' }) generatedAt!: string;
  @ApiNullable(String, { format: 'date-time', description: 'last own action anywhere; null for a reader who sees the learner only within courses' }) lastAccessAt!: string | null;
  @ApiProperty({ type: () => ProfilingResponse }) profiling!: ProfilingResponse;
  @ApiProperty({ type: () => LearnerRulesResponse }) rules!: LearnerRulesResponse;
  @ApiList(() => ProfileCourseResponse) courses!: ProfileCourseResponse[];
  @ApiList(() => SkillResponse) skills!: SkillResponse[];
  @ApiNullable(String, { isArray: true }) strengths!: string[] | null;
  @ApiNullable(String, { isArray: true }) toImprove!: string[] | null;
  @ApiNullable(() => SkillAdviceResponse, { isArray: true, description: 'what to do next, per weak skill of a course (rules.advice); null when the learner objected to profiling' })
  advice!: SkillAdviceResponse[] | null;
  @ApiProperty({ type: () => TimelinePageResponse }) timeline!: TimelinePageResponse;
}

// ---------------------------------------------------------------- the school report

export class GroupFiguresResponse {
  @ApiProperty() courses!: number;
  @ApiProperty() enrolments!: number;
  @ApiProperty() activeLearners!: number;
  @ApiProperty() completed!: number;
  @ApiProperty() completedInPeriod!: number;
  @ApiNullable(Number) completionRate!: number | null;
  @ApiProperty() graded!: number;
  @ApiNullable(Number) gradeAverage!: number | null;
}

export class SchoolCourseResponse extends GroupFiguresResponse {
  @ApiProperty({ format: 'uuid' }) courseId!: string;
  @ApiProperty() code!: string;
  @ApiProperty() title!: string;
  @ApiProperty() subject!: string;
  @ApiNullable(String) gradeLevel!: string | null;
  @ApiProperty() archived!: boolean;
  @ApiProperty({ description: 'own actions of its learners in the period' }) learnerEvents!: number;
}

export class SubjectFiguresResponse extends GroupFiguresResponse {
  @ApiProperty() subject!: string;
}

export class GradeLevelFiguresResponse extends GroupFiguresResponse {
  @ApiNullable(String) gradeLevel!: string | null;
}

export class TeacherActivityResponse {
  @ApiProperty({ format: 'uuid' }) teacherId!: string;
  @ApiNullable(String) displayName!: string | null;
  @ApiProperty() events!: number;
  @ApiProperty() activeDays!: number;
  @ApiList() courseIds!: string[];
}

export class SchoolReportResponse {
  @ApiProperty({ format: 'uuid' }) schoolId!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ format: 'date' }) from!: string;
  @ApiProperty({ format: 'date' }) to!: string;
  @ApiProperty({ format: 'date-time' }) generatedAt!: string;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' }, description: 'what each figure means' }) definitions!: Record<string, string>;
  @ApiProperty({ type: () => GroupFiguresResponse }) overall!: GroupFiguresResponse;
  @ApiList(() => SchoolCourseResponse) courses!: SchoolCourseResponse[];
  @ApiList(() => SubjectFiguresResponse) bySubject!: SubjectFiguresResponse[];
  @ApiList(() => GradeLevelFiguresResponse) byGradeLevel!: GradeLevelFiguresResponse[];
  @ApiList(() => TeacherActivityResponse) teachers!: TeacherActivityResponse[];
}
