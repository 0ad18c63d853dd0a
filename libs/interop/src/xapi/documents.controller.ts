/**
 * The LRS's document resources over HTTP, and the Agents and Activities
 * resources (xAPI 1.0.3 Communication 2.3–2.7; 9274.1.1 4.1.6.2–.6):
 *
 *   /xapi/activities/state     activityId, agent, registration?, stateId?, since?
 *   /xapi/activities/profile   activityId, profileId?, since?
 *   /xapi/agents/profile       agent, profileId?, since?
 *   /xapi/agents               agent → the Person object
 *   /xapi/activities           activityId → the Activity with its merged definition
 *
 * Bodies are kept as bytes (the /xapi body parser gives documents raw);
 * HEAD is GET without a body (Express). Scoped to the LRS client's school.
 */
import { Controller, Delete, Get, HttpCode, Post, Put, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiBasicAuth, ApiHeader, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply as Response, FastifyRequest as Request } from 'fastify';
import { ForbiddenError, Public } from '@learnstream/access';
import { ApiErrors, headerOf } from '@learnstream/core';
import { DomainError, isRealDay } from '@learnstream/domain';
import { AgentKeys } from './agent-keys';
import { XapiActivities } from './activities';
import { parseEtags, XapiDocuments, type DocumentKind, type HeaderRule, type DocumentScope, type Preconditions } from './documents';
import type { LrsClient } from './lrs-clients';
import { agentProblems, isIri, isUuid, type JsonObject } from './statement';
import { StatementTargets } from './statement-targets';
import { CurrentLrsClient, XapiAuthGuard } from './xapi-auth.guard';
import { rawBodyOf } from './xapi-http';
import { VERSION_HEADER, versionOf } from './xapi-version';

const VERSION = ApiHeader({ name: VERSION_HEADER, required: true, description: '1.0.x (answered as 1.0.3) or 2.0.x (answered as 2.0.0)' });
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;
const NO_AGENT = '00000000-0000-0000-0000-000000000000';
/** GET of a document resource: the document as stored (any media type), or, without the document's id, the ids. */
const DOCUMENT_OR_IDS = {
  description: 'the document (its own content type; ETag, Last-Modified), or an array of document ids',
  content: {
    'application/json': { schema: { oneOf: [{ type: 'array', items: { type: 'string' } }, { type: 'object', additionalProperties: true }] } },
    'application/octet-stream': { schema: { type: 'string', format: 'binary' } },
  },
};

const bad = (message: string) => new DomainError('invalid', 'XAPI_INVALID_PARAMETER', message);

type Params = Record<string, unknown>;

interface Resource {
  kind: DocumentKind;
  /** The parameter naming one document. */
  idParam: 'stateId' | 'profileId';
  activity: boolean;
  agent: boolean;
  registration: boolean;
}

const STATE: Resource = { kind: 'state', idParam: 'stateId', activity: true, agent: true, registration: true };
const ACTIVITY_PROFILE: Resource = { kind: 'activity_profile', idParam: 'profileId', activity: true, agent: false, registration: false };
const AGENT_PROFILE: Resource = { kind: 'agent_profile', idParam: 'profileId', activity: false, agent: true, registration: false };

function text(params: Params, name: string, required: boolean): string | undefined {
  const v = params[name];
  if (v === undefined) {
    if (required) throw bad(`the ${name} parameter is required`);
    return undefined;
  }
  if (typeof v !== 'string') throw bad(`${name} must be given once, as a string`);
  return v;
}

function parseAgent(raw: string): JsonObject {
  let agent: unknown;
  try {
    agent = JSON.parse(raw);
  } catch {
    throw bad('agent must be an Agent as JSON');
  }
  const problems = agentProblems(agent);
  if (problems.length) throw bad(`agent is not a valid Agent: ${problems[0]}`);
  return agent as JsonObject;
}

