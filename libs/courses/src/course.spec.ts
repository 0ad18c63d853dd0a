import { DomainError } from '@learnstream/domain';
import { spec } from '../../domain/src/testing/given-when-then';
import { courseDecider, courseStreamId } from './course';
import type { CourseCommand } from './course.commands';
import type { CourseEvent } from './course.events';
import {
  ACTIVITY_1,
  ADMIN,
  base,
  COURSE_ID,
  courseCreated,
  createCourse,
  pageAdded,
  RESOURCE_1,
  SECTION_A,
  sectionAdded,
  stamp,
  TEACHER,
  teacherAssigned,
} from './testing/course.fixtures';

const archived: CourseEvent = { type: 'CourseArchived', data: { courseId: COURSE_ID, ...stamp } };

/** The problems a failing command lists in its COURSE_INVALID details. */
function problemsOf(given: CourseEvent[], command: CourseCommand): string[] {
  try {
    spec(courseDecider).given(...given).when(command).events();
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    expect((e as DomainError).code).toBe('COURSE_INVALID');
    expect((e as DomainError).kind).toBe('invalid');
    return (e as DomainError).details as string[];
  }
  throw new Error('the command was accepted');
}

describe('course decider: CreateCourse', () => {
  it('creates a course, trimming its texts and recording who and when', () => {
    spec(courseDecider)
      .given()
      .when(createCourse({ title: '  Mathematics 1 ', subject: ' Mathematics', gradeLevel: ' M1 ' }))
      .then([courseCreated(stamp)]);
  });

  it('creates a platform-wide course with the optional fields left out', () => {
    spec(courseDecider)
      .given()
      .when(createCourse({ schoolId: null, summary: undefined, gradeLevel: null, enrolmentPeriod: undefined, selfEnrolment: { enabled: false, keyHash: null } }))
      .then([
        courseCreated({
          ...stamp,
          schoolId: null,
          summary: null,
          gradeLevel: null,
          enrolmentPeriod: { startsAt: null, endsAt: null },
          selfEnrolment: { enabled: false, keyHash: null },
        }),
      ]);
  });

  it('records the external id (idNumber) trimmed, checks its length, and changes it only when it differs', () => {
    const [event] = spec(courseDecider).given().when(createCourse({ idNumber: ' MATH101-2024 ' })).events();
    expect(event.data).toMatchObject({ idNumber: 'MATH101-2024' });
    expect(problemsOf([], createCourse({ idNumber: 'x'.repeat(101) }))).toEqual([expect.stringContaining('idNumber')]);
    const withId = courseCreated({ idNumber: 'MATH101-2024' });
    expect(spec(courseDecider).given(withId).when({ type: 'UpdateCourse', courseId: withId.data.courseId, by: stamp.by, now: stamp.at, idNumber: 'MATH101-2024' }).events()).toEqual([]);
    const [changed] = spec(courseDecider).given(withId).when({ type: 'UpdateCourse', courseId: withId.data.courseId, by: stamp.by, now: stamp.at, idNumber: null }).events();
    expect(changed.data).toMatchObject({ changes: { idNumber: null } });
  });

  it('keeps a half-open enrolment period', () => {
    const [event] = spec(courseDecider).given().when(createCourse({ enrolmentPeriod: { endsAt: '2025-06-01T00:00:00Z' } })).events();
    expect(event.data).toMatchObject({ enrolmentPeriod: { startsAt: null, endsAt: '2025-06-01T00:00:00Z' } });
  });

  it('refuses to create the same course twice, archived or not', () => {
    spec(courseDecider).given(courseCreated()).when(createCourse()).thenFails('COURSE_EXISTS');
    spec(courseDecider).given(courseCreated(), archived).when(createCourse()).thenFails('COURSE_EXISTS');
  });

  it('accepts the length limits exactly: title 200, subject 100, code 30 characters', () => {
    const events = spec(courseDecider)
      .given()
      .when(createCourse({ title: 'x'.repeat(200), subject: 's'.repeat(100), code: 'C'.repeat(30) }))
      .events();
    expect(events).toHaveLength(1);
  });

  it('counts characters, not UTF-16 units: 200 emoji make a 200-character title', () => {
    expect(spec(courseDecider).given().when(createCourse({ title: '📘'.repeat(200) })).events()).toHaveLength(1);
    expect(problemsOf([], createCourse({ title: '📘'.repeat(201) }))).toEqual(['title must be at most 200 characters']);
  });

  it('accepts a code in Thai, whose vowels are combining marks', () => {
    const events = spec(courseDecider).given().when(createCourse({ code: 'คณิตศาสตร์_ม1' })).events();
    expect(events[0].data).toMatchObject({ code: 'คณิตศาสตร์_ม1' });
  });

  it.each([
    ['an empty title', { title: '' }, 'title must not be blank'],
    ['a blank title', { title: '   ' }, 'title must not be blank'],
    ['a title of 201 characters', { title: 'x'.repeat(201) }, 'title must be at most 200 characters'],
    ['an empty subject', { subject: '' }, 'subject must not be blank'],
    ['a subject of 101 characters', { subject: 's'.repeat(101) }, 'subject must be at most 100 characters'],
    ['an empty code', { code: '' }, 'code must be 1 to 30 characters'],
    ['a code of 31 characters', { code: 'C'.repeat(31) }, 'code must be 1 to 30 characters'],
    ['a code with a space', { code: 'MATH 101' }, 'code may hold only letters, digits, "-" and "_"'],
    ['a code with a dot', { code: 'MATH.101' }, 'code may hold only letters, digits, "-" and "_"'],
    ['a course id that is not a UUID', { courseId: 'course-1' }, 'courseId must be a UUID'],
    ['an upper-case course id', { courseId: COURSE_ID.toUpperCase() }, 'courseId must be a UUID'],
    ['a school id that is not a UUID', { schoolId: 'school' }, 'schoolId must be a UUID or null'],
    ['a blank grade level', { gradeLevel: ' ' }, 'gradeLevel must not be blank'],
    ['a summary that is not text', { summary: 42 as unknown as string }, 'summary must be a string or null'],
    ['self-enrolment without a flag', { selfEnrolment: { keyHash: null } as never }, 'selfEnrolment.enabled must be a boolean'],
    ['an empty key hash', { selfEnrolment: { enabled: true, keyHash: '' } }, 'selfEnrolment.keyHash must be null or a string of 1 to 1000 characters'],
    ['a period start that is not UTC ISO-8601', { enrolmentPeriod: { startsAt: '01/03/2025' } }, 'enrolmentPeriod.startsAt must be an ISO-8601 UTC timestamp'],
    ['a period end on a day that does not exist', { enrolmentPeriod: { endsAt: '2025-02-30T00:00:00Z' } }, 'enrolmentPeriod.endsAt must be an ISO-8601 UTC timestamp'],
    [
      'a period that ends when it starts',
      { enrolmentPeriod: { startsAt: '2025-01-01T00:00:00Z', endsAt: '2025-01-01T00:00:00Z' } },
      'enrolmentPeriod.endsAt must be after enrolmentPeriod.startsAt',
    ],
  ])('refuses %s with COURSE_INVALID', (_name, overrides, problem) => {
    expect(problemsOf([], createCourse(overrides as never))).toEqual([problem]);
  });

  it('lists every problem of the command at once', () => {
    expect(problemsOf([], createCourse({ title: '', code: 'a b', subject: '' }))).toEqual([
      'code may hold only letters, digits, "-" and "_"',
      'title must not be blank',
      'subject must not be blank',
    ]);
  });
});

