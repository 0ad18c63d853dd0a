import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AccessPolicy, type Actor } from '@learnstream/access';
import { DomainError } from '@learnstream/domain';
import { AffiliationsRepository } from '../affiliations.repository';
import { decideParentLink, evolveParentLink } from '../parent-link';
import { parentLinkId, parentLinkStream } from '../streams';
import type { ParentLinkView } from '../views';

export interface RequestParentLinkInput {
  /** The child, by id or by username (one of them). */
  childId?: string;
  childUsername?: string;
  /** The parent: the caller when absent; another person only for a school admin of the child's school. */
  parentId?: string;
}

export class RequestParentLinkCommand extends Command<ParentLinkView> {
  constructor(
    readonly actor: Actor,
    readonly input: RequestParentLinkInput,
  ) {
    super();
  }
}

/**
 * A parent asks to be linked to a child; a school admin of the child's school
 * links a parent and child directly (confirmed at once). Bad input (unknown
 * user, oneself as parent) is refused before the permission is asked.
 */
@CommandHandler(RequestParentLinkCommand)
export class RequestParentLinkHandler implements ICommandHandler<RequestParentLinkCommand> {
  constructor(
    private readonly policy: AccessPolicy,
    private readonly repo: AffiliationsRepository,
  ) {}

  async execute({ actor, input }: RequestParentLinkCommand): Promise<ParentLinkView> {
    if ((input.childId === undefined) === (input.childUsername === undefined)) {
      throw new DomainError('invalid', 'VALIDATION_FAILED', 'give the child as childId or as childUsername (one of them)');
    }
    const childId = input.childId ?? (await this.repo.userIdByUsername(input.childUsername!));
    if (!childId || !(await this.repo.accountExists(childId))) throw new DomainError('invalid', 'UNKNOWN_USER', 'no such child account');
    const parentId = input.parentId ?? actor.userId;
    if (parentId === childId) throw new DomainError('invalid', 'OWN_PARENT', 'a user cannot be their own parent');
    if (parentId !== actor.userId && !(await this.repo.accountExists(parentId))) throw new DomainError('invalid', 'UNKNOWN_USER', 'no such parent account');
    await this.policy.require(actor, { action: 'parentLink.request', parentId, childId });

    const linkId = parentLinkId(parentId, childId);
    const at = new Date().toISOString();
    const { state, events } = await this.repo.decideAndAppend({
      streamId: parentLinkStream(linkId),
      initial: null,
      evolve: evolveParentLink,
      actor,
      childSchoolId: await this.repo.schoolOf(childId),
      // Someone other than the parent got past the policy: a school admin of the child's school.
      decide: (link) => decideParentLink({ type: 'RequestParentLink', linkId, parentId, childId, requestedBy: actor.userId, confirmed: parentId !== actor.userId, at }, link),
    });
    const decided = events.find((e) => e.type === 'ParentLinkConfirmed');
    return { linkId, parentId, childId, status: state!.status, requestedBy: actor.userId, requestedAt: at, decidedBy: decided ? actor.userId : null, decidedAt: decided ? at : null };
  }
}
