import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiParam, ApiTags, ApiOperation } from '@nestjs/swagger';
import { CurrentActor, type Actor } from '@learnstream/access';
import { ApiError, ApiErrors, UUID_PARAM } from '@learnstream/core';
import { isUuid } from '@learnstream/domain';
import { ChangeCompletionCommand } from '../commands/change-completion.command';
import { ChangeGradebookCommand, type GradebookChange } from '../commands/change-gradebook.command';
import { COURSE_TOTAL } from '../gradebook.events';
import { GetCourseCompletionQuery, GetLearnerCompletionQuery } from '../queries/completion.query';
import { GetCourseGradesQuery, GetGradebookQuery, GetLearnerGradesQuery } from '../queries/grades.query';
import {
  AddCategoryDto,
  AddGradeItemDto,
  CompletionCriteriaDto,
  CompletionRuleDto,
  FinalDto,
  GradebookSettingsDto,
  ManualGradeDto,
  OverrideDto,
  ReleaseDto,
  UpdateCategoryDto,
  UpdateGradeItemDto,
} from './dto';
import {
  CompletionRulesChangeResponse,
  CourseCompletionResponse,
  GradebookGradesResponse,
  GradebookChangeResponse,
  GradebookResponse,
  LearnerCompletionResponse,
  LearnerGradesResponseDto,
} from './responses';

const uuid = UUID_PARAM;
/** An override's target: a grade item's id, or 'course' for the course total. */
const target = {
  transform(value: string): string {
    if (value !== COURSE_TOTAL && !isUuid(value)) throw new ApiError(400, 'VALIDATION_FAILED', "the target must be a grade item's id or 'course'");
    return value;
  },
};

const EDIT = { 400: ['VALIDATION_FAILED'], 403: ['FORBIDDEN'], 404: ['COURSE_NOT_FOUND', 'GRADEBOOK_NOT_FOUND'], 409: ['CONCURRENCY_CONFLICT'] };

