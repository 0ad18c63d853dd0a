import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AccessPolicy, type Actor } from '@learnstream/access';
import { Clock } from '@learnstream/domain';
import type { SchoolChanges } from '../affiliation.events';
import { AffiliationsRepository } from '../affiliations.repository';
import { decideSchool, evolveSchool } from '../school';
import { schoolStream } from '../streams';
import { schoolViewOf, type SchoolView } from '../views';

export class UpdateSchoolCommand extends Command<SchoolView> {
  constructor(
    readonly actor: Actor,
    readonly schoolId: string,
    readonly changes: SchoolChanges,
  ) {
    super();
  }
}

/** A school admin (or a platform admin) renames the school, changes its code or country. */
@CommandHandler(UpdateSchoolCommand)
export class UpdateSchoolHandler implements ICommandHandler<UpdateSchoolCommand> {
  constructor(
    private readonly clock: Clock,
    private readonly policy: AccessPolicy,
    private readonly repo: AffiliationsRepository,
  ) {}

  async execute({ actor, schoolId, changes }: UpdateSchoolCommand): Promise<SchoolView> {
    await this.policy.require(actor, { action: 'school.manage', schoolId });
    const at = this.clock.nowIso();
    const { state } = await this.repo.decideAndAppend({
      streamId: schoolStream(schoolId),
      initial: null,
      evolve: evolveSchool,
      actor,
      decide: async (school) => {
        const events = decideSchool({ type: 'UpdateSchool', schoolId, changes, by: actor.userId, at }, school);
        const code = events[0]?.type === 'SchoolUpdated' ? events[0].data.changes.code : undefined;
        if (code) await this.repo.assertSchoolCodeFree(code, schoolId);
        return events;
      },
    });
    return schoolViewOf(state!);
  }
}
