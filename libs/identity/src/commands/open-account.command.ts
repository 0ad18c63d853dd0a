/**
 * A school admin or teacher opens an account already affiliated to their
 * school: the account and its first membership are one append to the new
 * user stream. For a learner, the staff member records that consent to the
 * processing was obtained, and from whom (a parent, for a minor).
 */
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { AccessPolicy, HistoricTime, type Actor } from '@learnstream/access';
import { decideJoinSchool, initialMembershipState, loadSchool, toNewEvents } from '@learnstream/affiliations';
import { APP_CONFIG, type AppConfig } from '@learnstream/config';
import { DomainError } from '@learnstream/domain';
import type { Profile } from '../account.events';
import { AccountsRepository, userStream } from '../accounts.repository';
import { PasswordHasher } from '../passwords';
import { assertPassword, assertProfile, completeProfile, isMinor, normaliseUsername } from '../profile';
import { UsernameIndex } from '../username-index';

export interface OpenAccountInput extends Partial<Profile> {
  displayName: string;
  username: string;
  password?: string;
  schoolId: string;
  role: 'learner' | 'teacher' | 'school_admin';
  classId?: string;
  gradeLevel?: string;
  consentObtainedFrom?: 'learner' | 'parent';
  /** When the account was opened, for history (the import permission); absent: now. */
  occurredAt?: string;
}

export class OpenAccountCommand {
  constructor(
    readonly actor: Actor,
    readonly input: OpenAccountInput,
  ) {}
}

@CommandHandler(OpenAccountCommand)
export class OpenAccountHandler implements ICommandHandler<OpenAccountCommand, { userId: string; temporaryPassword?: string }> {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly policy: AccessPolicy,
    private readonly accounts: AccountsRepository,
    private readonly usernames: UsernameIndex,
    private readonly passwords: PasswordHasher,
    private readonly time: HistoricTime,
  ) {}

  async execute({ actor, input }: OpenAccountCommand) {
    const now = this.time.now();
    const { username: rawUsername, password: givenPassword, schoolId, role, classId, gradeLevel, consentObtainedFrom, occurredAt, ...values } = input;
    const username = normaliseUsername(rawUsername);
    const profile = completeProfile(values);
    assertProfile(profile, now);
    if (givenPassword !== undefined) assertPassword(givenPassword, username, this.config.auth.passwordMinLength);
    const minor = isMinor(profile.dateOfBirth, now, this.config.auth.ageOfMajority);
    if (role === 'learner' && !consentObtainedFrom) {
      throw new DomainError('invalid', 'CONSENT_REQUIRED', 'record who gave consent to the processing of the learner\'s data (consentObtainedFrom)', [{ field: 'consentObtainedFrom', message: 'is required for learners' }]);
    }
    if (minor && consentObtainedFrom === 'learner') {
      throw new DomainError('invalid', 'CONSENT_REQUIRED', 'a minor\'s consent must come from a parent', [{ field: 'consentObtainedFrom', message: 'must be parent for a minor' }]);
    }
    const school = await loadSchool(this.accounts.log, schoolId);
    // Unknown school is bad input (400) whoever asks; only then is the permission in a real school checked.
    const userId = randomUUID();
    const time = await this.time.forSchool(actor, schoolId, occurredAt);
    const joined = decideJoinSchool(
      { type: 'JoinSchool', membershipId: randomUUID(), userId, schoolId, role, classId: classId ?? null, gradeLevel: gradeLevel ?? null, by: actor.userId, at: time.at },
      initialMembershipState(),
      school,
    );
    await this.policy.require(actor, { action: 'account.open', schoolId, role });

    const temporaryPassword = givenPassword === undefined ? PasswordHasher.temporary() : undefined;
    const passwordHash = await this.passwords.hash(givenPassword ?? temporaryPassword!);
    await this.usernames.claim(username, userId);
    try {
      const created = {
        type: 'AccountCreated',
        data: {
          userId,
          origin: 'staff',
          username,
          profile,
          passwordHash,
          mustChangePassword: temporaryPassword !== undefined,
          platformRoles: [],
          openedBy: actor.userId,
          consent: consentObtainedFrom ? { obtainedFrom: consentObtainedFrom, recordedBy: actor.userId } : null,
          minor,
          at: time.at,
        },
      };
      const events = [...this.accounts.toNewEvents(userId, [created], actor, { action: 'created', crud: 'c', schoolId }), ...toNewEvents(actor, joined)].map((e) => ({
        ...e,
        envelope: { ...e.envelope, occurredAt: time.at, ...(time.imported && { origin: 'import' as const }) },
      }));
      await this.accounts.log.append(userStream(userId), events, { expectedRevision: 'no_stream' });
    } catch (error) {
      await this.usernames.release(userId);
      throw error;
    }
    return { userId, ...(temporaryPassword && { temporaryPassword }) };
  }
}
