import { randomUUID } from 'node:crypto';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AccessPolicy, type Actor, type SchoolRole } from '@learnstream/access';
import { DomainError } from '@learnstream/domain';
import { AffiliationsRepository } from '../affiliations.repository';
import { decideJoinSchool, evolveMembership, initialMembershipState } from '../membership';
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
 * Affiliates an existing account with a school (a learner moving in, a teacher
 * assigned): whoever may open an account with that role in the school may.
 * The events go to the member's own stream, at its current revision.
 */
@CommandHandler(AddMemberCommand)
export class AddMemberHandler implements ICommandHandler<AddMemberCommand> {
  constructor(
    private readonly policy: AccessPolicy,
    private readonly repo: AffiliationsRepository,
  ) {}

  async execute({ actor, schoolId, input }: AddMemberCommand): Promise<MembershipView> {
    await this.policy.require(actor, { action: 'account.open', schoolId, role: input.role });
    if (!(await this.repo.accountExists(input.userId))) throw new DomainError('invalid', 'UNKNOWN_USER', 'no such user');
    const school = await this.repo.loadSchool(schoolId);
    const membershipId = randomUUID();
    const at = new Date().toISOString();
    const { state } = await this.repo.decideAndAppend({
      streamId: userStream(input.userId),
      initial: initialMembershipState(),
      evolve: evolveMembership,
      actor,
      decide: (memberships) =>
        decideJoinSchool({ type: 'JoinSchool', membershipId, userId: input.userId, schoolId, role: input.role, classId: input.classId, gradeLevel: input.gradeLevel, by: actor.userId, at }, memberships, school),
    });
    return membershipViewOf(input.userId, state.memberships.find((m) => m.membershipId === membershipId)!);
  }
}
