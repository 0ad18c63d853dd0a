/**
 * The response bodies of the quiz, attempt, assignment and offline-test endpoints (OpenAPI; see
 * libs/core/src/api-response.ts). The controllers return these classes, so the compiler checks that
 * every view the handlers build has their fields.
 */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ApiList, ApiNullable, ApiOneOf } from '@learnstream/core';
import { SUBMISSION_TYPES, type SubmissionType } from '../assignment.events';
import { QUESTION_KINDS, type QuestionKind } from '../question';
import { GRADING_METHODS, type GradingMethod } from '../quiz.events';

export class ChoiceResponse {
  @ApiProperty({ description: "the choice's token (`a`, `b`, …): an answer names it" }) id!: string;
  @ApiProperty() text!: string;
}

/** A question: the fields of its kind; what gives the answer away only for the course staff, or once submitted. */
export class QuestionResponse {
  @ApiProperty({ format: 'uuid' }) questionId!: string;
  @ApiOneOf(QUESTION_KINDS) kind!: QuestionKind;
  @ApiProperty() text!: string;
  @ApiProperty() points!: number;
  @ApiList(String, { description: 'skill or topic tags' }) skills!: string[];
  @ApiPropertyOptional({ type: () => ChoiceResponse, isArray: true, description: 'multiple choice: the choices' }) choices?: ChoiceResponse[];
  @ApiPropertyOptional({
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }, { type: 'boolean' }],
    description: 'the right answer (staff, or after submission): a choice id (single), choice ids (multi), true or false',
  })
  correct?: string | string[] | boolean;
  @ApiPropertyOptional({ type: [String], description: 'short answer: the accepted answers' }) accepted?: string[];
  @ApiPropertyOptional({ description: 'short answer: whether case matters' }) caseSensitive?: boolean;
  @ApiPropertyOptional({ description: 'numeric: the right number' }) answer?: number;
  @ApiPropertyOptional({ description: 'numeric: accepted distance from the answer (bounds included)' }) tolerance?: number;
}

export class QuizResponse {
  @ApiProperty({ format: 'uuid' }) quizId!: string;
  @ApiProperty({ format: 'uuid' }) courseId!: string;
  @ApiProperty() title!: string;
  @ApiNullable(String, { format: 'date-time', description: 'null: open at once' }) opensAt!: string | null;
  @ApiNullable(String, { format: 'date-time', description: 'null: never closes' }) closesAt!: string | null;
  @ApiNullable(Number) timeLimitSeconds!: number | null;
  @ApiProperty({ description: '0: unlimited' }) attemptsAllowed!: number;
  @ApiOneOf(GRADING_METHODS) gradingMethod!: GradingMethod;
  @ApiProperty() maxGrade!: number;
  @ApiNullable(Number) passGrade!: number | null;
  @ApiList(() => QuestionResponse) questions!: QuestionResponse[];
}

export class StartedAttemptResponse {
  @ApiProperty({ format: 'uuid' }) attemptId!: string;
  @ApiProperty({ format: 'uuid' }) quizId!: string;
  @ApiProperty() attemptNumber!: number;
  @ApiNullable(String, { format: 'date-time' }) deadline!: string | null;
  @ApiList(String, { description: 'attempts of the learner closed on the way (their deadline had passed)' }) closedOverdue!: string[];
}

export class AttemptSummaryResponse {
  @ApiProperty({ format: 'uuid' }) attemptId!: string;
  @ApiProperty({ format: 'uuid' }) learnerId!: string;
  @ApiProperty() attemptNumber!: number;
  @ApiOneOf(['in_progress', 'submitted']) status!: 'in_progress' | 'submitted';
  @ApiProperty({ format: 'date-time' }) startedAt!: string;
  @ApiNullable(String, { format: 'date-time' }) deadline!: string | null;
  @ApiNullable(String, { format: 'date-time' }) submittedAt!: string | null;
  @ApiNullable(Boolean, { description: 'true: submitted by the system at the deadline' }) automatic!: boolean | null;
  @ApiNullable(Number) grade!: number | null;
  @ApiNullable(Number) maxGrade!: number | null;
  @ApiNullable(Boolean) passed!: boolean | null;
}

export class AttemptListResponse {
  @ApiProperty({ format: 'uuid' }) quizId!: string;
  @ApiList(() => AttemptSummaryResponse) attempts!: AttemptSummaryResponse[];
  @ApiProperty({ description: 'attempts left out: their learners have restricted processing of their data' }) restricted!: number;
}

export class SavedAnswersResponse {
  @ApiProperty({ format: 'uuid' }) attemptId!: string;
  @ApiList(String, { description: 'the questions whose answers were saved' }) saved!: string[];
}

export class SubmittedAttemptResponse {
  @ApiProperty({ format: 'uuid' }) attemptId!: string;
  @ApiProperty() attemptNumber!: number;
  @ApiProperty({ description: 'true: the deadline had passed and what was saved was submitted' }) automatic!: boolean;
  @ApiProperty() totalScore!: number;
  @ApiProperty() totalPoints!: number;
  @ApiProperty() grade!: number;
  @ApiProperty() maxGrade!: number;
  @ApiNullable(Boolean, { description: 'null: the quiz has no pass mark' }) passed!: boolean | null;
}

export class QuestionResultResponse {
  @ApiProperty({ format: 'uuid' }) questionId!: string;
  @ApiProperty() score!: number;
  @ApiProperty() points!: number;
  @ApiList(String) skills!: string[];
  @ApiProperty({ oneOf: [{ type: 'boolean' }, { type: 'string', enum: ['partial'] }] }) correct!: boolean | 'partial';
}

