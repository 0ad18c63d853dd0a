import { Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags, ApiUnauthorizedResponse, ApiNotFoundResponse, ApiAcceptedResponse } from '@nestjs/swagger';
import { Public } from '@learnstream/access';
import { OpsTokenGuard } from '@learnstream/core';
import { ProjectionRunner } from './projection-runner';

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
  @ApiOkResponse({ description: '{ projections: ProjectionStatus[] }' })
  async status() {
    return { projections: await this.runner.status() };
  }

  @Get('dead-letters')
  @ApiOperation({ summary: 'Events a projection could not handle, parked with their error' })
  @ApiNotFoundResponse({ description: 'UNKNOWN_PROJECTION' })
  async deadLetters(@Query('projection') projection?: string) {
    return { deadLetters: await this.runner.deadLetters(projection || undefined) };
  }

  @Post(':name/rebuild')
  @HttpCode(202)
  @ApiOperation({ summary: 'Rebuild a projection from zero: empties its read model and replays the whole log' })
  @ApiAcceptedResponse({ description: 'rebuild started; follow it in the status' })
  @ApiNotFoundResponse({ description: 'UNKNOWN_PROJECTION' })
  async rebuild(@Param('name') name: string) {
    await this.runner.rebuild(name);
    return { rebuilding: name };
  }
}
