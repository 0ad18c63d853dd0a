/**
 * GraphQL shapes of the progress reports (learner profile and its timeline,
 * class report, school report) and of the projections' status: the same
 * views as REST's JSON (libs/progress/src/http/responses.ts), field for field.
 * Counts by action (`activity`) and the school report's `definitions` are
 * JSON maps. The arguments extend the REST query DTOs, so they are validated
 * by the same rules.
 */
import { PickType } from '@nestjs/swagger';
import { ArgsType, createUnionType, Field, Float, ID, Int, ObjectType } from '@nestjs/graphql';
import { Transform } from 'class-transformer';
import { IsUUID } from 'class-validator';
import { ClassReportDto, LearnerProfileDto, SchoolReportDto, TimelineDto } from '@learnstream/progress';
import { JSONScalar } from '../courses/json.scalar';

const lower = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.toLowerCase() : value);

// ---------------------------------------------------------------- shared

@ObjectType('ReportProgress')
export class ProgressObject {
  @Field(() => Int) completed!: number;
  @Field(() => Int) required!: number;
  @Field(() => Float, { nullable: true }) percentage!: number | null;
}

@ObjectType('ReportCompletion')
export class CompletionObject {
  @Field(() => ProgressObject) progress!: ProgressObject;
  @Field() courseCompleted!: boolean;
  @Field(() => String, { nullable: true }) courseCompletedAt!: string | null;
}

@ObjectType('InactiveReason', { description: 'no activity in the course for the rule\'s days' })
export class InactiveReasonObject {
  @Field() rule!: string;
  @Field({ description: 'the reason in words' }) text!: string;
  @Field({ description: 'the last activity (or the enrolment)' }) since!: string;
  @Field({ description: 'no activity at all since the enrolment' }) neverActive!: boolean;
  @Field(() => Float, { description: 'days without activity' }) days!: number;
}

@ObjectType('FailingReason', { description: 'a current grade below the pass mark' })
export class FailingReasonObject {
  @Field() rule!: string;
  @Field({ description: 'the reason in words' }) text!: string;
  @Field(() => Float, { description: 'the current grade' }) percentage!: number;
  @Field(() => Float, { description: 'the gradebook\'s pass mark' }) passPercentage!: number;
}

/** Why a learner is at risk, told apart by `rule` as in REST. */
export const AtRiskReasonUnion = createUnionType({
  name: 'AtRiskReason',
  types: () => [InactiveReasonObject, FailingReasonObject] as const,
  resolveType: (reason: { rule: string }) => (reason.rule === 'inactive' ? InactiveReasonObject : FailingReasonObject),
});

@ObjectType('AtRisk')
export class AtRiskObject {
  @Field() flagged!: boolean;
  @Field(() => [AtRiskReasonUnion]) reasons!: (InactiveReasonObject | FailingReasonObject)[];
}

@ObjectType('ModelReason', { description: 'a reason of the early-warning model: a feature that raises the learner\'s risk' })
export class ModelReasonObject {
  @Field() rule!: string;
  @Field({ description: 'the feature (submittedShare, assessmentRank, recentRank, trend, leadRank, daysSinceLast, …)' }) feature!: string;
  @Field(() => Float, { description: 'what it adds to the log-odds of the risk' }) contribution!: number;
  @Field() text!: string;
}

@ObjectType('ModelAtRisk')
export class ModelAtRiskObject {
  @Field({ description: "the early-warning model's flag: risk ≥ the threshold of the setting" }) flagged!: boolean;
  @Field(() => Float, { description: 'the risk of failing or withdrawing, 0–1' }) risk!: number;
  @Field(() => [ModelReasonObject]) reasons!: ModelReasonObject[];
  @Field(() => AtRiskObject, { description: 'the two rules of before (inactivity, failing grade), for comparison' }) baseline!: AtRiskObject;
}

@ObjectType('EarlyWarning')
export class EarlyWarningObject {
  @Field({ description: 'precision-first or recall-first' }) threshold!: string;
  @Field(() => Float) riskAtLeast!: number;
  @Field(() => Float) expectedPrecision!: number;
  @Field(() => Float) expectedRecall!: number;
  @Field() rule!: string;
  @Field() trainedOn!: string;
  @Field({ description: "school: the model trained on the school's own history; bundled: the product's" }) model!: string;
}

// ---------------------------------------------------------------- the learner profile

@ObjectType('TimelineObject')
export class TimelineObjectObject {
  @Field() type!: string;
  @Field(() => ID, { nullable: true }) id!: string | null;
  @Field(() => String, { nullable: true, description: 'its title; null where the reader may not see it, it is gone, or it has none' }) title!: string | null;
}

