/** The response bodies of the operations endpoints (OpenAPI; see libs/core/src/api-response.ts). */
import { ApiProperty } from '@nestjs/swagger';
import { ApiList, ApiNullable, ApiOneOf } from '@learnstream/core';

export class ProjectionStatusResponse {
  @ApiProperty() name!: string;
  @ApiOneOf(['running', 'stopped', 'failing', 'inline']) state!: 'running' | 'stopped' | 'failing' | 'inline';
  @ApiProperty({ description: 'checkpoint: the position of the last event it has passed (commit/prepare)' }) position!: string;
  @ApiProperty() generation!: number;
  @ApiProperty() eventsHandled!: number;
  @ApiProperty({ description: 'events in the log after the checkpoint, counted up to a cap' }) lag!: number;
  @ApiProperty({ description: 'lag reached the cap: there may be more' }) lagCapped!: boolean;
  @ApiProperty() deadLetters!: number;
  @ApiNullable(String) lastError!: string | null;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
  @ApiNullable(String, { format: 'date-time' }) rebuildStartedAt!: string | null;
}

export class ProjectionsStatusResponse {
  @ApiList(() => ProjectionStatusResponse) projections!: ProjectionStatusResponse[];
}

export class DeadLetterResponse {
  @ApiProperty() id!: number;
  @ApiProperty() projection!: string;
  @ApiProperty({ format: 'uuid' }) eventId!: string;
  @ApiProperty() eventType!: string;
  @ApiProperty() position!: string;
  @ApiProperty() error!: string;
  @ApiProperty() attempts!: number;
  @ApiProperty({ format: 'date-time' }) parkedAt!: string;
}

export class DeadLettersResponse {
  @ApiList(() => DeadLetterResponse) deadLetters!: DeadLetterResponse[];
}

export class RetryResultResponse {
  @ApiProperty() id!: number;
  @ApiProperty() projection!: string;
  @ApiProperty({ format: 'uuid' }) eventId!: string;
  @ApiProperty() retried!: boolean;
  @ApiNullable(String) error!: string | null;
}

export class RebuildStartedResponse {
  @ApiProperty({ description: 'the projection being rebuilt' }) rebuilding!: string;
}
