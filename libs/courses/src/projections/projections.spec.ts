/**
 * Medium tests: the course projections on a real PostgreSQL, fed by a real
 * EventLog with events decided by the deciders. The rows they build are the
 * ones expected; a replay changes nothing; a rebuild from zero gives the same rows.
 */
import { randomUUID } from 'node:crypto';
import type { Actor } from '@learnstream/access';
import { ProjectionRunner } from '@learnstream/projections';
import { createEventLogFixture, type EventLogFixture } from '../../../../test/support/event-log-fixture';
import { courseStreamId, decideCourse } from '../course';
import type { CourseCommand } from '../course.commands';
import { COURSE_EVENT_TYPES, type CourseEvent } from '../course.events';
import { evolveCourse, type CourseState } from '../course.state';
import { COURSE_VIEW_EVENT_TYPES } from '../course-views.events';
import { enrolmentDecider, enrolmentStreamId, type EnrolmentCommand, type EnrolmentState } from '../enrolment';
import { ENROLMENT_EVENT_TYPES } from '../enrolment.events';
import { toNewEvents } from '../new-events';
import { CourseEnrolmentsProjection } from './course-enrolments.projection';
import { CoursesProjection } from './courses.projection';

const teacher: Actor = { userId: randomUUID(), realActorId: null, sessionId: randomUUID(), platformRoles: [], request: null };
const day = (n: number) => new Date(Date.UTC(2025, 2, n, 9)).toISOString();
const TABLES = ['courses', 'course_sections', 'course_resources', 'course_activities', 'course_staff', 'course_enrolments'];
const KEYS: Record<string, string> = {
  courses: 'course_id',
  course_sections: 'section_id',
  course_resources: 'resource_id',
  course_activities: 'activity_id',
  course_staff: 'course_id, user_id',
  course_enrolments: 'course_id, learner_id',
};

