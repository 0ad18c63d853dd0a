import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiCreatedResponse, ApiExtraModels, ApiNoContentResponse, ApiOkResponse, ApiQuery, ApiTags, ApiOperation, ApiParam, getSchemaPath } from '@nestjs/swagger';
import { DomainError } from '@learnstream/domain';
import { CurrentActor, PLATFORM_ROLES, type Actor, type PlatformRole } from '@learnstream/access';
import { ApiError, ApiErrors, csvUploadRows, UUID_PARAM, validatedBody } from '@learnstream/core';
import { ManageAccountCommand } from './commands/manage-account.command';
import { OpenAccountCommand } from './commands/open-account.command';
import { BulkOpenAccountsCommand } from './commands/bulk-open-accounts.command';
import { UpdateProfileCommand } from './commands/update-profile.command';
import { BulkAccountsCsvQueryDto, BulkAccountsDto, BulkAccountsResultDto, OpenAccountDto, UpdateProfileDto } from './dto';
import { GetAccountQuery } from './queries/get-account.query';
import { GetMeQuery } from './queries/get-me.query';
import { AccountResponse, ImpersonationResponse, MeResponse, OpenedAccountResponse, PasswordResetResponse } from './responses';
import { ListImpersonationsQuery } from './queries/list-impersonations.query';

const uuid = UUID_PARAM;
const role = {
  transform(value: string): PlatformRole {
    if (!(PLATFORM_ROLES as readonly string[]).includes(value)) throw new ApiError(400, 'VALIDATION_FAILED', `role must be one of ${PLATFORM_ROLES.join(', ')}`);
    return value as PlatformRole;
  },
};

