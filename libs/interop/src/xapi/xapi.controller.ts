/**
 * The LRS over HTTP (xAPI 1.0.3, Statement Resource): thin, one command or
 * query per route. Errors keep the application's error shape; the status
 * codes are the specification's (400, 401, 403, 404, 409).
 */
import { Body, Controller, Get, HttpCode, Inject, Post, Put, Query, Req, Res, StreamableFile, UseGuards } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBasicAuth, ApiHeader, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { XapiAboutResponse } from '../interop.responses';
import type { FastifyReply as Response, FastifyRequest as Request } from 'fastify';
import { Public } from '@learnstream/access';
import { APP_CONFIG, type AppConfig } from '@learnstream/config';
import { ApiError, ApiErrors, findBadInput, headerOf } from '@learnstream/core';
import { Clock } from '@learnstream/domain';
import { multipartAnswer, parseStatementParts, type AttachmentPart } from './attachments';
import { StoreStatementsCommand } from './commands/store-statements.command';
import type { RequestingLrsClient } from './lrs-clients';
import { acceptedLanguages } from './formats';
import { GetStatementsQuery, type StatementsAnswer } from './queries/get-statements.query';
import { CurrentLrsClient, XapiAuthGuard } from './xapi-auth.guard';
import { rawBodyOf } from './xapi-http';
import { negotiate, VERSION_HEADER, versionOf, XAPI_VERSIONS } from './xapi-version';

const VERSION = ApiHeader({ name: VERSION_HEADER, required: true, description: '1.0.x (answered as 1.0.3) or 2.0.x (answered as 2.0.0)' });
const CONSISTENT = 'X-Experience-API-Consistent-Through';

