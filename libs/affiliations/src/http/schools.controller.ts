import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Req } from '@nestjs/common';
import type { FastifyRequest as Request } from 'fastify';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags, ApiOperation } from '@nestjs/swagger';
import { CurrentActor, type Actor } from '@learnstream/access';
import { ApiErrors, nextLink, UUID_PARAM } from '@learnstream/core';
import { AddMemberCommand } from '../commands/add-member.command';
import { ArchiveClassCommand } from '../commands/archive-class.command';
import { ArchiveSchoolCommand } from '../commands/archive-school.command';
import { ChangeMemberClassCommand } from '../commands/change-member-class.command';
import { CreateClassCommand } from '../commands/create-class.command';
import { CreateSchoolCommand } from '../commands/create-school.command';
import { EndMembershipCommand } from '../commands/end-membership.command';
import { UpdateClassCommand } from '../commands/update-class.command';
import { UpdateSchoolCommand } from '../commands/update-school.command';
import { GetSchoolQuery } from '../queries/get-school.query';
import { ListClassesQuery } from '../queries/list-classes.query';
import { ListMembersQuery } from '../queries/list-members.query';
import { ListSchoolParentLinksQuery } from '../queries/list-parent-links.query';
import { ListSchoolsQuery } from '../queries/list-schools.query';
import { ClassListView, ClassView, MembershipView, MembersPage, ParentLinkListView, SchoolListView, SchoolView, TransferListView, TransferView } from '../views';
import { RequestTransferCommand } from '../commands/transfer.commands';
import { ListSchoolTransfersQuery } from '../queries/list-transfers.query';
import {
  AddMemberDto,
  ChangeMemberDto,
  CreateClassDto,
  CreateSchoolDto,
  EndMembershipDto,
  IncludeArchivedDto,
  MemberFilterDto,
  ParentLinkStatusDto,
  RequestTransferDto,
  TransferStatusDto,
  UpdateClassDto,
  UpdateSchoolDto,
} from './affiliations.dto';

const uuid = UUID_PARAM;

