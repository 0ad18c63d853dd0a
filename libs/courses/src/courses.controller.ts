/**
 * Courses over REST: the catalogue, one course (a view is recorded), its
 * settings and lifecycle, sections, resources (a view of one is recorded) and
 * staff. Thin: each route is one command or query.
 */
import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query, Req } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags, ApiOperation } from '@nestjs/swagger';
import { CurrentActor, type Actor } from '@learnstream/access';
import { ApiErrors, nextLink } from '@learnstream/core';
import type { FastifyRequest as Request } from 'fastify';
import { BulkAddResourcesCommand } from './commands/bulk-add-resources.command';
import { ChangeCourseCommand, type CourseChange } from './commands/change-course.command';
import { CreateCourseCommand } from './commands/create-course.command';
import {
  AddResourceDto,
  AddSectionDto,
  AssignTeacherDto,
  BulkResourcesDto,
  BulkResourcesResultDto,
  CreateCourseDto,
  ListCoursesDto,
  RenameSectionDto,
  ReorderSectionsDto,
  ResourceVisibilityDto,
  UpdateCourseDto,
  UpdateResourceDto,
} from './dto';
import { ID } from './id.pipe';
import { CourseCreatedResponse, CourseListResponse, CourseResponse, ResourceAddedResponse, ResourceResponse, SectionAddedResponse } from './responses';
import { GetCourseQuery } from './queries/get-course.query';
import { GetResourceQuery } from './queries/get-resource.query';
import { ListCoursesQuery, type CataloguePage } from './queries/list-courses.query';

/** Codes every change of an existing course may answer with. */
const CHANGE: Record<number, string[]> = {
  400: ['VALIDATION_FAILED', 'COURSE_INVALID'],
  403: ['FORBIDDEN'],
  404: ['COURSE_NOT_FOUND'],
  409: ['CONCURRENCY_CONFLICT'],
  422: ['COURSE_ARCHIVED'],
};

/** CHANGE and the codes of one kind of change. */
function more(extra: Record<number, string[]>): Record<number, string[]> {
  const all = { ...CHANGE };
  for (const [status, codes] of Object.entries(extra)) all[Number(status)] = [...(all[Number(status)] ?? []), ...codes];
  return all;
}

