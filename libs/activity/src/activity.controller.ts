/**
 * POST /api/v1/activity: client-side activity, one item or a batch. Thin: one
 * command; the only HTTP concern here is the answer to overload (429 with
 * Retry-After) and shutdown (503 with Retry-After).
 */
import { Body, Controller, Inject, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentActor, OCCURRED_AT_DOC, type Actor } from '@learnstream/access';
import { ApiError, ApiErrors } from '@learnstream/core';
import { OverloadedError, ShuttingDownError } from '@learnstream/event-store';
import type { FastifyReply } from 'fastify';
import { ACTIVITY_VOCABULARY, MAX_SECONDS } from './activity.events';
import { ACTIVITY_OPTIONS, type ActivityOptions } from './activity.options';
import { RecordActivityCommand, type RecordActivityResult } from './commands/record-activity.command';
import { RecordActivityResponse } from './responses';

const ITEM_SCHEMA = {
  type: 'object',
  required: ['id', 'type', 'courseId'],
  properties: {
    id: { type: 'string', format: 'uuid', description: 'chosen by the client and kept on a retry: the event is recorded once' },
    type: { type: 'string', enum: ACTIVITY_VOCABULARY.map((a) => a.type) },
    courseId: { type: 'string', format: 'uuid' },
    resourceId: { type: 'string', format: 'uuid' },
    positionSeconds: { type: 'number', minimum: 0, maximum: MAX_SECONDS },
    durationSeconds: { type: 'number', minimum: 0, exclusiveMinimum: true, maximum: MAX_SECONDS },
    seconds: { type: 'number', minimum: 0, exclusiveMinimum: true, maximum: MAX_SECONDS },
    occurredAt: { ...OCCURRED_AT_DOC, type: 'string' },
    learnerId: { type: 'string', format: 'uuid', description: 'an import records this learner\'s activity (the import permission): it is the learner\'s, marked as imported; they must have been enrolled at occurredAt' },
  },
};

const VOCABULARY = ACTIVITY_VOCABULARY.map((a) => `- \`${a.type}\` {${['courseId', ...Object.keys(a.fields)].join(', ')}}: ${a.summary}${a.kinds ? ` (a ${a.kinds.join('/')} resource)` : ''}`).join('\n');

@ApiTags('activity')
@ApiBearerAuth()
@Controller('api/v1/activity')
export class ActivityController {
  constructor(
    private readonly commands: CommandBus,
    @Inject(ACTIVITY_OPTIONS) private readonly options: ActivityOptions,
  ) {}

  @Post()
  @ApiOperation({
    summary: 'Record client-side activity: one event, or { events: [...] } (a batch is recorded whole or not at all)',
    description: `Events go to the caller's activity stream with the full envelope (course, school, verb, object, IP, user agent). The caller must be enrolled in the course or on its staff.\n\nVocabulary:\n${VOCABULARY}\n\nEach item's \`id\` is the event id: a retried request, or a batch overlapping an earlier one, records only what is new and counts the rest in \`duplicates\`. Under overload the answer is 429 with Retry-After: nothing of the request was recorded, send it again.`,
  })
  @ApiBody({ schema: { oneOf: [ITEM_SCHEMA, { type: 'object', required: ['events'], properties: { events: { type: 'array', minItems: 1, maxItems: 1000, items: ITEM_SCHEMA } } }] } })
  @ApiCreatedResponse({ type: RecordActivityResponse, description: 'committed (durable) when answered' })
  @ApiOkResponse({ type: RecordActivityResponse, description: 'the same, when every item was already recorded (a retry)' })
  @ApiErrors({ 400: ['VALIDATION_FAILED'], 403: ['FORBIDDEN', 'IMPORT_NOT_ALLOWED'], 409: ['DUPLICATE_EVENT_ID'], 413: ['PAYLOAD_TOO_LARGE'], 429: ['OVERLOADED'], 503: ['SHUTTING_DOWN'] })
  async record(@CurrentActor() actor: Actor, @Body() body: unknown, @Res({ passthrough: true }) res: FastifyReply): Promise<RecordActivityResponse> {
    try {
      const result: RecordActivityResult = await this.commands.execute(new RecordActivityCommand(actor, body, this.options));
      void res.code(result.recorded > 0 ? 201 : 200);
      return result;
    } catch (error) {
      if (error instanceof OverloadedError || error instanceof ShuttingDownError) {
        const seconds = error instanceof OverloadedError ? error.retryAfterSeconds : this.options.retryAfterSeconds;
        res.header('Retry-After', String(seconds));
        throw new ApiError(error instanceof OverloadedError ? 429 : 503, error.code, error.message);
      }
      throw error;
    }
  }
}