function sinceOf(params: Params): Date | undefined {
  const since = text(params, 'since', false);
  if (since === undefined) return undefined;
  if (!TIMESTAMP.test(since) || !isRealDay(since) || Number.isNaN(Date.parse(since))) throw bad('since must be an ISO 8601 timestamp');
  return new Date(since);
}

function preconditionsOf(req: Request): Preconditions {
  return { ifMatch: parseEtags(headerOf(req, 'if-match')), ifNoneMatch: parseEtags(headerOf(req, 'if-none-match')) };
}


@ApiTags('xapi')
@ApiBasicAuth()
@Public()
@UseGuards(XapiAuthGuard)
@Controller('xapi')
export class XapiDocumentsController {
  constructor(
    private readonly documents: XapiDocuments,
    private readonly activities: XapiActivities,
    private readonly agents: AgentKeys,
    private readonly targets: StatementTargets,
  ) {}

  // ---- State ----

  @Put('activities/state')
  @HttpCode(204)
  @VERSION
  @ApiNoContentResponse({ description: 'done' })
  @ApiOperation({ summary: 'Stores a State document (activityId, agent, registration?, stateId)' })
  @ApiErrors({ 400: ['XAPI_INVALID_PARAMETER'], 401: ['UNAUTHENTICATED'], 403: ['FORBIDDEN'], 409: ['XAPI_DOCUMENT_EXISTS'], 412: ['XAPI_PRECONDITION_FAILED'] }, { signedIn: false })
  async putState(@CurrentLrsClient() client: LrsClient, @Query() q: Params, @Req() req: Request): Promise<void> {
    await this.write(STATE, client, q, req, 'put');
  }

  @Post('activities/state')
  @HttpCode(204)
  @VERSION
  @ApiNoContentResponse({ description: 'done' })
  @ApiOperation({ summary: 'Merges a JSON object into a State document (or stores it)' })
  @ApiErrors({ 400: ['XAPI_INVALID_PARAMETER', 'XAPI_INVALID_DOCUMENT'], 401: ['UNAUTHENTICATED'], 403: ['FORBIDDEN'], 412: ['XAPI_PRECONDITION_FAILED'] }, { signedIn: false })
  async postState(@CurrentLrsClient() client: LrsClient, @Query() q: Params, @Req() req: Request): Promise<void> {
    await this.write(STATE, client, q, req, 'post');
  }

  @Get('activities/state')
  @VERSION
  @ApiOperation({ summary: 'A State document (stateId), or the ids of the State documents (since?)' })
  @ApiOkResponse(DOCUMENT_OR_IDS)
  @ApiErrors({ 400: ['XAPI_INVALID_PARAMETER'], 401: ['UNAUTHENTICATED'], 404: ['XAPI_DOCUMENT_NOT_FOUND'] }, { signedIn: false })
  async getState(@CurrentLrsClient() client: LrsClient, @Query() q: Params, @Res() res: Response): Promise<void> {
    await this.read(STATE, client, q, res);
  }

  @Delete('activities/state')
  @HttpCode(204)
  @VERSION
  @ApiNoContentResponse({ description: 'done' })
  @ApiOperation({ summary: 'Deletes a State document (stateId), or all of the activity, agent and registration' })
  @ApiErrors({ 400: ['XAPI_INVALID_PARAMETER'], 401: ['UNAUTHENTICATED'], 412: ['XAPI_PRECONDITION_FAILED'] }, { signedIn: false })
  async deleteState(@CurrentLrsClient() client: LrsClient, @Query() q: Params, @Req() req: Request): Promise<void> {
    await this.remove(STATE, client, q, req);
  }

  // ---- Activity Profile ----

