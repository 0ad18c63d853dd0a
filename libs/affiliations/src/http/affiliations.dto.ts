/** Request bodies and query strings of the affiliation endpoints (validated and documented). */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, MaxLength, Min } from 'class-validator';
import { IsId } from '@learnstream/core';
import { SCHOOL_ROLES, type SchoolRole } from '@learnstream/access';
import { GRADE_LEVEL_MAX, NAME_MAX, PURPOSE, PURPOSES_MAX, REASON_MAX, SCHOOL_CODE } from '../values';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const upper = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toUpperCase() : value);
const flag = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

export class CreateSchoolDto {
  @ApiProperty({ example: 'Wat Pho School', maxLength: NAME_MAX }) @Transform(trim) @IsString() @Length(1, NAME_MAX) name!: string;
  @ApiProperty({ example: 'WPS-01', description: 'unique short code: 2–20 of A–Z 0–9 - (given in any case, stored in capitals)' })
  @Transform(upper)
  @IsString()
  @Matches(SCHOOL_CODE, { message: 'code must be 2 to 20 of A-Z, 0-9 and -' })
  code!: string;
  @ApiProperty({ example: 'TH', description: 'ISO 3166-1 alpha-2' }) @Transform(upper) @IsString() @Matches(/^[A-Z]{2}$/, { message: 'country must be an ISO 3166-1 alpha-2 code' }) country!: string;
}

export class UpdateSchoolDto {
  @ApiPropertyOptional({ maxLength: NAME_MAX }) @IsOptional() @Transform(trim) @IsString() @Length(1, NAME_MAX) name?: string;
  @ApiPropertyOptional({ example: 'WPS-02' }) @IsOptional() @Transform(upper) @IsString() @Matches(SCHOOL_CODE, { message: 'code must be 2 to 20 of A-Z, 0-9 and -' }) code?: string;
  @ApiPropertyOptional({ example: 'TH' }) @IsOptional() @Transform(upper) @IsString() @Matches(/^[A-Z]{2}$/, { message: 'country must be an ISO 3166-1 alpha-2 code' }) country?: string;
}

export class CreateClassDto {
  @ApiProperty({ example: 'P4/1', maxLength: NAME_MAX }) @Transform(trim) @IsString() @Length(1, NAME_MAX) name!: string;
  @ApiPropertyOptional({ type: String, example: 'P4', maxLength: GRADE_LEVEL_MAX, nullable: true }) @IsOptional() @Transform(trim) @IsString() @Length(1, GRADE_LEVEL_MAX) gradeLevel?: string | null;
}

export class UpdateClassDto {
  @ApiPropertyOptional({ maxLength: NAME_MAX }) @IsOptional() @Transform(trim) @IsString() @Length(1, NAME_MAX) name?: string;
  @ApiPropertyOptional({ type: String, maxLength: GRADE_LEVEL_MAX, nullable: true, description: 'null clears it' }) @IsOptional() @Transform(trim) @IsString() @Length(1, GRADE_LEVEL_MAX) gradeLevel?: string | null;
}

export class IncludeArchivedDto {
  @ApiPropertyOptional({ default: false }) @IsOptional() @Transform(flag) @IsBoolean() includeArchived?: boolean;
}

export class AddMemberDto {
  @ApiProperty({ format: 'uuid', description: 'an existing account' }) @IsId() userId!: string;
  @ApiProperty({ enum: SCHOOL_ROLES }) @IsIn(SCHOOL_ROLES) role!: SchoolRole;
  @ApiPropertyOptional({ format: 'uuid', description: 'a learner’s class, or the class a teacher teaches' }) @IsOptional() @IsId() classId?: string;
  @ApiPropertyOptional({ example: 'P4', description: 'defaults to the class’s grade level' }) @IsOptional() @Transform(trim) @IsString() @Length(1, GRADE_LEVEL_MAX) gradeLevel?: string;
}

