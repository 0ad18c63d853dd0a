/** Rules for profile values and passwords: pure, shared by every command that takes them. */
import { DomainError } from '@learnstream/domain';
import type { Gender, Profile, ProfileField } from './account.events';

export const GENDERS: readonly Gender[] = ['female', 'male', 'non_binary', 'other', 'undisclosed'];
export const USERNAME = /^[a-z0-9][a-z0-9._@-]{2,63}$/;
const EMAIL = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]{2,}$/;
const PHONE = /^\+?[0-9 ()-]{6,20}$/;
const COUNTRY = /^[A-Z]{2}$/;
const NATIONAL_ID = /^[A-Za-z0-9-]{4,30}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function normaliseUsername(username: string): string {
  return username.trim().toLowerCase();
}

/** Problems with profile values, as { field, message }; empty when valid. `now` bounds the date of birth. */
export function profileProblems(values: Partial<Record<ProfileField, unknown>>, now: Date): { field: string; message: string }[] {
  const problems: { field: string; message: string }[] = [];
  const bad = (field: string, message: string) => problems.push({ field, message });
  const text = (field: ProfileField, max: number) => {
    const v = values[field];
    if (v !== undefined && v !== null && (typeof v !== 'string' || v.trim().length === 0 || v.length > max)) bad(field, `must be text of 1 to ${max} characters`);
  };
  text('displayName', 200);
  text('givenName', 100);
  text('familyName', 100);
  if (values.email != null && (typeof values.email !== 'string' || !EMAIL.test(values.email))) bad('email', 'must be an email address');
  if (values.phone != null && (typeof values.phone !== 'string' || !PHONE.test(values.phone))) bad('phone', 'must be a phone number (digits, spaces, +, -, parentheses)');
  if (values.dateOfBirth != null) {
    const v = values.dateOfBirth;
    const d = typeof v === 'string' && DATE.test(v) ? new Date(`${v}T00:00:00Z`) : null;
    if (!d || Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== v) bad('dateOfBirth', 'must be a date YYYY-MM-DD');
    else if (d.getTime() > now.getTime() || d.getUTCFullYear() < now.getUTCFullYear() - 130) bad('dateOfBirth', 'must be in the past 130 years');
  }
  if (values.gender != null && !GENDERS.includes(values.gender as Gender)) bad('gender', `must be one of ${GENDERS.join(', ')}`);
  if (values.nationalId != null && (typeof values.nationalId !== 'string' || !NATIONAL_ID.test(values.nationalId))) bad('nationalId', 'must be 4 to 30 letters, digits or -');
  if (values.country != null && (typeof values.country !== 'string' || !COUNTRY.test(values.country))) bad('country', 'must be an ISO 3166-1 alpha-2 code, e.g. TH');
  if (values.interests !== undefined) {
    const v = values.interests;
    if (!Array.isArray(v) || v.length > 20 || v.some((i) => typeof i !== 'string' || i.trim().length === 0 || i.length > 50)) bad('interests', 'must be up to 20 texts of 1 to 50 characters');
  }
  return problems;
}

export function assertProfile(values: Partial<Record<ProfileField, unknown>>, now: Date): void {
  const problems = profileProblems(values, now);
  if (problems.length) throw new DomainError('invalid', 'VALIDATION_FAILED', 'the profile is not valid', problems);
}

export function isMinor(dateOfBirth: string | null, now: Date, ageOfMajority: number): boolean {
  if (!dateOfBirth) return false;
  const [y, m, d] = dateOfBirth.split('-').map(Number);
  return Date.UTC(y + ageOfMajority, m - 1, d) > now.getTime();
}

/** Filled-in profile with absent optional fields as null. */
export function completeProfile(values: Partial<Profile> & { displayName: string }): Profile {
  return {
    displayName: values.displayName,
    givenName: values.givenName ?? null,
    familyName: values.familyName ?? null,
    email: values.email ?? null,
    phone: values.phone ?? null,
    dateOfBirth: values.dateOfBirth ?? null,
    gender: values.gender ?? null,
    nationalId: values.nationalId ?? null,
    country: values.country ?? null,
    interests: values.interests ?? [],
  };
}

/**
 * Password rules (NIST SP 800-63B): a minimum length, no composition rules,
 * refuse the username and passwords everyone tries first.
 */
const COMMON = new Set([
  'password', 'password1', 'password12', 'password123', 'password1234', '1234567890', '12345678910', 'qwertyuiop', 'qwerty1234',
  '1q2w3e4r5t', 'iloveyou12', 'letmein123', 'welcome123', 'admin12345', 'administrator', 'changeme123', 'passw0rd123',
  'abcdefghij', 'abc1234567', '0987654321', '1111111111', 'aaaaaaaaaa', 'football123', 'baseball123', 'sunshine12',
  'princess12', 'superman12', 'dragon1234', 'monkey1234', 'trustno1234', 'learnstream', 'learnstream1', 'student123', 'teacher123',
]);

export function passwordProblems(password: unknown, username: string | null, minLength: number): string[] {
  if (typeof password !== 'string') return ['password is required'];
  const problems: string[] = [];
  if (password.length < minLength) problems.push(`password must be at least ${minLength} characters`);
  if (password.length > 256) problems.push('password must be at most 256 characters');
  if (username && password.toLowerCase().includes(username.toLowerCase())) problems.push('password must not contain the username');
  if (COMMON.has(password.toLowerCase())) problems.push('password is too common');
  if (/^(.)\1+$/.test(password)) problems.push('password must not be one repeated character');
  return problems;
}

export function assertPassword(password: unknown, username: string | null, minLength: number): asserts password is string {
  const problems = passwordProblems(password, username, minLength);
  if (problems.length) throw new DomainError('invalid', 'WEAK_PASSWORD', problems[0], problems.map((message) => ({ field: 'password', message })));
}
