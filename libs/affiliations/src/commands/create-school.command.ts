import { randomUUID } from 'node:crypto';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AccessPolicy, type Actor } from '@learnstream/access';
import { Clock } from '@learnstream/domain';
import { AffiliationsRepository } from '../affiliations.repository';
import { decideSchool, evolveSchool } from '../school';
import { schoolStream } from '../streams';
import { schoolViewOf, type SchoolView } from '../views';

export class CreateSchoolCommand extends Command<SchoolView> {
  constructor(
    readonly actor: Actor,
    readonly input: { name: string; code: string; country: string },
  ) {
    super();
  }
}

/**
 * A platform admin creates a school (a tenant). Its code must be unique: the
 * schools read model is checked as the system; see schoolIdByCode for the race.
 */
@CommandHandler(CreateSchoolCommand)
export class CreateSchoolHandler implements ICommandHandler<CreateSchoolCommand> {
  constructor(
    private readonly clock: Clock,
    private readonly policy: AccessPolicy,
    private readonly repo: AffiliationsRepository,
  ) {}

  async execute({ actor, input }: CreateSchoolCommand): Promise<SchoolView> {
    await this.policy.require(actor, { action: 'school.create' });
    const schoolId = randomUUID();
    const at = this.clock.nowIso();
    const { state } = await this.repo.decideAndAppend({
      streamId: schoolStream(schoolId),
      initial: null,
      evolve: evolveSchool,
      actor,
      decide: async (school) => {
        const events = decideSchool({ type: 'CreateSchool', schoolId, name: input.name, code: input.code, country: input.country, by: actor.userId, at }, school);
        await this.repo.assertSchoolCodeFree(input.code, schoolId);
        return events;
      },
    });
    return schoolViewOf(state!);
  }
}
