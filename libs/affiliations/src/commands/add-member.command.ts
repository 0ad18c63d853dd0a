import { randomUUID } from 'node:crypto';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AccessPolicy, ForbiddenError, rankOf, type Actor, type SchoolRole } from '@learnstream/access';
import { DomainError, Clock } from '@learnstream/domain';
import { AffiliationsRepository } from '../affiliations.repository';
import { decideAddMember, evolveMembership, initialMembershipState } from '../membership';
import { userStream } from '../streams';
import { membershipViewOf, type MembershipView } from '../views';

export class AddMemberCommand extends Command<MembershipView> {
  constructor(
    readonly actor: Actor,
    readonly schoolId: string,
    readonly input: { userId: string; role: SchoolRole; classId: string | null; gradeLevel: string | null },
  ) {
    super();
  }
}

/**
 * Affiliates an existing account with a school directly: whoever may open an
 * account with that role in the school, and only for an account already the
 * school's (another role) or, for a platform admin, of no school. A learner
 * of another school, or anyone else, is asked through a transfer
 * (TRANSFER_REQUIRED); a platform account is never added by a school's staff.
 * A teacher, who may open learner accounts, gives no existing account a role.
 * The events go to the member's own stream, at its current revision.
 */
@CommandHandler(AddMemberCommand)
export class AddMemberHandler implements ICommandHandler<AddMemberCommand> {
  constructor(
    private readonly clock: Clock,
    private readonly policy: AccessPolicy,
    private readonly repo: AffiliationsRepository,
  ) {}

  async execute({ actor, schoolId, input }: AddMemberCommand): Promise<MembershipView> {
    await this.policy.require(actor, { action: 'account.open', schoolId, role: input.role });
    // Another role on an existing account is acting on it: the school's admins (a teacher acts on nobody's account; they open new learners).
    if (!(await this.policy.can(actor, { action: 'school.manage', schoolId }))) throw new ForbiddenError('only the school’s admins may give an account another role in the school');
    const target = await this.policy.person(input.userId);
    if (!target.exists) throw new DomainError('invalid', 'UNKNOWN_USER', 'no such user');
    const addedBy = (await this.policy.factsOf(actor)).platformRoles.includes('platform_admin') && !actor.realActorId ? 'platform_admin' : 'school_staff';
    if (addedBy === 'school_staff' && rankOf(target) > 1) throw new ForbiddenError('a platform account cannot be added to a school by its staff');
    const school = await this.repo.loadSchool(schoolId);
    const membershipId = randomUUID();
    const at = this.clock.nowIso();
    const { state } = await this.repo.decideAndAppend({
      streamId: userStream(input.userId),
      initial: initialMembershipState(),
      evolve: evolveMembership,
      actor,
      decide: (memberships) =>
        decideAddMember({ type: 'AddMember', addedBy, membershipId, userId: input.userId, schoolId, role: input.role, classId: input.classId, gradeLevel: input.gradeLevel, by: actor.userId, at }, memberships, school),
    });
    return membershipViewOf(input.userId, state.memberships.find((m) => m.membershipId === membershipId)!);
  }
}
