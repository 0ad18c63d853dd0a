/**
 * The first start creates the platform admin (DESIGN.md) from ADMIN_USERNAME /
 * ADMIN_PASSWORD, or generates a password and prints it once. The admin's
 * account and a marker on the system stream are appended together with
 * "no stream" expected: two api replicas starting at once create one admin.
 */
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { envelopeFor } from '@learnstream/access';
import { APP_CONFIG, type AppConfig } from '@learnstream/config';
import { EventLog, WrongExpectedRevisionError } from '@learnstream/event-store';
import { Clock } from '@learnstream/domain';
import { completeProfile } from './profile';
import { AccountsRepository, userStream } from './accounts.repository';
import { PasswordHasher } from './passwords';
import { UsernameIndex } from './username-index';

export const SYSTEM_STREAM = 'system-00000000-0000-4000-8000-000000000000';

@Injectable()
export class BootstrapAdmin implements OnApplicationBootstrap {
  private readonly logger = new Logger('Bootstrap');

  constructor(
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly log: EventLog,
    private readonly accounts: AccountsRepository,
    private readonly usernames: UsernameIndex,
    private readonly passwords: PasswordHasher,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if ((await this.log.store.streamRevision(SYSTEM_STREAM)) !== null) return;
    const { adminUsername: username, adminPassword } = this.config.auth;
    const password = adminPassword ?? PasswordHasher.temporary() + PasswordHasher.temporary();
    const userId = randomUUID();
    const at = this.clock.nowIso();
    await this.usernames.claim(username, userId);
    try {
      await this.log.appendBatch([
        {
          streamId: SYSTEM_STREAM,
          expectedRevision: 'no_stream',
          events: [{ type: 'PlatformBootstrapped', data: { adminId: userId, at }, envelope: envelopeFor(null, { action: 'created', crud: 'c', object: { type: 'user', id: userId }, origin: 'system' }) }],
        },
        {
          streamId: userStream(userId),
          expectedRevision: 'no_stream',
          events: this.accounts.toNewEvents(
            userId,
            [{ type: 'AccountCreated', data: { userId, origin: 'bootstrap', username, profile: completeProfile({ displayName: 'Platform admin' }), passwordHash: await this.passwords.hash(password), mustChangePassword: adminPassword === null, platformRoles: ['platform_admin'], openedBy: null, consent: null, minor: false, at } }],
            null,
            { action: 'created', crud: 'c', origin: 'system' },
          ),
        },
      ]);
    } catch (error) {
      await this.usernames.release(userId);
      if (error instanceof WrongExpectedRevisionError) return; // another replica did it
      throw error;
    }
    if (adminPassword === null) {
      // Printed once, on purpose to the terminal and not to the log files: it is never shown again.
      process.stdout.write(`\nPlatform admin created: username "${username}", password "${password}" (change it at first sign-in).\n\n`);
    } else {
      this.logger.log({ msg: 'platform admin created', username });
    }
  }
}
