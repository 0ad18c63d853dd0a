import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AccessPolicy, type Actor, type SchoolRole } from '@learnstream/access';
import { Clock } from '@learnstream/domain';
import { AffiliationsRepository } from '../affiliations.repository';
import { activeMemberships, decideChangeClass, evolveMembership, initialMembershipState } from '../membership';
import { userStream } from '../streams';
import { membershipViewOf, type MembershipView } from '../views';

export class ChangeMemberClassCommand extends Command<MembershipView> {
  constructor(
    readonly actor: Actor,
    readonly schoolId: string,
    readonly userId: string,
    /** `undefined` keeps the current value; null clears it. */
    readonly input: { classId?: string | null; gradeLevel?: string | null; role: SchoolRole | null },
  ) {
    super();
  }
}

@CommandHandler(ChangeMemberClassCommand)
export class ChangeMemberClassHandler implements ICommandHandler<ChangeMemberClassCommand> {
  constructor(
    private readonly clock: Clock,
    private readonly policy: AccessPolicy,
    private readonly repo: AffiliationsRepository,
  ) {}

  async execute({ actor, schoolId, userId, input }: ChangeMemberClassCommand): Promise<MembershipView> {
    await this.policy.require(actor, { action: 'school.manage', schoolId });
    const school = await this.repo.loadSchool(schoolId);
    const at = this.clock.nowIso();
    const { state } = await this.repo.decideAndAppend({
      streamId: userStream(userId),
      initial: initialMembershipState(),
      evolve: evolveMembership,
      actor,
      decide: (memberships) => decideChangeClass({ type: 'ChangeClass', userId, schoolId, role: input.role, classId: input.classId, gradeLevel: input.gradeLevel, by: actor.userId, at }, memberships, school),
    });
    const membership = activeMemberships(state).find((m) => m.schoolId === schoolId && (input.role === null || m.role === input.role))!;
    return membershipViewOf(userId, membership);
  }
}
