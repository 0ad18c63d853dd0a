/**
 * Affiliations over GraphQL: the same command and query calls as the REST
 * controllers (schools.controller.ts, parent-links.controller.ts). List
 * queries answer the list itself rather than REST's `{ schools: [...] }`
 * envelope: GraphQL already names the field.
 */
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CurrentActor, type Actor, type SchoolRole } from '@learnstream/access';
import { AddMemberCommand, CancelTransferCommand, DecideTransferCommand, ListMyTransfersQuery, ListSchoolTransfersQuery, RequestTransferCommand } from '@learnstream/affiliations';
import { CreateClassCommand } from '@learnstream/affiliations';
import { CreateSchoolCommand } from '@learnstream/affiliations';
import { DecideParentLinkCommand } from '@learnstream/affiliations';
import { EndMembershipCommand } from '@learnstream/affiliations';
import { GiveParentalConsentCommand } from '@learnstream/affiliations';
import { RequestParentLinkCommand } from '@learnstream/affiliations';
import { UpdateSchoolCommand } from '@learnstream/affiliations';
import { GetAffiliationsQuery } from '@learnstream/affiliations';
import { GetSchoolQuery } from '@learnstream/affiliations';
import { ListClassesQuery } from '@learnstream/affiliations';
import { ListMembersQuery } from '@learnstream/affiliations';
import { ListUserParentLinksQuery } from '@learnstream/affiliations';
import { ListSchoolsQuery } from '@learnstream/affiliations';
import { SchoolRoleEnum } from '../enums';
import { IdArg } from '../id-arg';
import {
  AddMemberInput,
  AffiliationObject,
  ClassObject,
  CreateClassInput,
  CreateSchoolInput,
  MemberObject,
  ParentalConsentInput,
  ParentalConsentObject,
  ParentLinkObject,
  RemoveMemberInput,
  RequestParentLinkInput,
  SchoolMembershipObject,
  SchoolObject,
  RequestTransferInput,
  TransferObject,
  UpdateSchoolInput,
} from './affiliations.types';

/** GraphQL's member list is one list, not paged (REST's is): every member, as before paging came to REST. */
const GRAPHQL_MEMBERS_MAX = 100_000;

/** Top-level fields are nullable: one refused field nulls itself, not the whole response. */
const nullable = { nullable: true } as const;
const includeArchived = { name: 'includeArchived', type: () => Boolean, defaultValue: false } as const;

@Resolver()
export class AffiliationsResolver {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Query(() => [SchoolObject], { ...nullable, description: "the caller's schools (every school for a platform admin)" })
  async schools(@CurrentActor() actor: Actor, @Args(includeArchived) archived: boolean) {
    return (await this.queries.execute(new ListSchoolsQuery(actor, archived))).schools;
  }

  @Query(() => SchoolObject, nullable)
  school(@CurrentActor() actor: Actor, @IdArg('id') id: string) {
    return this.queries.execute(new GetSchoolQuery(actor, id));
  }

  @Query(() => [ClassObject], nullable)
  async classes(@CurrentActor() actor: Actor, @IdArg('schoolId') schoolId: string, @Args(includeArchived) archived: boolean) {
    return (await this.queries.execute(new ListClassesQuery(actor, schoolId, archived))).classes;
  }

  @Query(() => [MemberObject], { ...nullable, description: "a school's directory, by need to know (teachers get no contact data)" })
  async members(
    @CurrentActor() actor: Actor,
    @IdArg('schoolId') schoolId: string,
    @Args('role', { type: () => SchoolRoleEnum, nullable: true }) role: SchoolRole | null,
    @IdArg('classId', { nullable: true }) classId: string | null,
    @Args('includeEnded', { type: () => Boolean, defaultValue: false, description: 'past members too (school and platform admins)' }) includeEnded: boolean,
  ) {
    return (await this.queries.execute(new ListMembersQuery(actor, schoolId, { role: role ?? null, classId: classId ?? null, includeEnded, limit: GRAPHQL_MEMBERS_MAX }))).members;
  }

  @Query(() => [AffiliationObject], { ...nullable, description: 'memberships, current and past, oldest first' })
  async affiliations(@CurrentActor() actor: Actor, @IdArg('userId') userId: string) {
    return (await this.queries.execute(new GetAffiliationsQuery(actor, userId))).affiliations;
  }

  @Query(() => [ParentLinkObject], { ...nullable, description: 'as parent and as child, any status' })
  async parentLinks(@CurrentActor() actor: Actor, @IdArg('userId') userId: string) {
    return (await this.queries.execute(new ListUserParentLinksQuery(actor, userId))).parentLinks;
  }

  @Mutation(() => SchoolObject, { ...nullable, description: 'platform admins' })
  createSchool(@CurrentActor() actor: Actor, @Args('input') input: CreateSchoolInput) {
    return this.commands.execute(new CreateSchoolCommand(actor, input));
  }

  @Mutation(() => SchoolObject, { ...nullable, description: 'school admins and platform admins' })
  updateSchool(@CurrentActor() actor: Actor, @IdArg('schoolId') schoolId: string, @Args('input') input: UpdateSchoolInput) {
    return this.commands.execute(new UpdateSchoolCommand(actor, schoolId, input));
  }

