/** The response body of the activity endpoint (OpenAPI; see libs/core/src/api-response.ts). */
import { ApiProperty } from '@nestjs/swagger';
import { ApiList } from '@learnstream/core';

export class RecordActivityResponse {
  @ApiProperty({ description: 'items in the request' }) received!: number;
  @ApiProperty({ description: 'items appended now' }) recorded!: number;
  @ApiProperty({ description: 'items an earlier request recorded (same id): not counted again' }) duplicates!: number;
  @ApiList(String, { description: 'their ids' }) duplicateIds!: string[];
  @ApiProperty({ description: "the position of the request's last event in the log (commit/prepare)" }) position!: string;
}
