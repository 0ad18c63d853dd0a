/**
 * Transfers (transfer.ts): staff of a school ask an existing account to join;
 * the person (adult), a confirmed parent (minor) or the platform admin
 * accepts or declines; the asking school (the requester, its admins, the
 * platform admin) may cancel while it waits. Accepting appends, in one
 * atomic multi-stream write, TransferAccepted on the transfer's stream and
 * SchoolJoined (with a learner's SchoolLeft from the school they leave) on
 * the person's stream.
 */
import { randomUUID } from 'node:crypto';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AccessPolicy, ForbiddenError, rankOf, type Actor, type SchoolRole } from '@learnstream/access';
import { retryOnConflict } from '@learnstream/core';
import { DomainError, Clock } from '@learnstream/domain';
import { AffiliationsRepository } from '../affiliations.repository';
import { activeMemberships, decideJoinSchool, evolveMembership, initialMembershipState } from '../membership';
import { transferStream, userStream } from '../streams';
import { decideTransfer, evolveTransfer, type TransferDecider, type TransferState } from '../transfer';
import { transferViewOfRow, type TransferSide, type TransferView } from '../views';

export interface RequestTransferInput {
  userId: string;
  role: SchoolRole;
  classId: string | null;
  gradeLevel: string | null;
}

export class RequestTransferCommand extends Command<TransferView> {
  constructor(
    readonly actor: Actor,
    readonly schoolId: string,
    readonly input: RequestTransferInput,
  ) {
    super();
  }
}

export class DecideTransferCommand extends Command<TransferView> {
  constructor(
    readonly actor: Actor,
    readonly transferId: string,
    readonly decision: 'accept' | 'decline',
  ) {
    super();
  }
}

export class CancelTransferCommand extends Command<TransferView> {
  constructor(
    readonly actor: Actor,
    readonly transferId: string,
  ) {
    super();
  }
}

const notFound = () => new DomainError('not_found', 'TRANSFER_NOT_FOUND', 'no such transfer');

async function viewFor(repo: AffiliationsRepository, transferId: string, side: TransferSide): Promise<TransferView> {
  const row = await repo.transferRow(transferId);
  if (!row) throw notFound();
  return transferViewOfRow(row, side);
}

async function loadTransfer(repo: AffiliationsRepository, transferId: string): Promise<TransferState> {
  const { state } = await repo.log.aggregate(transferStream(transferId), null as TransferState | null, evolveTransfer);
  if (!state) throw notFound();
  return state;
}

@CommandHandler(RequestTransferCommand)
export class RequestTransferHandler implements ICommandHandler<RequestTransferCommand> {
  constructor(
    private readonly clock: Clock,
    private readonly policy: AccessPolicy,
    private readonly repo: AffiliationsRepository,
  ) {}

  async execute({ actor, schoolId, input }: RequestTransferCommand): Promise<TransferView> {
    await this.policy.require(actor, { action: 'transfer.request', schoolId, role: input.role });
    const target = await this.policy.person(input.userId);
    if (!target.exists) throw new DomainError('invalid', 'UNKNOWN_USER', 'no such user');
    // Platform accounts are never a school's: no one may ask them in.
    if (rankOf(target) > 1) throw new ForbiddenError('a platform account cannot join a school');
    const school = await this.repo.loadSchool(schoolId);
    const { state: memberships } = await this.repo.log.aggregate(userStream(input.userId), initialMembershipState(), evolveMembership);
    const at = this.clock.nowIso();
    // The same checks as the join itself (school, class, grade level, already a member), before anything is written.
    decideJoinSchool({ type: 'JoinSchool', membershipId: randomUUID(), userId: input.userId, schoolId, role: input.role, classId: input.classId, gradeLevel: input.gradeLevel, by: actor.userId, at }, memberships, school);
    if (await this.repo.transferPending(input.userId, schoolId)) throw new DomainError('conflict', 'TRANSFER_PENDING', 'this school already asked this person and is waiting for an answer');
    const fromSchoolId = input.role === 'learner' ? (activeMemberships(memberships).find((m) => m.role === 'learner' && m.schoolId !== schoolId)?.schoolId ?? null) : null;
    const transferId = randomUUID();
    await this.repo.decideAndAppend({
      streamId: transferStream(transferId),
      initial: null as TransferState | null,
      evolve: evolveTransfer,
      actor,
      decide: (state) =>
        decideTransfer({ type: 'RequestTransfer', transferId, userId: input.userId, toSchoolId: schoolId, fromSchoolId, role: input.role, classId: input.classId, gradeLevel: input.gradeLevel, by: actor.userId, at }, state),
    });
    return viewFor(this.repo, transferId, (await this.policy.factsOf(actor)).platformRoles.includes('platform_admin') ? 'person' : 'to');
  }
}