  @Put('activities/profile')
  @HttpCode(204)
  @VERSION
  @ApiNoContentResponse({ description: 'done' })
  @ApiOperation({ summary: 'Stores an Activity Profile document (activityId, profileId)' })
  @ApiErrors({ 400: ['XAPI_INVALID_PARAMETER', 'XAPI_PRECONDITION_REQUIRED'], 401: ['UNAUTHENTICATED'], 409: ['XAPI_DOCUMENT_EXISTS'], 412: ['XAPI_PRECONDITION_FAILED'] }, { signedIn: false })
  async putActivityProfile(@CurrentLrsClient() client: LrsClient, @Query() q: Params, @Req() req: Request): Promise<void> {
    await this.write(ACTIVITY_PROFILE, client, q, req, 'put');
  }

  @Post('activities/profile')
  @HttpCode(204)
  @VERSION
  @ApiNoContentResponse({ description: 'done' })
  @ApiOperation({ summary: 'Merges a JSON object into an Activity Profile document (or stores it)' })
  @ApiErrors({ 400: ['XAPI_INVALID_PARAMETER', 'XAPI_INVALID_DOCUMENT'], 401: ['UNAUTHENTICATED'], 412: ['XAPI_PRECONDITION_FAILED'] }, { signedIn: false })
  async postActivityProfile(@CurrentLrsClient() client: LrsClient, @Query() q: Params, @Req() req: Request): Promise<void> {
    await this.write(ACTIVITY_PROFILE, client, q, req, 'post');
  }

  @Get('activities/profile')
  @VERSION
  @ApiOperation({ summary: 'An Activity Profile document (profileId), or the ids of the activity\'s profiles (since?)' })
  @ApiOkResponse(DOCUMENT_OR_IDS)
  @ApiErrors({ 400: ['XAPI_INVALID_PARAMETER'], 401: ['UNAUTHENTICATED'], 404: ['XAPI_DOCUMENT_NOT_FOUND'] }, { signedIn: false })
  async getActivityProfile(@CurrentLrsClient() client: LrsClient, @Query() q: Params, @Res() res: Response): Promise<void> {
    await this.read(ACTIVITY_PROFILE, client, q, res);
  }

  @Delete('activities/profile')
  @HttpCode(204)
  @VERSION
  @ApiNoContentResponse({ description: 'done' })
  @ApiOperation({ summary: 'Deletes an Activity Profile document' })
  @ApiErrors({ 400: ['XAPI_INVALID_PARAMETER'], 401: ['UNAUTHENTICATED'], 412: ['XAPI_PRECONDITION_FAILED'] }, { signedIn: false })
  async deleteActivityProfile(@CurrentLrsClient() client: LrsClient, @Query() q: Params, @Req() req: Request): Promise<void> {
    await this.remove(ACTIVITY_PROFILE, client, q, req);
  }

  // ---- Agent Profile ----

  @Put('agents/profile')
  @HttpCode(204)
  @VERSION
  @ApiNoContentResponse({ description: 'done' })
  @ApiOperation({ summary: 'Stores an Agent Profile document (agent, profileId)' })
  @ApiErrors({ 400: ['XAPI_INVALID_PARAMETER', 'XAPI_PRECONDITION_REQUIRED'], 401: ['UNAUTHENTICATED'], 403: ['FORBIDDEN'], 409: ['XAPI_DOCUMENT_EXISTS'], 412: ['XAPI_PRECONDITION_FAILED'] }, { signedIn: false })
  async putAgentProfile(@CurrentLrsClient() client: LrsClient, @Query() q: Params, @Req() req: Request): Promise<void> {
    await this.write(AGENT_PROFILE, client, q, req, 'put');
  }

  @Post('agents/profile')
  @HttpCode(204)
  @VERSION
  @ApiNoContentResponse({ description: 'done' })
  @ApiOperation({ summary: 'Merges a JSON object into an Agent Profile document (or stores it)' })
  @ApiErrors({ 400: ['XAPI_INVALID_PARAMETER', 'XAPI_INVALID_DOCUMENT'], 401: ['UNAUTHENTICATED'], 403: ['FORBIDDEN'], 412: ['XAPI_PRECONDITION_FAILED'] }, { signedIn: false })
  async postAgentProfile(@CurrentLrsClient() client: LrsClient, @Query() q: Params, @Req() req: Request): Promise<void> {
    await this.write(AGENT_PROFILE, client, q, req, 'post');
  }

