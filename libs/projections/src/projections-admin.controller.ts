import { Controller, Get, HttpCode, Param, ParseIntPipe, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags, ApiUnauthorizedResponse, ApiNotFoundResponse, ApiAcceptedResponse } from '@nestjs/swagger';
import { Public } from '@learnstream/access';
import { ApiError, OpsTokenGuard } from '@learnstream/core';
import { ProjectionRunner } from './projection-runner';
import { DeadLettersResponse, ProjectionsStatusResponse, RebuildStartedResponse, RetryResultResponse } from './projections.responses';

@ApiTags('operations')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'UNAUTHENTICATED: no or wrong operations token' })
@Public()
@UseGuards(OpsTokenGuard)
@Controller('api/v1/admin/projections')
export class ProjectionsAdminController {
  constructor(private readonly runner: ProjectionRunner) {}

  @Get()
  @ApiOperation({ summary: 'Status of every projection: checkpoint, lag (events behind the log), dead letters' })
  @ApiOkResponse({ type: ProjectionsStatusResponse })
  async status(): Promise<ProjectionsStatusResponse> {
    return { projections: await this.runner.status() };
  }

  @Get('dead-letters')
  @ApiOperation({ summary: 'Events a projection could not handle, parked with their error' })
  @ApiOkResponse({ type: DeadLettersResponse })
  @ApiNotFoundResponse({ description: 'UNKNOWN_PROJECTION' })
  async deadLetters(@Query('projection') projection?: string): Promise<DeadLettersResponse> {
    return { deadLetters: await this.runner.deadLetters(projection || undefined) };
  }

  @Post('dead-letters/:id/retry')
  @HttpCode(200)
  @ApiOperation({ summary: 'Apply a parked event again; removed from the dead letters when it succeeds' })
  @ApiOkResponse({ type: RetryResultResponse })
  @ApiNotFoundResponse({ description: 'DEAD_LETTER_NOT_FOUND' })
  retry(@Param('id', new ParseIntPipe({ exceptionFactory: () => new ApiError(400, 'VALIDATION_FAILED', 'the dead letter id must be a whole number') })) id: number): Promise<RetryResultResponse> {
    return this.runner.retryDeadLetter(id);
  }

  @Post(':name/rebuild')
  @HttpCode(202)
  @ApiOperation({ summary: 'Rebuild a projection from zero: empties its read model and replays the whole log' })
  @ApiAcceptedResponse({ type: RebuildStartedResponse, description: 'rebuild started; follow it in the status' })
  @ApiNotFoundResponse({ description: 'UNKNOWN_PROJECTION' })
  async rebuild(@Param('name') name: string): Promise<RebuildStartedResponse> {
    await this.runner.rebuild(name);
    return { rebuilding: name };
  }
}
