/**
 * Consent per purpose, given and withdrawn as events on the person's stream;
 * a withdrawal takes effect in the read models at once (the command waits
 * for them): analytics withdrawn → out of the usage statistics; profiling
 * withdrawn → as an objection (no at-risk flags).
 *
 * An adult decides for themself. For a minor, a linked parent gives (and may
 * withdraw) consent on their behalf; the minor may withdraw, never give, on
 * their own (parental consent for minors). Nobody else may.
 */
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AccessPolicy, type Actor } from '@learnstream/access';
import { DomainError, Clock } from '@learnstream/domain';
import { decideSubject } from '../privacy-subject';
import { PrivacyReader, type PrivacyStatusView } from '../privacy.reader';
import { PrivacyRepository } from '../privacy.repository';
import type { ConsentPurpose } from '../privacy.events';
import { requireRepresentation } from '../representation';

export class ChangeConsentCommand extends Command<PrivacyStatusView> {
  constructor(
    readonly actor: Actor,
    readonly userId: string,
    readonly purpose: ConsentPurpose,
    readonly give: boolean,
  ) {
    super();
  }
}

@CommandHandler(ChangeConsentCommand)
export class ChangeConsentHandler implements ICommandHandler<ChangeConsentCommand, PrivacyStatusView> {
  constructor(
    private readonly clock: Clock,
    private readonly policy: AccessPolicy,
    private readonly repo: PrivacyRepository,
    private readonly reader: PrivacyReader,
  ) {}

  async execute({ actor, userId, purpose, give }: ChangeConsentCommand): Promise<PrivacyStatusView> {
    const standing = await requireRepresentation(this.policy, actor, userId, ['self', 'parent']);
    if (standing === 'self' && give && !this.policy.isAdult(await this.policy.person(userId))) {
      throw new DomainError('forbidden', 'PARENTAL_CONSENT_REQUIRED', 'a minor’s consent is given by a linked parent');
    }
    const now = this.clock.now();
    const { result } = await this.repo.changeSubject(userId, actor, (s) =>
      decideSubject(give ? { type: 'GiveConsent', userId, purpose, by: actor.userId, onBehalf: standing === 'parent', now } : { type: 'WithdrawConsent', userId, purpose, by: actor.userId, onBehalf: standing === 'parent', now }, s),
    );
    await this.repo.settle(result?.position);
    return this.reader.status(userId);
  }
}