  @Get('agents/profile')
  @VERSION
  @ApiOperation({ summary: 'An Agent Profile document (profileId), or the ids of the agent\'s profiles (since?)' })
  @ApiOkResponse(DOCUMENT_OR_IDS)
  @ApiErrors({ 400: ['XAPI_INVALID_PARAMETER'], 401: ['UNAUTHENTICATED'], 404: ['XAPI_DOCUMENT_NOT_FOUND'] }, { signedIn: false })
  async getAgentProfile(@CurrentLrsClient() client: LrsClient, @Query() q: Params, @Res() res: Response): Promise<void> {
    await this.read(AGENT_PROFILE, client, q, res);
  }

  @Delete('agents/profile')
  @HttpCode(204)
  @VERSION
  @ApiNoContentResponse({ description: 'done' })
  @ApiOperation({ summary: 'Deletes an Agent Profile document' })
  @ApiErrors({ 400: ['XAPI_INVALID_PARAMETER'], 401: ['UNAUTHENTICATED'], 412: ['XAPI_PRECONDITION_FAILED'] }, { signedIn: false })
  async deleteAgentProfile(@CurrentLrsClient() client: LrsClient, @Query() q: Params, @Req() req: Request): Promise<void> {
    await this.remove(AGENT_PROFILE, client, q, req);
  }

  // ---- Agents and Activities ----

  @Get('agents')
  @VERSION
  @ApiOperation({ summary: 'The Person object of an agent: every identifier and name the LRS can tell of it' })
  @ApiOkResponse({ description: 'the Person object', schema: { type: 'object', required: ['objectType'], properties: { objectType: { type: 'string', enum: ['Person'] }, name: { type: 'array', items: { type: 'string' } }, mbox: { type: 'array', items: { type: 'string' } }, mbox_sha1sum: { type: 'array', items: { type: 'string' } }, openid: { type: 'array', items: { type: 'string' } }, account: { type: 'array', items: { type: 'object', properties: { homePage: { type: 'string' }, name: { type: 'string' } } } } } } })
  @ApiErrors({ 400: ['XAPI_INVALID_PARAMETER'], 401: ['UNAUTHENTICATED'] }, { signedIn: false })
  person(@Query() q: Params): JsonObject {
    const agent = parseAgent(text(q, 'agent', true)!);
    if (agent.objectType === 'Group') throw bad('agent must be an Agent, not a Group');
    const person: JsonObject = { objectType: 'Person' };
    for (const key of ['name', 'mbox', 'mbox_sha1sum', 'openid', 'account'] as const) if (agent[key] !== undefined) person[key] = [agent[key]];
    return person;
  }

  @Get('activities')
  @VERSION
  @ApiOperation({ summary: 'An activity with its definition as the school\'s statements gave it (merged)' })
  @ApiOkResponse({ description: 'the Activity object', schema: { type: 'object', required: ['objectType', 'id'], properties: { objectType: { type: 'string', enum: ['Activity'] }, id: { type: 'string' }, definition: { type: 'object', additionalProperties: true } } } })
  @ApiErrors({ 400: ['XAPI_INVALID_PARAMETER'], 401: ['UNAUTHENTICATED'] }, { signedIn: false })
  activity(@CurrentLrsClient() client: LrsClient, @Query() q: Params): Promise<JsonObject> {
    const activityId = text(q, 'activityId', true)!;
    if (!isIri(activityId)) throw bad('activityId must be an IRI');
    return this.activities.get(client.schoolId, activityId);
  }

  // ---- shared ----

