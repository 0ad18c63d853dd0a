import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AccessPolicy, type Actor } from '@learnstream/access';
import { Clock } from '@learnstream/domain';
import { AffiliationsRepository } from '../affiliations.repository';
import { decideParentalConsent, evolveParentalConsent, initialParentalConsentState } from '../parental-consent';
import { userStream } from '../streams';

export class WithdrawParentalConsentCommand extends Command<void> {
  constructor(
    readonly actor: Actor,
    readonly childId: string,
  ) {
    super();
  }
}

/** A confirmed parent withdraws the consent they gave for their child. */
@CommandHandler(WithdrawParentalConsentCommand)
export class WithdrawParentalConsentHandler implements ICommandHandler<WithdrawParentalConsentCommand> {
  constructor(
    private readonly clock: Clock,
    private readonly policy: AccessPolicy,
    private readonly repo: AffiliationsRepository,
  ) {}

  async execute({ actor, childId }: WithdrawParentalConsentCommand): Promise<void> {
    await this.policy.require(actor, { action: 'parentalConsent.give', childId });
    const at = this.clock.nowIso();
    await this.repo.decideAndAppend({
      streamId: userStream(childId),
      initial: initialParentalConsentState(),
      evolve: evolveParentalConsent,
      actor,
      childSchoolId: await this.repo.schoolOf(childId),
      decide: (consents) => decideParentalConsent({ type: 'WithdrawParentalConsent', childId, parentId: actor.userId, at }, consents),
    });
  }
}
