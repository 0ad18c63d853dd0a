import { Body, Controller, Delete, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiAcceptedResponse, ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags, ApiOperation } from '@nestjs/swagger';
import { CurrentActor, type Actor } from '@learnstream/access';
import { ApiErrors, UUID_PARAM } from '@learnstream/core';
import { DecideParentLinkCommand } from '../commands/decide-parent-link.command';
import { GiveParentalConsentCommand } from '../commands/give-parental-consent.command';
import { RequestParentLinkCommand } from '../commands/request-parent-link.command';
import { RevokeParentLinkCommand } from '../commands/revoke-parent-link.command';
import { WithdrawParentalConsentCommand } from '../commands/withdraw-parental-consent.command';
import { GetAffiliationsQuery } from '../queries/get-affiliations.query';
import { ListUserParentLinksQuery } from '../queries/list-parent-links.query';
import { AffiliationListView, ParentalConsentView, ParentLinkListView, ParentLinkView } from '../views';
import { ParentalConsentDto, RequestParentLinkDto } from './affiliations.dto';

const uuid = UUID_PARAM;

/** Parent links: asked for by a parent, decided by a school admin or the adult child. */
@ApiTags('parent links')
@ApiBearerAuth()
@Controller('api/v1/parent-links')
export class ParentLinksController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @ApiOperation({ summary: 'Ask to be linked as a child\'s parent' })
  @ApiCreatedResponse({ type: ParentLinkView, description: 'by childId: requested; or confirmed at once when a school admin of the child’s school links a parent ({ parentId, childId })' })
  @ApiAcceptedResponse({
    type: ParentLinkView,
    description: 'by childUsername: the same answer whether or not the user exists (no linkId, no childId); the child’s side decides, and the parent sees the link once it is confirmed',
  })
  @ApiErrors({ 400: ['VALIDATION_FAILED', 'UNKNOWN_USER', 'OWN_PARENT'], 403: ['FORBIDDEN', 'PARENT_CANNOT_DECIDE'], 409: ['PARENT_LINK_EXISTS', 'CONCURRENCY_CONFLICT'] })
  async request(@CurrentActor() actor: Actor, @Body() body: RequestParentLinkDto, @Res({ passthrough: true }) res: { code(code: number): unknown }) {
    const view = await this.commands.execute(new RequestParentLinkCommand(actor, body));
    if (body.childUsername !== undefined) res.code(202);
    return view;
  }

  @Post(':linkId/confirm')
  @ApiOperation({ summary: 'Confirm a parent link' })
  @HttpCode(200)
  @ApiOkResponse({ type: ParentLinkView, description: 'a school admin of the child’s school, or the adult child' })
  @ApiErrors({ 400: ['VALIDATION_FAILED'], 403: ['FORBIDDEN', 'PARENT_CANNOT_DECIDE'], 404: ['PARENT_LINK_NOT_FOUND'], 409: ['PARENT_LINK_NOT_PENDING'] })
  confirm(@CurrentActor() actor: Actor, @Param('linkId', uuid) linkId: string) {
    return this.commands.execute(new DecideParentLinkCommand(actor, linkId, 'confirm'));
  }

  @Post(':linkId/reject')
  @ApiOperation({ summary: 'Reject a parent link' })
  @HttpCode(200)
  @ApiOkResponse({ type: ParentLinkView, description: 'a school admin of the child’s school, or the adult child' })
  @ApiErrors({ 400: ['VALIDATION_FAILED'], 403: ['FORBIDDEN', 'PARENT_CANNOT_DECIDE'], 404: ['PARENT_LINK_NOT_FOUND'], 409: ['PARENT_LINK_NOT_PENDING'] })
  reject(@CurrentActor() actor: Actor, @Param('linkId', uuid) linkId: string) {
    return this.commands.execute(new DecideParentLinkCommand(actor, linkId, 'reject'));
  }

  @Post(':linkId/revoke')
  @ApiOperation({ summary: 'Revoke a parent link' })
  @HttpCode(200)
  @ApiOkResponse({ type: ParentLinkView, description: 'the parent, the adult child or a school admin of the child’s school; the parent’s consent for the child ends with it' })
  @ApiErrors({ 400: ['VALIDATION_FAILED'], 403: ['FORBIDDEN'], 404: ['PARENT_LINK_NOT_FOUND'], 409: ['PARENT_LINK_NOT_ACTIVE', 'CONCURRENCY_CONFLICT'] })
  revoke(@CurrentActor() actor: Actor, @Param('linkId', uuid) linkId: string) {
    return this.commands.execute(new RevokeParentLinkCommand(actor, linkId));
  }
}

/** A person's affiliations, parent links and parental consent. */
@ApiTags('users')
@ApiBearerAuth()
@Controller('api/v1/users')
export class UserAffiliationsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Get(':id/affiliations')
  @ApiOperation({ summary: 'An account\'s memberships, current and past' })
  @ApiOkResponse({ description: 'memberships, current and past, oldest first', type: AffiliationListView })
  @ApiErrors({ 400: ['VALIDATION_FAILED'], 403: ['FORBIDDEN'] })
  affiliations(@CurrentActor() actor: Actor, @Param('id', uuid) id: string): Promise<AffiliationListView> {
    return this.queries.execute(new GetAffiliationsQuery(actor, id));
  }

  @Get(':id/parent-links')
  @ApiOperation({ summary: 'An account\'s parent links, as parent and as child' })
  @ApiOkResponse({ description: 'as parent and as child, any status', type: ParentLinkListView })
  @ApiErrors({ 400: ['VALIDATION_FAILED'], 403: ['FORBIDDEN'] })
  parentLinks(@CurrentActor() actor: Actor, @Param('id', uuid) id: string): Promise<ParentLinkListView> {
    return this.queries.execute(new ListUserParentLinksQuery(actor, id));
  }

  @Post(':childId/parental-consent')
  @ApiOperation({ summary: 'Give parental consent for a child' })
  @ApiCreatedResponse({ type: ParentalConsentView, description: 'a confirmed parent consents for their child; giving again replaces the purposes' })
  @ApiErrors({ 400: ['VALIDATION_FAILED', 'INVALID_PURPOSES'], 403: ['FORBIDDEN'] })
  giveConsent(@CurrentActor() actor: Actor, @Param('childId', uuid) childId: string, @Body() body: ParentalConsentDto) {
    return this.commands.execute(new GiveParentalConsentCommand(actor, childId, body.purposes));
  }

  @Delete(':childId/parental-consent')
  @ApiOperation({ summary: 'Withdraw parental consent for a child' })
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'the parent’s consent for the child is withdrawn' })
  @ApiErrors({ 400: ['VALIDATION_FAILED'], 403: ['FORBIDDEN'], 404: ['NO_PARENTAL_CONSENT'] })
  async withdrawConsent(@CurrentActor() actor: Actor, @Param('childId', uuid) childId: string) {
    await this.commands.execute(new WithdrawParentalConsentCommand(actor, childId));
  }
}
