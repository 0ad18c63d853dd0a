import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AccessPolicy, type Actor } from '@learnstream/access';
import { Clock } from '@learnstream/domain';
import { AffiliationsRepository } from '../affiliations.repository';
import { decideSchool, evolveSchool } from '../school';
import { schoolStream } from '../streams';
import { schoolViewOf, type SchoolView } from '../views';

export class ArchiveSchoolCommand extends Command<SchoolView> {
  constructor(
    readonly actor: Actor,
    readonly schoolId: string,
  ) {
    super();
  }
}

/**
 * A platform admin archives a school (a tenant's lifecycle is theirs, like its
 * creation): it takes no new members or classes; its history stays readable.
 */
@CommandHandler(ArchiveSchoolCommand)
export class ArchiveSchoolHandler implements ICommandHandler<ArchiveSchoolCommand> {
  constructor(
    private readonly clock: Clock,
    private readonly policy: AccessPolicy,
    private readonly repo: AffiliationsRepository,
  ) {}

  async execute({ actor, schoolId }: ArchiveSchoolCommand): Promise<SchoolView> {
    await this.policy.require(actor, { action: 'school.create' });
    const at = this.clock.nowIso();
    const { state } = await this.repo.decideAndAppend({
      streamId: schoolStream(schoolId),
      initial: null,
      evolve: evolveSchool,
      actor,
      decide: (school) => decideSchool({ type: 'ArchiveSchool', schoolId, by: actor.userId, at }, school),
    });
    return schoolViewOf(state!);
  }
}