@ObjectType('TimelineEntry')
export class TimelineEntryObject {
  @Field(() => ID) eventId!: string;
  @Field() occurredAt!: string;
  @Field({ description: 'the event type (as in the course log)' }) eventType!: string;
  @Field() action!: string;
  @Field() crud!: string;
  @Field({ description: 'actor: the learner did it; related: it was done to them' }) involvement!: string;
  @Field(() => ID, { nullable: true }) courseId!: string | null;
  @Field(() => ID, { nullable: true }) schoolId!: string | null;
  @Field(() => TimelineObjectObject, { nullable: true }) object!: TimelineObjectObject | null;
  @Field(() => ID, { nullable: true }) actorId!: string | null;
  @Field(() => ID, { nullable: true }) realActorId!: string | null;
  @Field(() => ID, { nullable: true }) relatedUserId!: string | null;
}

@ObjectType('TimelinePage', { description: 'newest first' })
export class TimelinePageObject {
  @Field(() => ID) learnerId!: string;
  @Field(() => [TimelineEntryObject]) events!: TimelineEntryObject[];
  @Field(() => String, { nullable: true, description: 'pass as cursor for the next (older) page; null at the end' }) nextCursor!: string | null;
}

@ObjectType('ProfileEnrolment')
export class ProfileEnrolmentObject {
  @Field() status!: string;
  @Field() method!: string;
  @Field() enrolledAt!: string;
  @Field(() => String, { nullable: true }) unenrolledAt!: string | null;
}

@ObjectType('ReportCourseTotal')
export class CourseTotalObject {
  @Field(() => Float, { nullable: true }) percentage!: number | null;
  @Field(() => String, { nullable: true }) letter!: string | null;
  @Field(() => Boolean, { nullable: true }) passed!: boolean | null;
  @Field() overridden!: boolean;
  @Field() hidden!: boolean;
}

@ObjectType('ReportItemGrade')
export class ItemGradeObject {
  @Field(() => ID) itemId!: string;
  @Field() name!: string;
  @Field(() => ID, { nullable: true }) categoryId!: string | null;
  @Field(() => Float, { nullable: true }) grade!: number | null;
  @Field(() => Float, { nullable: true }) percentage!: number | null;
  @Field() released!: boolean;
  @Field() overridden!: boolean;
  @Field() dropped!: boolean;
}

@ObjectType('ReportCourseGrades')
export class CourseGradesObject {
  @Field() releasedOnly!: boolean;
  @Field(() => Float) passPercentage!: number;
  @Field(() => CourseTotalObject) total!: CourseTotalObject;
  @Field(() => [ItemGradeObject]) items!: ItemGradeObject[];
}

@ObjectType('ProfileCourse')
export class ProfileCourseObject {
  @Field(() => ID) courseId!: string;
  @Field() title!: string;
  @Field() code!: string;
  @Field() subject!: string;
  @Field(() => String, { nullable: true }) gradeLevel!: string | null;
  @Field(() => ProfileEnrolmentObject) enrolment!: ProfileEnrolmentObject;
  @Field(() => String, { nullable: true }) lastAccessAt!: string | null;
  @Field(() => JSONScalar, { description: "the learner's own events in the course, by action (verb)" }) activity!: Record<string, number>;
  @Field(() => CompletionObject) completion!: CompletionObject;
  @Field(() => CourseGradesObject, { nullable: true }) grades!: CourseGradesObject | null;
  @Field(() => ModelAtRiskObject, { nullable: true, description: "the class report's flag of the learner" }) atRisk!: ModelAtRiskObject | null;
}

@ObjectType('ProfileSkill')
export class SkillObject {
  @Field() skill!: string;
  @Field(() => Float) earned!: number;
  @Field(() => Float) possible!: number;
  @Field(() => Int) questions!: number;
  @Field(() => Float, { nullable: true }) percentage!: number | null;
  @Field(() => [ID]) courseIds!: string[];
}

@ObjectType('Profiling')
export class ProfilingObject {
  @Field() objected!: boolean;
  @Field(() => String, { nullable: true }) note!: string | null;
}

@ObjectType('LearnerProfileRules')
export class LearnerRulesObject {
  @Field() skills!: string;
  @Field() atRisk!: string;
  @Field(() => Float) inactiveDays!: number;
  @Field() advice!: string;
}

