/**
 * Request bodies of the assessment endpoints (validated and documented). The
 * deciders check the rules between fields (a window that closes after it
 * opens, a pass grade within the maximum, a question's right answers among
 * its choices) and answer with their own stable codes.
 */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { OCCURRED_AT_DOC } from '@learnstream/access';
import {
  Allow,
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsISO8601,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { Bounded, IsId } from '@learnstream/core';
import { SUBMISSION_TYPES, type SubmissionType } from '../assignment.events';
import type { Question } from '../question';
import { GRADING_METHODS, type GradingMethod } from '../quiz.events';

const QUESTION_DOC = {
  description:
    "A question: { questionId?, kind: multiple_choice_single | multiple_choice_multi | true_false | short_answer | numeric, text, points, skills: [slug], " +
    'choices + correct (choice kinds), correct (true_false), accepted + caseSensitive (short_answer), answer + tolerance (numeric) }',
  example: { kind: 'true_false', text: 'Every square is a rectangle.', points: 1, skills: ['geometry'], correct: true },
};

export class CreateQuizDto {
  @ApiProperty({ example: 'Fractions quiz 1' }) @IsString() @Length(1, 200) title!: string;
  @ApiPropertyOptional({ format: 'date-time' }) @IsOptional() @IsISO8601({ strict: true }) opensAt?: string;
  @ApiPropertyOptional({ format: 'date-time', description: 'no attempt starts after it; attempts in progress end at it' }) @IsOptional() @IsISO8601({ strict: true }) closesAt?: string;
  @ApiPropertyOptional({ minimum: 1 }) @IsOptional() @Bounded('seconds') timeLimitSeconds?: number;
  @ApiProperty({ minimum: 0, description: '0 = unlimited' }) @Bounded('count') attemptsAllowed!: number;
  @ApiProperty({ enum: GRADING_METHODS }) @IsIn(GRADING_METHODS) gradingMethod!: GradingMethod;
  @ApiProperty({ example: 10 }) @Bounded('points') maxGrade!: number;
  @ApiPropertyOptional({ example: 5 }) @IsOptional() @Bounded('points') passGrade?: number;
  @ApiPropertyOptional({ format: 'uuid', description: 'the course section it goes to; default: the first section' }) @IsOptional() @IsId() sectionId?: string;
  @ApiPropertyOptional({ example: 'QUIZ-7', description: "the activity's id in another system (Moodle's idnumber): unique in the school (409 IDNUMBER_TAKEN)" }) @IsOptional() @IsString() @Length(1, 100) idNumber?: string;
  @ApiPropertyOptional({ type: 'array', items: { type: 'object' }, ...QUESTION_DOC }) @IsOptional() @IsArray() @ArrayMaxSize(500) @IsObject({ each: true }) questions?: Question[];
}

/** Settings to change; null clears an optional one. */
export class UpdateQuizDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 200) title?: string;
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true }) @IsOptional() @IsISO8601({ strict: true }) opensAt?: string | null;
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true }) @IsOptional() @IsISO8601({ strict: true }) closesAt?: string | null;
  @ApiPropertyOptional({ type: Number, nullable: true }) @IsOptional() @Bounded('seconds') timeLimitSeconds?: number | null;
  @ApiPropertyOptional() @IsOptional() @Bounded('count') attemptsAllowed?: number;
  @ApiPropertyOptional({ enum: GRADING_METHODS }) @IsOptional() @IsIn(GRADING_METHODS) gradingMethod?: GradingMethod;
  @ApiPropertyOptional() @IsOptional() @Bounded('points') maxGrade?: number;
  @ApiPropertyOptional({ type: Number, nullable: true }) @IsOptional() @Bounded('points') passGrade?: number | null;
}

export class QuestionDto {
  @ApiProperty({ type: 'object', additionalProperties: true, ...QUESTION_DOC }) @IsObject() question!: Question;
}

export class AnswerDto {
  @ApiProperty({ format: 'uuid' }) @IsId() questionId!: string;
  @ApiProperty({
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }, { type: 'boolean' }, { type: 'number' }],
    description: 'the answer: a choice id, a list of choice ids, true/false, a text or a number; null (or absent) clears it',
    example: 'b',
  })
  @Allow()
  answer?: unknown;
}

