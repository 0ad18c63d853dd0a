import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags, ApiOperation } from '@nestjs/swagger';
import { CurrentActor, type Actor } from '@learnstream/access';
import { ApiErrors, UUID_PARAM } from '@learnstream/core';
import { ChangeQuizCommand } from '../commands/change-quiz.command';
import { CreateQuizCommand } from '../commands/create-quiz.command';
import { SaveAnswersCommand } from '../commands/save-answers.command';
import { StartAttemptCommand } from '../commands/start-attempt.command';
import { SubmitAttemptCommand } from '../commands/submit-attempt.command';
import { GetAttemptQuery, ListAttemptsQuery } from '../queries/attempts.query';
import { GetQuizQuery } from '../queries/get-quiz.query';
import { CreateQuizDto, QuestionDto, SaveAnswersDto, StartAttemptDto, SubmitAttemptDto, UpdateQuizDto } from './dto';
import { AttemptListResponse, AttemptResponse, QuizResponse, SavedAnswersResponse, StartedAttemptResponse, SubmittedAttemptResponse } from './responses';

const uuid = UUID_PARAM;
const HISTORIC = ['OCCURRED_AT_INVALID', 'OCCURRED_AT_IN_FUTURE', 'OCCURRED_AT_BEFORE_COURSE'];
const EDIT = { 400: ['VALIDATION_FAILED', 'QUIZ_INVALID', 'QUESTION_INVALID'], 403: ['FORBIDDEN'], 404: ['QUIZ_NOT_FOUND', 'COURSE_NOT_FOUND'], 409: ['CONCURRENCY_CONFLICT'] };

