/**
 * Rectification: the profile fields a request may correct, checked when it
 * is filed, and the account event that corrects them once it is approved.
 *
 * The correction is the identity feature's own `ProfileUpdated` on the user
 * stream (its public contract), so it flows to every read model exactly as
 * a correction made in the profile does: the accounts row, and every report
 * that joins names from it (course log, directory, progress reports).
 *
 * The value rules are the identity feature's (profile.ts), restated here: the
 * privacy feature must not load the identity feature's code, which loads this
 * one (for the access audit). The field list is checked against identity's
 * type at compile time.
 */
import type { ProfileField } from '@learnstream/identity';
import { personal } from '@learnstream/personal-data';

export const RECTIFIABLE_FIELDS = [
  'displayName', 'givenName', 'familyName', 'email', 'phone', 'dateOfBirth', 'gender', 'nationalId', 'country', 'interests',
] as const satisfies readonly ProfileField[];

const GENDERS = ['female', 'male', 'non_binary', 'other', 'undisclosed'];
const EMAIL = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]{2,}$/;
const PHONE = /^\+?[0-9 ()-]{6,20}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Problems with the corrections, as { field, message }; empty when they can be applied. */
export function rectificationProblems(changes: unknown, now: Date): { field: string; message: string }[] {
  if (typeof changes !== 'object' || changes === null || Array.isArray(changes) || Object.keys(changes).length === 0) {
    return [{ field: 'changes', message: `give the fields to correct: some of ${RECTIFIABLE_FIELDS.join(', ')}` }];
  }
  const problems: { field: string; message: string }[] = [];
  const bad = (field: string, message: string) => problems.push({ field: `changes.${field}`, message });
  for (const [field, v] of Object.entries(changes)) {
    if (!(RECTIFIABLE_FIELDS as readonly string[]).includes(field)) {
      bad(field, 'is not a profile field');
      continue;
    }
    if (v === null) {
      if (field === 'displayName' || field === 'interests') bad(field, 'cannot be removed');
      continue;
    }
    const text = (max: number) => typeof v === 'string' && v.trim().length > 0 && v.length <= max;
    switch (field) {
      case 'displayName':
        if (!text(200)) bad(field, 'must be text of 1 to 200 characters');
        break;
      case 'givenName':
      case 'familyName':
        if (!text(100)) bad(field, 'must be text of 1 to 100 characters');
        break;
      case 'email':
        if (typeof v !== 'string' || !EMAIL.test(v)) bad(field, 'must be an email address');
        break;
      case 'phone':
        if (typeof v !== 'string' || !PHONE.test(v)) bad(field, 'must be a phone number');
        break;
      case 'dateOfBirth': {
        const d = typeof v === 'string' && DATE.test(v) ? new Date(`${v}T00:00:00Z`) : null;
        if (!d || Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== v || d.getTime() > now.getTime()) bad(field, 'must be a past date YYYY-MM-DD');
        break;
      }
      case 'gender':
        if (!GENDERS.includes(v as string)) bad(field, `must be one of ${GENDERS.join(', ')}`);
        break;
      case 'nationalId':
        if (typeof v !== 'string' || !/^[A-Za-z0-9-]{4,30}$/.test(v)) bad(field, 'must be 4 to 30 letters, digits or -');
        break;
      case 'country':
        if (typeof v !== 'string' || !/^[A-Z]{2}$/.test(v)) bad(field, 'must be an ISO 3166-1 alpha-2 code');
        break;
      case 'interests':
        if (!Array.isArray(v) || v.length > 20 || v.some((i) => typeof i !== 'string' || i.trim() === '' || i.length > 50)) bad(field, 'must be up to 20 texts of 1 to 50 characters');
        break;
    }
  }
  return problems;
}

/** The identity feature's ProfileUpdated for the corrections, sealed with the person's key. */
export function profileUpdated(userId: string, changes: Record<string, unknown>, now: Date, ageOfMajority: number): { type: 'ProfileUpdated'; data: Record<string, unknown> } {
  const dob = changes.dateOfBirth;
  let minor: boolean | null = null;
  if (dob !== undefined) {
    if (typeof dob !== 'string') minor = false;
    else {
      const [y, m, d] = dob.split('-').map(Number);
      minor = Date.UTC(y + ageOfMajority, m - 1, d) > now.getTime();
    }
  }
  const sealed = Object.fromEntries(Object.entries(changes).map(([k, v]) => [k, v === null ? null : personal(userId, v)]));
  return { type: 'ProfileUpdated', data: { userId, changes: sealed, minor, at: now.toISOString() } };
}