describe('course decider: UpdateCourse', () => {
  const update = (fields: object): CourseCommand => ({ type: 'UpdateCourse', ...base, ...fields });

  it('records only the fields that change', () => {
    spec(courseDecider)
      .given(courseCreated())
      .when(update({ title: 'Mathematics 2', subject: 'Mathematics', summary: null }))
      .then([{ type: 'CourseUpdated', data: { courseId: COURSE_ID, changes: { title: 'Mathematics 2', summary: null }, ...stamp } }]);
  });

  it('records nothing when nothing changes (a retried request)', () => {
    spec(courseDecider).given(courseCreated()).when(update({ title: ' Mathematics 1 ', gradeLevel: 'M1' })).then([]);
  });

  it('refuses an update that names no field', () => {
    expect(problemsOf([courseCreated()], update({}))).toEqual([
      'nothing to update: give at least one of title, summary, subject, gradeLevel, idNumber, selfEnrolment, enrolmentPeriod',
    ]);
  });

  it('checks the fields it is given', () => {
    expect(problemsOf([courseCreated()], update({ title: '', enrolmentPeriod: { startsAt: 'soon' } }))).toEqual([
      'title must not be blank',
      'enrolmentPeriod.startsAt must be an ISO-8601 UTC timestamp',
    ]);
  });

  it('keeps the enrolment key when self-enrolment is toggled without one', () => {
    spec(courseDecider)
      .given(courseCreated())
      .when(update({ selfEnrolment: { enabled: false } }))
      .then([{ type: 'CourseUpdated', data: { courseId: COURSE_ID, changes: { selfEnrolment: { enabled: false, keyHash: 'hash-of-key' } }, ...stamp } }]);
  });

  it('removes the enrolment key when given null', () => {
    spec(courseDecider)
      .given(courseCreated())
      .when(update({ selfEnrolment: { enabled: true, keyHash: null } }))
      .then([{ type: 'CourseUpdated', data: { courseId: COURSE_ID, changes: { selfEnrolment: { enabled: true, keyHash: null } }, ...stamp } }]);
  });

  it('replaces the whole enrolment period: {} opens it at both ends', () => {
    spec(courseDecider)
      .given(courseCreated())
      .when(update({ enrolmentPeriod: {} }))
      .then([{ type: 'CourseUpdated', data: { courseId: COURSE_ID, changes: { enrolmentPeriod: { startsAt: null, endsAt: null } }, ...stamp } }]);
  });

  it('refuses an unknown course', () => {
    spec(courseDecider).given().when(update({ title: 'x' })).thenFails('COURSE_NOT_FOUND');
  });
});

