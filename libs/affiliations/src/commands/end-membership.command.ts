import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AccessPolicy, type Actor, type SchoolRole } from '@learnstream/access';
import { Clock } from '@learnstream/domain';
import { AffiliationsRepository } from '../affiliations.repository';
import { decideLeaveSchool, evolveMembership, initialMembershipState } from '../membership';
import { userStream } from '../streams';
import { membershipViewOf, type MembershipView } from '../views';

export class EndMembershipCommand extends Command<MembershipView> {
  constructor(
    readonly actor: Actor,
    readonly schoolId: string,
    readonly userId: string,
    readonly input: { role: SchoolRole | null; reason: string | null },
  ) {
    super();
  }
}

/** A school admin ends a membership (the person left, graduated, moved away); the history keeps it. */
@CommandHandler(EndMembershipCommand)
export class EndMembershipHandler implements ICommandHandler<EndMembershipCommand> {
  constructor(
    private readonly clock: Clock,
    private readonly policy: AccessPolicy,
    private readonly repo: AffiliationsRepository,
  ) {}

  async execute({ actor, schoolId, userId, input }: EndMembershipCommand): Promise<MembershipView> {
    await this.policy.require(actor, { action: 'school.manage', schoolId });
    const at = this.clock.nowIso();
    const { state, events } = await this.repo.decideAndAppend({
      streamId: userStream(userId),
      initial: initialMembershipState(),
      evolve: evolveMembership,
      actor,
      decide: (memberships) => decideLeaveSchool({ type: 'LeaveSchool', userId, schoolId, role: input.role, reason: input.reason, by: actor.userId, at }, memberships),
    });
    const ended = events[0].data.membershipId;
    return membershipViewOf(userId, state.memberships.find((m) => m.membershipId === ended)!);
  }
}
