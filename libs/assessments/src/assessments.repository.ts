/**
 * The feature's I/O: load a stream and fold it with its decider, decide on
 * it and append the outcome with the loaded revision as the expected revision
 * (decided again on a concurrent change), then wait for the read models so the
 * caller reads their own write; and the few lookups the command side makes as
 * the system (no tenant scope: they answer questions about ids, and never hand
 * another school's rows to a caller).
 */
import { Inject, Injectable } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { AccessPolicy, type Actor, type EventActor } from '@learnstream/access';
import { retryOnConflict } from '@learnstream/core';
import { DomainError, type Decider } from '@learnstream/domain';
import { EventLog, type NewAppend, type Origin, type Position } from '@learnstream/event-store';
import { ProjectionRunner } from '@learnstream/projections';
import type { DataSource } from 'typeorm';
import { submissionDecider, type SubmissionState } from './assignment-submission';
import { toNewEvents, type AssessmentEvent } from './new-events';
import type { OfflineTestState } from './offline-test';
import { assignmentSubmissionStreamId, offlineTestStreamId } from './streams';

export interface Loaded<S> {
  state: S;
  revision: bigint | null;
}

export interface CourseRef {
  courseId: string;
  schoolId: string | null;
}

/** Who an attempt belongs to: what the attempt id alone does not say. */
export interface AttemptRef {
  attemptId: string;
  quizId: string;
  courseId: string;
  learnerId: string;
}

export interface DecideAndAppend<S, E extends AssessmentEvent> {
  streamId: string;
  decider: Decider<never, E, S>;
  /** Decides on the current state (again after a concurrent change). */
  decide: (state: S) => E[] | Promise<E[]>;
  /** Loads the state and its stream's revision (default: folds the stream with the decider). */
  load?: () => Promise<Loaded<S>>;
  /** null: the system acted; an import acting for a learner gives the learner. */
  actor: EventActor | null;
  /** The events among those decided that the system did, not the actor (an overdue attempt closed before a new start). */
  bySystem?: (event: E) => boolean;
  schoolId: string | null;
  /** `import` for history recorded with occurredAt. */
  origin?: Origin;
}

const ACTIVITY_TABLES = {
  quiz: { table: 'quizzes', column: 'quiz_id', code: 'QUIZ_NOT_FOUND' },
  assignment: { table: 'assignments', column: 'assignment_id', code: 'ASSIGNMENT_NOT_FOUND' },
  offline: { table: 'offline_tests', column: 'offline_test_id', code: 'OFFLINE_TEST_NOT_FOUND' },
} as const;

export const courseNotFound = (courseId: string) => new DomainError('not_found', 'COURSE_NOT_FOUND', `no course ${courseId}`);

@Injectable()
export class AssessmentsRepository {
  constructor(
    readonly log: EventLog,
    private readonly runner: ProjectionRunner,
    private readonly policy: AccessPolicy,
    @Inject(getDataSourceToken()) private readonly db: DataSource,
  ) {}

  load<S, E>(streamId: string, decider: Decider<never, E, S>): Promise<Loaded<S>> {
    return this.log.aggregate(streamId, decider.initialState(), (state, event) => decider.evolve(state, { type: event.type, data: event.data } as unknown as E));
  }

  /**
   * Decides and appends; returns the events appended (none when the decision
   * changed nothing) and the state after them. Waits for the read models.
   */
  async decideAndAppend<S, E extends AssessmentEvent>(input: DecideAndAppend<S, E>): Promise<{ state: S; events: E[] }> {
    const outcome = await retryOnConflict(async () => {
      const { state, revision } = await (input.load ? input.load() : this.load(input.streamId, input.decider));
      const events = await input.decide(state);
      if (events.length === 0) return { state, events, position: null as Position | null };
      const newEvents = events.flatMap((e) => toNewEvents(input.bySystem?.(e) ? null : input.actor, [e], input.schoolId, input.origin, input.actor?.request));
      const result = await this.log.append(input.streamId, newEvents, { expectedRevision: revision ?? 'no_stream' });
      return { state: events.reduce(input.decider.evolve, state), events, position: result.position as Position | null };
    });
    if (outcome.position) await this.runner.settle(outcome.position);
    return { state: outcome.state, events: outcome.events };
  }

  /**
   * A new stream's first events (decided on the empty state), as one part of
   * an atomic multi-stream append: nothing is written here.
   */
  newStream(streamId: string, events: AssessmentEvent[], actor: Actor | null, schoolId: string | null, origin?: Origin): NewAppend {
    return { streamId, events: toNewEvents(actor, events, schoolId, origin), expectedRevision: 'no_stream' };
  }