@ObjectType('AdviceEvidence')
export class AdviceEvidenceObject {
  @Field(() => Float) earned!: number;
  @Field(() => Float) possible!: number;
  @Field(() => Int) questions!: number;
  @Field(() => Float) percentage!: number;
  @Field() text!: string;
}

@ObjectType('AdviceMissedQuestion')
export class AdviceMissedQuestionObject {
  @Field(() => ID) quizId!: string;
  @Field() quizTitle!: string;
  @Field(() => ID) questionId!: string;
  @Field(() => String, { nullable: true }) text!: string | null;
  @Field(() => Float) score!: number;
  @Field(() => Float) points!: number;
}

@ObjectType('AdviceResource')
export class AdviceResourceObject {
  @Field(() => ID) resourceId!: string;
  @Field() kind!: string;
  @Field() title!: string;
}

@ObjectType('SkillAdvice', { description: 'what to do next for a weak skill of a course, with the evidence' })
export class SkillAdviceObject {
  @Field(() => ID) courseId!: string;
  @Field() skill!: string;
  @Field(() => AdviceEvidenceObject) evidence!: AdviceEvidenceObject;
  @Field(() => [AdviceMissedQuestionObject]) missedQuestions!: AdviceMissedQuestionObject[];
  @Field(() => [AdviceResourceObject]) resources!: AdviceResourceObject[];
  @Field(() => [String]) next!: string[];
}

@ObjectType('LearnerProfile', { description: 'reading it records LearnerProfileViewed' })
export class LearnerProfileObject {
  @Field(() => ID) learnerId!: string;
  @Field(() => String, { nullable: true }) displayName!: string | null;
  @Field() generatedAt!: string;
  @Field(() => String, { nullable: true }) lastAccessAt!: string | null;
  @Field(() => ProfilingObject) profiling!: ProfilingObject;
  @Field(() => LearnerRulesObject) rules!: LearnerRulesObject;
  @Field(() => [ProfileCourseObject]) courses!: ProfileCourseObject[];
  @Field(() => [SkillObject]) skills!: SkillObject[];
  @Field(() => [String], { nullable: true }) strengths!: string[] | null;
  @Field(() => [String], { nullable: true }) toImprove!: string[] | null;
  @Field(() => [SkillAdviceObject], { nullable: true, description: 'null when the learner objected to profiling' }) advice!: SkillAdviceObject[] | null;
  @Field(() => TimelinePageObject) timeline!: TimelinePageObject;
}

@ArgsType()
export class LearnerProfileArgs extends PickType(LearnerProfileDto, ['inactiveDays', 'limit', 'cursor'] as const) {
  @Field(() => ID) @Transform(lower) @IsUUID() learnerId!: string;
  @Field(() => Float, { nullable: true, description: 'at risk: no activity in a course for this many days (default 7)' }) override inactiveDays?: number;
  @Field(() => Int, { nullable: true, description: 'timeline entries: default 50, at most 500' }) override limit?: number;
  @Field({ nullable: true, description: 'the timeline nextCursor of the previous page' }) override cursor?: string;
}

@ArgsType()
export class TimelineArgs extends PickType(TimelineDto, ['limit', 'cursor'] as const) {
  @Field(() => ID) @Transform(lower) @IsUUID() learnerId!: string;
  @Field(() => Int, { nullable: true, description: 'default 50, at most 500' }) override limit?: number;
  @Field({ nullable: true, description: 'the nextCursor of the previous page' }) override cursor?: string;
}

// ---------------------------------------------------------------- the class report

@ObjectType('ReportCurrentGrade')
export class CurrentGradeObject {
  @Field(() => Float, { nullable: true }) percentage!: number | null;
  @Field(() => String, { nullable: true }) letter!: string | null;
  @Field(() => Boolean, { nullable: true }) passed!: boolean | null;
}

@ObjectType('ClassParticipant')
export class ClassParticipantObject {
  @Field(() => ID) learnerId!: string;
  @Field(() => String, { nullable: true }) displayName!: string | null;
  @Field() status!: string;
  @Field() enrolledAt!: string;
  @Field(() => String, { nullable: true }) unenrolledAt!: string | null;
  @Field(() => String, { nullable: true }) lastAccessAt!: string | null;
  @Field(() => Int) events!: number;
  @Field(() => JSONScalar, { description: 'own events in the course by action (verb)' }) activity!: Record<string, number>;
  @Field(() => CompletionObject) completion!: CompletionObject;
  @Field(() => CurrentGradeObject, { nullable: true }) grade!: CurrentGradeObject | null;
  @Field() profilingObjected!: boolean;
  @Field(() => ModelAtRiskObject, { nullable: true }) atRisk!: ModelAtRiskObject | null;
}

