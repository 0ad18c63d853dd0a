/**
 * The at-risk model a school's class reports score with (docs/early-warning.md, "A school's own model"): its
 * own, trained on its finished courses (TrainEarlyWarningCommand), or the bundled one. The weights per
 * standard deviation with the means and standard deviations they standardise with, the penalty, and each
 * threshold setting with the precision and recall it had on the held-out courses (the school's) or modules
 * (the bundled model's). school.manage: a school's admins, no one of another school.
 */
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { AccessPolicy, TenantDb, type Actor } from '@learnstream/access';
import { THRESHOLD_SETTINGS, type ThresholdSetting } from '@learnstream/early-warning';
import { readSchoolModel, round3, type SchoolModel } from './early-warning';

export interface SchoolModelView {
  schoolId: string;
  /** school: trained on the school's own history; bundled: the product's (the school has none). */
  source: 'school' | 'bundled';
  trainedOn: string;
  trained: { at: string; by: string; courses: number; learners: number } | null;
  l2: number;
  atDays: number[];
  intercept: number;
  weights: { feature: string; weight: number; mean: number; sd: number }[];
  thresholds: Record<ThresholdSetting, { riskAtLeast: number; expectedPrecision: number; expectedRecall: number; rule: string }>;
}

export function schoolModelView(schoolId: string, { source, model, trained }: SchoolModel): SchoolModelView {
  return {
    schoolId,
    source,
    trainedOn: model.trainedOn,
    trained,
    l2: model.l2,
    atDays: model.atDays,
    intercept: model.intercept,
    weights: model.features.map((feature, j) => ({ feature, weight: model.weights[j], mean: model.mean[j], sd: model.sd[j] })),
    thresholds: Object.fromEntries(
      THRESHOLD_SETTINGS.map((s) => {
        const t = model.thresholds[s];
        return [s, { riskAtLeast: round3(t.threshold), expectedPrecision: round3(t.expectedPrecision), expectedRecall: round3(t.expectedRecall), rule: t.rule }];
      }),
    ) as SchoolModelView['thresholds'],
  };
}

export class GetSchoolModelQuery extends Query<SchoolModelView> {
  constructor(
    readonly actor: Actor,
    readonly schoolId: string,
  ) {
    super();
  }
}

@QueryHandler(GetSchoolModelQuery)
export class GetSchoolModelHandler implements IQueryHandler<GetSchoolModelQuery, SchoolModelView> {
  constructor(
    private readonly policy: AccessPolicy,
    private readonly db: TenantDb,
  ) {}

  async execute({ actor, schoolId }: GetSchoolModelQuery): Promise<SchoolModelView> {
    await this.policy.require(actor, { action: 'school.manage', schoolId });
    return schoolModelView(schoolId, await this.db.read(await this.policy.scopeOf(actor), (db) => readSchoolModel(db, schoolId)));
  }
}