export class ChangeMemberDto {
  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true, description: 'null takes the member out of their class' }) @IsOptional() @IsId() classId?: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, description: 'defaults to the new class’s grade level; null clears it' }) @IsOptional() @Transform(trim) @IsString() @Length(1, GRADE_LEVEL_MAX) gradeLevel?: string | null;
  @ApiPropertyOptional({ enum: SCHOOL_ROLES, description: 'which membership, when the person holds several in the school' }) @IsOptional() @IsIn(SCHOOL_ROLES) role?: SchoolRole;
}

export class EndMembershipDto {
  @ApiPropertyOptional({ enum: SCHOOL_ROLES, description: 'which membership, when the person holds several in the school' }) @IsOptional() @IsIn(SCHOOL_ROLES) role?: SchoolRole;
  @ApiPropertyOptional({ maxLength: REASON_MAX, example: 'graduated' }) @IsOptional() @Transform(trim) @IsString() @Length(1, REASON_MAX) reason?: string;
}

export class MemberFilterDto {
  @ApiPropertyOptional({ enum: SCHOOL_ROLES }) @IsOptional() @IsIn(SCHOOL_ROLES) role?: SchoolRole;
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsId() classId?: string;
  @ApiPropertyOptional({ default: false, description: 'past members too (school and platform admins)' }) @IsOptional() @Transform(flag) @IsBoolean() includeEnded?: boolean;
  @ApiPropertyOptional({ description: "the member whose account the school opened with this external id (idNumber, as given to POST /users or the bulk upload); school and platform admins (a teacher: 403)", maxLength: 100 })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  idNumber?: string;
  @ApiPropertyOptional({ default: 100, minimum: 1, maximum: 500 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) limit?: number;
  @ApiPropertyOptional({ description: 'the nextCursor of the page before (or follow `next`)' }) @IsOptional() @IsString() @MaxLength(400) cursor?: string;
}

export class ParentLinkStatusDto {
  @ApiPropertyOptional({ enum: ['requested', 'confirmed', 'rejected', 'revoked'] }) @IsOptional() @IsIn(['requested', 'confirmed', 'rejected', 'revoked']) status?: 'requested' | 'confirmed' | 'rejected' | 'revoked';
}

export class RequestParentLinkDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'the child (or give childUsername)' }) @IsOptional() @IsId() childId?: string;
  @ApiPropertyOptional({ example: 'nok.s', description: 'the child’s username (or give childId)' }) @IsOptional() @Transform(trim) @IsString() @Length(1, 64) childUsername?: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'school admins only: link this parent, confirmed at once; absent: the caller asks to be linked' })
  @IsOptional()
  @IsId()
  parentId?: string;
}

export class ParentalConsentDto {
  @ApiProperty({ type: [String], example: ['platform_use'], description: `1–${PURPOSES_MAX} distinct lower-case words` })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(PURPOSES_MAX)
  @IsString({ each: true })
  @MaxLength(50, { each: true })
  @Matches(PURPOSE, { each: true, message: 'each purpose must be a lower-case word (a-z, 0-9, _)' })
  purposes!: string[];
}

export class RequestTransferDto {
  @ApiProperty({ format: 'uuid', description: 'an existing account: of no school, or of another school' }) @IsId() userId!: string;
  @ApiProperty({ enum: SCHOOL_ROLES }) @IsIn(SCHOOL_ROLES) role!: SchoolRole;
  @ApiPropertyOptional({ format: 'uuid', description: 'a class of the asking school' }) @IsOptional() @IsId() classId?: string;
  @ApiPropertyOptional({ example: 'P4', description: 'defaults to the class’s grade level' }) @IsOptional() @Transform(trim) @IsString() @Length(1, GRADE_LEVEL_MAX) gradeLevel?: string;
}

export const TRANSFER_STATUSES = ['requested', 'accepted', 'declined', 'cancelled'] as const;

export class TransferStatusDto {
  @ApiPropertyOptional({ enum: TRANSFER_STATUSES }) @IsOptional() @IsIn(TRANSFER_STATUSES) status?: (typeof TRANSFER_STATUSES)[number];
}