@ObjectType('QuestionStatistics')
export class QuestionStatisticsObject {
  @Field(() => ID) quizId!: string;
  @Field(() => String, { nullable: true }) quizTitle!: string | null;
  @Field(() => Int) position!: number;
  @Field() questionId!: string;
  @Field(() => String, { nullable: true }) kind!: string | null;
  @Field(() => String, { nullable: true }) text!: string | null;
  @Field(() => [String]) skills!: string[];
  @Field(() => Float) points!: number;
  @Field(() => Int) learners!: number;
  @Field(() => Float) meanScore!: number;
  @Field(() => Float) facility!: number;
  @Field(() => Float, { nullable: true }) discrimination!: number | null;
}

@ObjectType('GradeBin')
export class GradeBinObject {
  @Field(() => Float) from!: number;
  @Field(() => Float) to!: number;
  @Field(() => Int) count!: number;
}

@ObjectType('AssessmentStatistics', { description: 'one quiz, assignment or offline test over the active learners (rules.assessments)' })
export class AssessmentStatisticsObject {
  @Field(() => ID) assessmentId!: string;
  @Field({ description: 'quiz, assignment or offline' }) kind!: string;
  @Field() title!: string;
  @Field(() => String, { nullable: true }) dueAt!: string | null;
  @Field(() => Int) learners!: number;
  @Field(() => Int) graded!: number;
  @Field(() => Float, { nullable: true }) meanPercentage!: number | null;
  @Field(() => Float, { nullable: true }) medianPercentage!: number | null;
  @Field(() => [GradeBinObject]) distribution!: GradeBinObject[];
  @Field(() => Float, { nullable: true }) facility!: number | null;
  @Field(() => Int, { nullable: true, description: 'null: no due date' }) late!: number | null;
  @Field(() => Int) missing!: number;
}

@ObjectType('ClassReportRules')
export class ClassReportRulesObject {
  @Field() atRisk!: string;
  @Field(() => Float) inactiveDays!: number;
  @Field() grades!: string;
  @Field() questions!: string;
  @Field() assessments!: string;
  @Field() distribution!: string;
  @Field() suggestions!: string;
}

@ObjectType('ClassSuggestion', { description: 'one of the three things that would help the class most' })
export class ClassSuggestionObject {
  @Field({ description: 'reteach_skill, review_question, reach_learners or chase_assessment' }) kind!: string;
  @Field({ description: 'what to do, with its figures' }) text!: string;
  @Field(() => Int, { description: 'how many learners it concerns' }) learners!: number;
}

@ObjectType('ClassReportSummary')
export class ClassReportSummaryObject {
  @Field(() => Int) learners!: number;
  @Field(() => Int) completed!: number;
  @Field(() => Float, { nullable: true }) completionRate!: number | null;
  @Field(() => Int) graded!: number;
  @Field(() => Float, { nullable: true }) meanGrade!: number | null;
  @Field(() => Int) passing!: number;
  @Field(() => Int, { description: 'flagged by the model' }) atRisk!: number;
  @Field(() => Int, { description: 'flagged by the two rules of before' }) atRiskBaseline!: number;
  @Field(() => Int) profilingObjected!: number;
}

@ObjectType('ClassReport', { description: 'reading it records ClassReportViewed' })
export class ClassReportObject {
  @Field(() => ID) courseId!: string;
  @Field() title!: string;
  @Field() code!: string;
  @Field() subject!: string;
  @Field(() => String, { nullable: true }) gradeLevel!: string | null;
  @Field() generatedAt!: string;
  @Field(() => String, { nullable: true, description: 'the date the report describes; null: now' }) asOf!: string | null;
  @Field(() => EarlyWarningObject) earlyWarning!: EarlyWarningObject;
  @Field(() => ClassReportRulesObject) rules!: ClassReportRulesObject;
  @Field(() => ClassReportSummaryObject) summary!: ClassReportSummaryObject;
  @Field(() => [ClassParticipantObject]) participants!: ClassParticipantObject[];
  @Field(() => [GradeBinObject]) gradeDistribution!: GradeBinObject[];
  @Field(() => [QuestionStatisticsObject]) questions!: QuestionStatisticsObject[];
  @Field(() => [AssessmentStatisticsObject], { description: 'per quiz, assignment and offline test' }) assessments!: AssessmentStatisticsObject[];
  @Field(() => [ClassSuggestionObject], { description: 'the three things that would help the class most (rules.suggestions)' }) suggestions!: ClassSuggestionObject[];
}