describe('course projections (PostgreSQL)', () => {
  let f: EventLogFixture;
  let runner: ProjectionRunner;
  const projections = [new CoursesProjection(), new CourseEnrolmentsProjection()];

  beforeAll(async () => {
    f = await createEventLogFixture([...COURSE_EVENT_TYPES, ...ENROLMENT_EVENT_TYPES, ...COURSE_VIEW_EVENT_TYPES]);
    runner = new ProjectionRunner(f.dataSource, f.log, projections, { idleCheckMs: 50 });
    await runner.start();
  });
  afterAll(async () => {
    await runner.stop();
    await f.close();
  });

  const rows = (sql: string, params: unknown[] = []) => f.dataSource.query(sql, params);
  const snapshot = async () => Object.fromEntries(await Promise.all(TABLES.map(async (t) => [t, await rows(`SELECT * FROM ${t} ORDER BY ${KEYS[t]}`)] as const)));

  /** Decides each command on the course's current state and appends what it decided, one append per command. */
  async function courseStory(schoolId: string | null, commands: ((courseId: string) => Omit<CourseCommand, 'courseId' | 'by'>)[]): Promise<CourseState> {
    const courseId = randomUUID();
    let state: CourseState = null;
    for (const make of commands) {
      const command = { ...make(courseId), courseId, by: teacher.userId } as CourseCommand;
      const events: CourseEvent[] = decideCourse(command, state);
      const result = await f.log.append(courseStreamId(courseId), toNewEvents(teacher, events, schoolId));
      await runner.waitFor(result.position);
      state = events.reduce(evolveCourse, state);
    }
    return state;
  }

  async function enrolmentStory(courseId: string, learnerId: string, schoolId: string | null, commands: EnrolmentCommand[]): Promise<void> {
    let state: EnrolmentState = enrolmentDecider.initialState();
    for (const command of commands) {
      const events = enrolmentDecider.decide(command, state);
      const result = await f.log.append(enrolmentStreamId(courseId, learnerId), toNewEvents(teacher, events, schoolId));
      await runner.waitFor(result.position);
      state = events.reduce(enrolmentDecider.evolve, state);
    }
  }

  it('builds the catalogue, sections, resources, activities, staff and enrolments; a replay changes nothing; a rebuild gives the same rows', async () => {
    const schoolId = randomUUID();
    const [s1, s2, s3, r1, r2, r3, a1, a2] = Array.from({ length: 8 }, () => randomUUID());
    const assistant = randomUUID();
    const page = (resourceId: string, sectionId: string, title: string, visible = true) => ({ type: 'AddResource' as const, resourceId, sectionId, title, visible, kind: 'page' as const, content: { body: title }, now: day(3) });
    const course = (await courseStory(schoolId, [
      () => ({ type: 'CreateCourse', schoolId, title: 'Maths', code: 'M-1', subject: 'Mathematics', gradeLevel: 'M1', summary: 'Numbers', selfEnrolment: { enabled: true, keyHash: 'scrypt$a$b' }, enrolmentPeriod: { startsAt: day(1) }, now: day(1) }),
      () => ({ type: 'AssignTeacher', userId: teacher.userId, role: 'teacher', now: day(1) }),
      () => ({ type: 'AssignTeacher', userId: assistant, role: 'teacher', now: day(2) }),
      () => ({ type: 'AssignTeacher', userId: assistant, role: 'non_editing_teacher', now: day(3) }),
      () => ({ type: 'AddSection', sectionId: s1, title: 'Week 1', now: day(2) }),
      () => ({ type: 'AddSection', sectionId: s2, title: 'Week 2', now: day(2) }),
      () => ({ type: 'AddSection', sectionId: s3, title: 'Intro', position: 0, now: day(2) }),
      () => page(r1, s1, 'One'),
      () => page(r2, s1, 'Two', false),
      () => page(r3, s2, 'Three'),
      () => ({ type: 'RemoveResource', resourceId: r1, now: day(4) }),
      () => ({ type: 'UpdateResource', resourceId: r2, title: 'Second', content: { body: 'new' }, now: day(4) }),
      () => ({ type: 'SetResourceVisibility', resourceId: r2, visible: true, now: day(4) }),
      () => ({ type: 'RenameSection', sectionId: s1, title: 'Week one', now: day(4) }),
      () => ({ type: 'AddActivity', activityId: a1, kind: 'quiz', sectionId: s1, now: day(4) }),
      () => ({ type: 'AddActivity', activityId: a2, kind: 'assignment', sectionId: s1, now: day(4) }),
      () => ({ type: 'RemoveActivity', activityId: a2, now: day(4) }),
      () => ({ type: 'ReorderSections', sectionIds: [s1, s2, s3], now: day(5) }),
      () => ({ type: 'RemoveSection', sectionId: s2, now: day(5) }),
      () => ({ type: 'UpdateCourse', title: 'Mathematics 1', summary: null, selfEnrolment: { enabled: false, keyHash: null }, enrolmentPeriod: {}, now: day(6) }),
      () => ({ type: 'ArchiveCourse', now: day(7) }),
      () => ({ type: 'RestoreCourse', now: day(8) }),
    ]))!;

    const [learner, leaver] = [randomUUID(), randomUUID()];
    const snapshotOfCourse = { archived: false, selfEnrolment: { enabled: true }, enrolmentPeriod: {} };
    await enrolmentStory(course.courseId, learner, schoolId, [
      { type: 'EnrolLearner', courseId: course.courseId, learnerId: learner, by: teacher.userId, method: 'manual', now: day(9), course: snapshotOfCourse, endsAt: '2025-12-01T00:00:00.000Z' },
    ]);
    await enrolmentStory(course.courseId, leaver, schoolId, [
      { type: 'EnrolLearner', courseId: course.courseId, learnerId: leaver, by: leaver, method: 'self', keyMatches: true, now: day(9), course: snapshotOfCourse },
      { type: 'UnenrolLearner', courseId: course.courseId, learnerId: leaver, by: teacher.userId, now: day(10), reason: 'moved away' },
    ]);

    const { courseId } = course;
    expect(await rows('SELECT school_id, code, title, summary, subject, grade_level, self_enrolment, enrolment_key_hash, enrolment_starts_at, archived_at, created_at, updated_at FROM courses WHERE course_id = $1', [courseId])).toEqual([
      { school_id: schoolId, code: 'M-1', title: 'Mathematics 1', summary: null, subject: 'Mathematics', grade_level: 'M1', self_enrolment: false, enrolment_key_hash: null, enrolment_starts_at: null, archived_at: null, created_at: new Date(day(1)), updated_at: new Date(day(8)) },
    ]);
    expect(await rows('SELECT section_id, school_id, title, position FROM course_sections WHERE course_id = $1 ORDER BY position', [courseId])).toEqual([
      { section_id: s1, school_id: schoolId, title: 'Week one', position: 0 },
      { section_id: s3, school_id: schoolId, title: 'Intro', position: 1 },
    ]);
    expect(await rows('SELECT resource_id, section_id, school_id, title, content, visible, position FROM course_resources WHERE course_id = $1', [courseId])).toEqual([
      { resource_id: r2, section_id: s1, school_id: schoolId, title: 'Second', content: { body: 'new' }, visible: true, position: 0 },
    ]);
    expect(await rows('SELECT activity_id, section_id, kind, school_id FROM course_activities WHERE course_id = $1', [courseId])).toEqual([{ activity_id: a1, section_id: s1, kind: 'quiz', school_id: schoolId }]);
    expect(await rows('SELECT user_id, role, school_id FROM course_staff WHERE course_id = $1 ORDER BY assigned_at', [courseId])).toEqual([
      { user_id: teacher.userId, role: 'teacher', school_id: schoolId },
      { user_id: assistant, role: 'non_editing_teacher', school_id: schoolId },
    ]);
    expect(await rows('SELECT learner_id, school_id, status, method, enrolled_at, unenrolled_at, ends_at FROM course_enrolments WHERE course_id = $1 ORDER BY enrolled_at, status', [courseId])).toEqual(
      expect.arrayContaining([
        { learner_id: learner, school_id: schoolId, status: 'active', method: 'manual', enrolled_at: new Date(day(9)), unenrolled_at: null, ends_at: new Date('2025-12-01T00:00:00.000Z') },
        { learner_id: leaver, school_id: schoolId, status: 'unenrolled', method: 'self', enrolled_at: new Date(day(9)), unenrolled_at: new Date(day(10)), ends_at: null },
      ]),
    );
    // The reason is personal: sealed in the log, never in a read model.
    expect(JSON.stringify(await rows(`SELECT data FROM events WHERE event_type = 'LearnerUnenrolled'`))).not.toContain('moved away');

    // A platform-wide course carries no school.
    const open = (await courseStory(null, [() => ({ type: 'CreateCourse', schoolId: null, title: 'Open', code: 'OPEN', subject: 'Any', gradeLevel: null, selfEnrolment: { enabled: true, keyHash: null }, now: day(1) }), () => ({ type: 'AddSection', sectionId: randomUUID(), title: 'Start', now: day(1) })]))!;
    expect(await rows('SELECT school_id FROM course_sections WHERE course_id = $1', [open.courseId])).toEqual([{ school_id: null }]);

    const before = await snapshot();

    // Replay: every event applied a second time changes nothing.
    const all = [];
    for await (const record of f.store.readAll()) all.push(record);
    const events = await f.log.decode(all);
    await f.dataSource.transaction(async (tx) => {
      for (const event of events) for (const p of projections) if ((p.eventTypes as readonly string[]).includes(event.type)) await p.handle(event, tx);
    });
    expect(await snapshot()).toEqual(before);

    // Rebuild from zero: the same rows.
    for (const p of projections) await runner.rebuild(p.name);
    await runner.waitFor((await f.store.headPosition())!);
    expect(await snapshot()).toEqual(before);
  });

  it('applies a batch of enrolments (handleBatch: two statements) as handle() does event by event', async () => {
    const schoolId = randomUUID();
    const course = { archived: false, selfEnrolment: { enabled: false }, enrolmentPeriod: {} };
    const [stays, leaves, leftLater, comesBack] = Array.from({ length: 4 }, () => randomUUID());
    /** The same stories in two courses: one applied with handle, one with handleBatch. */
    const logOf = async (courseId: string) => {
      const enrol = (learnerId: string, n: number) => ({ type: 'EnrolLearner' as const, courseId, learnerId, by: teacher.userId, method: 'bulk' as const, now: day(n), course, startsAt: day(n) });
      const unenrol = (learnerId: string, n: number) => ({ type: 'UnenrolLearner' as const, courseId, learnerId, by: teacher.userId, now: day(n) });
      await enrolmentStory(courseId, stays, schoolId, [enrol(stays, 1)]);
      await enrolmentStory(courseId, leaves, schoolId, [enrol(leaves, 1), unenrol(leaves, 2)]);
      await enrolmentStory(courseId, leftLater, schoolId, [enrol(leftLater, 1), unenrol(leftLater, 3)]);
      await enrolmentStory(courseId, comesBack, schoolId, [enrol(comesBack, 1), unenrol(comesBack, 2), enrol(comesBack, 4)]);
      const all = [];
      for await (const record of f.store.readAll()) all.push(record);
      return (await f.log.decode(all)).filter((e) => e.data.courseId === courseId && (e.type === 'LearnerEnrolled' || e.type === 'LearnerUnenrolled'));
    };
    const [one, batched] = [randomUUID(), randomUUID()];
    const [oneEvents, batchEvents] = [await logOf(one), await logOf(batched)];
    const p = new CourseEnrolmentsProjection();
    // leftLater's enrolment is there before the batch: its unenrolment in the batch updates that row.
    const before = (events: typeof oneEvents) => events.filter((e) => e.data.learnerId === leftLater && e.type === 'LearnerEnrolled');
    const inBatch = (events: typeof oneEvents) => events.filter((e) => !before(events).includes(e));
    await f.dataSource.transaction(async (tx) => {
      await tx.query('DELETE FROM course_enrolments WHERE course_id = ANY ($1::uuid[])', [[one, batched]]);
      for (const e of [...before(oneEvents), ...before(batchEvents)]) await p.handle(e, tx);
      for (const e of inBatch(oneEvents)) await p.handle(e, tx);
      await p.handleBatch(inBatch(batchEvents), tx);
    });
    const rowsOf = (courseId: string) => rows('SELECT learner_id, school_id, status, method, enrolled_at, unenrolled_at, starts_at, ends_at FROM course_enrolments WHERE course_id = $1 ORDER BY learner_id', [courseId]);
    const expected = await rowsOf(one);
    expect(expected.map((r: { learner_id: string; status: string }) => [r.learner_id, r.status]).sort()).toEqual(
      [[stays, 'active'], [leaves, 'unenrolled'], [leftLater, 'unenrolled'], [comesBack, 'active']].sort(),
    );
    expect(expected.find((r: { learner_id: string }) => r.learner_id === comesBack)).toMatchObject({ enrolled_at: new Date(day(4)), unenrolled_at: null });
    expect(await rowsOf(batched)).toEqual(expected);
  });
});
