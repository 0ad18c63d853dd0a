import { Module } from '@nestjs/common';
import { DeferredWork } from '@learnstream/core';
import { AffiliationsRepository } from './affiliations.repository';
import { AddMemberHandler } from './commands/add-member.command';
import { ArchiveClassHandler } from './commands/archive-class.command';
import { ArchiveSchoolHandler } from './commands/archive-school.command';
import { ChangeMemberClassHandler } from './commands/change-member-class.command';
import { CreateClassHandler } from './commands/create-class.command';
import { CreateSchoolHandler } from './commands/create-school.command';
import { DecideParentLinkHandler } from './commands/decide-parent-link.command';
import { EndMembershipHandler } from './commands/end-membership.command';
import { GiveParentalConsentHandler } from './commands/give-parental-consent.command';
import { RequestParentLinkHandler } from './commands/request-parent-link.command';
import { RevokeParentLinkHandler } from './commands/revoke-parent-link.command';
import { UpdateClassHandler } from './commands/update-class.command';
import { UpdateSchoolHandler } from './commands/update-school.command';
import { WithdrawParentalConsentHandler } from './commands/withdraw-parental-consent.command';
import { ParentLinksController, UserAffiliationsController } from './http/parent-links.controller';
import { SchoolsController } from './http/schools.controller';
import { TransfersController } from './http/transfers.controller';
import { CancelTransferHandler, DecideTransferHandler, RequestTransferHandler } from './commands/transfer.commands';
import { ListMyTransfersHandler, ListSchoolTransfersHandler } from './queries/list-transfers.query';
import { GetAffiliationsHandler } from './queries/get-affiliations.query';
import { GetSchoolHandler } from './queries/get-school.query';
import { ListClassesHandler } from './queries/list-classes.query';
import { ListMembersHandler } from './queries/list-members.query';
import { ListSchoolParentLinksHandler, ListUserParentLinksHandler } from './queries/list-parent-links.query';
import { ListSchoolsHandler } from './queries/list-schools.query';

/** Schools, classes, memberships, parent links and parental consent over REST. */
@Module({
  controllers: [SchoolsController, ParentLinksController, UserAffiliationsController, TransfersController],
  providers: [
    AffiliationsRepository,
    DeferredWork,
    CreateSchoolHandler,
    UpdateSchoolHandler,
    ArchiveSchoolHandler,
    CreateClassHandler,
    UpdateClassHandler,
    ArchiveClassHandler,
    AddMemberHandler,
    ChangeMemberClassHandler,
    EndMembershipHandler,
    RequestParentLinkHandler,
    DecideParentLinkHandler,
    RevokeParentLinkHandler,
    GiveParentalConsentHandler,
    WithdrawParentalConsentHandler,
    ListSchoolsHandler,
    GetSchoolHandler,
    ListClassesHandler,
    ListMembersHandler,
    GetAffiliationsHandler,
    ListUserParentLinksHandler,
    ListSchoolParentLinksHandler,
    RequestTransferHandler,
    DecideTransferHandler,
    CancelTransferHandler,
    ListSchoolTransfersHandler,
    ListMyTransfersHandler,
  ],
})
export class AffiliationsModule {}
