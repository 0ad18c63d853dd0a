/**
 * GraphQL shapes of the affiliations API. Object types implement the REST
 * views; input types extend the REST DTOs, whose validation and normalising
 * transforms (trimmed names, upper-case codes) the global ValidationPipe
 * applies to GraphQL input too.
 */
import { Field, ID, InputType, ObjectType } from '@nestjs/graphql';
import type { SchoolRole } from '@learnstream/access';
import {
  AddMemberDto,
  CreateClassDto,
  CreateSchoolDto,
  EndMembershipDto,
  ParentalConsentDto,
  RequestParentLinkDto,
  RequestTransferDto,
  UpdateSchoolDto,
} from '@learnstream/affiliations';
import type { AffiliationView, ClassView, MembershipView, MemberView, ParentalConsentView, ParentLinkView, SchoolView, TransferView } from '@learnstream/affiliations';
import { SchoolRoleEnum } from '../enums';

@ObjectType('School', { description: 'a school: a tenant' })
export class SchoolObject implements SchoolView {
  @Field(() => ID) schoolId!: string;
  @Field() name!: string;
  @Field() code!: string;
  @Field({ description: 'ISO 3166-1 alpha-2' }) country!: string;
  @Field() createdAt!: string;
  @Field(() => String, { nullable: true }) archivedAt!: string | null;
}

@ObjectType('Class', { description: 'a class of a school' })
export class ClassObject implements ClassView {
  @Field(() => ID) classId!: string;
  @Field(() => ID) schoolId!: string;
  @Field() name!: string;
  @Field(() => String, { nullable: true }) gradeLevel!: string | null;
  @Field() createdAt!: string;
  @Field(() => String, { nullable: true }) archivedAt!: string | null;
}

@ObjectType('SchoolMembership', { description: "a person's membership of a school, with its history" })
export class SchoolMembershipObject implements MembershipView {
  @Field(() => ID) membershipId!: string;
  @Field(() => ID) userId!: string;
  @Field(() => ID) schoolId!: string;
  @Field(() => SchoolRoleEnum) role!: SchoolRole;
  @Field(() => ID, { nullable: true }) classId!: string | null;
  @Field(() => String, { nullable: true }) gradeLevel!: string | null;
  @Field() startedAt!: string;
  @Field(() => String, { nullable: true, description: 'null while the membership is active' }) endedAt!: string | null;
}

@ObjectType('Affiliation', { description: 'a membership with the names of its school and class' })
export class AffiliationObject extends SchoolMembershipObject implements AffiliationView {
  @Field(() => String, { nullable: true, description: "null when the school is outside the reader's tenant scope" }) schoolName!: string | null;
  @Field(() => String, { nullable: true }) schoolCode!: string | null;
  @Field(() => String, { nullable: true }) className!: string | null;
}

@ObjectType('Member', { description: "a school's directory entry: teachers get no contact data; staff fields are null for them" })
export class MemberObject implements MemberView {
  @Field(() => ID) userId!: string;
  @Field(() => String, { nullable: true }) username!: string | null;
  @Field(() => String, { nullable: true }) displayName!: string | null;
  @Field(() => SchoolRoleEnum) role!: SchoolRole;
  @Field(() => ID, { nullable: true }) classId!: string | null;
  @Field(() => String, { nullable: true }) gradeLevel!: string | null;
  @Field(() => String, { nullable: true, description: 'school admins only' }) email?: string | null;
  @Field(() => ID, { nullable: true, description: 'school and platform admins' }) membershipId?: string;
  @Field(() => String, { nullable: true, description: 'school and platform admins' }) startedAt?: string;
  @Field(() => String, { nullable: true, description: 'school and platform admins' }) endedAt?: string | null;
}

@ObjectType('ParentLink', { description: 'a parent and child link: requested, confirmed, rejected or revoked' })
export class ParentLinkObject implements ParentLinkView {
  @Field(() => ID, { nullable: true, description: 'null in the answer to a request by username' }) linkId!: string | null;
  @Field(() => ID) parentId!: string;
  @Field(() => ID, { nullable: true, description: 'null in the answer to a request by username (the same answer whether or not the user exists)' }) childId!: string | null;
  @Field(() => String, { description: 'requested, confirmed, rejected or revoked' }) status!: ParentLinkView['status'];
  @Field(() => String, { nullable: true, description: 'null when the reader may not see that account' }) parentDisplayName?: string | null;
  @Field(() => String, { nullable: true }) childDisplayName?: string | null;
  @Field(() => ID, { nullable: true }) requestedBy?: string;
  @Field(() => String, { nullable: true }) requestedAt?: string;
  @Field(() => ID, { nullable: true, description: 'who moved the link to its status' }) decidedBy?: string | null;
  @Field(() => String, { nullable: true }) decidedAt?: string | null;
}