/** A course's gradebook: set-up, categories and items (editing teachers); grades and overrides (teachers); release. */
@ApiTags('gradebook')
@ApiBearerAuth()
@Controller('api/v1/courses/:courseId')
export class GradebookController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  private change(actor: Actor, courseId: string, change: GradebookChange) {
    return this.commands.execute(new ChangeGradebookCommand(actor, courseId, change));
  }

  @Post('gradebook')
  @ApiOperation({ summary: 'Set up a course\'s gradebook' })
  @ApiCreatedResponse({ type: GradebookChangeResponse, description: 'the gradebook: pass percentage and letter scale (defaults: 50; A 80, B 70, C 60, D 50, F 0)' })
  @ApiErrors({ 400: ['VALIDATION_FAILED', 'PASS_PERCENTAGE_INVALID', 'LETTER_SCALE_INVALID', 'PASS_MARK_BELOW_SCALE'], 403: ['FORBIDDEN'], 404: ['COURSE_NOT_FOUND'], 409: ['GRADEBOOK_EXISTS', 'CONCURRENCY_CONFLICT'] })
  setUp(@CurrentActor() actor: Actor, @Param('courseId', uuid) courseId: string, @Body() body: GradebookSettingsDto): Promise<GradebookChangeResponse> {
    return this.change(actor, courseId, { type: 'SetUpGradebook', ...body });
  }

  @Patch('gradebook')
  @ApiOperation({ summary: 'Change a gradebook\'s settings' })
  @ApiOkResponse({ type: GradebookChangeResponse, description: 'the gradebook with the settings given changed' })
  @ApiErrors({ ...EDIT, 400: ['VALIDATION_FAILED', 'PASS_PERCENTAGE_INVALID', 'LETTER_SCALE_INVALID', 'PASS_MARK_BELOW_SCALE'] })
  updateSettings(@CurrentActor() actor: Actor, @Param('courseId', uuid) courseId: string, @Body() body: GradebookSettingsDto): Promise<GradebookChangeResponse> {
    return this.change(actor, courseId, { type: 'UpdateGradebookSettings', ...body });
  }

  @Get('gradebook')
  @ApiOperation({ summary: 'A course\'s gradebook' })
  @ApiOkResponse({ type: GradebookResponse, description: 'settings, categories and items, with their release (course staff)' })
  @ApiErrors({ 400: ['VALIDATION_FAILED'], 403: ['FORBIDDEN'], 404: ['GRADEBOOK_NOT_FOUND'] })
  get(@CurrentActor() actor: Actor, @Param('courseId', uuid) courseId: string): Promise<GradebookResponse> {
    return this.queries.execute(new GetGradebookQuery(actor, courseId));
  }

  @Post('gradebook/categories')
  @ApiOperation({ summary: 'Add a grade category' })
  @ApiCreatedResponse({ type: GradebookChangeResponse, description: 'the gradebook; `createdId` is the new category’s id' })
  @ApiErrors({ ...EDIT, 400: ['VALIDATION_FAILED', 'NAME_INVALID', 'WEIGHT_INVALID', 'DROP_LOWEST_INVALID'] })
  addCategory(@CurrentActor() actor: Actor, @Param('courseId', uuid) courseId: string, @Body() body: AddCategoryDto): Promise<GradebookChangeResponse> {
    return this.change(actor, courseId, { type: 'AddCategory', ...body });
  }

  @Patch('gradebook/categories/:categoryId')
  @ApiOperation({ summary: 'Change a grade category' })
  @ApiOkResponse({ type: GradebookChangeResponse, description: 'the gradebook with the category changed' })
  @ApiErrors({ ...EDIT, 400: ['VALIDATION_FAILED', 'NAME_INVALID', 'WEIGHT_INVALID', 'DROP_LOWEST_INVALID'], 404: ['GRADEBOOK_NOT_FOUND', 'CATEGORY_NOT_FOUND'] })
  updateCategory(@CurrentActor() actor: Actor, @Param('courseId', uuid) courseId: string, @Param('categoryId', uuid) categoryId: string, @Body() body: UpdateCategoryDto): Promise<GradebookChangeResponse> {
    return this.change(actor, courseId, { type: 'UpdateCategory', categoryId, ...body });
  }

  @Delete('gradebook/categories/:categoryId')
  @ApiOperation({ summary: 'Remove a grade category' })
  @ApiOkResponse({ type: GradebookChangeResponse, description: 'the gradebook without the category (it must be empty)' })
  @ApiErrors({ ...EDIT, 404: ['GRADEBOOK_NOT_FOUND', 'CATEGORY_NOT_FOUND'], 422: ['CATEGORY_NOT_EMPTY'] })
  removeCategory(@CurrentActor() actor: Actor, @Param('courseId', uuid) courseId: string, @Param('categoryId', uuid) categoryId: string): Promise<GradebookChangeResponse> {
    return this.change(actor, courseId, { type: 'RemoveCategory', categoryId });
  }

  @Post('gradebook/items')
  @ApiOperation({ summary: 'Add a grade item' })
  @ApiCreatedResponse({ type: GradebookChangeResponse, description: 'the gradebook; `createdId` is the new item’s id. An activity item takes the activity’s results (scaled to its maxGrade); a new item is hidden from learners until released' })
  @ApiErrors({
    ...EDIT,
    400: ['VALIDATION_FAILED', 'NAME_INVALID', 'WEIGHT_INVALID', 'MAX_GRADE_INVALID', 'GRADE_SOURCE_INVALID'],
    404: ['GRADEBOOK_NOT_FOUND', 'CATEGORY_NOT_FOUND', 'ACTIVITY_NOT_FOUND'],
    409: ['GRADE_ITEM_EXISTS', 'CONCURRENCY_CONFLICT'],
  })
  addItem(@CurrentActor() actor: Actor, @Param('courseId', uuid) courseId: string, @Body() body: AddGradeItemDto): Promise<GradebookChangeResponse> {
    return this.change(actor, courseId, { type: 'AddGradeItem', ...body });
  }

  @Patch('gradebook/items/:itemId')
  @ApiOperation({ summary: 'Change a grade item' })
  @ApiOkResponse({ type: GradebookChangeResponse, description: 'the gradebook with the item changed (its source never changes)' })
  @ApiErrors({
    ...EDIT,
    400: ['VALIDATION_FAILED', 'NAME_INVALID', 'WEIGHT_INVALID', 'MAX_GRADE_INVALID'],
    404: ['GRADEBOOK_NOT_FOUND', 'GRADE_ITEM_NOT_FOUND', 'CATEGORY_NOT_FOUND'],
    422: ['MAX_GRADE_BELOW_GRADES'],
  })
  updateItem(@CurrentActor() actor: Actor, @Param('courseId', uuid) courseId: string, @Param('itemId', uuid) itemId: string, @Body() body: UpdateGradeItemDto): Promise<GradebookChangeResponse> {
    return this.change(actor, courseId, { type: 'UpdateGradeItem', itemId, ...body });
  }

  @Delete('gradebook/items/:itemId')
  @ApiOperation({ summary: 'Remove a grade item' })
  @ApiOkResponse({ type: GradebookChangeResponse, description: 'the gradebook without the item (its grades and overrides leave with it)' })
  @ApiErrors({ ...EDIT, 404: ['GRADEBOOK_NOT_FOUND', 'GRADE_ITEM_NOT_FOUND'] })
  removeItem(@CurrentActor() actor: Actor, @Param('courseId', uuid) courseId: string, @Param('itemId', uuid) itemId: string): Promise<GradebookChangeResponse> {
    return this.change(actor, courseId, { type: 'RemoveGradeItem', itemId });
  }

  @Post('gradebook/release')
  @ApiOperation({ summary: 'Release grade items to learners' })
  @HttpCode(200)
  @ApiOkResponse({ type: GradebookChangeResponse, description: 'learners (and their parents) now see these items’ grades' })
  @ApiErrors({ ...EDIT, 404: ['GRADEBOOK_NOT_FOUND', 'GRADE_ITEM_NOT_FOUND'] })
  release(@CurrentActor() actor: Actor, @Param('courseId', uuid) courseId: string, @Body() body: ReleaseDto): Promise<GradebookChangeResponse> {
    return this.change(actor, courseId, { type: 'ReleaseGrades', itemIds: body.itemIds ?? 'all' });
  }

  @Post('gradebook/hide')
  @ApiOperation({ summary: 'Hide grade items from learners' })
  @HttpCode(200)
  @ApiOkResponse({ type: GradebookChangeResponse, description: 'learners no longer see these items’ grades' })
  @ApiErrors({ ...EDIT, 404: ['GRADEBOOK_NOT_FOUND', 'GRADE_ITEM_NOT_FOUND'] })
  hide(@CurrentActor() actor: Actor, @Param('courseId', uuid) courseId: string, @Body() body: ReleaseDto): Promise<GradebookChangeResponse> {
    return this.change(actor, courseId, { type: 'HideGrades', itemIds: body.itemIds ?? 'all' });
  }

  @Put('grades/:itemId/:learnerId')
  @ApiOperation({ summary: 'Grade a learner on a manual item' })
  @HttpCode(200)
  @ApiOkResponse({ type: GradebookChangeResponse, description: 'the grade on a manual item (an activity item takes its activity’s grades: override those)' })
  @ApiErrors({
    400: ['VALIDATION_FAILED', 'GRADE_OUT_OF_RANGE'],
    403: ['FORBIDDEN'],
    404: ['COURSE_NOT_FOUND', 'GRADEBOOK_NOT_FOUND', 'GRADE_ITEM_NOT_FOUND'],
    409: ['CONCURRENCY_CONFLICT'],
    422: ['GRADE_ITEM_NOT_MANUAL', 'NOT_ENROLLED'],
  })
  grade(@CurrentActor() actor: Actor, @Param('courseId', uuid) courseId: string, @Param('itemId', uuid) itemId: string, @Param('learnerId', uuid) learnerId: string, @Body() body: ManualGradeDto): Promise<GradebookChangeResponse> {
    return this.change(actor, courseId, { type: 'RecordManualGrade', itemId, learnerId, grade: body.grade });
  }

  @Put('grades/:target/:learnerId/override')
  @ApiOperation({ summary: 'Override a learner\'s grade' })
  @HttpCode(200)
  @ApiParam({ name: 'target', description: "a grade item's id, or 'course' for the course total (a percentage)" })
  @ApiOkResponse({ type: GradebookChangeResponse, description: 'the override: it wins over the item’s grade, later ones too, until cleared; the reason is encrypted in the log' })
  @ApiErrors({
    400: ['VALIDATION_FAILED', 'GRADE_OUT_OF_RANGE', 'OVERRIDE_REASON_REQUIRED', 'OVERRIDE_REASON_TOO_LONG'],
    403: ['FORBIDDEN'],
    404: ['COURSE_NOT_FOUND', 'GRADEBOOK_NOT_FOUND', 'GRADE_ITEM_NOT_FOUND'],
    409: ['CONCURRENCY_CONFLICT'],
    422: ['NOT_ENROLLED'],
  })
  override(@CurrentActor() actor: Actor, @Param('courseId', uuid) courseId: string, @Param('target', target) overrideTarget: string, @Param('learnerId', uuid) learnerId: string, @Body() body: OverrideDto): Promise<GradebookChangeResponse> {
    return this.change(actor, courseId, { type: 'OverrideGrade', target: overrideTarget, learnerId, grade: body.grade, reason: body.reason });
  }

  @Delete('grades/:target/:learnerId/override')
  @ApiOperation({ summary: 'Clear a grade override' })
  @ApiParam({ name: 'target', description: "a grade item's id, or 'course'" })
  @ApiOkResponse({ type: GradebookChangeResponse, description: 'the override is gone: the item’s grade (or the computed total) counts again' })
  @ApiErrors({ 400: ['VALIDATION_FAILED'], 403: ['FORBIDDEN'], 404: ['COURSE_NOT_FOUND', 'GRADEBOOK_NOT_FOUND', 'GRADE_ITEM_NOT_FOUND'], 409: ['CONCURRENCY_CONFLICT'] })
  clearOverride(@CurrentActor() actor: Actor, @Param('courseId', uuid) courseId: string, @Param('target', target) overrideTarget: string, @Param('learnerId', uuid) learnerId: string): Promise<GradebookChangeResponse> {
    return this.change(actor, courseId, { type: 'ClearOverride', target: overrideTarget, learnerId });
  }

  @Get('grades')
  @ApiOperation({ summary: 'Every learner\'s grades in a course' })
  @ApiOkResponse({ type: GradebookGradesResponse, description: 'every learner’s grades, category and course totals (course staff); recorded as GradesViewed' })
  @ApiErrors({ 400: ['VALIDATION_FAILED'], 403: ['FORBIDDEN'], 404: ['COURSE_NOT_FOUND', 'GRADEBOOK_NOT_FOUND'] })
  courseGrades(@CurrentActor() actor: Actor, @Param('courseId', uuid) courseId: string, @Query() query: FinalDto): Promise<GradebookGradesResponse> {
    return this.queries.execute(new GetCourseGradesQuery(actor, courseId, query.final ?? false));
  }

  @Get('grades/:learnerId')
  @ApiOperation({ summary: 'One learner\'s grades in a course' })
  @ApiOkResponse({ type: LearnerGradesResponseDto, description: 'one learner’s grades: everything for the course staff; released grades only for the learner and their parent; recorded as GradesViewed' })
  @ApiErrors({ 400: ['VALIDATION_FAILED'], 403: ['FORBIDDEN'], 404: ['COURSE_NOT_FOUND', 'GRADEBOOK_NOT_FOUND'] })
  learnerGrades(@CurrentActor() actor: Actor, @Param('courseId', uuid) courseId: string, @Param('learnerId', uuid) learnerId: string, @Query() query: FinalDto): Promise<LearnerGradesResponseDto> {
    return this.queries.execute(new GetLearnerGradesQuery(actor, courseId, learnerId, query.final ?? false));
  }
}

