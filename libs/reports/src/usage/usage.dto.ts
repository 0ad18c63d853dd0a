/** Query string of the usage report; the range rules are checked in usageRange (400 VALIDATION_FAILED). */
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches } from 'class-validator';
import { DomainError } from '@learnstream/domain';
import { GRANULARITIES, USAGE_DIMENSIONS, type Granularity, type UsageDimension } from '../reports.events';
import { addDays, countPeriods, daysBetween } from './periods';
import type { UsageRange } from './usage.reader';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
export const USAGE_MAX_PERIODS = 400;
/** The range when `from` is left out: the last 30 days, 12 weeks or 12 months up to `to`. */
const DEFAULT_DAYS: Record<Granularity, number> = { day: 30, week: 84, month: 365 };

export class UsageQueryDto {
  @ApiPropertyOptional({ example: '2025-05-01', description: 'first UTC day (default: 30 days, 12 weeks or 12 months before `to`)' })
  @IsOptional()
  @Matches(DATE, { message: 'from must be a date YYYY-MM-DD' })
  from?: string;

  @ApiPropertyOptional({ example: '2025-05-31', description: 'last UTC day, included (default: today)' })
  @IsOptional()
  @Matches(DATE, { message: 'to must be a date YYYY-MM-DD' })
  to?: string;

  @ApiPropertyOptional({ enum: GRANULARITIES, default: 'day', description: 'weeks run Monday to Sunday (ISO)' })
  @IsOptional()
  @IsIn(GRANULARITIES)
  granularity?: Granularity;

  @ApiPropertyOptional({ enum: USAGE_DIMENSIONS, default: 'role' })
  @IsOptional()
  @IsIn(USAGE_DIMENSIONS)
  by?: UsageDimension;

  @ApiPropertyOptional({ enum: ['json', 'csv'] })
  @IsOptional()
  @IsIn(['json', 'csv'])
  format?: 'json' | 'csv';

  @ApiPropertyOptional({ enum: ['true', 'false'], description: 'with CSV: start the file with a UTF-8 byte-order mark (Excel then reads Thai and other non-Latin names right)' })
  @IsOptional()
  @IsIn(['true', 'false'])
  bom?: 'true' | 'false';
}

const validDay = (day: string) => !Number.isNaN(Date.parse(`${day}T00:00:00Z`)) && new Date(`${day}T00:00:00Z`).toISOString().slice(0, 10) === day;

export function usageRange(q: UsageQueryDto, today: string): UsageRange {
  const granularity = q.granularity ?? 'day';
  const to = q.to ?? today;
  const from = q.from ?? addDays(to, -(DEFAULT_DAYS[granularity] - 1));
  for (const [field, day] of [['from', from], ['to', to]]) {
    if (!validDay(day)) throw new DomainError('invalid', 'VALIDATION_FAILED', `${field} is not a calendar date`);
  }
  if (daysBetween(from, to) < 1) throw new DomainError('invalid', 'VALIDATION_FAILED', 'from must not come after to');
  if (countPeriods(from, to, granularity) > USAGE_MAX_PERIODS) {
    throw new DomainError('invalid', 'VALIDATION_FAILED', `at most ${USAGE_MAX_PERIODS} periods: shorten the range or take a coarser granularity`);
  }
  return { from, to, granularity, by: q.by ?? 'role' };
}
