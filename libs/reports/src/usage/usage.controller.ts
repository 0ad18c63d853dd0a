/** Usage statistics over REST, JSON or CSV. Thin: one query. */
import { Controller, Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentActor, type Actor } from '@learnstream/access';
import { ApiErrors, ApiJsonOrCsvResponse, csvDownload, downloadName } from '@learnstream/core';
import { Clock } from '@learnstream/domain';
import { GetUsageReportQuery } from './queries/get-usage-report.query';
import { UsageQueryDto, usageRange } from './usage.dto';
import { UsageReportResponse } from './usage.responses';
import { usageCsv, type UsageReportView } from './usage.views';

@ApiTags('reports')
@ApiBearerAuth()
@Controller('api/v1/reports/usage')
export class UsageController {
  constructor(private readonly clock: Clock, private readonly queries: QueryBus) {}

  @Get()
  @ApiOperation({
    summary: 'Usage statistics (platform admins, the DPO): registrations and active users by role, school or country; content access; completion',
    description:
      'Per UTC day, ISO week or month. k-anonymous: a cell computed from fewer than k distinct people (minCellSize) has its figures null and ' +
      '`suppressed: true`; when exactly one cell of a row is suppressed, the next-smallest is too (else the total), so that no total gives a ' +
      'suppressed cell back by subtraction. Built from projections (usage_cells: people and events counted per day, week and month by school and role), the directory and the completion read model.',
  })
  @ApiJsonOrCsvResponse(UsageReportResponse, '{ from, to, granularity, by, minCellSize, dimension, periods }; CSV with ?format=csv (long form, one line per period, measure and key)')
  @ApiErrors({ 400: ['VALIDATION_FAILED'], 403: ['FORBIDDEN'] })
  async usage(@CurrentActor() actor: Actor, @Query() q: UsageQueryDto) {
    const format = q.format ?? 'json';
    const report: UsageReportView = await this.queries.execute(new GetUsageReportQuery(actor, usageRange(q, this.clock.nowIso().slice(0, 10)), format));
    if (format === 'json') return report;
    return csvDownload(usageCsv(report), downloadName(['usage', report.by, report.granularity, report.from, report.to]), q.bom === 'true');
  }
}