/** Completion: the rules (editing teachers) and who completed what. */
@ApiTags('completion')
@ApiBearerAuth()
@Controller('api/v1/courses/:courseId/completion')
export class CompletionController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Put('rules/:activityId')
  @ApiOperation({ summary: 'Set an activity\'s completion rule' })
  @HttpCode(200)
  @ApiOkResponse({ type: CompletionRulesChangeResponse, description: 'the course’s completion rules: how this activity (a resource, quiz, assignment or offline test of the course) is completed' })
  @ApiErrors({ 400: ['VALIDATION_FAILED', 'COMPLETION_RULE_INVALID'], 403: ['FORBIDDEN'], 404: ['COURSE_NOT_FOUND', 'ACTIVITY_NOT_FOUND'], 409: ['CONCURRENCY_CONFLICT'] })
  setRule(@CurrentActor() actor: Actor, @Param('courseId', uuid) courseId: string, @Param('activityId', uuid) activityId: string, @Body() body: CompletionRuleDto): Promise<CompletionRulesChangeResponse> {
    return this.commands.execute(new ChangeCompletionCommand(actor, courseId, { type: 'SetActivityCompletionRule', activityId, kind: body.kind, rule: body.rule }));
  }

  @Delete('rules/:activityId')
  @ApiOperation({ summary: 'Stop tracking an activity\'s completion' })
  @ApiOkResponse({ type: CompletionRulesChangeResponse, description: 'the activity is no longer tracked (completions already recorded stay)' })
  @ApiErrors({ 400: ['VALIDATION_FAILED'], 403: ['FORBIDDEN'], 404: ['COURSE_NOT_FOUND'], 409: ['CONCURRENCY_CONFLICT'], 422: ['COMPLETION_RULE_IN_USE'] })
  removeRule(@CurrentActor() actor: Actor, @Param('courseId', uuid) courseId: string, @Param('activityId', uuid) activityId: string): Promise<CompletionRulesChangeResponse> {
    return this.commands.execute(new ChangeCompletionCommand(actor, courseId, { type: 'RemoveActivityCompletionRule', activityId }));
  }

  @Put('criteria')
  @ApiOperation({ summary: 'Set what completes a course' })
  @HttpCode(200)
  @ApiOkResponse({ type: CompletionRulesChangeResponse, description: 'what completes the course: the activities to complete, and a final course total (missing grades as 0) to reach' })
  @ApiErrors({
    400: ['VALIDATION_FAILED', 'COMPLETION_GRADE_INVALID', 'COMPLETION_CRITERIA_EMPTY'],
    403: ['FORBIDDEN'],
    404: ['COURSE_NOT_FOUND', 'COMPLETION_RULE_NOT_FOUND'],
    409: ['CONCURRENCY_CONFLICT'],
  })
  setCriteria(@CurrentActor() actor: Actor, @Param('courseId', uuid) courseId: string, @Body() body: CompletionCriteriaDto): Promise<CompletionRulesChangeResponse> {
    return this.commands.execute(
      new ChangeCompletionCommand(actor, courseId, { type: 'SetCourseCompletion', requireAll: body.requireAll, minimumCourseGradePercentage: body.minimumCourseGradePercentage ?? null }),
    );
  }

  @Get()
  @ApiOperation({ summary: 'Every learner\'s completion in a course' })
  @ApiOkResponse({ type: CourseCompletionResponse, description: 'every learner’s completed activities, progress and course completion (course staff); recorded as CompletionViewed' })
  @ApiErrors({ 400: ['VALIDATION_FAILED'], 403: ['FORBIDDEN'], 404: ['COURSE_NOT_FOUND'] })
  course(@CurrentActor() actor: Actor, @Param('courseId', uuid) courseId: string): Promise<CourseCompletionResponse> {
    return this.queries.execute(new GetCourseCompletionQuery(actor, courseId));
  }

  @Get(':learnerId')
  @ApiOperation({ summary: 'One learner\'s completion in a course' })
  @ApiOkResponse({ type: LearnerCompletionResponse, description: 'one learner’s completion (the learner, their parent, the course staff); recorded as CompletionViewed' })
  @ApiErrors({ 400: ['VALIDATION_FAILED'], 403: ['FORBIDDEN'], 404: ['COURSE_NOT_FOUND'] })
  learner(@CurrentActor() actor: Actor, @Param('courseId', uuid) courseId: string, @Param('learnerId', uuid) learnerId: string): Promise<LearnerCompletionResponse> {
    return this.queries.execute(new GetLearnerCompletionQuery(actor, courseId, learnerId));
  }
}
