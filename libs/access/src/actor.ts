/** Who is calling: the signed-in user, and the staff member behind an impersonated session. */
export type PlatformRole = 'platform_admin' | 'dpo';
export const PLATFORM_ROLES: readonly PlatformRole[] = ['platform_admin', 'dpo'];

export interface Actor {
  userId: string;
  /** The platform admin acting as this user (impersonation), else null. */
  realActorId: string | null;
  sessionId: string;
  platformRoles: PlatformRole[];
}

export type SchoolRole = 'learner' | 'teacher' | 'school_admin';
export const SCHOOL_ROLES: readonly SchoolRole[] = ['learner', 'teacher', 'school_admin'];
