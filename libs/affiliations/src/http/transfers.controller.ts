import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiTags, ApiOperation } from '@nestjs/swagger';
import { CurrentActor, type Actor } from '@learnstream/access';
import { ApiErrors, UUID_PARAM } from '@learnstream/core';
import { CancelTransferCommand, DecideTransferCommand } from '../commands/transfer.commands';
import { ListMyTransfersQuery } from '../queries/list-transfers.query';
import { TransferListView, TransferView } from '../views';
import { TransferStatusDto } from './affiliations.dto';

const uuid = UUID_PARAM;

/** Transfers, from the side of the person asked (schools ask through POST /schools/{id}/transfers). */
@ApiTags('transfers')
@ApiBearerAuth()
@Controller('api/v1/transfers')
export class TransfersController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Transfers asking the caller or their children to join a school' })
  @ApiOkResponse({ description: 'the schools asking the caller, or their children, to join', type: TransferListView })
  @ApiErrors({ 400: ['VALIDATION_FAILED'] })
  mine(@CurrentActor() actor: Actor, @Query() query: TransferStatusDto): Promise<TransferListView> {
    return this.queries.execute(new ListMyTransfersQuery(actor, query.status ?? null));
  }

  @Post(':transferId/accept')
  @ApiOperation({ summary: 'Accept a transfer' })
  @HttpCode(200)
  @ApiOkResponse({ type: TransferView, description: 'the adult person, a confirmed parent of a minor, or the platform admin: the membership starts (a learner leaves their old school) in the same append' })
  @ApiErrors({ 400: ['VALIDATION_FAILED', 'UNKNOWN_CLASS'], 403: ['FORBIDDEN'], 404: ['TRANSFER_NOT_FOUND'], 409: ['TRANSFER_NOT_PENDING', 'ALREADY_MEMBER', 'CONCURRENCY_CONFLICT'], 422: ['SCHOOL_ARCHIVED'] })
  accept(@CurrentActor() actor: Actor, @Param('transferId', uuid) transferId: string) {
    return this.commands.execute(new DecideTransferCommand(actor, transferId, 'accept'));
  }

  @Post(':transferId/decline')
  @ApiOperation({ summary: 'Decline a transfer' })
  @HttpCode(200)
  @ApiOkResponse({ type: TransferView, description: 'the adult person, a confirmed parent of a minor, or the platform admin' })
  @ApiErrors({ 400: ['VALIDATION_FAILED'], 403: ['FORBIDDEN'], 404: ['TRANSFER_NOT_FOUND'], 409: ['TRANSFER_NOT_PENDING', 'CONCURRENCY_CONFLICT'] })
  decline(@CurrentActor() actor: Actor, @Param('transferId', uuid) transferId: string) {
    return this.commands.execute(new DecideTransferCommand(actor, transferId, 'decline'));
  }

  @Post(':transferId/cancel')
  @ApiOperation({ summary: 'Cancel a transfer the school asked for' })
  @HttpCode(200)
  @ApiOkResponse({ type: TransferView, description: 'the asking school (the staff member who asked, its school admins) or the platform admin, while it waits' })
  @ApiErrors({ 400: ['VALIDATION_FAILED'], 403: ['FORBIDDEN'], 404: ['TRANSFER_NOT_FOUND'], 409: ['TRANSFER_NOT_PENDING', 'CONCURRENCY_CONFLICT'] })
  cancel(@CurrentActor() actor: Actor, @Param('transferId', uuid) transferId: string) {
    return this.commands.execute(new CancelTransferCommand(actor, transferId));
  }
}