@ApiTags('courses')
@ApiBearerAuth()
@Controller('api/v1/courses')
export class CoursesController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  private change(actor: Actor, courseId: string, change: CourseChange) {
    return this.commands.execute(new ChangeCourseCommand(actor, courseId, change));
  }

  @Get()
  @ApiOperation({ summary: 'The courses the caller may see, a page at a time' })
  @ApiOkResponse({ type: CourseListResponse, description: '{ courses }: the courses the caller may see (their schools\' catalogues, platform-wide courses, what they teach or are enrolled in)' })
  @ApiErrors({ 400: ['VALIDATION_FAILED'] })
  async list(@CurrentActor() actor: Actor, @Query() q: ListCoursesDto, @Req() req: Request): Promise<CourseListResponse> {
    const page: CataloguePage = await this.queries.execute(
      new ListCoursesQuery(actor, { schoolId: q.schoolId, mine: q.mine === 'true', includeArchived: q.includeArchived === 'true', idNumber: q.idNumber, limit: q.limit, cursor: q.cursor, offset: q.offset }),
    );
    return { ...page, next: nextLink(req.originalUrl, page.nextCursor) };
  }

  @Post()
  @ApiOperation({ summary: 'Create a course' })
  @ApiCreatedResponse({ type: CourseCreatedResponse, description: '{ courseId }; a teacher who creates a course becomes its teacher' })
  @ApiErrors({ 400: ['VALIDATION_FAILED', 'COURSE_INVALID', 'OCCURRED_AT_INVALID', 'OCCURRED_AT_IN_FUTURE'], 403: ['FORBIDDEN', 'IMPORT_NOT_ALLOWED'], 409: ['COURSE_EXISTS', 'CONCURRENCY_CONFLICT', 'IDNUMBER_TAKEN'] })
  create(@CurrentActor() actor: Actor, @Body() body: CreateCourseDto) {
    return this.commands.execute(new CreateCourseCommand(actor, body));
  }

  @Get(':id')
  @ApiOperation({ summary: 'One course with its staff, sections, resources and activities' })
  @ApiOkResponse({ type: CourseResponse, description: 'the course with its staff, sections, resources (hidden ones for those who teach it) and activities; records CourseViewed for staff and enrolled learners' })
  @ApiErrors({ 400: ['VALIDATION_FAILED'], 403: ['FORBIDDEN'], 404: ['COURSE_NOT_FOUND'] })
  get(@CurrentActor() actor: Actor, @Param('id', ID) id: string): Promise<CourseResponse> {
    return this.queries.execute(new GetCourseQuery(actor, id));
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change a course\'s settings' })
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'only the fields given change; selfEnrolment.key: absent keeps the key, null removes it' })
  @ApiErrors(more({ 409: ['IDNUMBER_TAKEN'] }))
  async update(@CurrentActor() actor: Actor, @Param('id', ID) id: string, @Body() body: UpdateCourseDto) {
    await this.change(actor, id, { type: 'UpdateCourse', ...body });
  }

  @Post(':id/archive')
  @ApiOperation({ summary: 'Archive a course' })
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'the course becomes read-only (no changes, no enrolments) until restored' })
  @ApiErrors(CHANGE)
  async archive(@CurrentActor() actor: Actor, @Param('id', ID) id: string) {
    await this.change(actor, id, { type: 'ArchiveCourse' });
  }

  @Post(':id/restore')
  @ApiOperation({ summary: 'Restore an archived course' })
  @HttpCode(204)
  @ApiNoContentResponse()
  @ApiErrors(more({ 409: ['COURSE_NOT_ARCHIVED'] }))
  async restore(@CurrentActor() actor: Actor, @Param('id', ID) id: string) {
    await this.change(actor, id, { type: 'RestoreCourse' });
  }

  @Post(':id/sections')
  @ApiOperation({ summary: 'Add a section to a course' })
  @ApiCreatedResponse({ type: SectionAddedResponse, description: '{ courseId, sectionId }' })
  @ApiErrors(more({ 409: ['SECTION_EXISTS'] }))
  addSection(@CurrentActor() actor: Actor, @Param('id', ID) id: string, @Body() body: AddSectionDto) {
    return this.change(actor, id, { type: 'AddSection', ...body });
  }

  @Put(':id/sections')
  @ApiOperation({ summary: 'Reorder a course\'s sections' })
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'reorders the sections: the body lists every section once' })
  @ApiErrors(more({ 409: ['SECTION_ORDER_MISMATCH'] }))
  async reorderSections(@CurrentActor() actor: Actor, @Param('id', ID) id: string, @Body() body: ReorderSectionsDto) {
    await this.change(actor, id, { type: 'ReorderSections', sectionIds: body.sectionIds });
  }

  @Patch(':id/sections/:sectionId')
  @ApiOperation({ summary: 'Rename a section' })
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'renames the section' })
  @ApiErrors(more({ 404: ['SECTION_NOT_FOUND'] }))
  async renameSection(@CurrentActor() actor: Actor, @Param('id', ID) id: string, @Param('sectionId', ID) sectionId: string, @Body() body: RenameSectionDto) {
    await this.change(actor, id, { type: 'RenameSection', sectionId, title: body.title });
  }

  @Delete(':id/sections/:sectionId')
  @ApiOperation({ summary: 'Remove a section with its resources' })
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'removes the section with its resources' })
  @ApiErrors(more({ 404: ['SECTION_NOT_FOUND'], 422: ['SECTION_HAS_ACTIVITIES'] }))
  async removeSection(@CurrentActor() actor: Actor, @Param('id', ID) id: string, @Param('sectionId', ID) sectionId: string) {
    await this.change(actor, id, { type: 'RemoveSection', sectionId });
  }

  @Post(':id/resources')
  @ApiOperation({ summary: 'Add a resource to a section' })
  @ApiCreatedResponse({ type: ResourceAddedResponse, description: '{ courseId, resourceId }; the resource goes last in its section' })
  @ApiErrors(more({ 404: ['SECTION_NOT_FOUND'], 409: ['RESOURCE_EXISTS'] }))
  addResource(@CurrentActor() actor: Actor, @Param('id', ID) id: string, @Body() body: AddResourceDto) {
    const { visible = true, ...rest } = body;
    return this.change(actor, id, { type: 'AddResource', ...rest, visible } as CourseChange);
  }

  @Post(':id/resources/bulk')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Add many resources to a course at once, idempotent by their idNumber (Moodle\'s course upload)',
    description:
      'Each row is what POST /courses/{id}/resources takes, with the resource\'s idNumber (its id in the source system). A row whose idNumber a resource of the course has already is exists (its resourceId in the answer) and records nothing, so the same upload sent again records nothing. Every row is decided in order before anything is written; mode all_or_nothing (default) answers 400 BULK_REJECTED with each refused row in details and records nothing; per_row adds the good rows. One append to the course.',
  })
  @ApiOkResponse({ type: BulkResourcesResultDto, description: 'one result per row' })
  @ApiErrors(more({ 400: ['BULK_REJECTED'], 413: ['PAYLOAD_TOO_LARGE'] }))
  addResources(@CurrentActor() actor: Actor, @Param('id', ID) id: string, @Body() body: BulkResourcesDto): Promise<BulkResourcesResultDto> {
    return this.commands.execute(new BulkAddResourcesCommand(actor, id, body.rows, body.mode));
  }

  @Get(':id/resources/:resourceId')
  @ApiOperation({ summary: 'One resource with its content' })
  @ApiOkResponse({ type: ResourceResponse, description: 'the resource with its content (for the course\'s participants); records ResourceViewed for staff and enrolled learners' })
  @ApiErrors({ 400: ['VALIDATION_FAILED'], 403: ['FORBIDDEN'], 404: ['RESOURCE_NOT_FOUND'] })
  getResource(@CurrentActor() actor: Actor, @Param('id', ID) id: string, @Param('resourceId', ID) resourceId: string): Promise<ResourceResponse> {
    return this.queries.execute(new GetResourceQuery(actor, id, resourceId));
  }

  @Patch(':id/resources/:resourceId')
  @ApiOperation({ summary: 'Change a resource' })
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'changes the title and/or the content (of the same kind)' })
  @ApiErrors(more({ 404: ['RESOURCE_NOT_FOUND'] }))
  async updateResource(@CurrentActor() actor: Actor, @Param('id', ID) id: string, @Param('resourceId', ID) resourceId: string, @Body() body: UpdateResourceDto) {
    await this.change(actor, id, { type: 'UpdateResource', resourceId, ...body });
  }

  @Post(':id/resources/:resourceId/visibility')
  @ApiOperation({ summary: 'Show or hide a resource' })
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'shows the resource to learners, or hides it' })
  @ApiErrors(more({ 404: ['RESOURCE_NOT_FOUND'] }))
  async setVisibility(@CurrentActor() actor: Actor, @Param('id', ID) id: string, @Param('resourceId', ID) resourceId: string, @Body() body: ResourceVisibilityDto) {
    await this.change(actor, id, { type: 'SetResourceVisibility', resourceId, visible: body.visible });
  }

  @Delete(':id/resources/:resourceId')
  @ApiOperation({ summary: 'Remove a resource' })
  @HttpCode(204)
  @ApiNoContentResponse()
  @ApiErrors(more({ 404: ['RESOURCE_NOT_FOUND'] }))
  async removeResource(@CurrentActor() actor: Actor, @Param('id', ID) id: string, @Param('resourceId', ID) resourceId: string) {
    await this.change(actor, id, { type: 'RemoveResource', resourceId });
  }

  @Put(':id/teachers/:userId')
  @ApiOperation({ summary: 'Assign a teacher to a course' })
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'assigns a teacher of the course\'s school to its staff, or changes their role' })
  @ApiErrors(more({ 400: ['UNKNOWN_TEACHER'], 422: ['LAST_TEACHER'] }))
  async assignTeacher(@CurrentActor() actor: Actor, @Param('id', ID) id: string, @Param('userId', ID) userId: string, @Body() body: AssignTeacherDto) {
    await this.change(actor, id, { type: 'AssignTeacher', userId, role: body.role });
  }

  @Delete(':id/teachers/:userId')
  @ApiOperation({ summary: 'Remove a teacher from a course' })
  @HttpCode(204)
  @ApiNoContentResponse()
  @ApiErrors(more({ 404: ['TEACHER_NOT_FOUND'], 422: ['LAST_TEACHER'] }))
  async unassignTeacher(@CurrentActor() actor: Actor, @Param('id', ID) id: string, @Param('userId', ID) userId: string) {
    await this.change(actor, id, { type: 'UnassignTeacher', userId });
  }
}
