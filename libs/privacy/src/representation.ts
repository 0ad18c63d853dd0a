/**
 * Who may exercise a person's rights, and how the caller stands to them:
 *
 *   self          the person themself (never under impersonation: rights are
 *                 exercised by the person, not by support acting as them)
 *   parent        a confirmed parent of a MINOR (an adult child acts alone)
 *   school_admin  an admin of a school where the person is a learner
 *   dpo           the privacy officer (decides requests; files for people who
 *                 wrote in by other means)
 */
import { DomainError } from '@learnstream/domain';
import type { AccessPolicy, Actor } from '@learnstream/access';

export type Representation = 'self' | 'parent' | 'school_admin' | 'dpo';

export async function representationOf(policy: AccessPolicy, actor: Actor, subjectId: string): Promise<Representation | null> {
  if (actor.realActorId) return null;
  if (actor.userId === subjectId) return 'self';
  const me = await policy.factsOf(actor);
  if (me.platformRoles.includes('dpo')) return 'dpo';
  const subject = await policy.person(subjectId);
  if (!subject.exists) return null;
  if (me.children.includes(subjectId) && !policy.isAdult(subject)) return 'parent';
  const adminOf = new Set(me.memberships.filter((m) => m.role === 'school_admin').map((m) => m.schoolId));
  if (subject.memberships.some((m) => m.role === 'learner' && adminOf.has(m.schoolId))) return 'school_admin';
  return null;
}

/** The caller's standing, when it is one of `allowed`; else FORBIDDEN (nothing said about the person). */
export async function requireRepresentation(policy: AccessPolicy, actor: Actor, subjectId: string, allowed: readonly Representation[]): Promise<Representation> {
  const standing = await representationOf(policy, actor, subjectId);
  if (!standing || !allowed.includes(standing)) throw new DomainError('forbidden', 'FORBIDDEN', 'you may not act on this person’s privacy');
  return standing;
}

export async function requireOfficer(policy: AccessPolicy, actor: Actor): Promise<void> {
  if (actor.realActorId || !(await policy.can(actor, { action: 'privacy.officer' }))) {
    throw new DomainError('forbidden', 'FORBIDDEN', 'only the privacy officer (DPO) may do this');
  }
}
