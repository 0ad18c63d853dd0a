/**
 * Appends the report-read events (reports.events.ts) to the reader's activity
 * stream, and, for the access audit, PersonalDataAccessed naming the people
 * whose activity a course-log read showed.
 */
import { Injectable } from '@nestjs/common';
import { envelopeFor, type Actor } from '@learnstream/access';
import { EventLog, type AppendResult } from '@learnstream/event-store';
import { recordPersonalDataAccess } from '@learnstream/privacy';
import { activityStreamId, type CourseLogFormat, type UsageReportViewed } from './reports.events';

@Injectable()
export class ReportsRepository {
  constructor(private readonly log: EventLog) {}

  courseLogViewed(actor: Actor, course: { courseId: string; schoolId: string | null }, format: CourseLogFormat, filteredUserId: string | null): Promise<AppendResult> {
    const { courseId, schoolId } = course;
    return this.log.append(
      activityStreamId(actor.userId),
      [
        {
          type: 'CourseLogViewed',
          data: { courseId, userId: actor.userId, format, filteredUserId },
          envelope: envelopeFor(actor, { action: 'viewed', crud: 'r', object: { type: 'course_log', id: courseId }, courseId, schoolId, relatedUserId: filteredUserId }),
        },
      ],
      { expectedRevision: 'any' },
    );
  }

  /** The people named in the course-log rows a reader was shown (the reader themself left out). */
  courseLogAccessed(actor: Actor, course: { courseId: string; schoolId: string | null }, people: Iterable<string | null | undefined>): Promise<void> {
    return recordPersonalDataAccess(this.log, actor, { subjectIds: people, what: 'course_log', purpose: 'teaching', courseId: course.courseId, schoolId: course.schoolId });
  }

  usageReportViewed(actor: Actor, params: Omit<UsageReportViewed['data'], 'userId'>): Promise<AppendResult> {
    return this.log.append(
      activityStreamId(actor.userId),
      [{ type: 'UsageReportViewed', data: { userId: actor.userId, ...params }, envelope: envelopeFor(actor, { action: 'viewed', crud: 'r', object: null }) }],
      { expectedRevision: 'any' },
    );
  }
}
