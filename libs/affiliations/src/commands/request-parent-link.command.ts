import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AccessPolicy, ForbiddenError, rankOf, type Actor } from '@learnstream/access';
import { DeferredWork } from '@learnstream/core';
import { DomainError, Clock } from '@learnstream/domain';
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
 * (of every school the child belongs to) links a parent and child directly,
 * confirmed at once. A link never shows its asker an id they did not have:
 *
 * - by id: bad input (unknown user, oneself as parent) is refused before the
 *   permission is asked; the caller gave the ids the answer repeats;
 * - by username: the answer is the same whether or not the user exists, is a
 *   platform account, is already asked for, or is the caller (202, no link id,
 *   no child id), and so is the work done before it: none. The username is
 *   looked up, and the request recorded, after the answer (DeferredWork), so
 *   neither the answer nor its time tells whether the username exists. The
 *   request, when there is one, waits for the child's side (the child's
 *   school, or the adult child); the parent sees the link, and the child's id,
 *   once it is confirmed.
 */
@CommandHandler(RequestParentLinkCommand)
export class RequestParentLinkHandler implements ICommandHandler<RequestParentLinkCommand> {
  constructor(
    private readonly clock: Clock,
    private readonly policy: AccessPolicy,
    private readonly repo: AffiliationsRepository,
    private readonly deferred: DeferredWork,
  ) {}

  async execute({ actor, input }: RequestParentLinkCommand): Promise<ParentLinkView> {
    if ((input.childId === undefined) === (input.childUsername === undefined)) {
      throw new DomainError('invalid', 'VALIDATION_FAILED', 'give the child as childId or as childUsername (one of them)');
    }
    if (input.childUsername !== undefined) return this.byUsername(actor, input.childUsername, input.parentId);
    const childId = input.childId!;
    if (!(await this.repo.accountExists(childId))) throw new DomainError('invalid', 'UNKNOWN_USER', 'no such child account');
    const parentId = input.parentId ?? actor.userId;
    if (parentId === childId) throw new DomainError('invalid', 'OWN_PARENT', 'a user cannot be their own parent');
    if (parentId !== actor.userId && !(await this.repo.accountExists(parentId))) throw new DomainError('invalid', 'UNKNOWN_USER', 'no such parent account');
    await this.policy.require(actor, { action: 'parentLink.request', parentId, childId });
    // A platform account is nobody's child.
    if (rankOf(await this.policy.person(childId)) > 1) throw new ForbiddenError('a platform account cannot be linked as a child');
    return this.append(actor, parentId, childId);
  }

  /** The same answer whatever the username names (see above). */
  private async byUsername(actor: Actor, username: string, parentId: string | undefined): Promise<ParentLinkView> {
    if (parentId !== undefined) throw new DomainError('invalid', 'VALIDATION_FAILED', 'a school admin links a parent by the child’s id (childId), not by username');
    const at = this.clock.nowIso();
    this.deferred.run('a parent link asked by username', actor, async (later) => {
      const childId = await this.repo.userIdByUsername(username);
      if (!childId || childId === later.userId || later.realActorId || rankOf(await this.policy.person(childId)) !== 1) return;
      try {
        await this.append(later, later.userId, childId);
      } catch (error) {
        // Already asked for, or confirmed: nobody is told (the caller had their answer already).
        if (!(error instanceof DomainError) || error.kind !== 'conflict') throw error;
      }
    });
    return { linkId: null, parentId: actor.userId, childId: null, status: 'requested', requestedBy: actor.userId, requestedAt: at, decidedBy: null, decidedAt: null };
  }

  private async append(actor: Actor, parentId: string, childId: string): Promise<ParentLinkView> {
    const linkId = parentLinkId(parentId, childId);
    const at = this.clock.nowIso();
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