describe('course decider: archive and restore', () => {
  it('archives a course, then restores it', () => {
    spec(courseDecider).given(courseCreated()).when({ type: 'ArchiveCourse', ...base }).then([archived]);
    spec(courseDecider)
      .given(courseCreated(), archived)
      .when({ type: 'RestoreCourse', ...base })
      .then([{ type: 'CourseRestored', data: { courseId: COURSE_ID, ...stamp } }]);
  });

  it('refuses to archive an archived course', () => {
    spec(courseDecider).given(courseCreated(), archived).when({ type: 'ArchiveCourse', ...base }).thenFails('COURSE_ARCHIVED');
  });

  it('refuses to restore a course that is not archived, or unknown', () => {
    spec(courseDecider).given(courseCreated()).when({ type: 'RestoreCourse', ...base }).thenFails('COURSE_NOT_ARCHIVED');
    spec(courseDecider).given().when({ type: 'RestoreCourse', ...base }).thenFails('COURSE_NOT_FOUND');
  });

  it('accepts changes again once restored', () => {
    const restored: CourseEvent = { type: 'CourseRestored', data: { courseId: COURSE_ID, ...stamp } };
    const events = spec(courseDecider).given(courseCreated(), archived, restored).when({ type: 'AddSection', ...base, sectionId: SECTION_A, title: 'Week 1' }).events();
    expect(events).toHaveLength(1);
  });

  const everyChange: CourseCommand[] = [
    { type: 'UpdateCourse', ...base, title: 'New title' },
    { type: 'AddSection', ...base, sectionId: SECTION_A, title: 'Week 1' },
    { type: 'RenameSection', ...base, sectionId: SECTION_A, title: 'Week one' },
    { type: 'RemoveSection', ...base, sectionId: SECTION_A },
    { type: 'ReorderSections', ...base, sectionIds: [SECTION_A] },
    { type: 'AddResource', ...base, resourceId: RESOURCE_1, sectionId: SECTION_A, title: 'Link', visible: true, kind: 'url', content: { url: 'https://example.org' } },
    { type: 'UpdateResource', ...base, resourceId: RESOURCE_1, title: 'Renamed' },
    { type: 'SetResourceVisibility', ...base, resourceId: RESOURCE_1, visible: false },
    { type: 'RemoveResource', ...base, resourceId: RESOURCE_1 },
    { type: 'AssignTeacher', ...base, userId: ADMIN, role: 'teacher' },
    { type: 'UnassignTeacher', ...base, userId: TEACHER },
    { type: 'AddActivity', ...base, activityId: ACTIVITY_1, kind: 'quiz', sectionId: SECTION_A },
    { type: 'RemoveActivity', ...base, activityId: ACTIVITY_1 },
  ];

  it.each(everyChange.map((c) => [c.type, c] as const))('an archived course refuses %s with COURSE_ARCHIVED', (_type, command) => {
    spec(courseDecider)
      .given(courseCreated(), sectionAdded(SECTION_A, 'Week 1', 0), pageAdded(RESOURCE_1, SECTION_A), teacherAssigned(TEACHER), archived)
      .when(command)
      .thenFails('COURSE_ARCHIVED');
  });

  it.each(everyChange.map((c) => [c.type, c] as const))('an unknown course refuses %s with COURSE_NOT_FOUND', (_type, command) => {
    spec(courseDecider).given().when(command).thenFails('COURSE_NOT_FOUND');
  });
});

