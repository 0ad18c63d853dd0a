/**
 * GraphQL shapes of the identity API. Object types mirror the REST responses
 * (they implement the query results' interfaces, so the compiler keeps them in
 * step). Input types extend the REST request DTOs: the class-validator rules
 * are written once, there, and the global ValidationPipe applies them to
 * GraphQL arguments too; here only the GraphQL fields are declared.
 */
import type { Type } from '@nestjs/common';
import { Field, ID, InputType, Int, ObjectType } from '@nestjs/graphql';
import type { Membership, SchoolRole } from '@learnstream/access';
import {
  ChangePasswordDto,
  ImpersonateDto,
  LoginDto,
  OpenAccountDto,
  ProfileDto,
  RefreshDto,
  RegisterDto,
  UpdateProfileDto,
} from '@learnstream/identity';
import type { AccountView, ClassPlacementView, TokenPair } from '@learnstream/identity';
import type { MeView } from '@learnstream/identity';
import type { ImpersonationView, RequestOriginView } from '@learnstream/identity';
import { PlatformRoleEnum, SchoolRoleEnum } from '../enums';

@ObjectType('ClassPlacement', { description: 'a class the person is in (learner) or teaches (teacher) now' })
export class ClassPlacementObject implements ClassPlacementView {
  @Field(() => ID) schoolId!: string;
  @Field(() => SchoolRoleEnum) role!: string;
  @Field(() => ID) classId!: string;
  @Field(() => String, { nullable: true }) className!: string | null;
}

@ObjectType('Account', { description: 'an account as its reader may see it (staff reads of personal data are audited)' })
export class AccountObject implements AccountView {
  @Field(() => ID) userId!: string;
  @Field() username!: string;
  @Field(() => String, { nullable: true }) displayName!: string | null;
  @Field(() => String, { nullable: true }) givenName!: string | null;
  @Field(() => String, { nullable: true }) familyName!: string | null;
  @Field(() => String, { nullable: true }) email!: string | null;
  @Field(() => String, { nullable: true }) phone!: string | null;
  @Field(() => String, { nullable: true, description: 'YYYY-MM-DD' }) dateOfBirth!: string | null;
  @Field(() => String, { nullable: true }) gender!: string | null;
  @Field(() => String, { nullable: true }) nationalId!: string | null;
  @Field(() => String, { nullable: true, description: 'ISO 3166-1 alpha-2' }) country!: string | null;
  @Field(() => [String]) interests!: string[];
  @Field(() => [PlatformRoleEnum]) platformRoles!: string[];
  @Field({ description: 'active, locked, …' }) status!: string;
  @Field({ description: 'self, staff or bootstrap' }) origin!: string;
  @Field() minor!: boolean;
  @Field(() => String, { nullable: true }) parentalConsentAt!: string | null;
  @Field() mustChangePassword!: boolean;
  @Field() createdAt!: string;
  @Field(() => String, { nullable: true }) lastLoginAt!: string | null;
  @Field(() => [ClassPlacementObject], { nullable: true, description: "the person's classes now, in the reader's schools (reading an account; not on `me`)" }) classes?: ClassPlacementView[];
}

@ObjectType('Membership', { description: 'a role in a school (and, for learners and teachers, in a class)' })
export class MembershipObject implements Membership {
  @Field(() => ID) schoolId!: string;
  @Field(() => SchoolRoleEnum) role!: SchoolRole;
  @Field(() => ID, { nullable: true }) classId!: string | null;
}

@ObjectType('Me', { description: 'the caller: account, schools, children, and who is really acting when impersonated' })
export class MeObject implements MeView {
  @Field(() => AccountObject) account!: AccountObject;
  @Field(() => [MembershipObject]) memberships!: MembershipObject[];
  @Field(() => [ID], { description: 'confirmed children (for a parent)' }) children!: string[];
  @Field(() => ID, { nullable: true, description: 'the platform admin acting as this user, else null' }) impersonatedBy!: string | null;
}

@ObjectType('TokenPair')
export class TokenPairObject implements TokenPair {
  @Field() accessToken!: string;
  @Field({ description: 'Bearer' }) tokenType!: 'Bearer';
  @Field(() => Int, { description: 'seconds' }) expiresIn!: number;
  @Field(() => String, { nullable: true, description: 'single use; each refresh returns a new one' }) refreshToken!: string | null;
  @Field(() => ID) userId!: string;
  @Field(() => ID) sessionId!: string;
}

@ObjectType('RequestOrigin', { description: 'the IP and user agent a staff member acted from (null once past retention)' })
export class RequestOriginObject implements RequestOriginView {
  @Field(() => String, { nullable: true }) ip!: string | null;
  @Field(() => String, { nullable: true }) userAgent!: string | null;
}

