import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AccessPolicy, ForbiddenError, type Actor } from '@learnstream/access';
import { retryOnConflict } from '@learnstream/core';
import { DomainError, Clock } from '@learnstream/domain';
import { AffiliationsRepository } from '../affiliations.repository';
import { decideParentLink, evolveParentLink } from '../parent-link';
import { decideParentalConsent, evolveParentalConsent, initialParentalConsentState } from '../parental-consent';
import { parentLinkStream, userStream } from '../streams';
import type { ParentLinkView } from '../views';

export class RevokeParentLinkCommand extends Command<ParentLinkView> {
  constructor(
    readonly actor: Actor,
    readonly linkId: string,
  ) {
    super();
  }
}

/**
 * The parent, the adult child or a school admin of the child's school ends a
 * link (or withdraws a pending request). A parental consent the parent gave
 * for the child ends with it, in the same append: a parent who is no longer
 * linked could not withdraw it any more.
 */
@CommandHandler(RevokeParentLinkCommand)
export class RevokeParentLinkHandler implements ICommandHandler<RevokeParentLinkCommand> {
  constructor(
    private readonly clock: Clock,
    private readonly policy: AccessPolicy,
    private readonly repo: AffiliationsRepository,
  ) {}

  async execute({ actor, linkId }: RevokeParentLinkCommand): Promise<ParentLinkView> {
    const known = await this.repo.loadParentLink(linkId);
    if (!known) throw new DomainError('not_found', 'PARENT_LINK_NOT_FOUND', 'no such parent link');
    // The policy has no revoke permission of its own: whoever may decide the link may end it, and so may the parent.
    if (actor.userId !== known.parentId && !(await this.policy.can(actor, { action: 'parentLink.decide', childId: known.childId }))) {
      throw new ForbiddenError('you may not revoke this parent link');
    }
    const { parentId, childId } = known;
    const at = this.clock.nowIso();
    const childSchoolId = await this.repo.schoolOf(childId);
    await retryOnConflict(async () => {
      const link = await this.repo.log.aggregate(parentLinkStream(linkId), null, evolveParentLink);
      const consent = await this.repo.log.aggregate(userStream(childId), initialParentalConsentState(), evolveParentalConsent);
      const revoked = decideParentLink({ type: 'RevokeParentLink', linkId, revokedBy: actor.userId, at }, link.state);
      const withdrawn = consent.state.byParent[parentId] ? decideParentalConsent({ type: 'WithdrawParentalConsent', childId, parentId, at }, consent.state) : [];
      await this.repo.appendBatch(actor, childSchoolId, [
        { streamId: parentLinkStream(linkId), events: revoked, expectedRevision: link.revision ?? 'no_stream' },
        { streamId: userStream(childId), events: withdrawn, expectedRevision: consent.revision ?? 'no_stream' },
      ]);
    });
    return { linkId, parentId, childId, status: 'revoked', decidedBy: actor.userId, decidedAt: at };
  }
}
