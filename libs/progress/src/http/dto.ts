/** Query strings of the progress reports; shapes checked here (400 VALIDATION_FAILED). */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsInt, IsNumber, IsOptional, IsPositive, Matches, Max, MaxLength, Min } from 'class-validator';
import { DomainError, isRealDay } from '@learnstream/domain';
import type { SchoolPeriod } from '../queries/get-school-report.query';
import { CLASS_TABLES, type ClassTable } from './report-csv';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
export const SCHOOL_PERIOD_MAX_DAYS = 366;
export const SCHOOL_PERIOD_DEFAULT_DAYS = 30;

class FormatDto {
  @ApiPropertyOptional({ enum: ['json', 'csv'], description: 'csv: one table of the report as a download (also with Accept: text/csv)' })
  @IsOptional()
  @IsIn(['json', 'csv'])
  format?: 'json' | 'csv';

  @ApiPropertyOptional({ enum: ['true', 'false'], description: 'with CSV: start the file with a UTF-8 byte-order mark (Excel then reads Thai and other non-Latin names right)' })
  @IsOptional()
  @IsIn(['true', 'false'])
  bom?: 'true' | 'false';
}

class InactiveDaysDto extends FormatDto {
  @ApiPropertyOptional({ default: 7, minimum: 0, exclusiveMinimum: true, maximum: 3650, description: 'at risk: no activity in the course for this many days (decimals allowed: 0.5 is 12 hours)' })
  @IsOptional()
  @Type(() => Number)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @IsPositive()
  @Max(3650)
  inactiveDays?: number;
}

export class TimelineDto extends FormatDto {
  @ApiPropertyOptional({ default: 50, maximum: 500 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  @ApiPropertyOptional({ description: 'the nextCursor of the previous page' })
  @IsOptional()
  @MaxLength(60)
  @Matches(/^\d+\/\d+$/, { message: 'cursor is not a cursor this report gave' })
  cursor?: string;
}

export class LearnerProfileDto extends TimelineDto {
  @ApiPropertyOptional({ default: 7, minimum: 0, exclusiveMinimum: true, maximum: 3650, description: 'at risk: no activity in the course for this many days (decimals allowed: 0.5 is 12 hours)' })
  @IsOptional()
  @Type(() => Number)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @IsPositive()
  @Max(3650)
  inactiveDays?: number;

  @ApiPropertyOptional({ enum: ['courses', 'skills', 'timeline'], default: 'courses', description: 'the table of a CSV download' })
  @IsOptional()
  @IsIn(['courses', 'skills', 'timeline'])
  table?: 'courses' | 'skills' | 'timeline';
}

const AS_OF = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/;

export class ClassReportDto extends InactiveDaysDto {
  @ApiPropertyOptional({
    example: '2025-03-28',
    description:
      'the class as it was then: events whose occurredAt ≤ asOf (an instant, or a date: the end of that UTC day, or now when that is later); not in the future',
  })
  @IsOptional()
  @Matches(AS_OF, { message: 'asOf must be a date YYYY-MM-DD or an ISO-8601 instant with a time zone' })
  asOf?: string;

  @ApiPropertyOptional({ enum: ['precision-first', 'recall-first'], description: "the at-risk flag's threshold (default: the school's setting, else precision-first)" })
  @IsOptional()
  @IsIn(['precision-first', 'recall-first'])
  threshold?: 'precision-first' | 'recall-first';

  @ApiPropertyOptional({ enum: CLASS_TABLES, default: 'participants', description: 'the table of a CSV download' })
  @IsOptional()
  @IsIn(CLASS_TABLES)
  table?: ClassTable;
}

export class SchoolReportDto extends FormatDto {
  @ApiPropertyOptional({ example: '2025-05-01', description: `first UTC day (default: ${SCHOOL_PERIOD_DEFAULT_DAYS} days up to \`to\`)` })
  @IsOptional()
  @Matches(DATE, { message: 'from must be a date YYYY-MM-DD' })
  from?: string;

  @ApiPropertyOptional({ example: '2025-05-31', description: 'last UTC day, included (default: today)' })
  @IsOptional()
  @Matches(DATE, { message: 'to must be a date YYYY-MM-DD' })
  to?: string;

  @ApiPropertyOptional({ enum: ['courses', 'subjects', 'grade-levels', 'teachers'], default: 'courses', description: 'the table of a CSV download' })
  @IsOptional()
  @IsIn(['courses', 'subjects', 'grade-levels', 'teachers'])
  table?: 'courses' | 'subjects' | 'grade-levels' | 'teachers';
}

const DAY_MS = 86_400_000;
const dayMs = (day: string) => Date.parse(`${day}T00:00:00Z`);
const validDay = (day: string) => !Number.isNaN(dayMs(day)) && new Date(dayMs(day)).toISOString().slice(0, 10) === day;

/** The period asked, with its defaults; 400 when it is not a real, ordered range of at most SCHOOL_PERIOD_MAX_DAYS days. */
export function schoolPeriod(q: SchoolReportDto, today: string): SchoolPeriod {
  const to = q.to ?? today;
  if (!validDay(to)) throw new DomainError('invalid', 'VALIDATION_FAILED', 'to is not a calendar date');
  const from = q.from ?? new Date(dayMs(to) - (SCHOOL_PERIOD_DEFAULT_DAYS - 1) * DAY_MS).toISOString().slice(0, 10);
  if (!validDay(from)) throw new DomainError('invalid', 'VALIDATION_FAILED', 'from is not a calendar date');
  const days = (dayMs(to) - dayMs(from)) / DAY_MS + 1;
  if (days < 1) throw new DomainError('invalid', 'VALIDATION_FAILED', 'from must not come after to');
  if (days > SCHOOL_PERIOD_MAX_DAYS) throw new DomainError('invalid', 'VALIDATION_FAILED', `the period is at most ${SCHOOL_PERIOD_MAX_DAYS} days`);
  return { from, to };
}

/** ?asOf= as an instant: a date is the end of that UTC day, or now when that is later; 400 when it is not a real date. */
export function classAsOf(asOf: string | undefined, now: Date): string | undefined {
  if (asOf === undefined) return undefined;
  if (DATE.test(asOf)) {
    if (!validDay(asOf)) throw new DomainError('invalid', 'VALIDATION_FAILED', 'asOf is not a calendar date');
    return new Date(Math.min(dayMs(asOf) + DAY_MS - 1, now.getTime())).toISOString();
  }
  const at = Date.parse(asOf);
  if (Number.isNaN(at) || !isRealDay(asOf)) throw new DomainError('invalid', 'VALIDATION_FAILED', 'asOf is not a real instant');
  return new Date(at).toISOString();
}

export class TrainEarlyWarningDto {
  @ApiPropertyOptional({ type: [Number], example: [30, 60, 90], description: "the days after each course's first enrolment whose snapshots the fit pools (default 30, 60, 90)" })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(12)
  @IsInt({ each: true })
  @Min(0, { each: true })
  @Max(1000, { each: true })
  days?: number[];
}

export class EarlyWarningSettingDto {
  @ApiProperty({ enum: ['precision-first', 'recall-first'], description: 'precision-first: few false alarms; recall-first: few learners missed (docs/early-warning.md)' })
  @IsIn(['precision-first', 'recall-first'])
  threshold!: 'precision-first' | 'recall-first';
}