  @Mutation(() => ClassObject, nullable)
  createClass(@CurrentActor() actor: Actor, @IdArg('schoolId') schoolId: string, @Args('input') input: CreateClassInput) {
    return this.commands.execute(new CreateClassCommand(actor, schoolId, { name: input.name, gradeLevel: input.gradeLevel ?? null }));
  }

  @Mutation(() => SchoolMembershipObject, {
    ...nullable,
    description: "another role for an account already the school's, or an account of no school (platform admins); anything else is a transfer: TRANSFER_REQUIRED",
  })
  addMember(@CurrentActor() actor: Actor, @IdArg('schoolId') schoolId: string, @Args('input') input: AddMemberInput) {
    return this.commands.execute(new AddMemberCommand(actor, schoolId, { userId: input.userId, role: input.role, classId: input.classId ?? null, gradeLevel: input.gradeLevel ?? null }));
  }

  @Mutation(() => SchoolMembershipObject, { ...nullable, description: 'the membership ends (its history stays)' })
  // `input?:` rather than `| null` keeps the class in the parameter's type metadata, which is what the ValidationPipe validates against.
  removeMember(@CurrentActor() actor: Actor, @IdArg('schoolId') schoolId: string, @IdArg('userId') userId: string, @Args('input', { type: () => RemoveMemberInput, nullable: true }) input?: RemoveMemberInput) {
    return this.commands.execute(new EndMembershipCommand(actor, schoolId, userId, { role: input?.role ?? null, reason: input?.reason ?? null }));
  }

  @Mutation(() => ParentLinkObject, { ...nullable, description: 'requested; or confirmed at once when a school admin links a parent' })
  requestParentLink(@CurrentActor() actor: Actor, @Args('input') input: RequestParentLinkInput) {
    return this.commands.execute(new RequestParentLinkCommand(actor, input));
  }

  @Mutation(() => ParentLinkObject, { ...nullable, description: "a school admin of the child's school, or the adult child" })
  confirmParentLink(@CurrentActor() actor: Actor, @IdArg('linkId') linkId: string) {
    return this.commands.execute(new DecideParentLinkCommand(actor, linkId, 'confirm'));
  }

  @Mutation(() => ParentLinkObject, { ...nullable, description: "a school admin of the child's school, or the adult child" })
  rejectParentLink(@CurrentActor() actor: Actor, @IdArg('linkId') linkId: string) {
    return this.commands.execute(new DecideParentLinkCommand(actor, linkId, 'reject'));
  }

  @Mutation(() => ParentalConsentObject, { ...nullable, description: 'a confirmed parent consents for their child; giving again replaces the purposes' })
  giveParentalConsent(@CurrentActor() actor: Actor, @IdArg('childId') childId: string, @Args('input') input: ParentalConsentInput) {
    return this.commands.execute(new GiveParentalConsentCommand(actor, childId, input.purposes));
  }

  @Query(() => [TransferObject], { ...nullable, description: 'the schools asking the caller, or their children, to join' })
  async myTransfers(@CurrentActor() actor: Actor) {
    return (await this.queries.execute(new ListMyTransfersQuery(actor, null))).transfers;
  }

  @Query(() => [TransferObject], { ...nullable, description: "a school's transfers: accounts it asked to join, and its learners other schools asked away (school admins)" })
  async schoolTransfers(@CurrentActor() actor: Actor, @IdArg('schoolId') schoolId: string) {
    return (await this.queries.execute(new ListSchoolTransfersQuery(actor, schoolId, null))).transfers;
  }

  @Mutation(() => TransferObject, { ...nullable, description: 'asks an existing account to join the school; the person (a parent for a minor, or the platform admin) accepts' })
  requestTransfer(@CurrentActor() actor: Actor, @IdArg('schoolId') schoolId: string, @Args('input') input: RequestTransferInput) {
    return this.commands.execute(new RequestTransferCommand(actor, schoolId, { userId: input.userId, role: input.role, classId: input.classId ?? null, gradeLevel: input.gradeLevel ?? null }));
  }

  @Mutation(() => TransferObject, { ...nullable, description: 'the adult person, a confirmed parent of a minor, or the platform admin' })
  acceptTransfer(@CurrentActor() actor: Actor, @IdArg('transferId') transferId: string) {
    return this.commands.execute(new DecideTransferCommand(actor, transferId, 'accept'));
  }

  @Mutation(() => TransferObject, { ...nullable, description: 'the adult person, a confirmed parent of a minor, or the platform admin' })
  declineTransfer(@CurrentActor() actor: Actor, @IdArg('transferId') transferId: string) {
    return this.commands.execute(new DecideTransferCommand(actor, transferId, 'decline'));
  }

  @Mutation(() => TransferObject, { ...nullable, description: 'the asking school, while it waits' })
  cancelTransfer(@CurrentActor() actor: Actor, @IdArg('transferId') transferId: string) {
    return this.commands.execute(new CancelTransferCommand(actor, transferId));
  }
}