export class StartAttemptDto {
  @ApiPropertyOptional({ format: 'uuid', description: "an import starts this learner's attempt (the import permission): it is the learner's, marked as imported; they must have been enrolled at occurredAt" })
  @IsOptional()
  @IsId()
  learnerId?: string;
  @ApiPropertyOptional(OCCURRED_AT_DOC) @IsOptional() @IsString() occurredAt?: string;
}

export class SubmitAttemptDto {
  @ApiPropertyOptional({ ...OCCURRED_AT_DOC, description: `${OCCURRED_AT_DOC.description}; an import may submit a learner's attempt (not before it started; after its deadline it is closed with what was saved)` })
  @IsOptional()
  @IsString()
  occurredAt?: string;
}

export class SaveAnswersDto {
  @ApiProperty({ type: [AnswerDto] }) @IsArray() @ArrayMinSize(1) @ArrayMaxSize(10_000) @ValidateNested({ each: true }) @Type(() => AnswerDto) answers!: AnswerDto[];
  @ApiPropertyOptional({ ...OCCURRED_AT_DOC, description: `${OCCURRED_AT_DOC.description}; an import may answer in a learner's attempt (not before it started)` }) @IsOptional() @IsString() occurredAt?: string;
}

export class CreateAssignmentDto {
  @ApiProperty({ example: 'Essay: my city' }) @IsString() @Length(1, 200) title!: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 20_000) instructions?: string;
  @ApiProperty({ enum: SUBMISSION_TYPES, isArray: true, example: ['text'] }) @IsArray() @ArrayMinSize(1) @IsIn(SUBMISSION_TYPES, { each: true }) submissionTypes!: SubmissionType[];
  @ApiPropertyOptional({ format: 'date-time', description: 'submissions after it are late' }) @IsOptional() @IsISO8601({ strict: true }) dueAt?: string;
  @ApiPropertyOptional({ format: 'date-time', description: 'no submission after it' }) @IsOptional() @IsISO8601({ strict: true }) cutoffAt?: string;
  @ApiProperty({ example: 100 }) @Bounded('points') maxGrade!: number;
  @ApiPropertyOptional({ example: 50 }) @IsOptional() @Bounded('points') passGrade?: number;
  @ApiPropertyOptional({ format: 'uuid', description: 'the course section it goes to; default: the first section' }) @IsOptional() @IsId() sectionId?: string;
  @ApiPropertyOptional({ example: 'QUIZ-7', description: "the activity's id in another system (Moodle's idnumber): unique in the school (409 IDNUMBER_TAKEN)" }) @IsOptional() @IsString() @Length(1, 100) idNumber?: string;
  @ApiPropertyOptional(OCCURRED_AT_DOC) @IsOptional() @IsString() occurredAt?: string;
}

export class UpdateAssignmentDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 200) title?: string;
  @ApiPropertyOptional({ type: String, nullable: true }) @IsOptional() @IsString() @Length(1, 20_000) instructions?: string | null;
  @ApiPropertyOptional({ enum: SUBMISSION_TYPES, isArray: true }) @IsOptional() @IsArray() @ArrayMinSize(1) @IsIn(SUBMISSION_TYPES, { each: true }) submissionTypes?: SubmissionType[];
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true }) @IsOptional() @IsISO8601({ strict: true }) dueAt?: string | null;
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true }) @IsOptional() @IsISO8601({ strict: true }) cutoffAt?: string | null;
  @ApiPropertyOptional() @IsOptional() @Bounded('points') maxGrade?: number;
  @ApiPropertyOptional({ type: Number, nullable: true }) @IsOptional() @Bounded('points') passGrade?: number | null;
}