@ArgsType()
export class ClassReportArgs extends PickType(ClassReportDto, ['inactiveDays', 'asOf', 'threshold'] as const) {
  @Field(() => ID) @Transform(lower) @IsUUID() courseId!: string;
  @Field({ nullable: true, description: 'the class as it was then: a date YYYY-MM-DD (its end) or an ISO-8601 instant; not in the future' }) override asOf?: string;
  @Field({ nullable: true, description: "precision-first or recall-first (default: the school's setting)" }) override threshold?: 'precision-first' | 'recall-first';
  @Field(() => Float, { nullable: true, description: 'at risk: no activity in the course for this many days (default 7)' }) override inactiveDays?: number;
}

// ---------------------------------------------------------------- the school report

@ObjectType('GroupFigures')
export class GroupFiguresObject {
  @Field(() => Int) courses!: number;
  @Field(() => Int) enrolments!: number;
  @Field(() => Int) activeLearners!: number;
  @Field(() => Int) completed!: number;
  @Field(() => Int) completedInPeriod!: number;
  @Field(() => Float, { nullable: true }) completionRate!: number | null;
  @Field(() => Int) graded!: number;
  @Field(() => Float, { nullable: true }) gradeAverage!: number | null;
}

@ObjectType('SchoolCourseFigures')
export class SchoolCourseObject extends GroupFiguresObject {
  @Field(() => ID) courseId!: string;
  @Field() code!: string;
  @Field() title!: string;
  @Field() subject!: string;
  @Field(() => String, { nullable: true }) gradeLevel!: string | null;
  @Field() archived!: boolean;
  @Field(() => Int) learnerEvents!: number;
}

@ObjectType('SubjectFigures')
export class SubjectFiguresObject extends GroupFiguresObject {
  @Field() subject!: string;
}

@ObjectType('GradeLevelFigures')
export class GradeLevelFiguresObject extends GroupFiguresObject {
  @Field(() => String, { nullable: true }) gradeLevel!: string | null;
}

@ObjectType('TeacherActivity')
export class TeacherActivityObject {
  @Field(() => ID) teacherId!: string;
  @Field(() => String, { nullable: true }) displayName!: string | null;
  @Field(() => Int) events!: number;
  @Field(() => Int) activeDays!: number;
  @Field(() => [ID]) courseIds!: string[];
}

@ObjectType('SchoolReport', { description: 'reading it records SchoolReportViewed' })
export class SchoolReportObject {
  @Field(() => ID) schoolId!: string;
  @Field() name!: string;
  @Field() from!: string;
  @Field() to!: string;
  @Field() generatedAt!: string;
  @Field(() => JSONScalar, { description: 'what each figure means' }) definitions!: Record<string, string>;
  @Field(() => GroupFiguresObject) overall!: GroupFiguresObject;
  @Field(() => [SchoolCourseObject]) courses!: SchoolCourseObject[];
  @Field(() => [SubjectFiguresObject]) bySubject!: SubjectFiguresObject[];
  @Field(() => [GradeLevelFiguresObject]) byGradeLevel!: GradeLevelFiguresObject[];
  @Field(() => [TeacherActivityObject]) teachers!: TeacherActivityObject[];
}

@ArgsType()
export class SchoolReportArgs extends PickType(SchoolReportDto, ['from', 'to'] as const) {
  @Field(() => ID) @Transform(lower) @IsUUID() schoolId!: string;
  @Field({ nullable: true, description: 'first UTC day, YYYY-MM-DD (default: 30 days up to `to`)' }) override from?: string;
  @Field({ nullable: true, description: 'last UTC day, included (default: today)' }) override to?: string;
}

// ---------------------------------------------------------------- projections

@ObjectType('ProjectionStatus', { description: 'a projection: checkpoint, lag (events behind the log), dead letters' })
export class ProjectionStatusObject {
  @Field() name!: string;
  @Field({ description: 'running, stopped, failing or inline' }) state!: string;
  @Field({ description: 'checkpoint: the position of the last event it has passed' }) position!: string;
  @Field(() => Int) generation!: number;
  @Field(() => Float) eventsHandled!: number;
  @Field(() => Float, { description: 'events in the log after the checkpoint, counted up to a cap' }) lag!: number;
  @Field() lagCapped!: boolean;
  @Field(() => Int) deadLetters!: number;
  @Field(() => String, { nullable: true }) lastError!: string | null;
  @Field() updatedAt!: string;
  @Field(() => String, { nullable: true }) rebuildStartedAt!: string | null;
}
