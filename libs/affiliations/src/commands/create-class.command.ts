import { randomUUID } from 'node:crypto';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AccessPolicy, type Actor } from '@learnstream/access';
import { Clock } from '@learnstream/domain';
import { AffiliationsRepository } from '../affiliations.repository';
import { decideSchool, evolveSchool } from '../school';
import { schoolStream } from '../streams';
import { classViewOf, type ClassView } from '../views';

export class CreateClassCommand extends Command<ClassView> {
  constructor(
    readonly actor: Actor,
    readonly schoolId: string,
    readonly input: { name: string; gradeLevel: string | null },
  ) {
    super();
  }
}

@CommandHandler(CreateClassCommand)
export class CreateClassHandler implements ICommandHandler<CreateClassCommand> {
  constructor(
    private readonly clock: Clock,
    private readonly policy: AccessPolicy,
    private readonly repo: AffiliationsRepository,
  ) {}

  async execute({ actor, schoolId, input }: CreateClassCommand): Promise<ClassView> {
    await this.policy.require(actor, { action: 'school.manage', schoolId });
    const classId = randomUUID();
    const at = this.clock.nowIso();
    const { state } = await this.repo.decideAndAppend({
      streamId: schoolStream(schoolId),
      initial: null,
      evolve: evolveSchool,
      actor,
      decide: (school) => decideSchool({ type: 'CreateClass', schoolId, classId, name: input.name, gradeLevel: input.gradeLevel, by: actor.userId, at }, school),
    });
    return classViewOf(schoolId, state!.classes[classId]);
  }
}
