import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AccessPolicy, type Actor } from '@learnstream/access';
import { Clock } from '@learnstream/domain';
import { AffiliationsRepository } from '../affiliations.repository';
import { decideSchool, evolveSchool } from '../school';
import { schoolStream } from '../streams';
import { classViewOf, type ClassView } from '../views';

export class ArchiveClassCommand extends Command<ClassView> {
  constructor(
    readonly actor: Actor,
    readonly schoolId: string,
    readonly classId: string,
  ) {
    super();
  }
}

/** The class takes no new members; members already in it keep it in their record until moved. */
@CommandHandler(ArchiveClassCommand)
export class ArchiveClassHandler implements ICommandHandler<ArchiveClassCommand> {
  constructor(
    private readonly clock: Clock,
    private readonly policy: AccessPolicy,
    private readonly repo: AffiliationsRepository,
  ) {}

  async execute({ actor, schoolId, classId }: ArchiveClassCommand): Promise<ClassView> {
    await this.policy.require(actor, { action: 'school.manage', schoolId });
    const at = this.clock.nowIso();
    const { state } = await this.repo.decideAndAppend({
      streamId: schoolStream(schoolId),
      initial: null,
      evolve: evolveSchool,
      actor,
      decide: (school) => decideSchool({ type: 'ArchiveClass', schoolId, classId, by: actor.userId, at }, school),
    });
    return classViewOf(schoolId, state!.classes[classId]);
  }
}
