/**
 * The user stream, as the account feature reads and writes it: load and fold
 * it, seal the personal fields of new events under the user's key, append
 * with the expected revision.
 */
import { Injectable } from '@nestjs/common';
import { envelopeFor, type EventActor, type EnvelopeFields } from '@learnstream/access';
import type { DomainEvent } from '@learnstream/domain';
import { EventLog, streamId, type AppendResult, type ExpectedRevision, type NewEvent } from '@learnstream/event-store';
import { personal } from '@learnstream/personal-data';
import { evolveAccount, initialAccount, type AccountState } from './account';

export const userStream = (userId: string) => streamId('user', userId);

const SEALED_FIELDS: Record<string, string[]> = {
  AccountCreated: ['username', 'passwordHash', 'idNumber'],
  PasswordChanged: ['passwordHash'],
  ImpersonationStarted: ['reason'],
};

/** Wraps the personal values of an account event with `personal(userId, …)`. */
export function sealAccountEvent(userId: string, event: DomainEvent): DomainEvent {
  const data: Record<string, unknown> = { ...(event.data as Record<string, unknown>) };
  for (const field of SEALED_FIELDS[event.type] ?? []) if (data[field] != null) data[field] = personal(userId, data[field]);
  const sealMap = (values: Record<string, unknown>) => Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v == null ? null : personal(userId, v)]));
  if (event.type === 'AccountCreated') data.profile = sealMap(data.profile as Record<string, unknown>);
  if (event.type === 'ProfileUpdated') data.changes = sealMap(data.changes as Record<string, unknown>);
  return { type: event.type, data };
}

export interface Loaded<S> {
  state: S;
  revision: bigint | null;
}

@Injectable()
export class AccountsRepository {
  constructor(readonly log: EventLog) {}

  load(userId: string): Promise<Loaded<AccountState>> {
    return this.log.aggregate(userStream(userId), initialAccount(), (s, e) => evolveAccount(s, e));
  }

  toNewEvents(userId: string, events: DomainEvent[], actor: EventActor | null, fields: Omit<EnvelopeFields, 'object'> & { object?: EnvelopeFields['object'] }): NewEvent[] {
    return events.map((e) => ({
      type: e.type,
      data: sealAccountEvent(userId, e).data as Record<string, unknown>,
      envelope: envelopeFor(actor, { object: { type: 'user', id: userId }, relatedUserId: userId, ...fields }),
    }));
  }

  async append(
    userId: string,
    /** The revision loaded (null: none), or 'any' for events that decide nothing (a failed sign-in). */
    revision: bigint | null | 'any',
    events: DomainEvent[],
    actor: EventActor | null,
    fields: Omit<EnvelopeFields, 'object'> & { object?: EnvelopeFields['object'] },
  ): Promise<AppendResult | null> {
    if (!events.length) return null;
    const expectedRevision: ExpectedRevision = revision === null ? 'no_stream' : revision;
    return this.log.append(userStream(userId), this.toNewEvents(userId, events, actor, fields), { expectedRevision });
  }
}
