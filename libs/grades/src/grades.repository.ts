/**
 * The feature's I/O: the gradebook and completion-rules streams (load, decide,
 * append with the loaded revision, decided again on a concurrent change, then
 * read-your-writes), views on the viewer's activity stream, and the lookups
 * the command side makes as the system (does this activity exist in this
 * course?).
 */
import { Inject, Injectable } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { AccessPolicy, type Actor } from '@learnstream/access';
import { retryOnConflict } from '@learnstream/core';
import { DomainError } from '@learnstream/domain';
import { EventLog, type NewEvent, type Position } from '@learnstream/event-store';
import { ProjectionRunner } from '@learnstream/projections';
import type { DataSource } from 'typeorm';
import type { ActivityKind } from './gradebook.events';
import type { CompletionActivityKind } from './completion.events';
import { viewerStreamId, type GradeViewEvent } from './grade-views.events';
import { toNewEvents, type GradesFeatureEvent } from './new-events';

export interface Stream<S, E> {
  streamId: string;
  initial: () => S;
  evolve: (state: S, event: E) => S;
}

export interface CourseRef {
  courseId: string;
  schoolId: string | null;
}

/** An activity that grades: its course, title and scale. */
export interface GradedActivity {
  activityId: string;
  kind: ActivityKind;
  title: string;
  maxGrade: number;
}

const ACTIVITY_TABLES: Record<ActivityKind, { table: string; id: string }> = {
  quiz: { table: 'quizzes', id: 'quiz_id' },
  assignment: { table: 'assignments', id: 'assignment_id' },
  offline: { table: 'offline_tests', id: 'offline_test_id' },
};

@Injectable()
export class GradesRepository {
  constructor(
    readonly log: EventLog,
    private readonly runner: ProjectionRunner,
    private readonly policy: AccessPolicy,
    @Inject(getDataSourceToken()) private readonly db: DataSource,
  ) {}

  async decideAndAppend<S, E extends GradesFeatureEvent>(stream: Stream<S, E>, actor: Actor, schoolId: string | null, decide: (state: S) => E[]): Promise<{ state: S; events: E[] }> {
    const outcome = await retryOnConflict(async () => {
      const { state, revision } = await this.log.aggregate(stream.streamId, stream.initial(), (s, e) => stream.evolve(s, { type: e.type, data: e.data } as unknown as E));
      const events = decide(state);
      if (events.length === 0) return { state, events, position: null as Position | null };
      const result = await this.log.append(stream.streamId, toNewEvents(actor, events, schoolId), { expectedRevision: revision ?? 'no_stream' });
      return { state: events.reduce(stream.evolve, state), events, position: result.position as Position | null };
    });
    if (outcome.position) await this.runner.settle(outcome.position);
    return { state: outcome.state, events: outcome.events };
  }

  /**
   * A read, recorded on the viewer's activity stream (any revision: views never conflict), in one append with
   * the PersonalDataAccessed events of the people it showed (`accessed`, both on that stream).
   */
  async recordView(actor: Actor, schoolId: string | null, event: GradeViewEvent, accessed: NewEvent[] = []): Promise<void> {
    await this.log.append(viewerStreamId(actor.userId), [...toNewEvents(actor, [event], schoolId), ...accessed], { expectedRevision: 'any' });
  }

  async course(courseId: string): Promise<CourseRef> {
    const facts = await this.policy.course(courseId);
    if (!facts.exists) throw new DomainError('not_found', 'COURSE_NOT_FOUND', `no course ${courseId}`);
    return { courseId, schoolId: facts.schoolId };
  }

  /** The graded activity of this course, or ACTIVITY_NOT_FOUND. */
  async gradedActivity(courseId: string, kind: ActivityKind, activityId: string): Promise<GradedActivity> {
    const { table, id } = ACTIVITY_TABLES[kind];
    const [row] = await this.db.query(`SELECT title, max_grade FROM ${table} WHERE ${id} = $1 AND course_id = $2`, [activityId, courseId]);
    if (!row) throw new DomainError('not_found', 'ACTIVITY_NOT_FOUND', `no ${kind} ${activityId} in this course`);
    return { activityId, kind, title: row.title, maxGrade: row.max_grade };
  }

  /** Does the course have this activity (a resource, or an assessment of that kind)? */
  async hasActivity(courseId: string, kind: CompletionActivityKind, activityId: string): Promise<boolean> {
    if (kind === 'resource') return (await this.db.query('SELECT 1 FROM course_resources WHERE resource_id = $1 AND course_id = $2', [activityId, courseId])).length > 0;
    const { table, id } = ACTIVITY_TABLES[kind];
    return (await this.db.query(`SELECT 1 FROM ${table} WHERE ${id} = $1 AND course_id = $2`, [activityId, courseId])).length > 0;
  }
}
