/**
 * Staff actions on an account: reset the password (a temporary one, shown
 * once, that must be changed at next sign-in: staff never learn a chosen
 * password), lock and unlock, grant and revoke platform roles. A reset, a
 * lock and a withdrawn role end the user's sessions in the same transaction as
 * their event (the accounts read model).
 */
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AccessPolicy, type Actor, type PlatformRole } from '@learnstream/access';
import { retryOnConflict } from '@learnstream/core';
import { Clock, type DomainEvent } from '@learnstream/domain';
import { decideLock, decidePasswordChange, decideRole, decideUnlock, type AccountState } from '../account';
import { AccountsRepository } from '../accounts.repository';
import { SessionStore } from '../auth/session-store';
import { PasswordHasher } from '../passwords';

export type AccountAction = { kind: 'reset_password' } | { kind: 'lock' } | { kind: 'unlock' } | { kind: 'role'; role: PlatformRole; grant: boolean };

export class ManageAccountCommand extends Command<{ temporaryPassword?: string }> {
  constructor(
    readonly actor: Actor,
    readonly userId: string,
    readonly action: AccountAction,
  ) {
    super();
  }
}

@CommandHandler(ManageAccountCommand)
export class ManageAccountHandler implements ICommandHandler<ManageAccountCommand, { temporaryPassword?: string }> {
  constructor(
    private readonly clock: Clock,
    private readonly policy: AccessPolicy,
    private readonly accounts: AccountsRepository,
    private readonly passwords: PasswordHasher,
    private readonly sessions: SessionStore,
  ) {}

  async execute({ actor, userId, action }: ManageAccountCommand): Promise<{ temporaryPassword?: string }> {
    await this.policy.require(actor, action.kind === 'role' ? { action: 'user.roles' } : { action: 'user.manage', userId });
    const now = this.clock.now();
    const temporaryPassword = action.kind === 'reset_password' ? PasswordHasher.temporary() : undefined;
    const passwordHash = temporaryPassword ? await this.passwords.hash(temporaryPassword) : null;
    const decide = (state: AccountState): DomainEvent[] => {
      switch (action.kind) {
        case 'reset_password':
          return decidePasswordChange(state, { passwordHash: passwordHash!, reason: 'reset', now });
        case 'lock':
          return decideLock(state, now);
        case 'unlock':
          return decideUnlock(state, now);
        case 'role':
          return decideRole(state, { role: action.role, grant: action.grant, by: actor.userId, now });
      }
    };
    await retryOnConflict(async () => {
      const { state, revision } = await this.accounts.load(userId);
      return this.accounts.append(userId, revision, decide(state), actor, { action: action.kind === 'lock' ? 'locked' : action.kind === 'unlock' ? 'unlocked' : 'updated', crud: 'u' });
    });
    // The sessions ended in the append's transaction (the accounts read model); this process forgets them now.
    this.sessions.forgetUser(userId);
    return temporaryPassword ? { temporaryPassword } : {};
  }
}