/** Quizzes and their questions (editing teachers), attempts (learners), reviews. */
@ApiTags('quizzes')
@ApiBearerAuth()
@Controller('api/v1')
export class QuizzesController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post('courses/:courseId/quizzes')
  @ApiOperation({ summary: 'Create a quiz in a course' })
  @ApiCreatedResponse({ type: QuizResponse, description: 'the quiz, placed in the course as an activity (in `sectionId`, else the first section)' })
  @ApiErrors({
    400: ['VALIDATION_FAILED', 'QUIZ_INVALID', 'QUESTION_INVALID'],
    403: ['FORBIDDEN'],
    404: ['COURSE_NOT_FOUND', 'SECTION_NOT_FOUND'],
    409: ['QUESTION_EXISTS', 'CONCURRENCY_CONFLICT', 'IDNUMBER_TAKEN'],
    422: ['COURSE_HAS_NO_SECTION', 'COURSE_ARCHIVED'],
  })
  create(@CurrentActor() actor: Actor, @Param('courseId', uuid) courseId: string, @Body() body: CreateQuizDto): Promise<QuizResponse> {
    return this.commands.execute(new CreateQuizCommand(actor, courseId, body));
  }

  @Get('quizzes/:quizId')
  @ApiOperation({ summary: 'One quiz' })
  @ApiOkResponse({ type: QuizResponse, description: 'the quiz: whole for the course staff; for learners, without the right answers' })
  @ApiErrors({ 400: ['VALIDATION_FAILED'], 403: ['FORBIDDEN'], 404: ['QUIZ_NOT_FOUND'] })
  get(@CurrentActor() actor: Actor, @Param('quizId', uuid) quizId: string): Promise<QuizResponse> {
    return this.queries.execute(new GetQuizQuery(actor, quizId));
  }

  @Patch('quizzes/:quizId')
  @ApiOperation({ summary: 'Change a quiz\'s settings' })
  @ApiOkResponse({ type: QuizResponse, description: 'the quiz after the change; settings given with their current value change nothing' })
  @ApiErrors(EDIT)
  update(@CurrentActor() actor: Actor, @Param('quizId', uuid) quizId: string, @Body() body: UpdateQuizDto): Promise<QuizResponse> {
    return this.commands.execute(new ChangeQuizCommand(actor, quizId, { type: 'UpdateQuizSettings', ...body }));
  }

  @Post('quizzes/:quizId/questions')
  @ApiOperation({ summary: 'Add a question to a quiz' })
  @ApiCreatedResponse({ type: QuizResponse, description: 'the quiz with the question added (its questionId made when not given)' })
  @ApiErrors({ ...EDIT, 409: ['QUESTION_EXISTS', 'CONCURRENCY_CONFLICT'], 422: ['QUIZ_HAS_ATTEMPTS'] })
  addQuestion(@CurrentActor() actor: Actor, @Param('quizId', uuid) quizId: string, @Body() body: QuestionDto): Promise<QuizResponse> {
    return this.commands.execute(new ChangeQuizCommand(actor, quizId, { type: 'AddQuestion', question: body.question }));
  }

  @Patch('quizzes/:quizId/questions/:questionId')
  @ApiOperation({ summary: 'Replace a question' })
  @ApiOkResponse({ type: QuizResponse, description: 'the quiz with the question replaced as a whole' })
  @ApiErrors({ ...EDIT, 404: ['QUIZ_NOT_FOUND', 'QUESTION_NOT_FOUND'], 422: ['QUIZ_HAS_ATTEMPTS'] })
  updateQuestion(@CurrentActor() actor: Actor, @Param('quizId', uuid) quizId: string, @Param('questionId', uuid) questionId: string, @Body() body: QuestionDto): Promise<QuizResponse> {
    return this.commands.execute(new ChangeQuizCommand(actor, quizId, { type: 'UpdateQuestion', question: { ...body.question, questionId } }));
  }

  @Delete('quizzes/:quizId/questions/:questionId')
  @ApiOperation({ summary: 'Remove a question' })
  @ApiOkResponse({ type: QuizResponse, description: 'the quiz without the question' })
  @ApiErrors({ ...EDIT, 404: ['QUIZ_NOT_FOUND', 'QUESTION_NOT_FOUND'], 422: ['QUIZ_HAS_ATTEMPTS'] })
  removeQuestion(@CurrentActor() actor: Actor, @Param('quizId', uuid) quizId: string, @Param('questionId', uuid) questionId: string): Promise<QuizResponse> {
    return this.commands.execute(new ChangeQuizCommand(actor, quizId, { type: 'RemoveQuestion', questionId }));
  }

  @Post('quizzes/:quizId/attempts')
  @ApiOperation({ summary: 'Start an attempt' })
  @ApiCreatedResponse({ type: StartedAttemptResponse, description: 'an overdue attempt of the learner is closed (submitted with what was saved) first. An import may start a learner’s attempt (learnerId) at its historic time (occurredAt)' })
  @ApiErrors({
    400: ['VALIDATION_FAILED', ...HISTORIC],
    403: ['NOT_ENROLLED', 'FORBIDDEN', 'IMPORT_NOT_ALLOWED'],
    404: ['QUIZ_NOT_FOUND', 'COURSE_NOT_FOUND'],
    409: ['ATTEMPT_IN_PROGRESS', 'CONCURRENCY_CONFLICT'],
    422: ['QUIZ_EMPTY', 'QUIZ_NOT_OPEN', 'QUIZ_CLOSED', 'NO_ATTEMPTS_LEFT'],
  })
  start(@CurrentActor() actor: Actor, @Param('quizId', uuid) quizId: string, @Body() body: StartAttemptDto): Promise<StartedAttemptResponse> {
    return this.commands.execute(new StartAttemptCommand(actor, quizId, body));
  }

  @Get('quizzes/:quizId/attempts')
  @ApiOperation({ summary: 'A quiz\'s attempts' })
  @ApiOkResponse({ type: AttemptListResponse, description: 'attempts without answers: all of them for the course staff, the caller’s own for a learner' })
  @ApiErrors({ 400: ['VALIDATION_FAILED'], 403: ['FORBIDDEN'], 404: ['QUIZ_NOT_FOUND'] })
  attempts(@CurrentActor() actor: Actor, @Param('quizId', uuid) quizId: string): Promise<AttemptListResponse> {
    return this.queries.execute(new ListAttemptsQuery(actor, quizId));
  }

  @Put('attempts/:attemptId/answers')
  @ApiOperation({ summary: 'Save answers of an attempt' })
  @HttpCode(200)
  @ApiOkResponse({ type: SavedAnswersResponse, description: '{ attemptId, saved: questionIds }: each answer replaces the question’s saved one (encrypted in the log)' })
  @ApiErrors({
    400: ['VALIDATION_FAILED', 'QUESTION_ANSWER_INVALID', ...HISTORIC, 'OCCURRED_AT_BEFORE_ATTEMPT'],
    403: ['FORBIDDEN', 'IMPORT_NOT_ALLOWED'],
    404: ['ATTEMPT_NOT_FOUND'],
    409: ['ATTEMPT_NOT_IN_PROGRESS', 'CONCURRENCY_CONFLICT'],
    422: ['ATTEMPT_OVERDUE', 'QUESTION_NOT_IN_QUIZ'],
  })
  save(@CurrentActor() actor: Actor, @Param('attemptId', uuid) attemptId: string, @Body() body: SaveAnswersDto): Promise<SavedAnswersResponse> {
    return this.commands.execute(new SaveAnswersCommand(actor, attemptId, body.answers, body.occurredAt));
  }

  @Post('attempts/:attemptId/submit')
  @ApiOperation({ summary: 'Submit an attempt' })
  @HttpCode(200)
  @ApiOkResponse({ type: SubmittedAttemptResponse, description: 'the grade; `automatic: true` when the deadline had passed and what was saved was submitted' })
  @ApiErrors({
    400: ['VALIDATION_FAILED', 'QUESTION_ANSWER_INVALID', ...HISTORIC, 'OCCURRED_AT_BEFORE_ATTEMPT'],
    403: ['FORBIDDEN', 'IMPORT_NOT_ALLOWED'],
    404: ['ATTEMPT_NOT_FOUND', 'QUIZ_NOT_FOUND'],
    409: ['ATTEMPT_NOT_IN_PROGRESS', 'CONCURRENCY_CONFLICT'],
  })
  submit(@CurrentActor() actor: Actor, @Param('attemptId', uuid) attemptId: string, @Body() body: SubmitAttemptDto): Promise<SubmittedAttemptResponse> {
    return this.commands.execute(new SubmitAttemptCommand(actor, attemptId, body.occurredAt));
  }

  @Get('attempts/:attemptId')
  @ApiOperation({ summary: 'One attempt, with its review once submitted' })
  @ApiOkResponse({ type: AttemptResponse, description: 'the attempt; once submitted, a review with right answers and results (recorded as AttemptReviewed)' })
  @ApiErrors({ 400: ['VALIDATION_FAILED'], 403: ['FORBIDDEN'], 404: ['ATTEMPT_NOT_FOUND'], 409: ['CONCURRENCY_CONFLICT'] })
  review(@CurrentActor() actor: Actor, @Param('attemptId', uuid) attemptId: string): Promise<AttemptResponse> {
    return this.queries.execute(new GetAttemptQuery(actor, attemptId));
  }
}