export class AttemptResponse extends AttemptSummaryResponse {
  @ApiProperty({ format: 'uuid' }) quizId!: string;
  @ApiProperty({ format: 'uuid' }) courseId!: string;
  @ApiNullable(Number) durationSeconds!: number | null;
  @ApiList(() => QuestionResponse, { description: 'with the right answers only once submitted (or for the staff)' }) questions!: QuestionResponse[];
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'saved answer by question id (empty once erased)' }) answers!: Record<string, unknown>;
  @ApiNullable(() => QuestionResultResponse, { isArray: true, description: 'per question, once graded' }) results!: QuestionResultResponse[] | null;
  @ApiNullable(Number) totalScore!: number | null;
  @ApiNullable(Number) totalPoints!: number | null;
}

export class AssignmentResponse {
  @ApiProperty({ format: 'uuid' }) assignmentId!: string;
  @ApiProperty({ format: 'uuid' }) courseId!: string;
  @ApiProperty() title!: string;
  @ApiNullable(String) instructions!: string | null;
  @ApiProperty({ enum: [...SUBMISSION_TYPES], isArray: true }) submissionTypes!: SubmissionType[];
  @ApiNullable(String, { format: 'date-time', description: 'submissions after it are late' }) dueAt!: string | null;
  @ApiNullable(String, { format: 'date-time', description: 'no submissions after it' }) cutoffAt!: string | null;
  @ApiProperty() maxGrade!: number;
  @ApiNullable(Number) passGrade!: number | null;
}

export class SubmittedWorkResponse {
  @ApiProperty({ format: 'uuid' }) assignmentId!: string;
  @ApiProperty({ format: 'uuid' }) learnerId!: string;
  @ApiProperty() submissionNumber!: number;
  @ApiProperty() late!: boolean;
  @ApiProperty() lateBySeconds!: number;
  @ApiProperty({ format: 'date-time', description: 'when it was handed in (occurredAt for an import)' }) submittedAt!: string;
}

export class SubmissionResponse {
  @ApiProperty({ format: 'uuid' }) assignmentId!: string;
  @ApiProperty({ format: 'uuid' }) courseId!: string;
  @ApiProperty({ format: 'uuid' }) learnerId!: string;
  @ApiOneOf(['submitted', 'graded', 'reopened']) status!: 'submitted' | 'graded' | 'reopened';
  @ApiProperty() submissionNumber!: number;
  @ApiNullable(String) text!: string | null;
  @ApiList(String) fileRefs!: string[];
  @ApiNullable(Boolean) late!: boolean | null;
  @ApiNullable(Number) lateBySeconds!: number | null;
  @ApiNullable(String, { format: 'date-time' }) submittedAt!: string | null;
  @ApiNullable(Number) grade!: number | null;
  @ApiNullable(Number) maxGrade!: number | null;
  @ApiNullable(Boolean) passed!: boolean | null;
  @ApiNullable(String) feedback!: string | null;
  @ApiNullable(String, { format: 'uuid' }) gradedBy!: string | null;
  @ApiNullable(String, { format: 'date-time' }) gradedAt!: string | null;
}

export class SubmissionListResponse {
  @ApiProperty({ format: 'uuid' }) assignmentId!: string;
  @ApiList(() => SubmissionResponse) submissions!: SubmissionResponse[];
  @ApiProperty({ description: 'submissions left out: their learners have restricted processing of their data' }) restricted!: number;
}

export class GradedWorkResponse {
  @ApiProperty({ format: 'uuid' }) assignmentId!: string;
  @ApiProperty({ format: 'uuid' }) learnerId!: string;
  @ApiProperty() grade!: number;
  @ApiProperty() maxGrade!: number;
  @ApiNullable(Boolean) passed!: boolean | null;
  @ApiNullable(Number, { description: 'the grade this one replaced' }) previousGrade!: number | null;
  @ApiProperty({ description: 'false: graded without a submission' }) hasSubmission!: boolean;
}

export class ReopenedSubmissionResponse {
  @ApiProperty({ format: 'uuid' }) assignmentId!: string;
  @ApiProperty({ format: 'uuid' }) learnerId!: string;
}

export class OfflineTestResponse {
  @ApiProperty({ format: 'uuid' }) offlineTestId!: string;
  @ApiProperty({ format: 'uuid' }) courseId!: string;
  @ApiProperty() title!: string;
  @ApiProperty() maxGrade!: number;
  @ApiNullable(Number) passGrade!: number | null;
  @ApiProperty({ format: 'date', description: 'the day it was taken' }) takenOn!: string;
}

export class OfflineResultEntryResponse {
  @ApiProperty({ format: 'uuid' }) offlineTestId!: string;
  @ApiProperty({ format: 'uuid' }) learnerId!: string;
  @ApiProperty() grade!: number;
  @ApiProperty() maxGrade!: number;
  @ApiNullable(Boolean) passed!: boolean | null;
}

export class OfflineResultResponse extends OfflineResultEntryResponse {
  @ApiNullable(Number, { description: 'the grade this one replaced' }) previousGrade!: number | null;
}

export class OfflineResultListResponse {
  @ApiProperty({ format: 'uuid' }) offlineTestId!: string;
  @ApiList(() => OfflineResultEntryResponse) results!: OfflineResultEntryResponse[];
}
