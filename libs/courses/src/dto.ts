/**
 * Request bodies of the course and enrolment endpoints: shapes and types are
 * checked here (400 VALIDATION_FAILED); the business rules on values (lengths,
 * codes, periods, content of each resource kind) are the deciders' (400
 * COURSE_INVALID / ENROLMENT_INVALID), so that one rule lives in one place.
 */
import { ApiProperty, ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Max,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { OCCURRED_AT_DOC } from '@learnstream/access';
import { Bounded, IsId } from '@learnstream/core';
import { COURSE_ROLES, RESOURCE_KINDS, type CourseRole, type ResourceContent, type ResourceKind } from './course.events';

/** Ids are compared and named in streams in lower case. */
const lower = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.toLowerCase() : value);
const lowerAll = ({ value }: { value: unknown }) => (Array.isArray(value) ? value.map((v) => (typeof v === 'string' ? v.toLowerCase() : v)) : value);

export const BULK_ENROL_MAX = 500;
/** Rows of one bulk upload (enrolments with dates, and every other upload). */
export const BULK_ROWS_MAX = 10_000;

export class SelfEnrolmentDto {
  @ApiProperty() @IsBoolean() enabled!: boolean;
  @ApiPropertyOptional({
    nullable: true,
    type: String,
    description: 'the enrolment key learners must give; only its salted hash is kept. On update: left out keeps the current key, null removes it',
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  key?: string | null;
}

export class PeriodDto {
  @ApiPropertyOptional({ nullable: true, type: String, example: '2025-05-01T00:00:00Z', description: 'ISO-8601 UTC; null or absent: open' })
  @IsOptional()
  @IsString()
  startsAt?: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, example: '2025-10-01T00:00:00Z', description: 'ISO-8601 UTC, excluded; null or absent: open' })
  @IsOptional()
  @IsString()
  endsAt?: string | null;
}

export class CreateCourseDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'the new course id, chosen by the client so that a retried request cannot create a second course' })
  @IsOptional()
  @Transform(lower)
  @IsId()
  courseId?: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: 'the school that owns the course, or null for a platform-wide course (platform admins)' })
  @ValidateIf((o: CreateCourseDto) => o.schoolId !== null)
  @Transform(lower)
  @IsId()
  schoolId!: string | null;
  @ApiProperty({ example: 'Mathematics 1' }) @IsString() title!: string;
  @ApiProperty({ example: 'MATH-101', description: '1 to 30 letters, digits, - or _' }) @IsString() code!: string;
  @ApiProperty({ example: 'Mathematics' }) @IsString() subject!: string;
  @ApiPropertyOptional({ example: 'M1', nullable: true, type: String }) @IsOptional() @IsString() gradeLevel?: string | null;
  @ApiPropertyOptional({ example: 'MATH101-2024', nullable: true, type: String, description: "the course's id in another system (Moodle's idnumber): unique in the school (409 IDNUMBER_TAKEN), up to 100 characters" })
  @ValidateIf((o: { idNumber?: string | null }) => o.idNumber !== undefined && o.idNumber !== null)
  @IsString()
  idNumber?: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) @IsOptional() @IsString() summary?: string | null;
  @ApiProperty({ type: SelfEnrolmentDto }) @IsObject() @ValidateNested() @Type(() => SelfEnrolmentDto) selfEnrolment!: SelfEnrolmentDto;
  @ApiPropertyOptional({ type: PeriodDto }) @IsOptional() @ValidateNested() @Type(() => PeriodDto) enrolmentPeriod?: PeriodDto;
  @ApiPropertyOptional({ ...OCCURRED_AT_DOC, description: 'when the course was created, for a migrated course (the import permission; not in the future); its history may not be older' })
  @IsOptional()
  @IsString()
  occurredAt?: string;
}