export class SubmitAssignmentDto {
  @ApiPropertyOptional({ description: 'online text (personal data: encrypted in the log)', maxLength: 100_000 }) @IsOptional() @IsString() @MaxLength(100_000) text?: string;
  @ApiPropertyOptional({ type: [String], description: 'ids of files already stored' }) @IsOptional() @IsArray() @ArrayMaxSize(20) @IsId({ each: true }) fileRefs?: string[];
  @ApiPropertyOptional({ format: 'uuid', description: 'an import records this learner\'s submission (the import permission): it is the learner\'s, marked as imported' })
  @IsOptional()
  @IsId()
  learnerId?: string;
  @ApiPropertyOptional(OCCURRED_AT_DOC) @IsOptional() @IsString() occurredAt?: string;
}

export class GradeDto {
  @ApiProperty({ example: 72.5, description: 'from 0 to the maximum grade' }) @Bounded('points') grade!: number;
  @ApiPropertyOptional({ description: 'about the learner (personal data: encrypted in the log)', maxLength: 10_000 }) @IsOptional() @IsString() @MaxLength(10_000) feedback?: string;
  @ApiPropertyOptional(OCCURRED_AT_DOC) @IsOptional() @IsString() occurredAt?: string;
}

export class CreateOfflineTestDto {
  @ApiProperty({ example: 'Oral exam' }) @IsString() @Length(1, 200) title!: string;
  @ApiProperty({ example: 20 }) @Bounded('points') maxGrade!: number;
  @ApiPropertyOptional({ example: 10 }) @IsOptional() @Bounded('points') passGrade?: number;
  @ApiProperty({ example: '2025-03-14', description: 'the day it was sat' }) @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'takenOn must be YYYY-MM-DD' }) takenOn!: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'the course section it goes to; default: the first section' }) @IsOptional() @IsId() sectionId?: string;
  @ApiPropertyOptional({ example: 'QUIZ-7', description: "the activity's id in another system (Moodle's idnumber): unique in the school (409 IDNUMBER_TAKEN)" }) @IsOptional() @IsString() @Length(1, 100) idNumber?: string;
  @ApiPropertyOptional(OCCURRED_AT_DOC) @IsOptional() @IsString() occurredAt?: string;
}

/** Rows of one bulk upload of results or grades. */
export const BULK_RESULTS_MAX = 10_000;

export class BulkResultRowDto {
  @ApiProperty({ format: 'uuid' }) @IsId() learnerId!: string;
  @ApiProperty({ example: 72.5, description: 'from 0 to the maximum grade' }) @Bounded('points') grade!: number;
  @ApiPropertyOptional({ description: 'about the learner (personal data: encrypted in the log)', maxLength: 10_000 }) @IsOptional() @IsString() @MaxLength(10_000) feedback?: string;
  @ApiPropertyOptional(OCCURRED_AT_DOC) @IsOptional() @IsString() occurredAt?: string;
}

export class BulkResultsDto {
  @ApiProperty({ type: [BulkResultRowDto], maxItems: BULK_RESULTS_MAX, description: 'one row per learner' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(BULK_RESULTS_MAX)
  @ValidateNested({ each: true })
  @Type(() => BulkResultRowDto)
  rows!: BulkResultRowDto[];

  @ApiPropertyOptional({ enum: ['all_or_nothing', 'per_row'], default: 'all_or_nothing', description: 'all_or_nothing: one refused row refuses the upload (400 BULK_REJECTED) and nothing is recorded; per_row: the good rows are recorded' })
  @IsOptional()
  @IsIn(['all_or_nothing', 'per_row'])
  mode?: 'all_or_nothing' | 'per_row';
}

export class BulkResultRowOutcomeDto {
  @ApiProperty({ description: 'position of the row (from 0)' }) row!: number;
  @ApiProperty({ format: 'uuid' }) learnerId!: string;
  @ApiProperty({ enum: ['recorded', 'unchanged', 'refused'], description: 'unchanged: the learner already had this grade (nothing recorded)' }) status!: 'recorded' | 'unchanged' | 'refused';
  @ApiPropertyOptional({ description: 'a refusal\'s stable code' }) code?: string;
  @ApiPropertyOptional() message?: string;
}

export class BulkResultsOutcomeDto {
  @ApiProperty() recorded!: number;
  @ApiProperty() unchanged!: number;
  @ApiProperty() refused!: number;
  @ApiProperty({ type: [BulkResultRowOutcomeDto] }) results!: BulkResultRowOutcomeDto[];
}
