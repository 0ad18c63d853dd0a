/**
 * A school admin or teacher opens an account already affiliated to their
 * school: the account and its first membership are one append to the new
 * user stream. For a learner, the staff member records that consent to the
 * processing was obtained, and from whom (a parent, for a minor).
 */
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { AccessPolicy, HistoricTime, type Actor, type EventTime } from '@learnstream/access';
import type { NewEvent } from '@learnstream/event-store';
import { decideJoinSchool, initialMembershipState, loadSchool, toNewEvents } from '@learnstream/affiliations';
import { APP_CONFIG, type AppConfig } from '@learnstream/config';
import { violatesUnique } from '@learnstream/database';
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
  /** The person's id in another system (a student number, Moodle's idnumber): unique among the accounts the school opened. */
  idNumber?: string | null;
  /** When the account was opened, for history (the import permission); absent: now. */
  occurredAt?: string;
}

/** The account opened; `temporaryPassword` when none was given (shown once). */
export interface OpenedAccount {
  userId: string;
  temporaryPassword?: string;
}

export class OpenAccountCommand extends Command<OpenedAccount> {
  constructor(
    readonly actor: Actor,
    readonly input: OpenAccountInput,
  ) {
    super();
  }
}

/** What opening an account checks of its input alone (username, profile, consent), the same one at a time or in bulk. */
export function checkOpening(input: OpenAccountInput, now: Date, config: AppConfig): { username: string; profile: Profile; minor: boolean; idNumber: string | null } {
  const { username: rawUsername, password: _password, schoolId: _school, role, classId: _class, gradeLevel: _grade, consentObtainedFrom, occurredAt: _at, idNumber: rawIdNumber, ...values } = input;
  const username = normaliseUsername(rawUsername);
  const profile = completeProfile(values);
  assertProfile(profile, now);
  const minor = isMinor(profile.dateOfBirth, now, config.auth.ageOfMajority);
  if (role === 'learner' && !consentObtainedFrom) {
    throw new DomainError('invalid', 'CONSENT_REQUIRED', 'record who gave consent to the processing of the learner\'s data (consentObtainedFrom)', [{ field: 'consentObtainedFrom', message: 'is required for learners' }]);
  }
  if (minor && consentObtainedFrom === 'learner') {
    throw new DomainError('invalid', 'CONSENT_REQUIRED', 'a minor\'s consent must come from a parent', [{ field: 'consentObtainedFrom', message: 'must be parent for a minor' }]);
  }
  const idNumber = rawIdNumber == null ? null : rawIdNumber.trim();
  if (idNumber !== null && (idNumber.length < 1 || idNumber.length > 100)) {
    throw new DomainError('invalid', 'VALIDATION_FAILED', 'idNumber must be 1 to 100 characters', [{ field: 'idNumber', message: 'must be 1 to 100 characters' }]);
  }
  return { username, profile, minor, idNumber };
}

/** 409 IDNUMBER_TAKEN for an append refused by the accounts read model's unique index (school, idNumber); other errors as they are. */
export function idNumberRefusal(error: unknown): unknown {
  if (!violatesUnique(error, 'accounts_school_id_number_key')) return error;
  return new DomainError('conflict', 'IDNUMBER_TAKEN', 'another account of this school has this idNumber: external ids are unique in a school', [{ field: 'idNumber', message: 'taken by another account of this school' }]);
}

/** The new account's first membership (decided against the school). */
export function joinOf(actor: Actor, userId: string, input: OpenAccountInput, school: Parameters<typeof decideJoinSchool>[2], time: EventTime) {
  return decideJoinSchool(
    { type: 'JoinSchool', membershipId: randomUUID(), userId, schoolId: input.schoolId, role: input.role, classId: input.classId ?? null, gradeLevel: input.gradeLevel ?? null, by: actor.userId, at: time.at },
    initialMembershipState(),
    school,
  );
}

/** The events of the new user stream: AccountCreated and the first membership, at `time` (an import's marked as such). */
export function openingEvents(
  accounts: AccountsRepository,
  actor: Actor,
  userId: string,
  input: OpenAccountInput,
  checked: { username: string; profile: Profile; minor: boolean; idNumber: string | null },
  password: { passwordHash: string; mustChangePassword: boolean },
  joined: ReturnType<typeof decideJoinSchool>,
  time: EventTime,
): NewEvent[] {
  const created = {
    type: 'AccountCreated',
    data: {
      userId,
      origin: 'staff',
      username: checked.username,
      profile: checked.profile,
      idNumber: checked.idNumber,
      ...password,
      platformRoles: [],
      openedBy: actor.userId,
      consent: input.consentObtainedFrom ? { obtainedFrom: input.consentObtainedFrom, recordedBy: actor.userId } : null,
      minor: checked.minor,
      at: time.at,
    },
  };
  return [...accounts.toNewEvents(userId, [created], actor, { action: 'created', crud: 'c', schoolId: input.schoolId }), ...toNewEvents(actor, joined)].map((e) => ({
    ...e,
    envelope: { ...e.envelope, occurredAt: time.at, ...(time.imported && { origin: 'import' as const }) },
  }));
}

@CommandHandler(OpenAccountCommand)
export class OpenAccountHandler implements ICommandHandler<OpenAccountCommand, OpenedAccount> {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly policy: AccessPolicy,
    private readonly accounts: AccountsRepository,
    private readonly usernames: UsernameIndex,
    private readonly passwords: PasswordHasher,
    private readonly time: HistoricTime,
  ) {}

  async execute({ actor, input }: OpenAccountCommand): Promise<OpenedAccount> {
    const { password: givenPassword, schoolId, role, occurredAt } = input;
    const checked = checkOpening(input, this.time.now(), this.config);
    if (givenPassword !== undefined) assertPassword(givenPassword, checked.username, this.config.auth.passwordMinLength);
    const school = await loadSchool(this.accounts.log, schoolId);
    // Unknown school is bad input (400) whoever asks; only then is the permission in a real school checked.
    const userId = randomUUID();
    const time = await this.time.forSchool(actor, schoolId, occurredAt);
    const joined = joinOf(actor, userId, input, school, time);
    await this.policy.require(actor, { action: 'account.open', schoolId, role });

    const temporaryPassword = givenPassword === undefined ? PasswordHasher.temporary() : undefined;
    const passwordHash = await this.passwords.hash(givenPassword ?? temporaryPassword!);
    await this.usernames.claim(checked.username, userId);
    try {
      const events = openingEvents(this.accounts, actor, userId, input, checked, { passwordHash, mustChangePassword: temporaryPassword !== undefined }, joined, time);
      await this.accounts.log.append(userStream(userId), events, { expectedRevision: 'no_stream' });
    } catch (error) {
      await this.usernames.release(userId);
      throw idNumberRefusal(error);
    }
    return { userId, ...(temporaryPassword && { temporaryPassword }) };
  }
}