export class UpdateCourseDto {
  @ApiPropertyOptional() @IsOptional() @IsString() title?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() subject?: string;
  @ApiPropertyOptional({ nullable: true, type: String }) @ValidateIf((o: UpdateCourseDto) => o.gradeLevel !== undefined && o.gradeLevel !== null) @IsString() gradeLevel?: string | null;
  @ApiPropertyOptional({ example: 'MATH101-2024', nullable: true, type: String, description: "the course's id in another system (Moodle's idnumber): unique in the school (409 IDNUMBER_TAKEN), up to 100 characters" })
  @ValidateIf((o: { idNumber?: string | null }) => o.idNumber !== undefined && o.idNumber !== null)
  @IsString()
  idNumber?: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) @ValidateIf((o: UpdateCourseDto) => o.summary !== undefined && o.summary !== null) @IsString() summary?: string | null;
  @ApiPropertyOptional({ type: SelfEnrolmentDto }) @IsOptional() @ValidateNested() @Type(() => SelfEnrolmentDto) selfEnrolment?: SelfEnrolmentDto;
  @ApiPropertyOptional({ type: PeriodDto, description: 'replaces the whole period; {} opens it at both ends' })
  @IsOptional()
  @ValidateNested()
  @Type(() => PeriodDto)
  enrolmentPeriod?: PeriodDto;
}

export class AddSectionDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'chosen by the client for safe retries; generated when absent' }) @IsOptional() @Transform(lower) @IsId() sectionId?: string;
  @ApiProperty({ example: 'Week 1' }) @IsString() title!: string;
  @ApiPropertyOptional({ description: 'index (from 0) the section takes; absent: last' }) @IsOptional() @Bounded('position') position?: number;
}

export class RenameSectionDto {
  @ApiProperty({ example: 'Week one' }) @IsString() title!: string;
}

export class ReorderSectionsDto {
  @ApiProperty({ type: [String], format: 'uuid', description: 'every section of the course, once, in the new order' })
  @Transform(lowerAll)
  @IsArray()
  @ArrayMaxSize(1000)
  @IsId({ each: true })
  sectionIds!: string[];
}

export class AddResourceDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'chosen by the client for safe retries; generated when absent' }) @IsOptional() @Transform(lower) @IsId() resourceId?: string;
  @ApiProperty({ format: 'uuid' }) @Transform(lower) @IsId() sectionId!: string;
  @ApiProperty({ enum: RESOURCE_KINDS }) @IsIn(RESOURCE_KINDS) kind!: ResourceKind;
  @ApiProperty({ example: 'Welcome' }) @IsString() title!: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'by kind: page { body }, file { fileRef, mimeType, sizeBytes }, url { url }, video { url, durationSeconds }',
    example: { body: '<p>Hello</p>' },
  })
  @IsObject()
  content!: ResourceContent;
  @ApiPropertyOptional({ default: true, description: 'whether learners see it' }) @IsOptional() @IsBoolean() visible?: boolean;
  @ApiPropertyOptional({ description: 'the resource\'s id in another system (Moodle\'s idnumber): unique in the course (409 IDNUMBER_TAKEN)', maxLength: 100 }) @IsOptional() @IsString() @Length(1, 100) idNumber?: string;
}

/** Rows of one bulk resource upload. */
export const BULK_RESOURCES_MAX = 1000;

/** One resource of a bulk upload: what POST /courses/{id}/resources takes, with its external id required (the upload is idempotent by it). */
export class BulkResourceRowDto extends OmitType(AddResourceDto, ['resourceId', 'idNumber'] as const) {
  @ApiProperty({ example: 'mod-page-42', description: 'the resource\'s id in the source system (Moodle\'s idnumber): a row whose idNumber a resource of the course has is that resource (exists)', maxLength: 100 })
  @IsString()
  @Length(1, 100)
  idNumber!: string;
}

