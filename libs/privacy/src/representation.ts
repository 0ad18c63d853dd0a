/**
 * Who may exercise a person's rights, and how the caller stands to them:
 *
 *   self          the person themself (never under impersonation: rights are
 *                 exercised by the person, not by support acting as them)
 *   parent        a confirmed parent of a MINOR (an adult child acts alone)
 *   school_admin  an admin of the school where the person is a learner (of
 *                 every school they belong to, and never for a platform account)
 *   dpo           the privacy officer (decides requests; files for people who
 *                 wrote in by other means), never for a platform admin
 *
 * The rank and tenant rules are the access policy's (AccessPolicy.standingOver):
 * memberships alone never make someone your learner.
 */
import { DomainError } from '@learnstream/domain';
import { rankOf, type AccessPolicy, type Actor } from '@learnstream/access';

export type Representation = 'self' | 'parent' | 'school_admin' | 'dpo';

export async function representationOf(policy: AccessPolicy, actor: Actor, subjectId: string): Promise<Representation | null> {
  if (actor.realActorId) return null;
  if (actor.userId === subjectId) return 'self';
  const me = await policy.factsOf(actor);
  // The DPO stands for people who wrote in by other means, never for someone of a higher rank (a platform admin).
  if (me.platformRoles.includes('dpo')) return rankOf(await policy.person(subjectId)) > rankOf(me) ? null : 'dpo';
  const standing = await policy.standingOver(actor, subjectId);
  if (standing === 'parent') return 'parent';
  if (standing === 'school_admin' && (await policy.person(subjectId)).memberships.some((m) => m.role === 'learner')) return 'school_admin';
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
