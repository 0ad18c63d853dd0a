/** The response bodies of the course endpoints (OpenAPI; see libs/core/src/api-response.ts). */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ApiList, ApiNullable, ApiOneOf } from '@learnstream/core';
import { COURSE_ROLES, type CourseRole } from './course.events';

export class SelfEnrolmentResponse {
  @ApiProperty() enabled!: boolean;
  @ApiProperty({ description: 'whether self-enrolment needs a key (the key itself is never shown)' }) keyRequired!: boolean;
}

export class EnrolmentPeriodResponse {
  @ApiNullable(String, { format: 'date-time' }) startsAt!: string | null;
  @ApiNullable(String, { format: 'date-time' }) endsAt!: string | null;
}

export class CourseSummaryResponse {
  @ApiProperty({ format: 'uuid' }) courseId!: string;
  @ApiNullable(String, { format: 'uuid', description: 'null: a platform-wide course' }) schoolId!: string | null;
  @ApiProperty() code!: string;
  @ApiProperty() title!: string;
  @ApiNullable(String) summary!: string | null;
  @ApiProperty() subject!: string;
  @ApiNullable(String) gradeLevel!: string | null;
  @ApiNullable(String, { description: "the course's id in another system (Moodle's idnumber), unique in its school" }) idNumber!: string | null;
  @ApiProperty() archived!: boolean;
  @ApiNullable(String, { format: 'date-time' }) archivedAt!: string | null;
  @ApiProperty({ type: () => SelfEnrolmentResponse }) selfEnrolment!: SelfEnrolmentResponse;
  @ApiProperty({ type: () => EnrolmentPeriodResponse }) enrolmentPeriod!: EnrolmentPeriodResponse;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class CatalogueViewerResponse {
  @ApiNullable(String, { enum: [...COURSE_ROLES], description: 'the caller\'s role on the course\'s staff' }) role!: CourseRole | null;
  @ApiProperty() enrolled!: boolean;
}

export class CatalogueEntryResponse extends CourseSummaryResponse {
  @ApiProperty({ type: () => CatalogueViewerResponse }) viewer!: CatalogueViewerResponse;
}

export class CourseViewerResponse extends CatalogueViewerResponse {
  @ApiProperty({ description: 'whether the caller sees hidden resources and may edit' }) teaches!: boolean;
}

export class CourseStaffResponse {
  @ApiProperty({ format: 'uuid' }) userId!: string;
  @ApiOneOf(COURSE_ROLES) role!: CourseRole;
}

export class SectionResourceResponse {
  @ApiProperty({ format: 'uuid' }) resourceId!: string;
  @ApiProperty({ description: 'page, url, file, video, …' }) kind!: string;
  @ApiProperty() title!: string;
  @ApiProperty() visible!: boolean;
  @ApiProperty() position!: number;
}

export class SectionActivityResponse {
  @ApiProperty({ format: 'uuid' }) activityId!: string;
  @ApiProperty({ description: 'quiz, assignment or offline' }) kind!: string;
  @ApiNullable(String, { description: "the activity's id in another system (Moodle's idnumber), unique in the school" }) idNumber!: string | null;
}

export class CourseSectionResponse {
  @ApiProperty({ format: 'uuid' }) sectionId!: string;
  @ApiProperty() title!: string;
  @ApiProperty() position!: number;
  @ApiList(() => SectionResourceResponse) resources!: SectionResourceResponse[];
  @ApiList(() => SectionActivityResponse) activities!: SectionActivityResponse[];
}

export class CourseResponse extends CourseSummaryResponse {
  @ApiList(() => CourseStaffResponse) staff!: CourseStaffResponse[];
  @ApiList(() => CourseSectionResponse) sections!: CourseSectionResponse[];
  @ApiProperty({ type: () => CourseViewerResponse }) viewer!: CourseViewerResponse;
}

export class CourseCreatedResponse {
  @ApiProperty({ format: 'uuid' }) courseId!: string;
}

export class SectionAddedResponse extends CourseCreatedResponse {
  @ApiProperty({ format: 'uuid' }) sectionId!: string;
}

export class ResourceAddedResponse extends CourseCreatedResponse {
  @ApiProperty({ format: 'uuid' }) resourceId!: string;
}

/** A page of a list (README: one paging convention). */
export class CourseListResponse {
  @ApiList(() => CatalogueEntryResponse, { description: 'by title, then code' }) courses!: CatalogueEntryResponse[];
  @ApiProperty({ description: 'every course the filters let through, on all pages' }) total!: number;
  @ApiNullable(String, { description: 'pass as `cursor` for the next page; null on the last one' }) nextCursor!: string | null;
  @ApiNullable(String, { description: 'this request with the next page\'s cursor: follow it as it is; null on the last page' }) next!: string | null;
}

/** A resource's content: the fields of its kind (page: body; file: fileRef, mimeType, sizeBytes; url: url; video: url, durationSeconds). */
export class ResourceContentResponse {
  @ApiPropertyOptional({ description: 'page: its text' }) body?: string;
  @ApiPropertyOptional({ description: "file: the file store's reference" }) fileRef?: string;
  @ApiPropertyOptional({ description: 'file' }) mimeType?: string;
  @ApiPropertyOptional({ description: 'file' }) sizeBytes?: number;
  @ApiPropertyOptional({ description: 'url and video' }) url?: string;
  @ApiPropertyOptional({ description: 'video' }) durationSeconds?: number;
}

export class ResourceResponse {
  @ApiProperty({ format: 'uuid' }) resourceId!: string;
  @ApiProperty({ format: 'uuid' }) courseId!: string;
  @ApiProperty({ format: 'uuid' }) sectionId!: string;
  @ApiProperty({ description: 'page, url, file or video' }) kind!: string;
  @ApiProperty() title!: string;
  @ApiProperty() visible!: boolean;
  @ApiProperty() position!: number;
  @ApiProperty({ type: () => ResourceContentResponse }) content!: ResourceContentResponse;
}

export class ParticipantResponse {
  @ApiProperty({ format: 'uuid' }) learnerId!: string;
  @ApiNullable(String) displayName!: string | null;
  @ApiOneOf(['active', 'unenrolled']) status!: 'active' | 'unenrolled';
  @ApiProperty({ description: 'how they were enrolled: manual, self, bulk, …' }) method!: string;
  @ApiProperty({ format: 'date-time' }) enrolledAt!: string;
  @ApiNullable(String, { format: 'date-time' }) unenrolledAt!: string | null;
  @ApiNullable(String, { format: 'date-time' }) startsAt!: string | null;
  @ApiNullable(String, { format: 'date-time' }) endsAt!: string | null;
}

export class ParticipantsResponse {
  @ApiProperty({ format: 'uuid' }) courseId!: string;
  @ApiList(() => ParticipantResponse) participants!: ParticipantResponse[];
  @ApiProperty({ description: 'learners left out: their processing is restricted' }) restricted!: number;
}

export class EnrolmentResponse {
  @ApiProperty({ format: 'uuid' }) courseId!: string;
  @ApiProperty({ format: 'uuid' }) learnerId!: string;
  @ApiProperty() enrolmentId!: string;
}
