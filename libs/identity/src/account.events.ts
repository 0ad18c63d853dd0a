/**
 * The account feature's events (its public contract). All go to the user's
 * stream `user-<userId>`, except sign-in failures for an unknown username,
 * which go to the security stream (there is no user to attach them to).
 *
 * Personal values (username, names, contact data, date of birth, gender,
 * national id, country, interests, the password hash, an impersonation
 * reason) are sealed with the user's own key: erasing the user shreds them.
 */
import { eventType, instant, nullable, present, uuid } from '@learnstream/domain';
import type { EventTypeDefinition } from '@learnstream/event-store';
import type { PlatformRole } from '@learnstream/access';

export const SECURITY_STREAM = 'security-00000000-0000-4000-8000-000000000001';

export const PROFILE_FIELDS = ['displayName', 'givenName', 'familyName', 'email', 'phone', 'dateOfBirth', 'gender', 'nationalId', 'country', 'interests'] as const;
export type ProfileField = (typeof PROFILE_FIELDS)[number];
export type Gender = 'female' | 'male' | 'non_binary' | 'other' | 'undisclosed';

export interface Profile {
  displayName: string;
  givenName: string | null;
  familyName: string | null;
  email: string | null;
  phone: string | null;
  /** YYYY-MM-DD */
  dateOfBirth: string | null;
  gender: Gender | null;
  nationalId: string | null;
  /** ISO 3166-1 alpha-2 */
  country: string | null;
  interests: string[];
}

/** A value the handler seals with `personal(userId, …)`; deciders pass it through. */
export type Sealed<T> = T | unknown;

export interface ConsentAssurance {
  /** Who gave the consent the staff member vouches for. */
  obtainedFrom: 'learner' | 'parent';
  recordedBy: string;
}

export type AccountEvent =
  | {
      type: 'AccountCreated';
      data: {
        userId: string;
        origin: 'self' | 'staff' | 'bootstrap';
        username: Sealed<string>;
        profile: { [K in keyof Profile]: Sealed<Profile[K]> };
        /** The person's id in another system, unique among the school's accounts (absent in events before it existed). */
        idNumber?: Sealed<string> | null;
        passwordHash: Sealed<string>;
        mustChangePassword: boolean;
        platformRoles: PlatformRole[];
        openedBy: string | null;
        consent: ConsentAssurance | null;
        minor: boolean;
        at: string;
      };
    }
  | { type: 'ProfileUpdated'; data: { userId: string; changes: Partial<Record<ProfileField, unknown>>; minor: boolean; at: string } }
  | { type: 'PasswordChanged'; data: { userId: string; passwordHash: Sealed<string>; reason: 'self' | 'reset'; mustChangePassword: boolean; at: string } }
  | { type: 'UserLoggedIn'; data: { userId: string; sessionId: string; at: string } }
  | { type: 'LoginFailed'; data: { userId: string | null; reason: LoginFailure; at: string } }
  | { type: 'UserLoggedOut'; data: { userId: string; sessionId: string; at: string } }
  | { type: 'AccountLocked'; data: { userId: string; reason: 'failed_logins' | 'staff'; until: string | null; at: string } }
  | { type: 'AccountUnlocked'; data: { userId: string; at: string } }
  | { type: 'PlatformRoleGranted'; data: { userId: string; role: PlatformRole; at: string } }
  | { type: 'PlatformRoleRevoked'; data: { userId: string; role: PlatformRole; at: string } }
  | { type: 'ImpersonationStarted'; data: { userId: string; sessionId: string; by: string; reason: Sealed<string>; at: string } }
  | { type: 'ImpersonationEnded'; data: { userId: string; sessionId: string; by: string; at: string } };

export type LoginFailure = 'bad_password' | 'unknown_user' | 'locked' | 'password_expired' | 'password_change_required';

/** Required fields present, ids UUIDs (or null), `at` an instant. */
const define = (type: AccountEvent['type'], required: string[], ids: string[] = ['userId']): EventTypeDefinition =>
  eventType(type, { ...Object.fromEntries(required.map((k) => [k, present])), ...Object.fromEntries(ids.map((k) => [k, nullable(uuid)])), at: instant });

export const ACCOUNT_EVENT_TYPES: EventTypeDefinition[] = [
  define('AccountCreated', ['origin', 'username', 'profile', 'passwordHash', 'mustChangePassword', 'platformRoles', 'minor']),
  define('ProfileUpdated', ['changes', 'minor']),
  define('PasswordChanged', ['passwordHash', 'reason', 'mustChangePassword']),
  define('UserLoggedIn', [], ['userId', 'sessionId']),
  define('LoginFailed', ['reason', 'userId'], []),
  define('UserLoggedOut', [], ['userId', 'sessionId']),
  define('AccountLocked', ['reason', 'until']),
  define('AccountUnlocked', []),
  define('PlatformRoleGranted', ['role']),
  define('PlatformRoleRevoked', ['role']),
  define('ImpersonationStarted', ['reason'], ['userId', 'sessionId', 'by']),
  define('ImpersonationEnded', [], ['userId', 'sessionId', 'by']),
  // On the system stream: the first start created the platform admin.
  eventType('PlatformBootstrapped', { adminId: uuid, at: instant }),
];