@ObjectType('ParentalConsent')
export class ParentalConsentObject implements ParentalConsentView {
  @Field(() => ID) childId!: string;
  @Field(() => ID) parentId!: string;
  @Field(() => [String]) purposes!: string[];
  @Field({ description: 'since when a parental consent has been in force for the child' }) inForceSince!: string;
}

@InputType()
export class CreateSchoolInput extends CreateSchoolDto {
  @Field() override name!: string;
  @Field({ description: 'unique short code: 2–20 of A–Z 0–9 - (any case, stored in capitals)' }) override code!: string;
  @Field({ description: 'ISO 3166-1 alpha-2' }) override country!: string;
}

@InputType()
export class UpdateSchoolInput extends UpdateSchoolDto {
  @Field({ nullable: true }) override name?: string;
  @Field({ nullable: true }) override code?: string;
  @Field({ nullable: true }) override country?: string;
}

@InputType()
export class CreateClassInput extends CreateClassDto {
  @Field() override name!: string;
  @Field(() => String, { nullable: true }) override gradeLevel?: string | null;
}

@InputType()
export class AddMemberInput extends AddMemberDto {
  @Field(() => ID, { description: 'an existing account' }) override userId!: string;
  @Field(() => SchoolRoleEnum) override role!: SchoolRole;
  @Field(() => ID, { nullable: true, description: "a learner's class, or the class a teacher teaches" }) override classId?: string;
  @Field({ nullable: true, description: "defaults to the class's grade level" }) override gradeLevel?: string;
}

@InputType()
export class RemoveMemberInput extends EndMembershipDto {
  @Field(() => SchoolRoleEnum, { nullable: true, description: 'which membership, when the person holds several in the school' }) override role?: SchoolRole;
  @Field({ nullable: true }) override reason?: string;
}

@InputType({ description: 'the child by id or by username (one of them); parentId for school admins linking a parent' })
export class RequestParentLinkInput extends RequestParentLinkDto {
  @Field(() => ID, { nullable: true }) override childId?: string;
  @Field({ nullable: true }) override childUsername?: string;
  @Field(() => ID, { nullable: true }) override parentId?: string;
}

@InputType()
export class ParentalConsentInput extends ParentalConsentDto {
  @Field(() => [String], { description: 'distinct lower-case words, e.g. platform_use' }) override purposes!: string[];
}

@ObjectType('Transfer', { description: 'an existing account asked to join a school; the person (a parent for a minor, or the platform admin) decides' })
export class TransferObject implements TransferView {
  @Field(() => ID) transferId!: string;
  @Field(() => ID) userId!: string;
  @Field(() => ID, { description: 'the school asking' }) toSchoolId!: string;
  @Field(() => String, { nullable: true }) toSchoolName!: string | null;
  @Field(() => ID, { nullable: true, description: 'the school a learner leaves; null for the asking school' }) fromSchoolId!: string | null;
  @Field(() => SchoolRoleEnum) role!: SchoolRole;
  @Field(() => ID, { nullable: true }) classId!: string | null;
  @Field(() => String, { description: 'requested, accepted, declined or cancelled' }) status!: TransferView['status'];
  @Field(() => ID, { nullable: true }) requestedBy!: string | null;
  @Field() requestedAt!: string;
  @Field(() => ID, { nullable: true }) decidedBy!: string | null;
  @Field(() => String, { nullable: true, description: 'self, parent or platform_admin' }) decidedAs!: string | null;
  @Field(() => String, { nullable: true }) decidedAt!: string | null;
}

@InputType()
export class RequestTransferInput extends RequestTransferDto {
  @Field(() => ID, { description: 'an existing account: of no school, or of another school' }) override userId!: string;
  @Field(() => SchoolRoleEnum) override role!: SchoolRole;
  @Field(() => ID, { nullable: true }) override classId?: string;
  @Field({ nullable: true }) override gradeLevel?: string;
}
