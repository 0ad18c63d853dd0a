import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AccessPolicy, type Actor } from '@learnstream/access';
import { DomainError, Clock } from '@learnstream/domain';
import { AffiliationsRepository } from '../affiliations.repository';
import { decideParentLink, evolveParentLink } from '../parent-link';
import { parentLinkStream } from '../streams';
import type { ParentLinkView } from '../views';

export class DecideParentLinkCommand extends Command<ParentLinkView> {
  constructor(
    readonly actor: Actor,
    readonly linkId: string,
    readonly decision: 'confirm' | 'reject',
  ) {
    super();
  }
}

/** A school admin of the child's school, or the child themself when adult, confirms or rejects a requested link. */
@CommandHandler(DecideParentLinkCommand)
export class DecideParentLinkHandler implements ICommandHandler<DecideParentLinkCommand> {
  constructor(
    private readonly clock: Clock,
    private readonly policy: AccessPolicy,
    private readonly repo: AffiliationsRepository,
  ) {}

  async execute({ actor, linkId, decision }: DecideParentLinkCommand): Promise<ParentLinkView> {
    const link = await this.repo.loadParentLink(linkId);
    if (!link) throw new DomainError('not_found', 'PARENT_LINK_NOT_FOUND', 'no such parent link');
    await this.policy.require(actor, { action: 'parentLink.decide', childId: link.childId });
    const at = this.clock.nowIso();
    const { state } = await this.repo.decideAndAppend({
      streamId: parentLinkStream(linkId),
      initial: null,
      evolve: evolveParentLink,
      actor,
      childSchoolId: await this.repo.schoolOf(link.childId),
      decide: (current) =>
        decideParentLink(decision === 'confirm' ? { type: 'ConfirmParentLink', linkId, decidedBy: actor.userId, at } : { type: 'RejectParentLink', linkId, decidedBy: actor.userId, at }, current),
    });
    return { linkId, parentId: state!.parentId, childId: state!.childId, status: state!.status, decidedBy: actor.userId, decidedAt: at };
  }
}
