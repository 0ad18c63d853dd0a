/** Who is calling: the signed-in user, and the staff member behind an impersonated session. */
import type { RequestContext } from '@learnstream/core/headless';

export type PlatformRole = 'platform_admin' | 'dpo';
export const PLATFORM_ROLES: readonly PlatformRole[] = ['platform_admin', 'dpo'];

export interface Actor {
  userId: string;
  /** The platform admin acting as this user (impersonation), else null. */
  realActorId: string | null;
  sessionId: string;
  platformRoles: PlatformRole[];
  /**
   * The request the actor is calling in (its id, IP and user agent go into
   * the envelopes of the events it causes); null outside a request (an import,
   * a job) and on an actor not yet bound to one (CurrentActor binds it).
   */
  readonly request: RequestContext | null;
}

export type SchoolRole = 'learner' | 'teacher' | 'school_admin';
export const SCHOOL_ROLES: readonly SchoolRole[] = ['learner', 'teacher', 'school_admin'];
