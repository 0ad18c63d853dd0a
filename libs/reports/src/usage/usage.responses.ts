/** The response body of the usage statistics (OpenAPI; see libs/core/src/api-response.ts). */
import { ApiProperty } from '@nestjs/swagger';
import { ApiList, ApiNullable, ApiOneOf } from '@learnstream/core';
import { GRANULARITIES, USAGE_DIMENSIONS, type Granularity, type UsageDimension } from '../reports.events';

const SUPPRESSED = 'true: computed from fewer than minCellSize people (or to protect such a cell): the figures are null';

export class UsageDimensionValueResponse {
  @ApiProperty() key!: string;
  @ApiProperty({ description: 'readable: a school\'s name' }) label!: string;
}

export class PeopleCountResponse {
  @ApiNullable(Number) people!: number | null;
  @ApiProperty({ description: SUPPRESSED }) suppressed!: boolean;
}

export class KeyedPeopleCountResponse extends PeopleCountResponse {
  @ApiProperty({ description: 'the value of the dimension' }) key!: string;
}

export class PeopleEventsResponse extends PeopleCountResponse {
  @ApiNullable(Number) events!: number | null;
}

export class KeyedPeopleEventsResponse extends PeopleEventsResponse {
  @ApiProperty() key!: string;
}

export class PeopleViewsResponse extends PeopleCountResponse {
  @ApiNullable(Number) views!: number | null;
}

export class PeopleCompletionsResponse extends PeopleCountResponse {
  @ApiNullable(Number) completions!: number | null;
}

export class UsageRegistrationsResponse {
  @ApiProperty({ type: () => PeopleCountResponse }) total!: PeopleCountResponse;
  @ApiList(() => KeyedPeopleCountResponse) cells!: KeyedPeopleCountResponse[];
}

export class UsageActiveUsersResponse {
  @ApiProperty({ type: () => PeopleEventsResponse }) total!: PeopleEventsResponse;
  @ApiList(() => KeyedPeopleEventsResponse) cells!: KeyedPeopleEventsResponse[];
}

export class UsageContentAccessResponse {
  @ApiProperty({ type: () => PeopleViewsResponse }) courseViews!: PeopleViewsResponse;
  @ApiProperty({ type: () => PeopleViewsResponse }) resourceViews!: PeopleViewsResponse;
}

export class UsagePeriodResponse {
  @ApiProperty({ format: 'date', description: 'the period\'s first day' }) period!: string;
  @ApiProperty({ format: 'date', description: 'the first day of the range inside the period' }) start!: string;
  @ApiProperty({ format: 'date', description: 'the last day of the range inside the period' }) end!: string;
  @ApiProperty({ type: () => UsageRegistrationsResponse, description: 'accounts created, by the dimension' }) registrations!: UsageRegistrationsResponse;
  @ApiProperty({ type: () => UsageActiveUsersResponse, description: 'distinct people who did anything, and their events, by the dimension' }) activeUsers!: UsageActiveUsersResponse;
  @ApiProperty({ type: () => UsageContentAccessResponse, description: 'course and resource views: distinct viewers and views' }) contentAccess!: UsageContentAccessResponse;
  @ApiProperty({ type: () => PeopleCompletionsResponse, description: 'learners who completed a course, and completions' }) completion!: PeopleCompletionsResponse;
}

export class UsageReportResponse {
  @ApiProperty({ format: 'date' }) from!: string;
  @ApiProperty({ format: 'date' }) to!: string;
  @ApiOneOf(GRANULARITIES) granularity!: Granularity;
  @ApiOneOf(USAGE_DIMENSIONS) by!: UsageDimension;
  @ApiProperty({ description: 'k: cells from fewer distinct people are suppressed' }) minCellSize!: number;
  @ApiList(() => UsageDimensionValueResponse) dimension!: UsageDimensionValueResponse[];
  @ApiList(() => UsagePeriodResponse) periods!: UsagePeriodResponse[];
}