  /** The scope of a request's documents; `write` gives a new agent an id (reads of an unknown agent find nothing). */
  private async scopeOf(resource: Resource, client: LrsClient, q: Params, write: boolean): Promise<DocumentScope> {
    const allowed = ['activityId', 'agent', 'registration', resource.idParam, 'since'].filter((k) => (k === 'activityId' ? resource.activity : k === 'agent' ? resource.agent : k === 'registration' ? resource.registration : true));
    const unknown = Object.keys(q).filter((k) => !allowed.includes(k));
    if (unknown.length) throw bad(`unknown parameter ${unknown[0]}`);
    let activityId = '';
    if (resource.activity) {
      activityId = text(q, 'activityId', true)!;
      if (!isIri(activityId)) throw bad('activityId must be an IRI');
    }
    let agentId: string | null = null;
    if (resource.agent) {
      const agent = parseAgent(text(q, 'agent', true)!);
      const hash = this.agents.hashOf(agent)!;
      if (write) {
        const learner = await this.targets.learner(client.schoolId, agent);
        if (learner && 'forbidden' in learner) throw new ForbiddenError(learner.forbidden);
        agentId = (await this.agents.ensure([{ hash, learnerId: learner?.found ?? null }])).get(hash) ?? null;
      } else agentId = (await this.agents.find([hash])).get(hash) ?? NO_AGENT;
    }
    let registration = '';
    if (resource.registration) {
      const r = text(q, 'registration', false);
      if (r !== undefined && !isUuid(r)) throw bad('registration must be a UUID');
      registration = r?.toLowerCase() ?? '';
    }
    return { schoolId: client.schoolId, kind: resource.kind, activityId, agentId, registration };
  }

  private async write(resource: Resource, client: LrsClient, q: Params, req: Request, mode: 'put' | 'post'): Promise<void> {
    const documentId = text(q, resource.idParam, true)!;
    if (q.since !== undefined) throw bad('since is only for GET');
    const scope = await this.scopeOf(resource, client, q, true);
    // 1.0.3 asks If-Match or If-None-Match on every PUT of a profile; 2.0.0 on a PUT that would overwrite any document.
    const rule: HeaderRule = versionOf(req) === '2.0.0' ? 'overwrite' : resource.kind === 'state' ? 'none' : 'always';
    await this.documents.write(scope, documentId, headerOf(req, 'content-type') ?? 'application/octet-stream', rawBodyOf(req) ?? Buffer.alloc(0), preconditionsOf(req), mode, rule);
  }

  private async read(resource: Resource, client: LrsClient, q: Params, res: Response): Promise<void> {
    const documentId = text(q, resource.idParam, false);
    const since = sinceOf(q);
    const scope = await this.scopeOf(resource, client, q, false);
    if (documentId === undefined) {
      const ids = await this.documents.ids(scope, since, resource.registration && q.registration === undefined);
      void res.code(200).type('application/json; charset=utf-8').send(JSON.stringify(ids));
      return;
    }
    if (since !== undefined) throw bad(`since cannot be used with ${resource.idParam}`);
    const doc = await this.documents.get(scope, documentId);
    if (!doc) throw new DomainError('not_found', 'XAPI_DOCUMENT_NOT_FOUND', `no document ${documentId}`);
    void res.code(200).header('Content-Type', doc.contentType).header('ETag', `"${doc.etag}"`).header('Last-Modified', doc.updated.toUTCString()).send(doc.content);
  }

  private async remove(resource: Resource, client: LrsClient, q: Params, req: Request): Promise<void> {
    const documentId = text(q, resource.idParam, resource.kind !== 'state');
    if (q.since !== undefined) throw bad('since is only for GET');
    const scope = await this.scopeOf(resource, client, q, false);
    if (scope.agentId === NO_AGENT) return;
    await this.documents.delete(scope, documentId ?? null, preconditionsOf(req), resource.registration && q.registration === undefined);
  }
}