@ApiTags('users')
@ApiBearerAuth()
@Controller('api/v1')
export class UsersController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Get('me')
  @ApiOperation({ summary: 'The caller: account, schools, children' })
  @ApiOkResponse({ type: MeResponse, description: 'the caller: account, schools, children, and who is really acting when impersonated' })
  @ApiErrors({})
  me(@CurrentActor() actor: Actor): Promise<MeResponse> {
    return this.queries.execute(new GetMeQuery(actor));
  }

  @Post('users')
  @ApiOperation({ summary: 'Open an account in a school' })
  @ApiCreatedResponse({ type: OpenedAccountResponse, description: 'the account, affiliated to the school; `temporaryPassword` when none was given (shown once)' })
  @ApiErrors({ 400: ['VALIDATION_FAILED', 'WEAK_PASSWORD', 'UNKNOWN_SCHOOL', 'UNKNOWN_CLASS', 'CONSENT_REQUIRED', 'OCCURRED_AT_INVALID', 'OCCURRED_AT_IN_FUTURE'], 403: ['FORBIDDEN', 'IMPORT_NOT_ALLOWED'], 409: ['USERNAME_TAKEN'], 422: ['SCHOOL_ARCHIVED'] })
  open(@CurrentActor() actor: Actor, @Body() body: OpenAccountDto): Promise<OpenedAccountResponse> {
    return this.commands.execute(new OpenAccountCommand(actor, body));
  }

  @Post('users/bulk')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Open many accounts in a school at once (Moodle\'s upload of users), as JSON or CSV',
    description:
      'Every row is checked before anything is written, usernames are claimed in one statement and the accounts appended in one atomic append. Each new account gets a temporary password (in the answer, once; changed at first sign-in; stored as a SHA-256 of its 96 random bits, so no row pays argon2\'s cost). A username that is already an account of this school is exists (nothing written): sending the upload again writes nothing. Rows may carry occurredAt (history: the import permission). mode all_or_nothing (default) answers 400 BULK_REJECTED with each refused row in details; per_row opens the good rows. ' +
      'As CSV (Content-Type: text/csv, UTF-8, a byte-order mark allowed): a header line naming the columns by the JSON row\'s fields (username,displayName,role,email,idNumber,…; interests separated by ;), one account per line, an empty cell for an absent field; schoolId and mode in the query. Row n of the answer is the n-th line after the header (from 0).',
  })
  @ApiConsumes('application/json', 'text/csv')
  @ApiExtraModels(BulkAccountsDto)
  @ApiBody({ schema: { oneOf: [{ $ref: getSchemaPath(BulkAccountsDto) }, { type: 'string', description: 'text/csv: a header line, then one account per line', example: 'username,displayName,role,consentObtainedFrom,idNumber\r\nann.lee,Ann Lee,learner,parent,S-0001\r\n' }] } })
  @ApiOkResponse({ type: BulkAccountsResultDto, description: 'one result per row' })
  @ApiErrors({ 400: ['VALIDATION_FAILED', 'BULK_REJECTED', 'UNKNOWN_SCHOOL'], 403: ['FORBIDDEN', 'IMPORT_NOT_ALLOWED'], 413: ['PAYLOAD_TOO_LARGE'], 422: ['SCHOOL_ARCHIVED'] })
  async openMany(@CurrentActor() actor: Actor, @Body() body: unknown, @Query() query: BulkAccountsCsvQueryDto): Promise<BulkAccountsResultDto> {
    const csv = typeof body === 'string';
    // CSV is made into the JSON form, and either is checked by the same DTO.
    const upload = await validatedBody(BulkAccountsDto, csv ? { schoolId: query.schoolId, mode: query.mode, rows: csvUploadRows(body, { lists: ['interests'] }) } : body);
    // A JSON upload has them in its body: the query may repeat them, never say otherwise.
    const disagrees = (['schoolId', 'mode'] as const).filter((field) => query[field] !== undefined && query[field] !== upload[field]);
    if (disagrees.length) {
      throw new DomainError('invalid', 'VALIDATION_FAILED', `the query's ${disagrees.join(' and ')} differ from the body's`, disagrees.map((field) => ({ field, message: 'a JSON upload gives it in its body (the query is for CSV)' })));
    }
    return this.commands.execute(new BulkOpenAccountsCommand(actor, upload.schoolId, upload.rows, upload.mode));
  }

  @Get('users/:id')
  @ApiOperation({ summary: 'One account' })
  @ApiOkResponse({
    type: AccountResponse,
    description:
      'the account, with the fields the reader needs (need to know): the whole account for the person, their parent, the DPO and their school’s admins; ' +
      'names, classes (`classes`) and status for a teacher; administrative fields for a platform admin unless `purpose` states why they need the rest (logged). Fields left out read null and are named in `withheld`. Staff reads are audited.',
  })
  @ApiQuery({ name: 'purpose', required: false, description: 'a platform admin’s reason to read the personal fields (10–500 characters), recorded in the access log' })
  @ApiErrors({ 400: ['VALIDATION_FAILED'], 403: ['FORBIDDEN', 'PROCESSING_RESTRICTED'], 404: ['USER_NOT_FOUND'] })
  get(@CurrentActor() actor: Actor, @Param('id', uuid) id: string, @Query('purpose') purpose?: string): Promise<AccountResponse> {
    if (purpose !== undefined && (typeof purpose !== 'string' || purpose.trim().length < 10 || purpose.length > 500)) {
      throw new DomainError('invalid', 'VALIDATION_FAILED', 'purpose must be 10 to 500 characters saying why the personal fields are needed');
    }
    return this.queries.execute(new GetAccountQuery(actor, id, purpose?.trim() ?? null));
  }

  @Patch('users/:id')
  @ApiOperation({ summary: 'Correct an account\'s profile' })
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'the profile is corrected (rectification)' })
  @ApiErrors({ 400: ['VALIDATION_FAILED'], 403: ['FORBIDDEN'], 404: ['USER_NOT_FOUND'] })
  async update(@CurrentActor() actor: Actor, @Param('id', uuid) id: string, @Body() body: UpdateProfileDto) {
    await this.commands.execute(new UpdateProfileCommand(actor, id, body));
  }

  @Post('users/:id/password-reset')
  @ApiOperation({ summary: 'Reset an account\'s password to a temporary one' })
  @HttpCode(200)
  @ApiOkResponse({ type: PasswordResetResponse, description: '{ temporaryPassword }: shown once; the user must change it at next sign-in; their sessions end' })
  @ApiErrors({ 400: ['VALIDATION_FAILED'], 403: ['FORBIDDEN'], 404: ['USER_NOT_FOUND'] })
  resetPassword(@CurrentActor() actor: Actor, @Param('id', uuid) id: string): Promise<PasswordResetResponse> {
    return this.commands.execute(new ManageAccountCommand(actor, id, { kind: 'reset_password' }));
  }

  @Post('users/:id/lock')
  @ApiOperation({ summary: 'Lock an account' })
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'the account is locked until unlocked; its sessions end' })
  @ApiErrors({ 400: ['VALIDATION_FAILED'], 403: ['FORBIDDEN'], 404: ['USER_NOT_FOUND'], 409: ['ACCOUNT_ALREADY_LOCKED'] })
  async lock(@CurrentActor() actor: Actor, @Param('id', uuid) id: string) {
    await this.commands.execute(new ManageAccountCommand(actor, id, { kind: 'lock' }));
  }

  @Post('users/:id/unlock')
  @ApiOperation({ summary: 'Unlock an account' })
  @HttpCode(204)
  @ApiNoContentResponse()
  @ApiErrors({ 400: ['VALIDATION_FAILED'], 403: ['FORBIDDEN'], 404: ['USER_NOT_FOUND'], 409: ['ACCOUNT_NOT_LOCKED'] })
  async unlock(@CurrentActor() actor: Actor, @Param('id', uuid) id: string) {
    await this.commands.execute(new ManageAccountCommand(actor, id, { kind: 'unlock' }));
  }

  @Put('users/:id/roles/:role')
  @ApiOperation({ summary: 'Grant a platform role' })
  @ApiParam({ name: 'role', enum: PLATFORM_ROLES })
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'grants a platform role (platform_admin, dpo); platform admins only' })
  @ApiErrors({ 400: ['VALIDATION_FAILED'], 403: ['FORBIDDEN'], 404: ['USER_NOT_FOUND'] })
  async grant(@CurrentActor() actor: Actor, @Param('id', uuid) id: string, @Param('role', role) role: PlatformRole) {
    await this.commands.execute(new ManageAccountCommand(actor, id, { kind: 'role', role, grant: true }));
  }

  @Delete('users/:id/roles/:role')
  @ApiOperation({ summary: 'Revoke a platform role' })
  @ApiParam({ name: 'role', enum: PLATFORM_ROLES })
  @HttpCode(204)
  @ApiNoContentResponse()
  @ApiErrors({ 400: ['VALIDATION_FAILED'], 403: ['FORBIDDEN'], 404: ['USER_NOT_FOUND'], 422: ['CANNOT_REVOKE_OWN_ADMIN'] })
  async revoke(@CurrentActor() actor: Actor, @Param('id', uuid) id: string, @Param('role', role) role: PlatformRole) {
    await this.commands.execute(new ManageAccountCommand(actor, id, { kind: 'role', role, grant: false }));
  }

  @Get('users/:id/impersonations')
  @ApiOperation({ summary: 'Support sessions that acted as a user' })
  @ApiOkResponse({ type: ImpersonationResponse, isArray: true, description: 'every support session that acted as this user: who, when, why' })
  @ApiErrors({ 400: ['VALIDATION_FAILED'], 403: ['FORBIDDEN'] })
  impersonations(@CurrentActor() actor: Actor, @Param('id', uuid) id: string): Promise<ImpersonationResponse[]> {
    return this.queries.execute(new ListImpersonationsQuery(actor, id));
  }
}