@ObjectType('Impersonation', { description: 'a support session that acted as the user: who, when, why' })
export class ImpersonationObject implements ImpersonationView {
  @Field(() => ID) sessionId!: string;
  @Field(() => ID) by!: string;
  @Field(() => String, { nullable: true }) reason!: string | null;
  @Field() startedAt!: string;
  @Field(() => String, { nullable: true }) endedAt!: string | null;
  @Field(() => RequestOriginObject, { nullable: true, description: 'for the DPO and platform admins only' }) startedFrom!: RequestOriginView | null;
  @Field(() => RequestOriginObject, { nullable: true, description: 'for the DPO and platform admins only' }) endedFrom!: RequestOriginView | null;
}

@ObjectType('RegisteredAccount')
export class RegisteredAccountObject {
  @Field(() => ID) userId!: string;
  @Field({ description: 'parental consent is still needed' }) minor!: boolean;
}

@ObjectType('OpenedAccount')
export class OpenedAccountObject {
  @Field(() => ID) userId!: string;
  @Field(() => String, { nullable: true, description: 'when no password was given: shown once, to be changed at first sign-in' }) temporaryPassword?: string;
}

@ObjectType('PasswordReset')
export class PasswordResetObject {
  @Field({ description: 'shown once; the user must change it at next sign-in' }) temporaryPassword!: string;
}

/** The profile fields of ProfileDto as GraphQL input fields, on top of a DTO that carries their validation. */
function withProfileFields<T extends Type<ProfileDto>>(Base: T) {
  @InputType({ isAbstract: true })
  abstract class ProfileFields extends Base {
    @Field() override displayName!: string;
    @Field({ nullable: true }) override givenName?: string;
    @Field({ nullable: true }) override familyName?: string;
    @Field({ nullable: true }) override email?: string;
    @Field({ nullable: true }) override phone?: string;
    @Field({ nullable: true, description: 'YYYY-MM-DD' }) override dateOfBirth?: string;
    @Field(() => String, { nullable: true, description: 'female, male, non_binary, other or undisclosed' }) override gender?: ProfileDto['gender'];
    @Field({ nullable: true }) override nationalId?: string;
    @Field({ nullable: true, description: 'ISO 3166-1 alpha-2' }) override country?: string;
    @Field(() => [String], { nullable: true }) override interests?: string[];
  }
  return ProfileFields;
}

@InputType()
export class RegisterInput extends withProfileFields(RegisterDto) {
  @Field({ description: '3–64 letters, digits or . _ @ -; case-insensitive' }) override username!: string;
  @Field({ description: 'at least PASSWORD_MIN_LENGTH (10) characters, not common, not containing the username' }) override password!: string;
}

@InputType()
export class OpenAccountInput extends withProfileFields(OpenAccountDto) {
  @Field() override username!: string;
  @Field({ nullable: true, description: 'when absent, a temporary password is generated, returned once, and must be changed at first sign-in' }) override password?: string;
  @Field(() => ID) override schoolId!: string;
  @Field(() => SchoolRoleEnum) override role!: SchoolRole;
  @Field(() => ID, { nullable: true }) override classId?: string;
  @Field({ nullable: true }) override gradeLevel?: string;
  @Field(() => String, { nullable: true, description: 'for learners: learner or parent (a parent for a minor); the staff member vouches for it' })
  override consentObtainedFrom?: 'learner' | 'parent';
}

@InputType({ description: 'the fields to correct; null removes an optional one' })
export class UpdateProfileInput extends UpdateProfileDto {
  @Field({ nullable: true }) override displayName?: string;
  @Field(() => String, { nullable: true }) override givenName?: string | null;
  @Field(() => String, { nullable: true }) override familyName?: string | null;
  @Field(() => String, { nullable: true }) override email?: string | null;
  @Field(() => String, { nullable: true }) override phone?: string | null;
  @Field(() => String, { nullable: true }) override dateOfBirth?: string | null;
  @Field(() => String, { nullable: true }) override gender?: string | null;
  @Field(() => String, { nullable: true }) override nationalId?: string | null;
  @Field(() => String, { nullable: true }) override country?: string | null;
  @Field(() => [String], { nullable: true }) override interests?: string[];
}

@InputType()
export class LoginInput extends LoginDto {
  @Field() override username!: string;
  @Field() override password!: string;
}

@InputType()
export class RefreshInput extends RefreshDto {
  @Field() override refreshToken!: string;
}

@InputType()
export class ChangePasswordInput extends ChangePasswordDto {
  @Field() override username!: string;
  @Field() override currentPassword!: string;
  @Field() override newPassword!: string;
}

@InputType()
export class ImpersonateInput extends ImpersonateDto {
  @Field(() => ID) override userId!: string;
  @Field({ description: 'why support needs to act as this user; the user can read it later' }) override reason!: string;
}
