/** A school admin chooses the at-risk flag's threshold for the school's class reports (of the school's model: its own, else the bundled one). */
import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { AccessPolicy, TenantDb, type Actor } from '@learnstream/access';
import { Clock } from '@learnstream/domain';
import type { THRESHOLD_CHOICES } from '../progress.events';
import { ProgressRepository } from '../progress.repository';
import { readSchoolModel } from '../queries/early-warning';

type Threshold = (typeof THRESHOLD_CHOICES)[number];

export interface ThresholdSettingView {
  schoolId: string;
  threshold: Threshold;
  riskAtLeast: number;
  expectedPrecision: number;
  expectedRecall: number;
}

export class SetEarlyWarningThresholdCommand extends Command<ThresholdSettingView> {
  constructor(
    readonly actor: Actor,
    readonly schoolId: string,
    readonly threshold: Threshold,
  ) {
    super();
  }
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

@CommandHandler(SetEarlyWarningThresholdCommand)
export class SetEarlyWarningThresholdHandler implements ICommandHandler<SetEarlyWarningThresholdCommand, ThresholdSettingView> {
  constructor(
    private readonly policy: AccessPolicy,
    private readonly repo: ProgressRepository,
    private readonly db: TenantDb,
    private readonly clock: Clock,
  ) {}

  async execute({ actor, schoolId, threshold }: SetEarlyWarningThresholdCommand): Promise<ThresholdSettingView> {
    await this.policy.require(actor, { action: 'school.manage', schoolId });
    await this.repo.thresholdSet(actor, { schoolId, threshold, at: this.clock.nowIso() });
    const { model } = await this.db.read(await this.policy.scopeOf(actor), (db) => readSchoolModel(db, schoolId));
    const t = model.thresholds[threshold];
    return { schoolId, threshold, riskAtLeast: round3(t.threshold), expectedPrecision: round3(t.expectedPrecision), expectedRecall: round3(t.expectedRecall) };
  }
}
