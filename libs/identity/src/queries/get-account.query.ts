/**
 * An account as its reader may see it: through the policy, then row-level
 * security. Someone else's account read is recorded (PersonalDataAccessed).
 */
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { AccessPolicy, TenantDb, type Actor } from '@learnstream/access';
import { Clock, DomainError } from '@learnstream/domain';
import { queryOne } from '@learnstream/database';
import { EventLog } from '@learnstream/event-store';
import { accessPurposeOf, recordPersonalDataAccess } from '@learnstream/privacy';

export interface AccountView {
  userId: string;
  username: string;
  displayName: string | null;
  givenName: string | null;
  familyName: string | null;
  email: string | null;
  phone: string | null;
  dateOfBirth: string | null;
  gender: string | null;
  nationalId: string | null;
  country: string | null;
  interests: string[];
  platformRoles: string[];
  status: string;
  origin: string;
  minor: boolean;
  parentalConsentAt: string | null;
  mustChangePassword: boolean;
  createdAt: string;
  lastLoginAt: string | null;
}

export const ACCOUNT_COLUMNS = `user_id, username, display_name, given_name, family_name, email, phone, to_char(date_of_birth, 'YYYY-MM-DD') AS date_of_birth,
  gender, national_id, country, interests, platform_roles, status, origin, parental_consent_at, must_change_password, created_at, last_login_at`;

/** A row of ACCOUNT_COLUMNS. */
export interface AccountRow {
  user_id: string;
  username: string;
  display_name: string | null;
  given_name: string | null;
  family_name: string | null;
  email: string | null;
  phone: string | null;
  date_of_birth: string | null;
  gender: string | null;
  national_id: string | null;
  country: string | null;
  interests: string[];
  platform_roles: string[];
  status: string;
  origin: string;
  parental_consent_at: Date | null;
  must_change_password: boolean;
  created_at: Date;
  last_login_at: Date | null;
}

export function toAccountView(r: AccountRow, ageOfMajority: number, now: Date): AccountView {
  const dob = r.date_of_birth;
  const [y, m, d] = dob ? dob.split('-').map(Number) : [0, 0, 0];
  return {
    userId: r.user_id,
    username: r.username,
    displayName: r.display_name,
    givenName: r.given_name,
    familyName: r.family_name,
    email: r.email,
    phone: r.phone,
    dateOfBirth: dob,
    gender: r.gender,
    nationalId: r.national_id,
    country: r.country,
    interests: r.interests,
    platformRoles: r.platform_roles,
    status: r.status,
    origin: r.origin,
    minor: dob ? Date.UTC(y + ageOfMajority, m - 1, d) > now.getTime() : false,
    parentalConsentAt: r.parental_consent_at ? new Date(r.parental_consent_at).toISOString() : null,
    mustChangePassword: r.must_change_password,
    createdAt: new Date(r.created_at).toISOString(),
    lastLoginAt: r.last_login_at ? new Date(r.last_login_at).toISOString() : null,
  };
}

/**
 * Need to know, by field (DESIGN.md): the person, their parent, the DPO and
 * the admins of their school see the whole account; a teacher sees who the
 * learner is (names, class, username, status, minor), not how to reach them or
 * identify them elsewhere; a platform admin sees the account's administrative
 * fields, and personal data only with a stated purpose (logged) or through
 * audited impersonation. Fields left out read null and are listed in `withheld`.
 */
const TEACHING_FIELDS = ['userId', 'username', 'displayName', 'givenName', 'familyName', 'status', 'minor', 'origin', 'mustChangePassword', 'createdAt'] as const;
const PLATFORM_FIELDS = [...TEACHING_FIELDS, 'platformRoles', 'lastLoginAt', 'parentalConsentAt'] as const;

/** A class the person is in now (learners) or teaches (teachers), in a school the reader sees. */
export interface ClassPlacementView {
  schoolId: string;
  role: string;
  classId: string;
  className: string | null;
}

export type AccountReadView = AccountView & { withheld?: string[]; classes?: ClassPlacementView[] };

/** An account row with the classes the person is in now (learners) or teaches (teachers), as far as the reader's scope shows them. */
export type AccountWithClassesRow = AccountRow & { classes: { school_id: string; role: string; class_id: string; name: string | null }[] };

/** One statement ($1: the person): the account and its current classes. */
export const ACCOUNT_WITH_CLASSES_SQL = `SELECT ${ACCOUNT_COLUMNS},
    coalesce((SELECT json_agg(json_build_object('school_id', m.school_id, 'role', m.role, 'class_id', m.class_id, 'name', c.name) ORDER BY m.started_at, m.class_id)
              FROM school_memberships m LEFT JOIN school_classes c ON c.class_id = m.class_id
              WHERE m.user_id = accounts.user_id AND m.ended_at IS NULL AND m.class_id IS NOT NULL), '[]') AS classes
  FROM accounts WHERE user_id = $1`;

export function toAccountReadView(row: AccountWithClassesRow, ageOfMajority: number, now: Date): AccountReadView {
  return {
    ...toAccountView(row, ageOfMajority, now),
    classes: row.classes.map((c) => ({ schoolId: c.school_id, role: c.role, classId: c.class_id, className: c.name })),
  };
}

function only(view: AccountReadView, fields: readonly string[]): AccountReadView {
  const keep = new Set([...fields, 'classes']);
  const withheld = Object.keys(view).filter((k) => !keep.has(k));
  const out = { ...view } as Record<string, unknown>;
  for (const k of withheld) out[k] = Array.isArray(out[k]) ? [] : null;
  return { ...(out as unknown as AccountView), withheld };
}

export class GetAccountQuery {
  constructor(
    readonly actor: Actor,
    readonly userId: string,
    /** A platform admin's stated reason to read the personal fields (logged with the read). */
    readonly statedPurpose: string | null = null,
  ) {}
}

@QueryHandler(GetAccountQuery)
export class GetAccountHandler implements IQueryHandler<GetAccountQuery, AccountReadView> {
  constructor(
    private readonly clock: Clock,
    private readonly policy: AccessPolicy,
    private readonly db: TenantDb,
    private readonly log: EventLog,
  ) {}

  async execute({ actor, userId, statedPurpose }: GetAccountQuery): Promise<AccountReadView> {
    await this.policy.require(actor, { action: 'user.read', userId });
    const scope = await this.policy.scopeOf(actor);
    const row = await this.db.read(scope, (db) => queryOne<AccountWithClassesRow>(db, ACCOUNT_WITH_CLASSES_SQL, [userId]));
    if (!row) throw new DomainError('not_found', 'USER_NOT_FOUND', 'no such user');
    // The class is part of who a learner is at school: every reader of the account gets it (within their schools).
    const view = toAccountReadView(row, this.policy.ageOfMajority, this.clock.now());
    if (userId === actor.userId) return view;
    const me = await this.policy.factsOf(actor);
    const target = await this.policy.person(userId);
    const full = me.platformRoles.includes('dpo') || me.children.includes(userId) || target.memberships.some((t) => me.memberships.some((m) => m.role === 'school_admin' && m.schoolId === t.schoolId));
    const platformAdmin = me.platformRoles.includes('platform_admin');
    const shown = full ? view : platformAdmin ? (statedPurpose ? view : only(view, PLATFORM_FIELDS)) : only(view, TEACHING_FIELDS);
    await recordPersonalDataAccess(this.log, actor, {
      subjectIds: [userId],
      what: 'profile',
      purpose: accessPurposeOf(me, [userId]),
      ...(!full && platformAdmin && statedPurpose ? { statedPurpose } : {}),
    });
    return shown;
  }
}
