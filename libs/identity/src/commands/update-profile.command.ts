/** Rectification of profile fields, by the user or by staff who manage the account. */
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AccessPolicy, type Actor } from '@learnstream/access';
import { APP_CONFIG, type AppConfig } from '@learnstream/config';
import { retryOnConflict } from '@learnstream/core';
import { DomainError, Clock } from '@learnstream/domain';
import { PROFILE_FIELDS, type ProfileField } from '../account.events';
import { AccountsRepository } from '../accounts.repository';
import { assertProfile, isMinor } from '../profile';

export class UpdateProfileCommand {
  constructor(
    readonly actor: Actor,
    readonly userId: string,
    readonly changes: Partial<Record<ProfileField, unknown>>,
  ) {}
}

@CommandHandler(UpdateProfileCommand)
export class UpdateProfileHandler implements ICommandHandler<UpdateProfileCommand, void> {
  constructor(
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly policy: AccessPolicy,
    private readonly accounts: AccountsRepository,
  ) {}

  async execute({ actor, userId, changes }: UpdateProfileCommand): Promise<void> {
    await this.policy.require(actor, { action: 'user.update', userId });
    const now = this.clock.now();
    const fields = Object.keys(changes).filter((k) => (PROFILE_FIELDS as readonly string[]).includes(k)) as ProfileField[];
    if (!fields.length) throw new DomainError('invalid', 'VALIDATION_FAILED', 'nothing to change', [{ field: 'body', message: `give at least one of ${PROFILE_FIELDS.join(', ')}` }]);
    if (changes.displayName === null) throw new DomainError('invalid', 'VALIDATION_FAILED', 'the display name cannot be removed', [{ field: 'displayName', message: 'is required' }]);
    assertProfile(changes, now);
    await retryOnConflict(async () => {
      const { state, revision } = await this.accounts.load(userId);
      if (!state.exists) throw new DomainError('not_found', 'USER_NOT_FOUND', 'no such user');
      const minor = changes.dateOfBirth !== undefined ? isMinor(changes.dateOfBirth as string | null, now, this.config.auth.ageOfMajority) : null;
      const events = [{ type: 'ProfileUpdated', data: { userId, changes: Object.fromEntries(fields.map((f) => [f, changes[f] ?? null])), minor, at: now.toISOString() } }];
      return this.accounts.append(userId, revision, events, actor, { action: 'updated', crud: 'u' });
    });
  }
}
