/**
 * The account aggregate: pure rules over the user's stream. Checking a
 * password (argon2) is I/O-bound and happens in the handler, which tells the
 * decider whether it matched; the decider decides what that means (sign-in,
 * failure, lockout) and which events record it.
 */
import { DomainError, type DomainEvent } from '@learnstream/domain';
import type { PlatformRole } from '@learnstream/access';
import type { AccountEvent, LoginFailure } from './account.events';

export interface AccountState {
  exists: boolean;
  userId: string | null;
  /** The password hash: the handler verifies against it. */
  passwordHash: string | null;
  passwordSetAt: string | null;
  mustChangePassword: boolean;
  platformRoles: PlatformRole[];
  /** Locked by staff (until unlocked) or by failed sign-ins (until `lockedUntil`). */
  lock: { reason: 'failed_logins' | 'staff'; until: string | null } | null;
  failedLogins: number;
  openSessions: string[];
  impersonations: string[];
}

export const initialAccount = (): AccountState => ({
  exists: false,
  userId: null,
  passwordHash: null,
  passwordSetAt: null,
  mustChangePassword: false,
  platformRoles: [],
  lock: null,
  failedLogins: 0,
  openSessions: [],
  impersonations: [],
});

/** Folds account events; other features' events on the user stream leave it unchanged. */
export function evolveAccount(state: AccountState, event: { type: string; data: Record<string, unknown> }): AccountState {
  const e = event as AccountEvent;
  switch (e.type) {
    case 'AccountCreated':
      return { ...state, exists: true, userId: e.data.userId, passwordHash: e.data.passwordHash as string, passwordSetAt: e.data.at, mustChangePassword: e.data.mustChangePassword, platformRoles: e.data.platformRoles };
    case 'PasswordChanged':
      return { ...state, passwordHash: e.data.passwordHash as string, passwordSetAt: e.data.at, mustChangePassword: e.data.mustChangePassword, failedLogins: 0 };
    case 'UserLoggedIn':
      return { ...state, failedLogins: 0, openSessions: [...state.openSessions, e.data.sessionId] };
    case 'UserLoggedOut':
    case 'ImpersonationEnded':
      return { ...state, openSessions: state.openSessions.filter((s) => s !== e.data.sessionId), impersonations: state.impersonations.filter((s) => s !== e.data.sessionId) };
    case 'ImpersonationStarted':
      return { ...state, impersonations: [...state.impersonations, e.data.sessionId] };
    case 'LoginFailed':
      return e.data.reason === 'bad_password' ? { ...state, failedLogins: state.failedLogins + 1 } : state;
    case 'AccountLocked':
      return { ...state, lock: { reason: e.data.reason, until: e.data.until }, failedLogins: 0 };
    case 'AccountUnlocked':
      return { ...state, lock: null, failedLogins: 0 };
    case 'PlatformRoleGranted':
      return { ...state, platformRoles: [...new Set([...state.platformRoles, e.data.role])] };
    case 'PlatformRoleRevoked':
      return { ...state, platformRoles: state.platformRoles.filter((r) => r !== e.data.role) };
    default:
      return state;
  }
}

function existing(state: AccountState): string {
  if (!state.exists || !state.userId) throw new DomainError('not_found', 'USER_NOT_FOUND', 'no such user');
  return state.userId;
}

export function isLocked(state: AccountState, now: Date): boolean {
  if (!state.lock) return false;
  return state.lock.until === null || Date.parse(state.lock.until) > now.getTime();
}

export interface LoginPolicy {
  passwordMaxAgeDays: number;
}

export type LoginOutcome = 'signed_in' | LoginFailure;

/**
 * A sign-in attempt on an existing account. A wrong password is only that,
 * whatever the account's state: only someone who knows the password learns
 * that the account is locked or the password expired, so a stranger cannot
 * tell an existing username from an unknown one. Failures never lock the
 * account (a stranger could lock anyone out): the sign-in limiter locks the
 * (username, client) pair instead.
 */
export function decideLogin(
  state: AccountState,
  command: { passwordMatches: boolean; sessionId: string; now: Date; policy: LoginPolicy },
): { outcome: LoginOutcome; events: DomainEvent[] } {
  const userId = existing(state);
  const at = command.now.toISOString();
  const fail = (reason: LoginFailure) => ({ outcome: reason, events: [{ type: 'LoginFailed', data: { userId, reason, at } }] });
  if (!command.passwordMatches) return fail('bad_password');
  if (isLocked(state, command.now)) return fail('locked');
  if (state.mustChangePassword) return fail('password_change_required');
  const maxAge = command.policy.passwordMaxAgeDays;
  if (maxAge > 0 && state.passwordSetAt && Date.parse(state.passwordSetAt) + maxAge * 86_400_000 <= command.now.getTime()) return fail('password_expired');
  return { outcome: 'signed_in', events: [{ type: 'UserLoggedIn', data: { userId, sessionId: command.sessionId, at } }] };
}

/** A new password, by its owner (after proving the current one) or by a staff reset (temporary, must be changed). */
export function decidePasswordChange(state: AccountState, command: { passwordHash: string; reason: 'self' | 'reset'; now: Date }): DomainEvent[] {
  const userId = existing(state);
  return [{ type: 'PasswordChanged', data: { userId, passwordHash: command.passwordHash, reason: command.reason, mustChangePassword: command.reason === 'reset', at: command.now.toISOString() } }];
}

export function decideLock(state: AccountState, now: Date): DomainEvent[] {
  const userId = existing(state);
  if (state.lock && state.lock.until === null) throw new DomainError('conflict', 'ACCOUNT_ALREADY_LOCKED', 'the account is already locked');
  return [{ type: 'AccountLocked', data: { userId, reason: 'staff', until: null, at: now.toISOString() } }];
}

export function decideUnlock(state: AccountState, now: Date): DomainEvent[] {
  const userId = existing(state);
  if (!isLocked(state, now)) throw new DomainError('conflict', 'ACCOUNT_NOT_LOCKED', 'the account is not locked');
  return [{ type: 'AccountUnlocked', data: { userId, at: now.toISOString() } }];
}

export function decideRole(state: AccountState, command: { role: PlatformRole; grant: boolean; by: string; now: Date }): DomainEvent[] {
  const userId = existing(state);
  const has = state.platformRoles.includes(command.role);
  if (command.grant === has) return [];
  if (!command.grant && command.role === 'platform_admin' && userId === command.by) {
    throw new DomainError('rule', 'CANNOT_REVOKE_OWN_ADMIN', 'a platform admin cannot revoke their own admin role');
  }
  return [{ type: command.grant ? 'PlatformRoleGranted' : 'PlatformRoleRevoked', data: { userId, role: command.role, at: command.now.toISOString() } }];
}

export function decideImpersonation(state: AccountState, command: { sessionId: string; by: string; reason: unknown; now: Date }): DomainEvent[] {
  const userId = existing(state);
  if (state.platformRoles.length) throw new DomainError('forbidden', 'FORBIDDEN', 'platform staff cannot be impersonated');
  return [{ type: 'ImpersonationStarted', data: { userId, sessionId: command.sessionId, by: command.by, reason: command.reason, at: command.now.toISOString() } }];
}

export function decideLogout(state: AccountState, command: { sessionId: string; realActorId: string | null; now: Date }): DomainEvent[] {
  const userId = existing(state);
  const at = command.now.toISOString();
  if (command.realActorId) return [{ type: 'ImpersonationEnded', data: { userId, sessionId: command.sessionId, by: command.realActorId, at } }];
  return [{ type: 'UserLoggedOut', data: { userId, sessionId: command.sessionId, at } }];
}