/** Schools (tenants), their classes and their members. */
@ApiTags('schools')
@ApiBearerAuth()
@Controller('api/v1/schools')
export class SchoolsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Create a school' })
  @ApiCreatedResponse({ type: SchoolView, description: 'the school (platform admins)' })
  @ApiErrors({ 400: ['VALIDATION_FAILED', 'INVALID_COUNTRY'], 403: ['FORBIDDEN'], 409: ['SCHOOL_CODE_TAKEN'] })
  create(@CurrentActor() actor: Actor, @Body() body: CreateSchoolDto) {
    return this.commands.execute(new CreateSchoolCommand(actor, body));
  }

  @Get()
  @ApiOperation({ summary: 'The caller\'s schools' })
  @ApiOkResponse({ type: SchoolListView, description: 'the caller’s schools (every school for a platform admin)' })
  @ApiErrors({ 400: ['VALIDATION_FAILED'] })
  list(@CurrentActor() actor: Actor, @Query() query: IncludeArchivedDto): Promise<SchoolListView> {
    return this.queries.execute(new ListSchoolsQuery(actor, query.includeArchived ?? false));
  }

  @Get(':id')
  @ApiOperation({ summary: 'One school' })
  @ApiOkResponse({ type: SchoolView })
  @ApiErrors({ 400: ['VALIDATION_FAILED'], 403: ['FORBIDDEN'], 404: ['SCHOOL_NOT_FOUND'] })
  get(@CurrentActor() actor: Actor, @Param('id', uuid) id: string) {
    return this.queries.execute(new GetSchoolQuery(actor, id));
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change a school' })
  @ApiOkResponse({ type: SchoolView, description: 'school admins and platform admins' })
  @ApiErrors({ 400: ['VALIDATION_FAILED', 'INVALID_COUNTRY'], 403: ['FORBIDDEN'], 404: ['SCHOOL_NOT_FOUND'], 409: ['SCHOOL_CODE_TAKEN'], 422: ['SCHOOL_ARCHIVED'] })
  update(@CurrentActor() actor: Actor, @Param('id', uuid) id: string, @Body() body: UpdateSchoolDto) {
    return this.commands.execute(new UpdateSchoolCommand(actor, id, body));
  }

  @Post(':id/archive')
  @ApiOperation({ summary: 'Archive a school' })
  @HttpCode(200)
  @ApiOkResponse({ type: SchoolView, description: 'platform admins: the school takes no new classes or members; archiving twice changes nothing' })
  @ApiErrors({ 400: ['VALIDATION_FAILED'], 403: ['FORBIDDEN'], 404: ['SCHOOL_NOT_FOUND'] })
  archive(@CurrentActor() actor: Actor, @Param('id', uuid) id: string) {
    return this.commands.execute(new ArchiveSchoolCommand(actor, id));
  }

  @Post(':id/classes')
  @ApiOperation({ summary: 'Create a class in a school' })
  @ApiCreatedResponse({ type: ClassView })
  @ApiErrors({ 400: ['VALIDATION_FAILED'], 403: ['FORBIDDEN'], 404: ['SCHOOL_NOT_FOUND'], 409: ['CLASS_NAME_TAKEN'], 422: ['SCHOOL_ARCHIVED'] })
  createClass(@CurrentActor() actor: Actor, @Param('id', uuid) id: string, @Body() body: CreateClassDto) {
    return this.commands.execute(new CreateClassCommand(actor, id, { name: body.name, gradeLevel: body.gradeLevel ?? null }));
  }

  @Get(':id/classes')
  @ApiOperation({ summary: 'A school\'s classes' })
  @ApiOkResponse({ type: ClassListView, description: 'the school’s classes (archived ones with includeArchived)' })
  @ApiErrors({ 400: ['VALIDATION_FAILED'], 403: ['FORBIDDEN'] })
  classes(@CurrentActor() actor: Actor, @Param('id', uuid) id: string, @Query() query: IncludeArchivedDto): Promise<ClassListView> {
    return this.queries.execute(new ListClassesQuery(actor, id, query.includeArchived ?? false));
  }

  @Patch(':id/classes/:classId')
  @ApiOperation({ summary: 'Change a class' })
  @ApiOkResponse({ type: ClassView })
  @ApiErrors({ 400: ['VALIDATION_FAILED'], 403: ['FORBIDDEN'], 404: ['SCHOOL_NOT_FOUND', 'CLASS_NOT_FOUND'], 409: ['CLASS_NAME_TAKEN'], 422: ['SCHOOL_ARCHIVED', 'CLASS_ARCHIVED'] })
  updateClass(@CurrentActor() actor: Actor, @Param('id', uuid) id: string, @Param('classId', uuid) classId: string, @Body() body: UpdateClassDto) {
    return this.commands.execute(new UpdateClassCommand(actor, id, classId, body));
  }

  @Post(':id/classes/:classId/archive')
  @ApiOperation({ summary: 'Archive a class' })
  @HttpCode(200)
  @ApiOkResponse({ type: ClassView, description: 'the class takes no new members; archiving twice changes nothing' })
  @ApiErrors({ 400: ['VALIDATION_FAILED'], 403: ['FORBIDDEN'], 404: ['SCHOOL_NOT_FOUND', 'CLASS_NOT_FOUND'] })
  archiveClass(@CurrentActor() actor: Actor, @Param('id', uuid) id: string, @Param('classId', uuid) classId: string) {
    return this.commands.execute(new ArchiveClassCommand(actor, id, classId));
  }

  @Post(':id/members')
  @ApiOperation({ summary: 'Add a member role to an account of the school' })
  @ApiCreatedResponse({
    type: MembershipView,
    description:
      'another role for an account already the school’s (staff), or an account of no school (platform admins). Anything else, a learner of another school above all, is a transfer the person accepts: 409 TRANSFER_REQUIRED (POST /schools/{id}/transfers)',
  })
  @ApiErrors({
    400: ['VALIDATION_FAILED', 'UNKNOWN_USER', 'UNKNOWN_SCHOOL', 'UNKNOWN_CLASS'],
    403: ['FORBIDDEN'],
    409: ['ALREADY_MEMBER', 'TRANSFER_REQUIRED', 'CONCURRENCY_CONFLICT'],
    422: ['SCHOOL_ARCHIVED'],
  })
  addMember(@CurrentActor() actor: Actor, @Param('id', uuid) id: string, @Body() body: AddMemberDto) {
    return this.commands.execute(new AddMemberCommand(actor, id, { userId: body.userId, role: body.role, classId: body.classId ?? null, gradeLevel: body.gradeLevel ?? null }));
  }

  @Post(':id/transfers')
  @ApiOperation({ summary: 'Ask an account to join the school' })
  @ApiCreatedResponse({
    type: TransferView,
    description: 'asks an existing account (of no school, or a learner of another school) to join; the person, a parent of a minor, or the platform admin accepts. Whoever may open such an account in the school may ask',
  })
  @ApiErrors({
    400: ['VALIDATION_FAILED', 'UNKNOWN_USER', 'UNKNOWN_SCHOOL', 'UNKNOWN_CLASS', 'INVALID_GRADE_LEVEL'],
    403: ['FORBIDDEN'],
    409: ['ALREADY_MEMBER', 'TRANSFER_PENDING', 'CONCURRENCY_CONFLICT'],
    422: ['SCHOOL_ARCHIVED'],
  })
  requestTransfer(@CurrentActor() actor: Actor, @Param('id', uuid) id: string, @Body() body: RequestTransferDto) {
    return this.commands.execute(new RequestTransferCommand(actor, id, { userId: body.userId, role: body.role, classId: body.classId ?? null, gradeLevel: body.gradeLevel ?? null }));
  }

  @Get(':id/transfers')
  @ApiOperation({ summary: 'A school\'s transfers, asked and received' })
  @ApiOkResponse({ description: 'the accounts the school asked to join, and its learners other schools asked away (school admins)', type: TransferListView })
  @ApiErrors({ 400: ['VALIDATION_FAILED'], 403: ['FORBIDDEN'] })
  transfers(@CurrentActor() actor: Actor, @Param('id', uuid) id: string, @Query() query: TransferStatusDto): Promise<TransferListView> {
    return this.queries.execute(new ListSchoolTransfersQuery(actor, id, query.status ?? null));
  }

  @Get(':id/members')
  @ApiOperation({ summary: 'A school\'s members, a page at a time' })
  @ApiOkResponse({ description: 'a page of members: teachers get no contact data; school admins also the email', type: MembersPage })
  @ApiErrors({ 400: ['VALIDATION_FAILED'], 403: ['FORBIDDEN'] })
  async members(@CurrentActor() actor: Actor, @Param('id', uuid) id: string, @Query() query: MemberFilterDto, @Req() req: Request): Promise<MembersPage> {
    const page = await this.queries.execute(
      new ListMembersQuery(actor, id, { role: query.role ?? null, classId: query.classId ?? null, includeEnded: query.includeEnded ?? false, idNumber: query.idNumber ?? null, limit: query.limit, cursor: query.cursor }),
    );
    return { ...page, next: nextLink(req.originalUrl, page.nextCursor) };
  }

  @Patch(':id/members/:userId')
  @ApiOperation({ summary: 'Move a member to a class or grade level' })
  @ApiOkResponse({ type: MembershipView, description: 'moves the member to a class / grade level' })
  @ApiErrors({ 400: ['VALIDATION_FAILED', 'UNKNOWN_CLASS', 'ROLE_REQUIRED'], 403: ['FORBIDDEN'], 404: ['NOT_A_MEMBER', 'SCHOOL_NOT_FOUND'], 422: ['SCHOOL_ARCHIVED'] })
  changeMember(@CurrentActor() actor: Actor, @Param('id', uuid) id: string, @Param('userId', uuid) userId: string, @Body() body: ChangeMemberDto) {
    return this.commands.execute(new ChangeMemberClassCommand(actor, id, userId, { classId: body.classId, gradeLevel: body.gradeLevel, role: body.role ?? null }));
  }

  @Delete(':id/members/:userId')
  @ApiOperation({ summary: 'End a membership' })
  @ApiOkResponse({ type: MembershipView, description: 'the membership ends (its history stays)' })
  @ApiErrors({ 400: ['VALIDATION_FAILED', 'ROLE_REQUIRED'], 403: ['FORBIDDEN'], 404: ['NOT_A_MEMBER'] })
  endMembership(@CurrentActor() actor: Actor, @Param('id', uuid) id: string, @Param('userId', uuid) userId: string, @Query() query: EndMembershipDto) {
    return this.commands.execute(new EndMembershipCommand(actor, id, userId, { role: query.role ?? null, reason: query.reason ?? null }));
  }

  @Get(':id/parent-links')
  @ApiOperation({ summary: 'Parent links of a school\'s learners' })
  @ApiOkResponse({ description: 'the links of the school’s current learners (school admins)', type: ParentLinkListView })
  @ApiErrors({ 400: ['VALIDATION_FAILED'], 403: ['FORBIDDEN'] })
  parentLinks(@CurrentActor() actor: Actor, @Param('id', uuid) id: string, @Query() query: ParentLinkStatusDto): Promise<ParentLinkListView> {
    return this.queries.execute(new ListSchoolParentLinksQuery(actor, id, query.status ?? null));
  }
}
