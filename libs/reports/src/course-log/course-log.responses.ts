/** The response bodies of the course log (OpenAPI; see libs/core/src/api-response.ts). */
import { ApiProperty } from '@nestjs/swagger';
import { ApiList, ApiNullable } from '@learnstream/core';

export class PersonRefResponse {
  @ApiProperty({ format: 'uuid' }) userId!: string;
  @ApiNullable(String, { description: 'null where the reader may not see the account (another school\'s), or it is gone' }) displayName!: string | null;
}

export class LogObjectResponse {
  @ApiProperty({ description: 'course, resource, quiz, attempt, assignment, …' }) type!: string;
  @ApiNullable(String) id!: string | null;
  @ApiNullable(String, { description: 'its title (a course, section, resource, activity or school); null where the reader may not see it, it is gone, or it has none' }) title!: string | null;
}

export class CourseLogRowResponse {
  @ApiProperty({ format: 'uuid' }) eventId!: string;
  @ApiProperty({ format: 'date-time' }) occurredAt!: string;
  @ApiProperty() eventType!: string;
  @ApiProperty({ description: 'the verb: viewed, submitted, graded, …' }) action!: string;
  @ApiProperty({ description: 'c, r, u or d' }) crud!: string;
  @ApiNullable(() => LogObjectResponse) object!: LogObjectResponse | null;
  @ApiProperty() origin!: string;
  @ApiNullable(String, { format: 'uuid' }) schoolId!: string | null;
  @ApiNullable(() => PersonRefResponse, { description: 'who did it (null: the system or an anonymous caller)' }) actor!: PersonRefResponse | null;
  @ApiNullable(() => PersonRefResponse, { description: 'the staff member behind an impersonated session' }) realActor!: PersonRefResponse | null;
  @ApiNullable(() => PersonRefResponse, { description: 'the person affected (the learner enrolled, graded, …)' }) relatedUser!: PersonRefResponse | null;
}

export class CourseLogPageResponse {
  @ApiProperty({ format: 'uuid' }) courseId!: string;
  @ApiList(() => CourseLogRowResponse, { description: 'newest first' }) rows!: CourseLogRowResponse[];
  @ApiNullable(String, { description: 'pass as `cursor` for the next (older) page; null on the last page' }) nextCursor!: string | null;
}
