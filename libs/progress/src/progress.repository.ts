/**
 * The reports' I/O outside a reader's row-level security: the report-read
 * events (progress.events.ts) appended to the reader's activity stream, as
 * activity is (ActivityWriter: group commit, and a new event to an activity
 * stream in one statement, where the event log's own append takes BEGIN, the
 * stream, the event and COMMIT; the event is sealed and validated alike), and
 * the objection to profiling, read as the system because it only ever takes
 * something out of a report (a learner the reader may not see in the
 * directory still must not be flagged).
 */
import { Inject, Injectable } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { query } from '@learnstream/database';
import { envelopeFor, type Actor } from '@learnstream/access';
import { EventLog, type AppendResult } from '@learnstream/event-store';
import { ActivityWriter } from '@learnstream/activity';
import { activityStreamId, earlyWarningStreamId, type ClassReportViewed, type EarlyWarningModelTrained, type EarlyWarningThresholdSet, type LearnerProfileViewed, type SchoolReportViewed } from './progress.events';

type Without<E extends { data: object }> = Omit<E['data'], 'userId'>;

@Injectable()
export class ProgressRepository {
  constructor(
    private readonly log: EventLog,
    private readonly activity: ActivityWriter,
    @Inject(getDataSourceToken()) private readonly dataSource: DataSource,
  ) {}

  /** The learners among `userIds` who objected to profiling. */
  async objectingToProfiling(userIds: string[]): Promise<Set<string>> {
    if (!userIds.length) return new Set();
    const rows = await query<{ user_id: string }>(this.dataSource, 'SELECT user_id FROM progress_learners WHERE user_id = ANY ($1) AND profiling_objected', [userIds]);
    return new Set(rows.map((r) => r.user_id));
  }

  learnerProfileViewed(actor: Actor, data: Without<LearnerProfileViewed>): Promise<AppendResult> {
    return this.activity.append(
      activityStreamId(actor.userId),
      [
        {
          type: 'LearnerProfileViewed',
          data: { userId: actor.userId, ...data },
          envelope: envelopeFor(actor, { action: 'viewed', crud: 'r', object: { type: 'user', id: data.learnerId }, relatedUserId: data.learnerId }),
        },
      ],
    );
  }

  classReportViewed(actor: Actor, schoolId: string | null, data: Without<ClassReportViewed>): Promise<AppendResult> {
    return this.activity.append(
      activityStreamId(actor.userId),
      [
        {
          type: 'ClassReportViewed',
          data: { userId: actor.userId, ...data },
          envelope: envelopeFor(actor, { action: 'viewed', crud: 'r', object: { type: 'class_report', id: data.courseId }, courseId: data.courseId, schoolId }),
        },
      ],
    );
  }

  schoolReportViewed(actor: Actor, data: Without<SchoolReportViewed>): Promise<AppendResult> {
    return this.activity.append(
      activityStreamId(actor.userId),
      [
        {
          type: 'SchoolReportViewed',
          data: { userId: actor.userId, ...data },
          envelope: envelopeFor(actor, { action: 'viewed', crud: 'r', object: { type: 'school_report', id: data.schoolId }, schoolId: data.schoolId }),
        },
      ],
    );
  }

  /** The model fitted on the school's own history (school.manage checked by the caller). */
  modelTrained(actor: Actor, data: Omit<EarlyWarningModelTrained['data'], 'by'>): Promise<AppendResult> {
    return this.log.append(
      earlyWarningStreamId(data.schoolId),
      [
        {
          type: 'EarlyWarningModelTrained',
          data: { ...data, by: actor.userId },
          envelope: envelopeFor(actor, { action: 'trained', crud: 'u', object: { type: 'early_warning_model', id: data.schoolId }, schoolId: data.schoolId }),
        },
      ],
      { expectedRevision: 'any' },
    );
  }

  /** The school's threshold setting of the at-risk flag (school.manage checked by the caller). */
  thresholdSet(actor: Actor, data: Omit<EarlyWarningThresholdSet['data'], 'by'>): Promise<AppendResult> {
    return this.log.append(
      earlyWarningStreamId(data.schoolId),
      [
        {
          type: 'EarlyWarningThresholdSet',
          data: { ...data, by: actor.userId },
          envelope: envelopeFor(actor, { action: 'updated', crud: 'u', object: { type: 'early_warning_setting', id: data.schoolId }, schoolId: data.schoolId }),
        },
      ],
      { expectedRevision: 'any' },
    );
  }
}
