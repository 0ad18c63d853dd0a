/**
 * The person's privacy state beyond consents:
 *
 *   LiftRestriction   the DPO ends a restriction of processing
 *   WithdrawObjection the person (or a parent for a minor) lets profiling resume
 *   PlaceLegalHold    the DPO holds the person's data (a reason, an optional end):
 *                     shredding is deferred, the data stays restricted
 *   LiftLegalHold     the DPO lifts it; an erasure deferred by it is carried out now
 *   CancelAccount     the person, a parent for a minor, a school admin for their
 *                     learner, or the DPO closes the account: restricted at once
 *                     (sign-in locked, sessions ended), shredded when the legal
 *                     hold period (PRIVACY_LEGAL_HOLD_YEARS) ends
 */
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { AccessPolicy, type Actor } from '@learnstream/access';
import { PG_POOL } from '@learnstream/core';
import type { AppendResult } from '@learnstream/event-store';
import { Clock } from '@learnstream/domain';
import type pg from 'pg';
import { ErasureService } from '../erasure.service';
import { decideSubject, type SubjectCommand } from '../privacy-subject';
import { PRIVACY_OPTIONS, type PrivacyOptions } from '../privacy.options';
import { PrivacyReader, type PrivacyStatusView } from '../privacy.reader';
import { PrivacyRepository } from '../privacy.repository';
import { requireOfficer, requireRepresentation } from '../representation';

export type SubjectChange =
  | { kind: 'lift_restriction' }
  | { kind: 'withdraw_objection' }
  | { kind: 'place_legal_hold'; reason: string; until: string | null }
  | { kind: 'lift_legal_hold' }
  | { kind: 'cancel_account' };

export class ChangePrivacyStateCommand extends Command<PrivacyStatusView> {
  constructor(
    readonly actor: Actor,
    readonly userId: string,
    readonly change: SubjectChange,
  ) {
    super();
  }
}

@CommandHandler(ChangePrivacyStateCommand)
export class ChangePrivacyStateHandler implements ICommandHandler<ChangePrivacyStateCommand, PrivacyStatusView> {
  constructor(
    private readonly clock: Clock,
    private readonly policy: AccessPolicy,
    private readonly repo: PrivacyRepository,
    private readonly reader: PrivacyReader,
    private readonly erasure: ErasureService,
    @Inject(PG_POOL) private readonly pool: pg.Pool,
    @Inject(PRIVACY_OPTIONS) private readonly options: PrivacyOptions,
  ) {}

  async execute({ actor, userId, change }: ChangePrivacyStateCommand): Promise<PrivacyStatusView> {
    const now = this.clock.now();
    let command: SubjectCommand;
    switch (change.kind) {
      case 'lift_restriction':
        await requireOfficer(this.policy, actor);
        command = { type: 'LiftRestriction', userId, by: actor.userId, now };
        break;
      case 'withdraw_objection':
        await requireRepresentation(this.policy, actor, userId, ['self', 'parent']);
        command = { type: 'WithdrawObjection', userId, now };
        break;
      case 'place_legal_hold':
        await requireOfficer(this.policy, actor);
        command = { type: 'PlaceLegalHold', userId, holdId: randomUUID(), by: actor.userId, reason: change.reason, until: change.until, now };
        break;
      case 'lift_legal_hold':
        await requireOfficer(this.policy, actor);
        command = { type: 'LiftLegalHold', userId, by: actor.userId, expired: false, now };
        break;
      case 'cancel_account':
        await requireRepresentation(this.policy, actor, userId, ['self', 'parent', 'school_admin', 'dpo']);
        command = { type: 'CancelAccount', userId, by: actor.userId, holdYears: this.options.legalHoldYears, now };
        break;
    }
    let { result } = await this.repo.changeSubject(userId, actor, (s) => {
      const events = decideSubject(command, s);
      // A cancelled account can no longer be signed in to (the identity feature's staff lock). Its sessions
      // end in the same transaction (the accounts read model revokes them when it applies AccountCancelled).
      if (command.type === 'CancelAccount') return [{ type: 'AccountLocked', data: { userId, reason: 'staff', until: null, at: now.toISOString() } }, ...events];
      return events;
    });
    if (command.type === 'LiftLegalHold') result = (await this.releaseDeferred(actor, userId, now)) ?? result;
    await this.repo.settle(result?.position);
    return this.reader.status(userId);
  }

  /**
   * Erasures that waited for this hold are carried out now: one erasure of the
   * person, which completes every open erasure request about them in the batch
   * that records SubjectErased (ErasureService.finish). It follows the append of
   * LegalHoldLifted (keys are never destroyed while a hold stands); a crash
   * between the two leaves deferred requests without a hold, which the
   * retention sweep completes.
   */
  private async releaseDeferred(actor: Actor, userId: string, now: Date): Promise<AppendResult | null> {
    const open = await this.erasure.openErasures(userId);
    return open.length ? this.erasure.erase(open[0], actor, now) : null;
  }
}