export class BulkResourcesDto {
  @ApiProperty({ type: [BulkResourceRowDto], maxItems: BULK_RESOURCES_MAX, description: 'one row per resource, added in order (last in its section)' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(BULK_RESOURCES_MAX)
  @ValidateNested({ each: true })
  @Type(() => BulkResourceRowDto)
  rows!: BulkResourceRowDto[];
  @ApiPropertyOptional({ enum: ['all_or_nothing', 'per_row'], default: 'all_or_nothing', description: 'all_or_nothing: one refused row refuses the upload (400 BULK_REJECTED) and nothing is recorded; per_row: the good rows are added' })
  @IsOptional()
  @IsIn(['all_or_nothing', 'per_row'])
  mode?: 'all_or_nothing' | 'per_row';
}

export class BulkResourceRowResultDto {
  @ApiProperty({ description: 'position of the row (from 0)' }) row!: number;
  @ApiProperty() idNumber!: string;
  @ApiProperty({ enum: ['added', 'exists', 'refused'], description: 'exists: a resource of the course has this idNumber already (nothing recorded)' }) status!: 'added' | 'exists' | 'refused';
  @ApiPropertyOptional({ format: 'uuid', description: 'the resource added, or the one with this idNumber' }) resourceId?: string;
  @ApiPropertyOptional({ description: 'a refusal\'s stable code' }) code?: string;
  @ApiPropertyOptional() message?: string;
}

export class BulkResourcesResultDto {
  @ApiProperty({ format: 'uuid' }) courseId!: string;
  @ApiProperty() added!: number;
  @ApiProperty() existing!: number;
  @ApiProperty() refused!: number;
  @ApiProperty({ type: [BulkResourceRowResultDto] }) results!: BulkResourceRowResultDto[];
}

export class UpdateResourceDto {
  @ApiPropertyOptional() @IsOptional() @IsString() title?: string;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'of the resource\'s kind (a resource never changes kind)' }) @IsOptional() @IsObject() content?: ResourceContent;
}

export class ResourceVisibilityDto {
  @ApiProperty() @IsBoolean() visible!: boolean;
}

export class AssignTeacherDto {
  @ApiProperty({ enum: COURSE_ROLES, description: 'teacher: edits and grades; non_editing_teacher: grades only' }) @IsIn(COURSE_ROLES) role!: CourseRole;
}

export class EnrolLearnerDto {
  @ApiProperty({ format: 'uuid' }) @Transform(lower) @IsId() learnerId!: string;
  @ApiPropertyOptional({ description: 'the learner\'s own period (ISO-8601 UTC), e.g. a trial month; absent: open' }) @IsOptional() @IsString() startsAt?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() endsAt?: string;
  @ApiPropertyOptional(OCCURRED_AT_DOC) @IsOptional() @IsString() occurredAt?: string;
}

export class BulkEnrolmentRowDto extends EnrolLearnerDto {
  @ApiPropertyOptional({ format: 'date-time', description: 'when the learner left the course (history, as occurredAt): the enrolment is recorded and ended' })
  @IsOptional()
  @IsString()
  unenrolledAt?: string;
}

const BULK_MODE_DOC = {
  enum: ['all_or_nothing', 'per_row'],
  description: 'all_or_nothing (default with learners): one refused row refuses the upload, nothing is recorded; per_row (default with learnerIds): the good rows are recorded',
};

/** Bulk enrolment, rows with dates (OpenAPI: the first form of the body). */
export class BulkEnrolRowsDto {
  @ApiProperty({ type: [BulkEnrolmentRowDto], maxItems: BULK_ROWS_MAX, description: 'one row per learner, each with its own dates' }) learners!: BulkEnrolmentRowDto[];
  @ApiPropertyOptional(BULK_MODE_DOC) mode?: 'all_or_nothing' | 'per_row';
}

/** Bulk enrolment, the older form: learners enrolled now (OpenAPI: the second form of the body). */
export class BulkEnrolIdsDto {
  @ApiProperty({ type: [String], format: 'uuid', maxItems: BULK_ENROL_MAX, description: 'a learner named twice counts once' }) learnerIds!: string[];
  @ApiPropertyOptional(BULK_MODE_DOC) mode?: 'all_or_nothing' | 'per_row';
}

