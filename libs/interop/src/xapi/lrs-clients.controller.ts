/** LRS credentials of a school, for its admins (and platform admins): create (the secret is shown once), list, revoke. */
import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { LrsClientCreatedResponse, LrsClientResponse } from '../interop.responses';
import { IsString, Length } from 'class-validator';
import { CurrentActor, type Actor } from '@learnstream/access';
import { ApiErrors, UUID_PARAM } from '@learnstream/core';
import { LrsClients } from './lrs-clients';

export class CreateLrsClientDto {
  @ApiProperty({ example: 'H5P server' }) @IsString() @Length(1, 100) name!: string;
}

@ApiTags('xapi')
@ApiBearerAuth()
@Controller('api/v1/schools/:schoolId/xapi-clients')
export class LrsClientsController {
  constructor(private readonly clients: LrsClients) {}

  @Post()
  @ApiOperation({ summary: 'A new LRS client of the school (HTTP Basic on /xapi: clientId as user, secret as password); the secret is shown only now' })
  @ApiCreatedResponse({ type: LrsClientCreatedResponse })
  @ApiErrors({ 400: ['VALIDATION_FAILED'], 403: ['FORBIDDEN'] })
  create(@CurrentActor() actor: Actor, @Param('schoolId', UUID_PARAM) schoolId: string, @Body() body: CreateLrsClientDto) {
    return this.clients.create(actor, schoolId.toLowerCase(), body.name);
  }

  @Get()
  @ApiOperation({ summary: 'The school\'s LRS clients (never their secrets)' })
  @ApiOkResponse({ type: LrsClientResponse, isArray: true })
  @ApiErrors({ 403: ['FORBIDDEN'] })
  list(@CurrentActor() actor: Actor, @Param('schoolId', UUID_PARAM) schoolId: string) {
    return this.clients.list(actor, schoolId.toLowerCase());
  }

  @Delete(':clientId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revokes an LRS client: its credentials stop working at once' })
  @ApiNoContentResponse()
  @ApiErrors({ 403: ['FORBIDDEN'], 404: ['XAPI_CLIENT_NOT_FOUND'] })
  async revoke(@CurrentActor() actor: Actor, @Param('schoolId', UUID_PARAM) schoolId: string, @Param('clientId', UUID_PARAM) clientId: string): Promise<void> {
    await this.clients.revoke(actor, schoolId.toLowerCase(), clientId.toLowerCase());
  }
}
