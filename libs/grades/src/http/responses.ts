/**
 * The response bodies of the gradebook, grades and completion endpoints (OpenAPI; see
 * libs/core/src/api-response.ts). The controller returns these classes, so the compiler checks that
 * every view the handlers build has their fields.
 */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ApiList, ApiNullable, ApiOneOf } from '@learnstream/core';
import type { ActivityKind } from '../gradebook.events';

export class LetterGradeResponse {
  @ApiProperty() letter!: string;
  @ApiProperty({ description: 'the lowest percentage that earns the letter' }) minPercentage!: number;
}

export class GradeCategoryResponse {
  @ApiProperty({ format: 'uuid' }) categoryId!: string;
  @ApiProperty() name!: string;
  @ApiProperty() weight!: number;
  @ApiProperty({ description: 'the lowest grades of the category left out of it' }) dropLowest!: number;
}

export class GradeSourceResponse {
  @ApiOneOf(['quiz', 'assignment', 'offline', 'manual'], { description: 'an activity of the course, or a grade typed by a teacher' }) kind!: ActivityKind | 'manual';
  @ApiPropertyOptional({ format: 'uuid', description: "the activity's id (not for a manual item)" }) id?: string;
}

export class GradeItemResponse {
  @ApiProperty({ format: 'uuid' }) itemId!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ type: () => GradeSourceResponse }) source!: GradeSourceResponse;
  @ApiNullable(String, { format: 'uuid', description: "null: the course's root category" }) categoryId!: string | null;
  @ApiProperty() maxGrade!: number;
  @ApiProperty() weight!: number;
  @ApiProperty({ description: 'learners see its grades (a new item is hidden)' }) released!: boolean;
}

export class GradebookResponse {
  @ApiProperty({ format: 'uuid' }) courseId!: string;
  @ApiProperty() passPercentage!: number;
  @ApiList(() => LetterGradeResponse) letterScale!: LetterGradeResponse[];
  @ApiList(() => GradeCategoryResponse) categories!: GradeCategoryResponse[];
  @ApiList(() => GradeItemResponse) items!: GradeItemResponse[];
}

export class GradebookChangeResponse extends GradebookResponse {
  @ApiPropertyOptional({ format: 'uuid', description: 'the id of the category or item the change added' }) createdId?: string;
  @ApiProperty({ description: 'false: the change changed nothing (nothing was recorded)' }) changed!: boolean;
}

export class GradebookItemGradeResponse {
  @ApiProperty({ format: 'uuid' }) itemId!: string;
  @ApiNullable(String, { format: 'uuid' }) categoryId!: string | null;
  @ApiNullable(Number, { description: 'points that count: the override if any, else the recorded grade' }) grade!: number | null;
  @ApiNullable(Number, { description: 'null: a missing grade in progress (0 in final mode)' }) percentage!: number | null;
  @ApiProperty() released!: boolean;
  @ApiProperty() overridden!: boolean;
  @ApiProperty({ description: "left out by its category's dropLowest" }) dropped!: boolean;
}

export class CategoryGradeResponse {
  @ApiProperty({ format: 'uuid' }) categoryId!: string;
  @ApiNullable(Number, { description: 'null: nothing in the category counts' }) percentage!: number | null;
  @ApiPropertyOptional({ description: "a learner's own view: withheld while it depends on an unreleased item" }) hidden?: boolean;
}

export class GradebookTotalResponse {
  @ApiNullable(Number) percentage!: number | null;
  @ApiNullable(String) letter!: string | null;
  @ApiNullable(Boolean) passed!: boolean | null;
  @ApiProperty() overridden!: boolean;
  @ApiPropertyOptional({ description: "a learner's own view: withheld (all null) while it depends on an unreleased item" }) hidden?: boolean;
}

export class LearnerGradesEntryResponse {
  @ApiProperty({ format: 'uuid' }) learnerId!: string;
  @ApiList(() => GradebookItemGradeResponse) items!: GradebookItemGradeResponse[];
  @ApiList(() => CategoryGradeResponse) categories!: CategoryGradeResponse[];
  @ApiProperty({ type: () => GradebookTotalResponse }) total!: GradebookTotalResponse;
}

export class GradebookGradesResponse extends GradebookResponse {
  @ApiProperty({ description: 'true: missing grades count as 0 (the end-of-term total)' }) final!: boolean;
  @ApiList(() => LearnerGradesEntryResponse) learners!: LearnerGradesEntryResponse[];
  @ApiProperty({ description: 'learners left out: their processing is restricted' }) restricted!: number;
}

export class LearnerGradesResponseDto extends LearnerGradesEntryResponse {
  @ApiProperty({ format: 'uuid' }) courseId!: string;
  @ApiProperty() final!: boolean;
  @ApiProperty({ description: "true: the learner's own view (released grades only)" }) releasedOnly!: boolean;
}

export class ActivityCompletionRuleResponse {
  @ApiProperty({ format: 'uuid' }) activityId!: string;
  @ApiProperty({ description: 'resource, quiz, assignment or offline' }) kind!: string;
  @ApiProperty({ description: 'how it is completed (viewed, submitted, graded, passed, …)' }) rule!: string;
}

export class CompletionCriteriaResponse {
  @ApiProperty({ oneOf: [{ type: 'array', items: { type: 'string', format: 'uuid' } }, { type: 'string', enum: ['all'] }], description: "the activities to complete, or 'all' tracked ones" })
  requireAll!: readonly string[] | 'all';
  @ApiNullable(Number) minimumCourseGradePercentage!: number | null;
}

export class CompletionRulesResponse {
  @ApiProperty({ format: 'uuid' }) courseId!: string;
  @ApiList(() => ActivityCompletionRuleResponse) activities!: ActivityCompletionRuleResponse[];
  @ApiNullable(() => CompletionCriteriaResponse, { description: 'null: the course has no completion criteria' }) criteria!: CompletionCriteriaResponse | null;
}

export class CompletionRulesChangeResponse extends CompletionRulesResponse {
  @ApiProperty({ description: 'false: the change changed nothing' }) changed!: boolean;
}

export class CompletedActivityResponse {
  @ApiProperty({ format: 'uuid' }) activityId!: string;
  @ApiProperty() rule!: string;
  @ApiProperty({ format: 'date-time' }) completedAt!: string;
}

export class CompletionProgressResponse {
  @ApiProperty({ description: 'required activities completed' }) completed!: number;
  @ApiProperty() required!: number;
  @ApiNullable(Number, { description: 'whole percent, rounded down; null when nothing is required' }) percentage!: number | null;
}

export class LearnerCompletionEntryResponse {
  @ApiProperty({ format: 'uuid' }) learnerId!: string;
  @ApiList(() => CompletedActivityResponse) activities!: CompletedActivityResponse[];
  @ApiProperty({ type: () => CompletionProgressResponse }) progress!: CompletionProgressResponse;
  @ApiProperty() courseCompleted!: boolean;
  @ApiNullable(String, { format: 'date-time' }) courseCompletedAt!: string | null;
}

export class CourseCompletionResponse {
  @ApiProperty({ type: () => CompletionRulesResponse }) rules!: CompletionRulesResponse;
  @ApiList(() => LearnerCompletionEntryResponse) learners!: LearnerCompletionEntryResponse[];
}

export class LearnerCompletionResponse extends LearnerCompletionEntryResponse {
  @ApiProperty({ format: 'uuid' }) courseId!: string;
  @ApiProperty({ type: () => CompletionRulesResponse }) rules!: CompletionRulesResponse;
}