/** What the bulk enrolment route validates: either form (both are checked when both are given; learners wins). */
export class BulkEnrolDto {
  @ValidateIf((o: BulkEnrolDto) => o.learnerIds !== undefined || o.learners === undefined)
  @Transform(lowerAll)
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(BULK_ENROL_MAX)
  @IsId({ each: true })
  learnerIds?: string[];

  @ValidateIf((o: BulkEnrolDto) => o.learners !== undefined || o.learnerIds === undefined)
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(BULK_ROWS_MAX)
  @ValidateNested({ each: true })
  @Type(() => BulkEnrolmentRowDto)
  learners?: BulkEnrolmentRowDto[];

  @IsOptional()
  @IsIn(['all_or_nothing', 'per_row'])
  mode?: 'all_or_nothing' | 'per_row';
}

export class BulkEnrolmentRowResultDto {
  @ApiProperty({ description: 'position of the row (from 0)' }) row!: number;
  @ApiProperty({ format: 'uuid' }) learnerId!: string;
  @ApiProperty({ enum: ['enrolled', 'already_enrolled', 'refused'] }) status!: 'enrolled' | 'already_enrolled' | 'refused';
  @ApiPropertyOptional({ description: 'also unenrolled (the row had unenrolledAt)' }) unenrolled?: boolean;
  @ApiPropertyOptional({ description: 'a refusal\'s stable code' }) code?: string;
  @ApiPropertyOptional() message?: string;
}

export class BulkEnrolmentResultDto {
  @ApiProperty({ format: 'uuid' }) courseId!: string;
  @ApiProperty() enrolled!: number;
  @ApiProperty() alreadyEnrolled!: number;
  @ApiProperty() refused!: number;
  @ApiProperty({ type: [BulkEnrolmentRowResultDto] }) results!: BulkEnrolmentRowResultDto[];
}

export class SelfEnrolDto {
  @ApiPropertyOptional({ description: 'the course\'s enrolment key, when it asks one' }) @IsOptional() @IsString() @MaxLength(200) key?: string;
}

export class UnenrolDto {
  @ApiPropertyOptional({ description: 'why (personal data about the learner: stored encrypted under their key)' }) @IsOptional() @IsString() @MaxLength(2000) reason?: string;
  @ApiPropertyOptional(OCCURRED_AT_DOC) @IsOptional() @IsString() occurredAt?: string;
}

export class ListCoursesDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'only this school\'s courses' }) @IsOptional() @Transform(lower) @IsId() schoolId?: string;
  @ApiPropertyOptional({ enum: ['true', 'false'], description: 'only the courses the caller teaches or is enrolled in' }) @IsOptional() @IsIn(['true', 'false']) mine?: 'true' | 'false';
  @ApiPropertyOptional({ enum: ['true', 'false'], description: 'archived courses too' }) @IsOptional() @IsIn(['true', 'false']) includeArchived?: 'true' | 'false';
  @ApiPropertyOptional({ description: 'the course with this external id (idNumber, unique in a school)', maxLength: 100 }) @IsOptional() @IsString() @MaxLength(100) idNumber?: string;
  @ApiPropertyOptional({ default: 100, maximum: 500 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) limit?: number;
  @ApiPropertyOptional({ description: 'the nextCursor of the page before (or follow `next`)' }) @IsOptional() @IsString() @MaxLength(400) cursor?: string;
  @ApiPropertyOptional({ default: 0, deprecated: true, description: 'deprecated: rows to skip; use cursor' }) @IsOptional() @Type(() => Number) @Bounded('offset') offset?: number;
}

export class ListParticipantsDto {
  @ApiPropertyOptional({ enum: ['true', 'false'], description: 'unenrolled learners too' }) @IsOptional() @IsIn(['true', 'false']) includeUnenrolled?: 'true' | 'false';
}
