import { decideImpersonation, decideLock, decideLogin, decideRole, decideUnlock, evolveAccount, initialAccount, type AccountState } from './account';
import { passwordProblems, profileProblems, isMinor } from './profile';

const userId = '11111111-1111-4111-8111-111111111111';
const now = new Date('2026-03-01T10:00:00Z');
const policy = { passwordMaxAgeDays: 0 };
const given = (...events: { type: string; data: Record<string, unknown> }[]): AccountState => events.reduce(evolveAccount, initialAccount());
const created = (extra: Record<string, unknown> = {}) => ({
  type: 'AccountCreated',
  data: { userId, passwordHash: 'h', mustChangePassword: false, platformRoles: [], at: '2026-01-01T00:00:00Z', ...extra },
});
const failed = { type: 'LoginFailed', data: { userId, reason: 'bad_password', at: '2026-03-01T09:00:00Z' } };
const login = (state: AccountState, passwordMatches: boolean, at = now, p = policy) => decideLogin(state, { passwordMatches, sessionId: 's1', now: at, policy: p });

describe('sign-in', () => {
  it('given an account, when the password matches, then the user is signed in', () => {
    expect(login(given(created()), true)).toEqual({ outcome: 'signed_in', events: [{ type: 'UserLoggedIn', data: { userId, sessionId: 's1', at: now.toISOString() } }] });
  });

  it('given many failures, a wrong password is one more failure and never locks the account (a stranger could lock anyone out)', () => {
    const { outcome, events } = login(given(created(), failed, failed, failed, failed, failed, failed), false);
    expect(outcome).toBe('bad_password');
    expect(events.map((e) => e.type)).toEqual(['LoginFailed']);
  });

  it('given a lock, a wrong password answers as a wrong password does on any account: only the password proves the lock', () => {
    const locked = given(created(), { type: 'AccountLocked', data: { userId, reason: 'staff', until: null, at: '2026-03-01T10:00:00Z' } });
    expect(login(locked, false).outcome).toBe('bad_password');
    expect(login(given(created({ mustChangePassword: true })), false).outcome).toBe('bad_password');
  });

  it('given a timed lock recorded before failures stopped locking accounts, the right password is refused until it expires', () => {
    const locked = given(created(), { type: 'AccountLocked', data: { userId, reason: 'failed_logins', until: '2026-03-01T10:15:00Z', at: '2026-03-01T10:00:00Z' } });
    expect(login(locked, true).outcome).toBe('locked');
    expect(login(locked, true, new Date('2026-03-01T10:16:00Z')).outcome).toBe('signed_in');
  });

  it('given a staff lock, it holds until unlocked', () => {
    const locked = given(created(), { type: 'AccountLocked', data: { userId, reason: 'staff', until: null, at: '2026-03-01T10:00:00Z' } });
    expect(login(locked, true, new Date('2030-01-01T00:00:00Z')).outcome).toBe('locked');
    expect(decideUnlock(locked, now)).toEqual([{ type: 'AccountUnlocked', data: { userId, at: now.toISOString() } }]);
    expect(() => decideLock(locked, now)).toThrow(expect.objectContaining({ code: 'ACCOUNT_ALREADY_LOCKED' }));
    expect(() => decideUnlock(given(created()), now)).toThrow(expect.objectContaining({ code: 'ACCOUNT_NOT_LOCKED' }));
  });

  it('refuses a temporary password until it is changed, and an expired one', () => {
    expect(login(given(created({ mustChangePassword: true })), true).outcome).toBe('password_change_required');
    // Set on 2026-01-01: with a 90-day maximum it expires on 2026-04-01.
    expect(login(given(created()), true, new Date('2026-03-31T23:59:59Z'), { ...policy, passwordMaxAgeDays: 90 }).outcome).toBe('signed_in');
    expect(login(given(created()), true, new Date('2026-04-01T00:00:00Z'), { ...policy, passwordMaxAgeDays: 90 }).outcome).toBe('password_expired');
    expect(login(given(created()), true, new Date('2030-01-01T00:00:00Z'), { ...policy, passwordMaxAgeDays: 0 }).outcome).toBe('signed_in');
  });

  it('a failure that is not a wrong password does not count as a failed login', () => {
    const state = given(created({ mustChangePassword: true }), { type: 'LoginFailed', data: { userId, reason: 'password_change_required', at: '2026-03-01T09:00:00Z' } });
    expect(state.failedLogins).toBe(0);
  });

  it('refuses an unknown account', () => {
    expect(() => login(initialAccount(), true)).toThrow(expect.objectContaining({ code: 'USER_NOT_FOUND' }));
  });
});

describe('roles and impersonation', () => {
  it('grants a role once, and a platform admin cannot drop their own admin role', () => {
    const admin = given(created({ platformRoles: ['platform_admin'] }));
    expect(decideRole(admin, { role: 'platform_admin', grant: true, by: userId, now })).toEqual([]);
    expect(decideRole(admin, { role: 'dpo', grant: true, by: userId, now })).toHaveLength(1);
    expect(() => decideRole(admin, { role: 'platform_admin', grant: false, by: userId, now })).toThrow(expect.objectContaining({ code: 'CANNOT_REVOKE_OWN_ADMIN' }));
  });

  it('never impersonates platform staff', () => {
    expect(() => decideImpersonation(given(created({ platformRoles: ['dpo'] })), { sessionId: 's', by: 'x', reason: 'r', now })).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
    expect(decideImpersonation(given(created()), { sessionId: 's', by: 'x', reason: 'r', now })[0].type).toBe('ImpersonationStarted');
  });
});

describe('profile and password rules', () => {
  it('accepts a full valid profile', () => {
    expect(profileProblems({ displayName: 'Ann', email: 'a@b.co', phone: '+66 81 234 5678', dateOfBirth: '2000-02-29', gender: 'female', nationalId: '1100700123456', country: 'TH', interests: ['art'] }, now)).toEqual([]);
  });

  it.each([
    ['email', 'a@b'],
    ['phone', 'call me'],
    ['dateOfBirth', '2001-02-29'],
    ['dateOfBirth', '2030-01-01'],
    ['gender', 'robot'],
    ['nationalId', '1'],
    ['country', 'Thailand'],
    ['interests', ['x'.repeat(51)]],
  ])('refuses a bad %s (%j)', (field, value) => {
    expect(profileProblems({ [field]: value }, now).map((p) => p.field)).toEqual([field]);
  });

  it('knows a minor by the age of majority', () => {
    expect(isMinor('2008-03-02', now, 18)).toBe(true);
    expect(isMinor('2008-03-01', now, 18)).toBe(false);
    expect(isMinor(null, now, 18)).toBe(false);
  });

  it('refuses short, common, username-containing and repeated passwords', () => {
    expect(passwordProblems('correct-horse', 'ann', 10)).toEqual([]);
    expect(passwordProblems('short', 'ann', 10)).toHaveLength(1);
    expect(passwordProblems('password123', 'ann', 10)).toContain('password is too common');
    expect(passwordProblems('ann-is-great-1', 'ann', 10)).toContain('password must not contain the username');
    expect(passwordProblems('aaaaaaaaaaaa', 'ann', 10)).toContain('password must not be one repeated character');
  });
});
