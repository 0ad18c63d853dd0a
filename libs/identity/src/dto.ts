/** Request and response bodies of the identity endpoints (validated and documented). */
import { ApiProperty, ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsEmail, IsIn, IsOptional, IsString, Length, Matches, MaxLength, ValidateNested } from 'class-validator';
import { IsId } from '@learnstream/core';
import { OCCURRED_AT_DOC, SCHOOL_ROLES } from '@learnstream/access';
import { GENDERS } from './profile';

export class ProfileDto {
  @ApiProperty({ example: 'Ann Lee' }) @IsString() @Length(1, 200) displayName!: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 100) givenName?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 100) familyName?: string;
  @ApiPropertyOptional({ example: 'ann@example.com' }) @IsOptional() @IsEmail() email?: string;
  @ApiPropertyOptional({ example: '+66 81 234 5678' }) @IsOptional() @IsString() @Matches(/^\+?[0-9 ()-]{6,20}$/, { message: 'phone must be a phone number' }) phone?: string;
  @ApiPropertyOptional({ example: '2010-04-01' }) @IsOptional() @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'dateOfBirth must be YYYY-MM-DD' }) dateOfBirth?: string;
  @ApiPropertyOptional({ enum: GENDERS }) @IsOptional() @IsIn(GENDERS) gender?: (typeof GENDERS)[number];
  @ApiPropertyOptional() @IsOptional() @IsString() @Matches(/^[A-Za-z0-9-]{4,30}$/, { message: 'nationalId must be 4 to 30 letters, digits or -' }) nationalId?: string;
  @ApiPropertyOptional({ example: 'TH' }) @IsOptional() @Matches(/^[A-Z]{2}$/, { message: 'country must be an ISO 3166-1 alpha-2 code' }) country?: string;
  @ApiPropertyOptional({ type: [String] }) @IsOptional() @IsArray() @ArrayMaxSize(20) @IsString({ each: true }) @MaxLength(50, { each: true }) interests?: string[];
}

export class RegisterDto extends ProfileDto {
  @ApiProperty({ example: 'ann.lee', description: '3–64 letters, digits or . _ @ -; case-insensitive' })
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._@-]{2,63}$/, { message: 'username must be 3 to 64 letters, digits or . _ @ -' })
  username!: string;
  @ApiProperty({ description: 'at least PASSWORD_MIN_LENGTH (10) characters, not common, not containing the username' }) @IsString() @MaxLength(256) password!: string;
}

export class OpenAccountDto extends ProfileDto {
  @ApiProperty({ example: 'ann.lee' })
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._@-]{2,63}$/, { message: 'username must be 3 to 64 letters, digits or . _ @ -' })
  username!: string;
  @ApiPropertyOptional({ description: 'when absent, a temporary password is generated, returned once, and must be changed at first sign-in' })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  password?: string;
  @ApiProperty({ format: 'uuid' }) @IsId() schoolId!: string;
  @ApiProperty({ enum: SCHOOL_ROLES }) @IsIn(SCHOOL_ROLES) role!: (typeof SCHOOL_ROLES)[number];
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsId() classId?: string;
  @ApiPropertyOptional({ example: 'Grade 7' }) @IsOptional() @IsString() @Length(1, 50) gradeLevel?: string;
  @ApiPropertyOptional({ enum: ['learner', 'parent'], description: 'for learners: who gave consent to the processing (a parent for a minor); the staff member vouches for it' })
  @IsOptional()
  @IsIn(['learner', 'parent'])
  consentObtainedFrom?: 'learner' | 'parent';
  @ApiPropertyOptional({ example: 'S-2024-0042', description: "the person's id in another system (a student number, Moodle's idnumber): unique among the school's accounts (409 IDNUMBER_TAKEN); in bulk, a row whose idNumber the school has is that account (exists)" })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  idNumber?: string;
  @ApiPropertyOptional({ ...OCCURRED_AT_DOC, description: 'when the account was opened, for history (the import permission: an admin of the school; not in the future); absent: now' })
  @IsOptional()
  @IsString()
  occurredAt?: string;
}

/** Rows of one bulk account upload. */
export const BULK_ACCOUNTS_MAX = 10_000;

/** One account of a bulk upload: what POST /users takes, without school (the upload's) and password (a temporary one is made). */
export class BulkAccountRowDto extends OmitType(OpenAccountDto, ['schoolId', 'password'] as const) {}

