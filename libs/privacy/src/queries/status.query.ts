/**
 * A person's privacy status (consents, restriction, objection, legal hold,
 * cancellation), who accessed their data (the access log), the DPO's breach
 * review, and the retention registry with a dry run of the sweep.
 */
import { Inject } from '@nestjs/common';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { AccessPolicy, type Actor } from '@learnstream/access';
import { PRIVACY_OPTIONS, type PrivacyOptions } from '../privacy.options';
import { PrivacyReader, type AccessLogEntry, type BreachFlag, type PrivacyStatusView } from '../privacy.reader';
import { requireOfficer, requireRepresentation } from '../representation';
import { retentionRegistry } from '../retention-registry';
import { RetentionSweep, type SweepReport } from '../retention-sweep';

export class GetPrivacyStatusQuery extends Query<PrivacyStatusView> {
  constructor(
    readonly actor: Actor,
    readonly userId: string,
  ) {
    super();
  }
}

export class GetAccessLogQuery extends Query<{ subjectId: string; accesses: AccessLogEntry[] }> {
  constructor(
    readonly actor: Actor,
    readonly subjectId: string,
  ) {
    super();
  }
}

export class GetBreachReviewQuery extends Query<{ threshold: number; days: number; flagged: BreachFlag[] }> {
  constructor(
    readonly actor: Actor,
    readonly threshold: number | undefined,
    readonly days: number,
  ) {
    super();
  }
}

export class GetRetentionQuery extends Query<ReturnType<typeof retentionRegistry>> {}

export class PreviewRetentionSweepQuery extends Query<SweepReport> {
  constructor(readonly actor: Actor) {
    super();
  }
}

@QueryHandler(GetPrivacyStatusQuery)
export class GetPrivacyStatusHandler implements IQueryHandler<GetPrivacyStatusQuery, PrivacyStatusView> {
  constructor(
    private readonly policy: AccessPolicy,
    private readonly reader: PrivacyReader,
  ) {}

  async execute({ actor, userId }: GetPrivacyStatusQuery): Promise<PrivacyStatusView> {
    await requireRepresentation(this.policy, actor, userId, ['self', 'parent', 'school_admin', 'dpo']);
    return this.reader.status(userId);
  }
}

@QueryHandler(GetAccessLogQuery)
export class GetAccessLogHandler implements IQueryHandler<GetAccessLogQuery> {
  constructor(
    private readonly policy: AccessPolicy,
    private readonly reader: PrivacyReader,
  ) {}

  async execute({ actor, subjectId }: GetAccessLogQuery): Promise<{ subjectId: string; accesses: AccessLogEntry[] }> {
    await requireRepresentation(this.policy, actor, subjectId, ['self', 'parent', 'dpo']);
    return { subjectId, accesses: await this.reader.accessLog(subjectId) };
  }
}

@QueryHandler(GetBreachReviewQuery)
export class GetBreachReviewHandler implements IQueryHandler<GetBreachReviewQuery> {
  constructor(
    private readonly policy: AccessPolicy,
    private readonly reader: PrivacyReader,
    @Inject(PRIVACY_OPTIONS) private readonly options: PrivacyOptions,
  ) {}

  async execute({ actor, threshold, days }: GetBreachReviewQuery): Promise<{ threshold: number; days: number; flagged: BreachFlag[] }> {
    await requireOfficer(this.policy, actor);
    const n = threshold ?? this.options.unusualAccessPerHour;
    return { threshold: n, days, flagged: await this.reader.breachReview(n, days) };
  }
}

@QueryHandler(GetRetentionQuery)
export class GetRetentionHandler implements IQueryHandler<GetRetentionQuery> {
  constructor(@Inject(PRIVACY_OPTIONS) private readonly options: PrivacyOptions) {}

  async execute() {
    return retentionRegistry(this.options);
  }
}

@QueryHandler(PreviewRetentionSweepQuery)
export class PreviewRetentionSweepHandler implements IQueryHandler<PreviewRetentionSweepQuery, SweepReport> {
  constructor(
    private readonly policy: AccessPolicy,
    private readonly sweep: RetentionSweep,
  ) {}

  async execute({ actor }: PreviewRetentionSweepQuery): Promise<SweepReport> {
    await requireOfficer(this.policy, actor);
    return this.sweep.run({ dryRun: true });
  }
}