@ApiTags('xapi')
@ApiBasicAuth()
@Public()
@UseGuards(XapiAuthGuard)
@Controller('xapi')
export class XapiStatementsController {
  constructor(
    private readonly clock: Clock,
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post('statements')
  @HttpCode(200)
  @VERSION
  @ApiOperation({ summary: 'Stores a statement or a batch of statements (all or nothing); the ids, in order' })
  @ApiOkResponse({ description: 'the statement ids, in order', schema: { type: 'array', items: { type: 'string', format: 'uuid' } } })
  @ApiErrors({ 400: ['XAPI_INVALID_STATEMENT', 'XAPI_INVALID_ATTACHMENT', 'XAPI_VERSION_REQUIRED', 'VALIDATION_FAILED'], 401: ['UNAUTHENTICATED'], 403: ['FORBIDDEN'], 409: ['XAPI_CONFLICT'] }, { signedIn: false })
  async post(@CurrentLrsClient() client: RequestingLrsClient, @Body() body: unknown, @Query() query: Record<string, unknown>, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<string[]> {
    res.header(CONSISTENT, this.clock.nowIso());
    if (Object.keys(query).length) throw new ApiError(400, 'XAPI_INVALID_PARAMETER', `POST /xapi/statements takes no parameters (unknown: ${Object.keys(query)[0]})`);
    const { statements, parts } = statementsOf(req, body, this.config.http.maxInputDepth);
    return this.commands.execute(new StoreStatementsCommand(client, statements, undefined, versionOf(req), parts));
  }

  @Put('statements')
  @HttpCode(204)
  @VERSION
  @ApiOperation({ summary: 'Stores one statement under the statementId parameter' })
  @ApiNoContentResponse({ description: 'stored' })
  @ApiErrors({ 400: ['XAPI_INVALID_STATEMENT', 'XAPI_INVALID_ATTACHMENT', 'XAPI_VERSION_REQUIRED', 'VALIDATION_FAILED'], 401: ['UNAUTHENTICATED'], 403: ['FORBIDDEN'], 409: ['XAPI_CONFLICT'] }, { signedIn: false })
  async put(@CurrentLrsClient() client: RequestingLrsClient, @Body() body: unknown, @Query() query: Record<string, unknown>, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<void> {
    res.header(CONSISTENT, this.clock.nowIso());
    const { statementId, ...rest } = query;
    if (typeof statementId !== 'string') throw new ApiError(400, 'XAPI_INVALID_PARAMETER', 'PUT /xapi/statements needs the statementId parameter');
    if (Object.keys(rest).length) throw new ApiError(400, 'XAPI_INVALID_PARAMETER', `unknown parameter ${Object.keys(rest)[0]}`);
    const { statements, parts } = statementsOf(req, body, this.config.http.maxInputDepth);
    await this.commands.execute(new StoreStatementsCommand(client, statements, statementId, versionOf(req), parts));
  }

  @Get('statements')
  @VERSION
  @ApiOperation({ summary: 'One statement (statementId, voidedStatementId) or a StatementResult { statements, more } filtered and paged; attachments=true: multipart/mixed with their contents' })
  @ApiOkResponse({ description: 'an xAPI Statement, or a StatementResult { statements, more } (xAPI 1.0.3, part three, 2.1)', schema: { type: 'object', additionalProperties: true } })
  @ApiErrors({ 400: ['XAPI_INVALID_PARAMETER', 'XAPI_VERSION_REQUIRED'], 401: ['UNAUTHENTICATED'], 404: ['XAPI_STATEMENT_NOT_FOUND'] }, { signedIn: false })
  async get(@CurrentLrsClient() client: RequestingLrsClient, @Query() query: Record<string, unknown>, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<unknown> {
    const consistentThrough = this.clock.nowIso();
    const answer: StatementsAnswer = await this.queries.execute(new GetStatementsQuery(client, query, acceptedLanguages(headerOf(req, 'accept-language'))));
    res.header(CONSISTENT, consistentThrough);
    const json = answer.kind === 'statement' ? answer.statement : { statements: answer.statements, more: answer.more };
    // Last-Modified: when the newest statement of the answer was stored.
    const stored = (answer.kind === 'statement' ? [answer.statement] : answer.statements).map((s) => Date.parse(String(s.stored))).filter((t) => !Number.isNaN(t));
    if (stored.length) res.header('Last-Modified', new Date(Math.max(...stored)).toUTCString());
    if (!answer.parts) return json;
    const { contentType, body } = multipartAnswer(json, answer.parts);
    return new StreamableFile(body, { type: contentType });
  }
}

/** The statements of a POST or PUT: its JSON body, or the first part of a multipart/mixed one with the attachments' contents. */
function statementsOf(req: Request, body: unknown, maxDepth: number): { statements: unknown; parts: AttachmentPart[] } {
  const raw = rawBodyOf(req);
  if (raw === undefined) return { statements: body, parts: [] };
  const parsed = parseStatementParts(headerOf(req, 'content-type') ?? '', raw);
  // The edge's one rule for every string a client sends (no NUL, no lone surrogate, bounded depth), which met only
  // a JSON body: a multipart one's statements reached the database with them (a NUL: 400 INVALID_DATA from PostgreSQL).
  const bad = findBadInput(parsed.statements, 'body', maxDepth);
  if (bad) throw new ApiError(400, 'VALIDATION_FAILED', bad.message, [bad]);
  return parsed;
}

/** GET /xapi/about: no credentials, no version header needed. */
@ApiTags('xapi')
@Public()
@Controller('xapi')
export class XapiAboutController {
  @Get('about')
  @ApiOperation({ summary: 'The xAPI versions this LRS speaks' })
  @ApiOkResponse({ type: XapiAboutResponse })
  @ApiErrors({ 500: ['INTERNAL'] }, { signedIn: false })
  about(@Req() req: Request, @Res({ passthrough: true }) res: Response): { version: string[] } {
    const spoken = negotiate(headerOf(req, VERSION_HEADER));
    if (spoken) res.header(VERSION_HEADER, spoken);
    return { version: [...XAPI_VERSIONS] };
  }
}
