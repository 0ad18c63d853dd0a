/** Self-registration of a general user (no school). A minor's account records that parental consent is still needed. */
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { APP_CONFIG, type AppConfig } from '@learnstream/config';
import { Clock } from '@learnstream/domain';
import type { RequestContext } from '@learnstream/core/headless';
import type { Profile } from '../account.events';
import { AccountsRepository } from '../accounts.repository';
import { PasswordHasher } from '../passwords';
import { assertPassword, assertProfile, completeProfile, isMinor, normaliseUsername } from '../profile';
import { UsernameIndex } from '../username-index';

export class RegisterAccountCommand extends Command<{ userId: string; minor: boolean }> {
  constructor(
    readonly input: { username: string; password: string } & Partial<Profile> & { displayName: string },
    /** The request it came in, for the envelope. */
    readonly request: RequestContext | null,
  ) {
    super();
  }
}

@CommandHandler(RegisterAccountCommand)
export class RegisterAccountHandler implements ICommandHandler<RegisterAccountCommand, { userId: string; minor: boolean }> {
  constructor(
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly accounts: AccountsRepository,
    private readonly usernames: UsernameIndex,
    private readonly passwords: PasswordHasher,
  ) {}

  async execute({ input, request }: RegisterAccountCommand): Promise<{ userId: string; minor: boolean }> {
    const now = this.clock.now();
    const username = normaliseUsername(input.username);
    const { password, username: _ignored, ...values } = input;
    const profile = completeProfile(values);
    assertProfile(profile, now);
    assertPassword(password, username, this.config.auth.passwordMinLength);
    const userId = randomUUID();
    const minor = isMinor(profile.dateOfBirth, now, this.config.auth.ageOfMajority);
    const passwordHash = await this.passwords.hash(password);
    await this.usernames.claim(username, userId);
    try {
      await this.accounts.append(
        userId,
        null,
        [{ type: 'AccountCreated', data: { userId, origin: 'self', username, profile, passwordHash, mustChangePassword: false, platformRoles: [], openedBy: null, consent: null, minor, at: now.toISOString() } }],
        { userId, realActorId: null, request },
        { action: 'created', crud: 'c' },
      );
    } catch (error) {
      await this.usernames.release(userId);
      throw error;
    }
    return { userId, minor };
  }
}
