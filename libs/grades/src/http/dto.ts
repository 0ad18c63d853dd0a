/**
 * Request bodies of the gradebook and completion endpoints (validated and
 * documented). The deciders check the rules (a letter scale strictly
 * descending to 0, weights from 0, a grade within the item's maximum) and
 * answer with their own stable codes.
 */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsIn, IsOptional, IsString, Length, ValidateBy, ValidateNested, type ValidationOptions } from 'class-validator';
import { Bounded, IsId } from '@learnstream/core';
import { isUuid } from '@learnstream/domain';
import type { CompletionActivityKind, CompletionRule } from '../completion.events';
import type { GradeSource } from '../gradebook.events';

const flag = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

/** A list of UUIDs, or the word 'all'. */
function IsUuidListOrAll(options?: ValidationOptions) {
  return ValidateBy(
    {
      name: 'isUuidListOrAll',
      validator: {
        validate: (v: unknown) => v === 'all' || (Array.isArray(v) && v.length <= 1000 && v.every((id) => typeof id === 'string' && isUuid(id))),
        defaultMessage: () => "$property must be a list of UUIDs or 'all'",
      },
    },
    options,
  );
}

/** { kind: 'quiz' | 'assignment' | 'offline', id } or { kind: 'manual' }. */
function IsGradeSource(options?: ValidationOptions) {
  return ValidateBy(
    {
      name: 'isGradeSource',
      validator: {
        validate: (v: unknown) => {
          if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
          const s = v as Record<string, unknown>;
          if (s.kind === 'manual') return Object.keys(s).length === 1;
          return ['quiz', 'assignment', 'offline'].includes(s.kind as string) && typeof s.id === 'string' && isUuid(s.id) && Object.keys(s).length === 2;
        },
        defaultMessage: () => "$property must be { kind: 'quiz' | 'assignment' | 'offline', id: UUID } or { kind: 'manual' }",
      },
    },
    options,
  );
}

export class LetterGradeDto {
  @ApiProperty({ example: 'A' }) @IsString() @Length(1, 20) letter!: string;
  @ApiProperty({ example: 80 }) @Bounded('percentage') minPercentage!: number;
}

export class GradebookSettingsDto {
  @ApiPropertyOptional({ example: 50, description: 'the course total percentage that passes (default 50)' }) @IsOptional() @Bounded('percentage') passPercentage?: number;
  @ApiPropertyOptional({ type: [LetterGradeDto], description: 'bands strictly descending, the last from 0 (default A 80, B 70, C 60, D 50, F 0)' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(30)
  @ValidateNested({ each: true })
  @Type(() => LetterGradeDto)
  letterScale?: LetterGradeDto[];
}

export class AddCategoryDto {
  @ApiProperty({ example: 'Quizzes' }) @IsString() @Length(1, 200) name!: string;
  @ApiProperty({ example: 40, description: 'its weight in the course total, on the same scale as the root items’ weights' }) @Bounded('weight') weight!: number;
  @ApiPropertyOptional({ example: 0, description: 'drop the N lowest graded items' }) @IsOptional() @Bounded('count') dropLowest?: number;
}

export class UpdateCategoryDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 200) name?: string;
  @ApiPropertyOptional() @IsOptional() @Bounded('weight') weight?: number;
  @ApiPropertyOptional() @IsOptional() @Bounded('count') dropLowest?: number;
}

export class AddGradeItemDto {
  @ApiProperty({ type: 'object', additionalProperties: true, example: { kind: 'quiz', id: '6f1c…' }, description: "the activity it takes grades from ({ kind: 'quiz' | 'assignment' | 'offline', id }), or { kind: 'manual' }" })
  @IsGradeSource()
  source!: GradeSource;
  @ApiPropertyOptional({ description: 'default: the activity’s title (required for a manual item)' }) @IsOptional() @IsString() @Length(1, 200) name?: string;
  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true, description: 'its category; default: the root' }) @IsOptional() @IsId() categoryId?: string | null;
  @ApiPropertyOptional({ description: 'default: the activity’s maximum grade (required for a manual item); activity grades are scaled to it' }) @IsOptional() @Bounded('points') maxGrade?: number;
  @ApiPropertyOptional({ default: 1 }) @IsOptional() @Bounded('weight') weight?: number;
}

export class UpdateGradeItemDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 200) name?: string;
  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true, description: 'null moves it to the root' }) @IsOptional() @IsId() categoryId?: string | null;
  @ApiPropertyOptional() @IsOptional() @Bounded('points') maxGrade?: number;
  @ApiPropertyOptional() @IsOptional() @Bounded('weight') weight?: number;
}

export class ReleaseDto {
  @ApiPropertyOptional({ type: [String], description: "the items; absent or 'all': every item" }) @IsOptional() @IsUuidListOrAll() itemIds?: string[] | 'all';
}

export class ManualGradeDto {
  @ApiProperty({ example: 8 }) @Bounded('points') grade!: number;
}

export class OverrideDto {
  @ApiProperty({ example: 15, description: 'points on the item; a percentage for the course total' }) @Bounded('points') grade!: number;
  @ApiProperty({ example: 'Re-marked after an appeal', description: '3 to 500 characters; about the learner (personal data: encrypted in the log)' }) @IsString() reason!: string;
}

export class CompletionRuleDto {
  @ApiProperty({ enum: ['resource', 'quiz', 'assignment', 'offline'] }) @IsIn(['resource', 'quiz', 'assignment', 'offline']) kind!: CompletionActivityKind;
  @ApiProperty({ enum: ['viewed', 'submitted', 'passed'], description: 'a resource: viewed; a quiz or assignment: viewed, submitted or passed; an offline test: passed' })
  @IsIn(['viewed', 'submitted', 'passed'])
  rule!: CompletionRule;
}

export class CompletionCriteriaDto {
  @ApiProperty({
    oneOf: [{ type: 'string', enum: ['all'] }, { type: 'array', items: { type: 'string', format: 'uuid' } }],
    example: 'all',
    description: "the activities to complete (each with a rule), or 'all': every activity with a rule",
  })
  @IsUuidListOrAll()
  requireAll!: string[] | 'all';
  @ApiPropertyOptional({ type: Number, example: 50, nullable: true, description: 'the final course total (missing grades count as 0) to reach as well' }) @IsOptional() @Bounded('percentage') minimumCourseGradePercentage?: number | null;
}

export class FinalDto {
  @ApiPropertyOptional({ default: false, description: 'missing grades count as 0: the end-of-term total (else they are left out: the total so far)' })
  @IsOptional()
  @Transform(flag)
  @IsBoolean()
  final?: boolean;
}
