import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AccessPolicy, type Actor } from '@learnstream/access';
import { Clock } from '@learnstream/domain';
import { AffiliationsRepository } from '../affiliations.repository';
import { decideParentalConsent, evolveParentalConsent, initialParentalConsentState } from '../parental-consent';
import { userStream } from '../streams';
import type { ParentalConsentView } from '../views';

export class GiveParentalConsentCommand extends Command<ParentalConsentView> {
  constructor(
    readonly actor: Actor,
    readonly childId: string,
    readonly purposes: string[],
  ) {
    super();
  }
}

/** A confirmed parent consents, for their child, to the processing for these purposes (on the child's stream). */
@CommandHandler(GiveParentalConsentCommand)
export class GiveParentalConsentHandler implements ICommandHandler<GiveParentalConsentCommand> {
  constructor(
    private readonly clock: Clock,
    private readonly policy: AccessPolicy,
    private readonly repo: AffiliationsRepository,
  ) {}

  async execute({ actor, childId, purposes }: GiveParentalConsentCommand): Promise<ParentalConsentView> {
    await this.policy.require(actor, { action: 'parentalConsent.give', childId });
    const at = this.clock.nowIso();
    const { state } = await this.repo.decideAndAppend({
      streamId: userStream(childId),
      initial: initialParentalConsentState(),
      evolve: evolveParentalConsent,
      actor,
      childSchoolId: await this.repo.schoolOf(childId),
      decide: (consents) => decideParentalConsent({ type: 'GiveParentalConsent', childId, parentId: actor.userId, purposes, at }, consents),
    });
    const mine = state.byParent[actor.userId];
    const inForceSince = Object.values(state.byParent).map((c) => c.givenAt).sort()[0];
    return { childId, parentId: actor.userId, purposes: mine.purposes ?? [], inForceSince };
  }
}
