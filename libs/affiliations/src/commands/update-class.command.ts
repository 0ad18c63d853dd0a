import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AccessPolicy, type Actor } from '@learnstream/access';
import { Clock } from '@learnstream/domain';
import type { ClassChanges } from '../affiliation.events';
import { AffiliationsRepository } from '../affiliations.repository';
import { decideSchool, evolveSchool } from '../school';
import { schoolStream } from '../streams';
import { classViewOf, type ClassView } from '../views';

export class UpdateClassCommand extends Command<ClassView> {
  constructor(
    readonly actor: Actor,
    readonly schoolId: string,
    readonly classId: string,
    readonly changes: ClassChanges,
  ) {
    super();
  }
}

@CommandHandler(UpdateClassCommand)
export class UpdateClassHandler implements ICommandHandler<UpdateClassCommand> {
  constructor(
    private readonly clock: Clock,
    private readonly policy: AccessPolicy,
    private readonly repo: AffiliationsRepository,
  ) {}

  async execute({ actor, schoolId, classId, changes }: UpdateClassCommand): Promise<ClassView> {
    await this.policy.require(actor, { action: 'school.manage', schoolId });
    const at = this.clock.nowIso();
    const { state } = await this.repo.decideAndAppend({
      streamId: schoolStream(schoolId),
      initial: null,
      evolve: evolveSchool,
      actor,
      decide: (school) => decideSchool({ type: 'UpdateClass', schoolId, classId, changes, by: actor.userId, at }, school),
    });
    return classViewOf(schoolId, state!.classes[classId]);
  }
}