describe('course state', () => {
  it('holds what the read side shows', () => {
    const { state } = spec(courseDecider).given(courseCreated(), sectionAdded(SECTION_A, 'Week 1', 0), pageAdded(RESOURCE_1, SECTION_A), teacherAssigned(TEACHER));
    expect(state).toEqual({
      courseId: COURSE_ID,
      schoolId: courseCreated().data.schoolId,
      title: 'Mathematics 1',
      code: 'MATH-101',
      summary: 'Numbers and shapes.',
      subject: 'Mathematics',
      gradeLevel: 'M1',
      idNumber: null,
      archived: false,
      selfEnrolment: { enabled: true, keyHash: 'hash-of-key' },
      enrolmentPeriod: { startsAt: '2025-01-01T00:00:00Z', endsAt: '2025-06-01T00:00:00Z' },
      sections: [
        { sectionId: SECTION_A, title: 'Week 1', resources: [{ resourceId: RESOURCE_1, kind: 'page', title: 'Welcome', content: { body: '<p>Hello</p>' }, visible: true, idNumber: null }] },
      ],
      staff: [{ userId: TEACHER, role: 'teacher' }],
      activities: [],
    });
  });

  it('is null before the course is created, and ignores stray events', () => {
    expect(spec(courseDecider).given().state).toBeNull();
    expect(spec(courseDecider).given(archived).state).toBeNull();
  });

  it('does not change a state already built (evolve is pure)', () => {
    const before = spec(courseDecider).given(courseCreated()).state;
    const copy = structuredClone(before);
    courseDecider.evolve(before, sectionAdded(SECTION_A, 'Week 1', 0));
    courseDecider.evolve(before, archived);
    expect(before).toEqual(copy);
  });

  it('names the course stream course-<courseId>', () => {
    expect(courseStreamId(COURSE_ID)).toBe(`course-${COURSE_ID}`);
  });
});