export class BulkAccountsDto {
  @ApiProperty({ format: 'uuid', description: 'the school every account is opened in' }) @IsId() schoolId!: string;
  @ApiProperty({ type: [BulkAccountRowDto], maxItems: BULK_ACCOUNTS_MAX })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(BULK_ACCOUNTS_MAX)
  @ValidateNested({ each: true })
  @Type(() => BulkAccountRowDto)
  rows!: BulkAccountRowDto[];
  @ApiPropertyOptional({ enum: ['all_or_nothing', 'per_row'], default: 'all_or_nothing', description: 'all_or_nothing: one refused row refuses the upload (400 BULK_REJECTED) and nothing is written; per_row: the good rows are opened' })
  @IsOptional()
  @IsIn(['all_or_nothing', 'per_row'])
  mode?: 'all_or_nothing' | 'per_row';
}

/** The query of a CSV upload of accounts (a JSON upload has these in its body). */
export class BulkAccountsCsvQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'CSV uploads: the school every account is opened in' }) @IsOptional() @IsId() schoolId?: string;
  @ApiPropertyOptional({ enum: ['all_or_nothing', 'per_row'], description: 'CSV uploads: as mode in a JSON body' }) @IsOptional() @IsIn(['all_or_nothing', 'per_row']) mode?: 'all_or_nothing' | 'per_row';
}

export class BulkAccountResultDto {
  @ApiProperty({ description: 'position of the row (from 0)' }) row!: number;
  @ApiProperty() username!: string;
  @ApiProperty({ enum: ['created', 'exists', 'refused'], description: 'exists: the username is an account of this school already (nothing written)' }) status!: 'created' | 'exists' | 'refused';
  @ApiPropertyOptional({ format: 'uuid' }) userId?: string;
  @ApiPropertyOptional({ description: 'created accounts: shown once, changed at first sign-in' }) temporaryPassword?: string;
  @ApiPropertyOptional({ description: 'a refusal\'s stable code' }) code?: string;
  @ApiPropertyOptional() message?: string;
}

export class BulkAccountsResultDto {
  @ApiProperty({ format: 'uuid' }) schoolId!: string;
  @ApiProperty() created!: number;
  @ApiProperty() existing!: number;
  @ApiProperty() refused!: number;
  @ApiProperty({ type: [BulkAccountResultDto] }) results!: BulkAccountResultDto[];
}

export class UpdateProfileDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 200) displayName?: string;
  @ApiPropertyOptional({ type: String, nullable: true }) @IsOptional() @IsString() @Length(1, 100) givenName?: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) @IsOptional() @IsString() @Length(1, 100) familyName?: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) @IsOptional() @IsEmail() email?: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) @IsOptional() @IsString() phone?: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) @IsOptional() @IsString() dateOfBirth?: string | null;
  @ApiPropertyOptional({ enum: GENDERS }) @IsOptional() @IsIn(GENDERS) gender?: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) @IsOptional() @IsString() nationalId?: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) @IsOptional() @IsString() country?: string | null;
  @ApiPropertyOptional({ type: [String] }) @IsOptional() @IsArray() @IsString({ each: true }) interests?: string[];
}

export class LoginDto {
  @ApiProperty() @IsString() @Length(1, 64) username!: string;
  @ApiProperty() @IsString() @Length(1, 256) password!: string;
}

export class RefreshDto {
  @ApiProperty() @IsString() @Length(10, 200) refreshToken!: string;
}

export class ChangePasswordDto {
  @ApiProperty() @IsString() @Length(1, 64) username!: string;
  @ApiProperty() @IsString() @Length(1, 256) currentPassword!: string;
  @ApiProperty() @IsString() @MaxLength(256) newPassword!: string;
}

export class ImpersonateDto {
  @ApiProperty({ format: 'uuid' }) @IsId() userId!: string;
  @ApiProperty({ description: 'why support needs to act as this user; the user can read it later', example: 'Ticket 4411: learner cannot see the quiz' })
  @IsString()
  @Length(10, 500)
  reason!: string;
}

export class TokenPairDto {
  @ApiProperty() accessToken!: string;
  @ApiProperty({ example: 'Bearer' }) tokenType!: string;
  @ApiProperty({ description: 'seconds' }) expiresIn!: number;
  @ApiProperty({ nullable: true, type: String, description: 'single use; each refresh returns a new one' }) refreshToken!: string | null;
  @ApiProperty({ format: 'uuid' }) userId!: string;
  @ApiProperty({ format: 'uuid' }) sessionId!: string;
}