  /** Waits (bounded) for the read models to reach an append made elsewhere (course-placement.ts). */
  async settle(position: Position): Promise<void> {
    await this.runner.settle(position);
  }

  /**
   * The submission streams of these learners on an assignment that exist (the
   * inline read model says which), folded; the others are new. For bulk grading.
   */
  async submissionStates(assignmentId: string, learnerIds: string[]): Promise<Map<string, Loaded<SubmissionState>>> {
    const rows: { learner_id: string }[] = await this.db.query('SELECT learner_id FROM assignment_submissions WHERE assignment_id = $1 AND learner_id = ANY ($2::uuid[])', [assignmentId, learnerIds]);
    const states = new Map<string, Loaded<SubmissionState>>();
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < rows.length; i = next++) states.set(rows[i].learner_id, await this.load(assignmentSubmissionStreamId(assignmentId, rows[i].learner_id), submissionDecider));
    };
    await Promise.all(Array.from({ length: Math.min(8, rows.length) }, worker));
    return states;
  }

  /**
   * An offline test's state from the inline read models (offline_tests,
   * offline_results) instead of folding its stream, which holds every result
   * ever recorded, with the stream's revision read first: a write after that
   * revision makes an append expecting it fail (and be decided again), so the
   * rows may be newer than the revision but never older. Null when there is no such test.
   * With `learnerIds`, `grades` holds only those learners' results (what a
   * decision about them reads): recording one result costs the same however
   * many the test holds.
   */
  async offlineTestState(offlineTestId: string, learnerIds?: readonly string[]): Promise<{ state: Extract<OfflineTestState, { status: 'created' }>; revision: bigint | null } | null> {
    const revision = await this.log.store.streamRevision(offlineTestStreamId(offlineTestId));
    const [test]: { course_id: string; max_grade: number; pass_grade: number | null }[] = await this.db.query('SELECT course_id, max_grade, pass_grade FROM offline_tests WHERE offline_test_id = $1', [offlineTestId]);
    if (!test) return null;
    const results: { learner_id: string; grade: number }[] = await this.db.query(
      'SELECT learner_id, grade FROM offline_results WHERE offline_test_id = $1 AND ($2::uuid[] IS NULL OR learner_id = ANY ($2::uuid[]))',
      [offlineTestId, learnerIds ?? null],
    );
    const grades = Object.fromEntries(results.map((r) => [r.learner_id, r.grade]));
    return { state: { status: 'created', offlineTestId, courseId: test.course_id, maxGrade: test.max_grade, passGrade: test.pass_grade, grades }, revision };
  }

  /** The course and its tenant; COURSE_NOT_FOUND when there is none. */
  async course(courseId: string): Promise<CourseRef> {
    const facts = await this.policy.course(courseId);
    if (!facts.exists) throw courseNotFound(courseId);
    return { courseId, schoolId: facts.schoolId };
  }

  /** Does any attempt on the quiz exist? (Questions freeze then.) */
  async quizHasAttempts(quizId: string): Promise<boolean> {
    return (await this.db.query('SELECT 1 FROM quiz_attempts WHERE quiz_id = $1 LIMIT 1', [quizId])).length > 0;
  }

  async attempt(attemptId: string): Promise<AttemptRef> {
    const [row] = await this.db.query('SELECT quiz_id, course_id, learner_id FROM quiz_attempts WHERE attempt_id = $1', [attemptId]);
    if (!row) throw new DomainError('not_found', 'ATTEMPT_NOT_FOUND', `no attempt ${attemptId}`);
    return { attemptId, quizId: row.quiz_id, courseId: row.course_id, learnerId: row.learner_id };
  }

  /** The course of a quiz, assignment or offline test (from the read models), or its NOT_FOUND. */
  async courseOf(kind: 'quiz' | 'assignment' | 'offline', id: string): Promise<string> {
    const { table, column, code } = ACTIVITY_TABLES[kind];
    const [row] = await this.db.query(`SELECT course_id FROM ${table} WHERE ${column} = $1`, [id]);
    if (!row) throw new DomainError('not_found', code, `no ${kind.replace('offline', 'offline test')} ${id}`);
    return row.course_id;
  }

  /** The first section of the course, where an activity goes when no section is named. */
  async firstSection(courseId: string): Promise<string | null> {
    const [row] = await this.db.query('SELECT section_id FROM course_sections WHERE course_id = $1 ORDER BY position LIMIT 1', [courseId]);
    return row?.section_id ?? null;
  }
}
