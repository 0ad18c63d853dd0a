/**
 * Usage statistics for the platform's administrators and its privacy officer:
 * aggregates only, k-anonymous. Recorded as UsageReportViewed once computed.
 */
import { Inject } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { AccessPolicy, ForbiddenError, type Actor } from '@learnstream/access';
import { REPORTS_OPTIONS, type ReportsOptions } from '../../reports.options';
import { ReportsRepository } from '../../reports.repository';
import { periodsBetween } from '../periods';
import { UsageReader, type UsageRange } from '../usage.reader';
import { toUsageReport, type UsageReportView } from '../usage.views';

export class GetUsageReportQuery {
  constructor(
    readonly actor: Actor,
    readonly range: UsageRange,
    readonly format: 'json' | 'csv' = 'json',
  ) {}
}

@QueryHandler(GetUsageReportQuery)
export class GetUsageReportHandler implements IQueryHandler<GetUsageReportQuery, UsageReportView> {
  constructor(
    private readonly policy: AccessPolicy,
    private readonly reader: UsageReader,
    private readonly reports: ReportsRepository,
    @Inject(REPORTS_OPTIONS) private readonly options: ReportsOptions,
  ) {}

  async execute({ actor, range, format }: GetUsageReportQuery): Promise<UsageReportView> {
    const allowed = (await this.policy.can(actor, { action: 'ops' })) || (await this.policy.can(actor, { action: 'privacy.officer' }));
    if (!allowed) throw new ForbiddenError('usage statistics are for platform administrators and the privacy officer');
    const figures = await this.reader.read(await this.policy.scopeOf(actor), range);
    const report = toUsageReport(figures, range, periodsBetween(range.from, range.to, range.granularity), this.options.usageMinCellSize);
    await this.reports.usageReportViewed(actor, { ...range, format });
    return report;
  }
}