@CommandHandler(DecideTransferCommand)
export class DecideTransferHandler implements ICommandHandler<DecideTransferCommand> {
  constructor(
    private readonly clock: Clock,
    private readonly policy: AccessPolicy,
    private readonly repo: AffiliationsRepository,
  ) {}

  async execute({ actor, transferId, decision }: DecideTransferCommand): Promise<TransferView> {
    const known = await loadTransfer(this.repo, transferId);
    await this.policy.require(actor, { action: 'transfer.decide', userId: known.userId });
    const as: TransferDecider = actor.userId === known.userId ? 'self' : (await this.policy.standingOver(actor, known.userId)) === 'parent' ? 'parent' : 'platform_admin';
    const at = this.clock.nowIso();
    if (decision === 'decline') {
      await this.repo.decideAndAppend({
        streamId: transferStream(transferId),
        initial: null as TransferState | null,
        evolve: evolveTransfer,
        actor,
        decide: (state) => decideTransfer({ type: 'DeclineTransfer', as, by: actor.userId, at }, state),
      });
      return viewFor(this.repo, transferId, 'person');
    }
    const membershipId = randomUUID();
    await retryOnConflict(async () => {
      const transfer = await this.repo.log.aggregate(transferStream(transferId), null as TransferState | null, evolveTransfer);
      const person = await this.repo.log.aggregate(userStream(known.userId), initialMembershipState(), evolveMembership);
      const t = transfer.state!;
      const school = await this.repo.loadSchool(t.toSchoolId);
      // The transfer must still be pending before the membership is decided (TRANSFER_NOT_PENDING first).
      decideTransfer({ type: 'AcceptTransfer', as, fromSchoolId: null, by: actor.userId, at }, t);
      const joined = decideJoinSchool(
        { type: 'JoinSchool', membershipId, userId: t.userId, schoolId: t.toSchoolId, role: t.role, classId: t.classId, gradeLevel: t.gradeLevel, by: actor.userId, at },
        person.state,
        school,
      );
      const left = joined.find((e) => e.type === 'SchoolLeft');
      const accepted = decideTransfer({ type: 'AcceptTransfer', as, fromSchoolId: left ? left.data.schoolId : null, by: actor.userId, at }, t);
      await this.repo.appendBatch(actor, null, [
        { streamId: transferStream(transferId), events: accepted, expectedRevision: transfer.revision ?? 'no_stream' },
        { streamId: userStream(t.userId), events: joined, expectedRevision: person.revision ?? 'no_stream' },
      ]);
    });
    return viewFor(this.repo, transferId, 'person');
  }
}

@CommandHandler(CancelTransferCommand)
export class CancelTransferHandler implements ICommandHandler<CancelTransferCommand> {
  constructor(
    private readonly clock: Clock,
    private readonly policy: AccessPolicy,
    private readonly repo: AffiliationsRepository,
  ) {}

  async execute({ actor, transferId }: CancelTransferCommand): Promise<TransferView> {
    const known = await loadTransfer(this.repo, transferId);
    const asking = (known.requestedBy === actor.userId && !actor.realActorId) || (await this.policy.can(actor, { action: 'school.manage', schoolId: known.toSchoolId }));
    if (!asking) throw new ForbiddenError('only the asking school may cancel a transfer');
    await this.repo.decideAndAppend({
      streamId: transferStream(transferId),
      initial: null as TransferState | null,
      evolve: evolveTransfer,
      actor,
      decide: (state) => decideTransfer({ type: 'CancelTransfer', by: actor.userId, at: this.clock.nowIso() }, state),
    });
    return viewFor(this.repo, transferId, (await this.policy.factsOf(actor)).platformRoles.includes('platform_admin') ? 'person' : 'to');
  }
}
