/** The response bodies of the account endpoints (OpenAPI; see libs/core/src/api-response.ts). */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ApiList, ApiNullable, ApiOneOf } from '@learnstream/core';

export class ClassPlacementResponse {
  @ApiProperty({ format: 'uuid' }) schoolId!: string;
  @ApiOneOf(['learner', 'teacher', 'school_admin']) role!: string;
  @ApiProperty({ format: 'uuid' }) classId!: string;
  @ApiNullable(String) className!: string | null;
}

export class AccountResponse {
  @ApiProperty({ format: 'uuid' }) userId!: string;
  @ApiProperty() username!: string;
  @ApiNullable(String) displayName!: string | null;
  @ApiNullable(String) givenName!: string | null;
  @ApiNullable(String) familyName!: string | null;
  @ApiNullable(String) email!: string | null;
  @ApiNullable(String) phone!: string | null;
  @ApiNullable(String, { description: 'YYYY-MM-DD' }) dateOfBirth!: string | null;
  @ApiNullable(String) gender!: string | null;
  @ApiNullable(String) nationalId!: string | null;
  @ApiNullable(String) country!: string | null;
  @ApiList() interests!: string[];
  @ApiList(String, { description: 'platform_admin, dpo' }) platformRoles!: string[];
  @ApiProperty({ description: 'active, locked, cancelled, …' }) status!: string;
  @ApiProperty() origin!: string;
  @ApiProperty() minor!: boolean;
  @ApiNullable(String, { format: 'date-time' }) parentalConsentAt!: string | null;
  @ApiProperty() mustChangePassword!: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiNullable(String, { format: 'date-time' }) lastLoginAt!: string | null;
  @ApiPropertyOptional({ type: String, isArray: true, description: 'fields the reader may not see (they read null, or [] for lists)' }) withheld?: string[];
  @ApiPropertyOptional({ type: () => ClassPlacementResponse, isArray: true, description: "GET /users/{id}: the person's classes now, in the reader's schools (a teacher's need to know: name and class)" })
  classes?: ClassPlacementResponse[];
}

export class MembershipResponse {
  @ApiProperty({ format: 'uuid' }) schoolId!: string;
  @ApiOneOf(['learner', 'teacher', 'school_admin']) role!: 'learner' | 'teacher' | 'school_admin';
  @ApiNullable(String, { format: 'uuid' }) classId!: string | null;
}

export class MeResponse {
  @ApiProperty({ type: () => AccountResponse }) account!: AccountResponse;
  @ApiList(() => MembershipResponse, { description: 'the caller\'s active school memberships' }) memberships!: MembershipResponse[];
  @ApiList(String, { description: 'ids of the caller\'s confirmed children' }) children!: string[];
  @ApiNullable(String, { format: 'uuid', description: 'the staff member acting, when the session is an impersonation' }) impersonatedBy!: string | null;
}

export class OpenedAccountResponse {
  @ApiProperty({ format: 'uuid' }) userId!: string;
  @ApiPropertyOptional({ description: 'when no password was given: a temporary one, shown once (it must be changed at first sign-in)' }) temporaryPassword?: string;
}

export class RegisteredAccountResponse {
  @ApiProperty({ format: 'uuid' }) userId!: string;
  @ApiProperty({ description: 'true: a minor, whose account waits for a parent\'s consent' }) minor!: boolean;
}

export class PasswordResetResponse {
  @ApiPropertyOptional({ description: 'shown once; the user must change it at next sign-in' }) temporaryPassword?: string;
}

export class RequestOriginResponse {
  @ApiNullable(String) ip!: string | null;
  @ApiNullable(String) userAgent!: string | null;
}

export class ImpersonationResponse {
  @ApiProperty({ format: 'uuid' }) sessionId!: string;
  @ApiProperty({ format: 'uuid', description: 'the staff member who acted as the user' }) by!: string;
  @ApiNullable(String) reason!: string | null;
  @ApiProperty({ format: 'date-time' }) startedAt!: string;
  @ApiNullable(String, { format: 'date-time' }) endedAt!: string | null;
  @ApiNullable(() => RequestOriginResponse, { description: 'for the DPO and platform admins only, else null' }) startedFrom!: RequestOriginResponse | null;
  @ApiNullable(() => RequestOriginResponse, { description: 'for the DPO and platform admins only, else null' }) endedFrom!: RequestOriginResponse | null;
}
