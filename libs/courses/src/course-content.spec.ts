import { DomainError } from '@learnstream/domain';
import { spec } from '../../domain/src/testing/given-when-then';
import { courseDecider } from './course';
import type { AddResource, CourseCommand } from './course.commands';
import type { CourseEvent } from './course.events';
import {
  ACTIVITY_1,
  activityAdded,
  base,
  COURSE_ID,
  courseCreated,
  pageAdded,
  RESOURCE_1,
  RESOURCE_2,
  SECTION_A,
  SECTION_B,
  SECTION_C,
  sectionAdded,
  stamp,
  UNKNOWN_ID,
} from './testing/course.fixtures';

const course = courseCreated();
const weekA = sectionAdded(SECTION_A, 'Week 1', 0);
const weekB = sectionAdded(SECTION_B, 'Week 2', 1);
const weekC = sectionAdded(SECTION_C, 'Week 3', 2);

function problemsOf(given: CourseEvent[], command: CourseCommand): string[] {
  try {
    spec(courseDecider).given(...given).when(command).events();
  } catch (e) {
    expect((e as DomainError).code).toBe('COURSE_INVALID');
    return (e as DomainError).details as string[];
  }
  throw new Error('the command was accepted');
}

const sectionIdsOf = (...events: CourseEvent[]) => spec(courseDecider).given(...events).state!.sections.map((s) => s.sectionId);

describe('course decider: sections', () => {
  it('adds a section at the end when no position is given', () => {
    spec(courseDecider)
      .given(course, weekA)
      .when({ type: 'AddSection', ...base, sectionId: SECTION_B, title: ' Week 2 ' })
      .then([{ type: 'CourseSectionAdded', data: { courseId: COURSE_ID, sectionId: SECTION_B, title: 'Week 2', position: 1, ...stamp } }]);
  });

  it('inserts a section at the position given', () => {
    const [event] = spec(courseDecider).given(course, weekA, weekB).when({ type: 'AddSection', ...base, sectionId: SECTION_C, title: 'Intro', position: 0 }).events();
    expect(event.data).toMatchObject({ position: 0 });
    expect(sectionIdsOf(course, weekA, weekB, event)).toEqual([SECTION_C, SECTION_A, SECTION_B]);
  });

  it('accepts the position just after the last section', () => {
    const [event] = spec(courseDecider).given(course, weekA).when({ type: 'AddSection', ...base, sectionId: SECTION_B, title: 'Week 2', position: 1 }).events();
    expect(sectionIdsOf(course, weekA, event)).toEqual([SECTION_A, SECTION_B]);
  });

  it.each([2, -1, 0.5])('refuses position %s in a course of one section', (position) => {
    expect(problemsOf([course, weekA], { type: 'AddSection', ...base, sectionId: SECTION_B, title: 'Week 2', position })).toEqual([
      'position must be a whole number from 0 to 1',
    ]);
  });

  it('refuses a blank or overlong title and an id that is not a UUID', () => {
    expect(problemsOf([course], { type: 'AddSection', ...base, sectionId: 'week-1', title: ' ' })).toEqual(['sectionId must be a UUID', 'title must not be blank']);
    expect(problemsOf([course], { type: 'AddSection', ...base, sectionId: SECTION_A, title: 'x'.repeat(201) })).toEqual(['title must be at most 200 characters']);
  });

  it('refuses a section id already used', () => {
    spec(courseDecider).given(course, weekA).when({ type: 'AddSection', ...base, sectionId: SECTION_A, title: 'Again' }).thenFails('SECTION_EXISTS');
  });

  it('renames a section', () => {
    spec(courseDecider)
      .given(course, weekA)
      .when({ type: 'RenameSection', ...base, sectionId: SECTION_A, title: 'Week one ' })
      .then([{ type: 'CourseSectionRenamed', data: { courseId: COURSE_ID, sectionId: SECTION_A, title: 'Week one', ...stamp } }]);
  });

  it('records nothing when the name is the same, and refuses a blank one or an unknown section', () => {
    spec(courseDecider).given(course, weekA).when({ type: 'RenameSection', ...base, sectionId: SECTION_A, title: 'Week 1' }).then([]);
    spec(courseDecider).given(course, weekA).when({ type: 'RenameSection', ...base, sectionId: SECTION_A, title: '' }).thenFails('COURSE_INVALID');
    spec(courseDecider).given(course, weekA).when({ type: 'RenameSection', ...base, sectionId: UNKNOWN_ID, title: 'x' }).thenFails('SECTION_NOT_FOUND');
  });

  it('removes an empty section', () => {
    spec(courseDecider)
      .given(course, weekA)
      .when({ type: 'RemoveSection', ...base, sectionId: SECTION_A })
      .then([{ type: 'CourseSectionRemoved', data: { courseId: COURSE_ID, sectionId: SECTION_A, ...stamp } }]);
  });

  it('removes a section with its resources: one CourseResourceRemoved each, in order, then the section', () => {
    const given = [course, weekA, weekB, pageAdded(RESOURCE_1, SECTION_A), pageAdded(RESOURCE_2, SECTION_A)];
    const events = spec(courseDecider).given(...given).when({ type: 'RemoveSection', ...base, sectionId: SECTION_A }).events();
    expect(events).toEqual([
      { type: 'CourseResourceRemoved', data: { courseId: COURSE_ID, sectionId: SECTION_A, resourceId: RESOURCE_1, ...stamp } },
      { type: 'CourseResourceRemoved', data: { courseId: COURSE_ID, sectionId: SECTION_A, resourceId: RESOURCE_2, ...stamp } },
      { type: 'CourseSectionRemoved', data: { courseId: COURSE_ID, sectionId: SECTION_A, ...stamp } },
    ]);
    expect(sectionIdsOf(...given, ...events)).toEqual([SECTION_B]);
    spec(courseDecider).given(...given, ...events).when({ type: 'RemoveResource', ...base, resourceId: RESOURCE_1 }).thenFails('RESOURCE_NOT_FOUND');
  });

  it('refuses to remove a section that still holds activities, and allows it once they are removed', () => {
    spec(courseDecider).given(course, weekA, activityAdded(ACTIVITY_1, SECTION_A)).when({ type: 'RemoveSection', ...base, sectionId: SECTION_A }).thenFails('SECTION_HAS_ACTIVITIES');
    const removed: CourseEvent = { type: 'CourseActivityRemoved', data: { courseId: COURSE_ID, activityId: ACTIVITY_1, sectionId: SECTION_A, ...stamp } };
    expect(spec(courseDecider).given(course, weekA, activityAdded(ACTIVITY_1, SECTION_A), removed).when({ type: 'RemoveSection', ...base, sectionId: SECTION_A }).events()).toHaveLength(1);
  });

  it('refuses to remove an unknown section', () => {
    spec(courseDecider).given(course).when({ type: 'RemoveSection', ...base, sectionId: UNKNOWN_ID }).thenFails('SECTION_NOT_FOUND');
  });

  it('reorders the sections', () => {
    const order = [SECTION_C, SECTION_A, SECTION_B];
    const events = spec(courseDecider).given(course, weekA, weekB, weekC).when({ type: 'ReorderSections', ...base, sectionIds: order }).events();
    expect(events).toEqual([{ type: 'CourseSectionsReordered', data: { courseId: COURSE_ID, sectionIds: order, ...stamp } }]);
    expect(sectionIdsOf(course, weekA, weekB, weekC, ...events)).toEqual(order);
  });

  it('records nothing when the order is the same', () => {
    spec(courseDecider).given(course, weekA, weekB).when({ type: 'ReorderSections', ...base, sectionIds: [SECTION_A, SECTION_B] }).then([]);
  });

  it('refuses an order that misses a section or names an unknown one (a stale view): SECTION_ORDER_MISMATCH', () => {
    spec(courseDecider).given(course, weekA, weekB).when({ type: 'ReorderSections', ...base, sectionIds: [SECTION_B] }).thenFails('SECTION_ORDER_MISMATCH');
    spec(courseDecider)
      .given(course, weekA, weekB)
      .when({ type: 'ReorderSections', ...base, sectionIds: [SECTION_B, SECTION_A, UNKNOWN_ID] })
      .thenFails('SECTION_ORDER_MISMATCH');
  });

  it('refuses an order that names a section twice, or is not a list', () => {
    expect(problemsOf([course, weekA, weekB], { type: 'ReorderSections', ...base, sectionIds: [SECTION_A, SECTION_B, SECTION_A] })).toEqual([
      `sectionIds lists ${SECTION_A} more than once`,
    ]);
    expect(problemsOf([course, weekA], { type: 'ReorderSections', ...base, sectionIds: SECTION_A as never })).toEqual(['sectionIds must be an array of section ids']);
  });
});

describe('course decider: resources', () => {
  const add = (fields: Partial<AddResource>): AddResource =>
    ({ type: 'AddResource', ...base, resourceId: RESOURCE_1, sectionId: SECTION_A, title: 'Reading', visible: true, kind: 'page', content: { body: 'Read this.' }, ...fields }) as AddResource;
  const added = (fields: object): CourseEvent =>
    ({ type: 'CourseResourceAdded', data: { courseId: COURSE_ID, sectionId: SECTION_A, resourceId: RESOURCE_1, title: 'Reading', visible: true, ...fields, ...stamp } }) as CourseEvent;

  it.each([
    ['page', { body: '<h1>Read this</h1>' }],
    ['file', { fileRef: 'files/2025/worksheet.pdf', mimeType: 'application/pdf', sizeBytes: 48213 }],
    ['url', { url: 'https://example.org/fractions' }],
    ['video', { url: 'http://videos.example.org/v/42', durationSeconds: 312.5 }],
  ] as const)('adds a %s resource at the end of its section', (kind, content) => {
    spec(courseDecider)
      .given(course, weekA)
      .when(add({ kind, content } as Partial<AddResource>))
      .then([added({ kind, content })]);
  });

  it('records an external id, trimmed, and refuses one another resource of the course has', () => {
    spec(courseDecider)
      .given(course, weekA)
      .when(add({ idNumber: ' mod-7 ' }))
      .then([added({ kind: 'page', content: { body: 'Read this.' }, idNumber: 'mod-7' })]);
    const taken = { ...pageAdded(RESOURCE_2, SECTION_A), data: { ...pageAdded(RESOURCE_2, SECTION_A).data, idNumber: 'mod-7' } };
    spec(courseDecider).given(course, weekA, taken).when(add({ idNumber: 'mod-7' })).thenFails('IDNUMBER_TAKEN');
    spec(courseDecider).given(course, weekA, taken).when(add({ idNumber: 'mod-8' })).then([added({ kind: 'page', content: { body: 'Read this.' }, idNumber: 'mod-8' })]);
    expect(problemsOf([course, weekA], add({ idNumber: '' }))).toEqual([expect.stringContaining('idNumber')]);
  });

  it('keeps resources in the order they were added', () => {
    const { state } = spec(courseDecider).given(course, weekA, pageAdded(RESOURCE_2, SECTION_A), pageAdded(RESOURCE_1, SECTION_A));
    expect(state!.sections[0].resources.map((r) => r.resourceId)).toEqual([RESOURCE_2, RESOURCE_1]);
  });

  it('records only the fields of the kind, and the media type in lower case', () => {
    const content = { fileRef: 'f/1', mimeType: 'Application/PDF', sizeBytes: 0, body: 'smuggled', url: 'https://x.org' };
    spec(courseDecider)
      .given(course, weekA)
      .when(add({ kind: 'file', content } as never))
      .then([added({ kind: 'file', content: { fileRef: 'f/1', mimeType: 'application/pdf', sizeBytes: 0 } })]);
  });

  it.each([
    ['a javascript: link', { kind: 'url', content: { url: 'javascript:alert(1)' } }, 'content.url must be an absolute http or https URL of at most 2048 characters'],
    ['an ftp link', { kind: 'url', content: { url: 'ftp://example.org/file' } }, 'content.url must be an absolute http or https URL of at most 2048 characters'],
    ['a relative link', { kind: 'url', content: { url: '/fractions' } }, 'content.url must be an absolute http or https URL of at most 2048 characters'],
    ['a video on a file: link', { kind: 'video', content: { url: 'file:///etc/passwd', durationSeconds: 10 } }, 'content.url must be an absolute http or https URL of at most 2048 characters'],
    ['a video of no duration', { kind: 'video', content: { url: 'https://v.example.org/1', durationSeconds: 0 } }, 'content.durationSeconds must be a number above 0'],
    ['a file of negative size', { kind: 'file', content: { fileRef: 'f', mimeType: 'text/plain', sizeBytes: -1 } }, 'content.sizeBytes must be a whole number of bytes, 0 or more'],
    ['a file of fractional size', { kind: 'file', content: { fileRef: 'f', mimeType: 'text/plain', sizeBytes: 1.5 } }, 'content.sizeBytes must be a whole number of bytes, 0 or more'],
    ['a file without a media type', { kind: 'file', content: { fileRef: 'f', mimeType: 'pdf', sizeBytes: 1 } }, 'content.mimeType must be a media type such as application/pdf'],
    ['a file without a reference', { kind: 'file', content: { fileRef: '', mimeType: 'text/plain', sizeBytes: 1 } }, 'content.fileRef must be a string of 1 to 500 characters'],
    ['a page without a body', { kind: 'page', content: {} }, 'content.body must be a string'],
    ['a page without content', { kind: 'page', content: undefined }, 'content must be an object'],
    ['an unknown kind', { kind: 'scorm', content: {} }, 'kind must be one of page, file, url, video'],
    ['a visibility that is not a boolean', { visible: 'yes' }, 'visible must be a boolean'],
    ['a blank title', { title: ' ' }, 'title must not be blank'],
    ['a resource id that is not a UUID', { resourceId: 'r1' }, 'resourceId must be a UUID'],
  ])('refuses %s with COURSE_INVALID', (_name, fields, problem) => {
    expect(problemsOf([course, weekA], add(fields as never))).toEqual([problem]);
  });

  it('refuses an unknown section, and a resource id used anywhere in the course', () => {
    spec(courseDecider).given(course, weekA).when(add({ sectionId: UNKNOWN_ID })).thenFails('SECTION_NOT_FOUND');
    spec(courseDecider).given(course, weekA, weekB, pageAdded(RESOURCE_1, SECTION_B)).when(add({})).thenFails('RESOURCE_EXISTS');
  });

  it('updates a title and a content, recording only what changes', () => {
    spec(courseDecider)
      .given(course, weekA, pageAdded(RESOURCE_1, SECTION_A))
      .when({ type: 'UpdateResource', ...base, resourceId: RESOURCE_1, title: 'Welcome', content: { body: 'New text' } })
      .then([
        {
          type: 'CourseResourceUpdated',
          data: { courseId: COURSE_ID, sectionId: SECTION_A, resourceId: RESOURCE_1, kind: 'page', changes: { content: { body: 'New text' } }, ...stamp },
        },
      ]);
  });

  it('records nothing when nothing changes, even if the stored content came back with its keys reordered', () => {
    const video: CourseEvent = {
      type: 'CourseResourceAdded',
      data: { courseId: COURSE_ID, sectionId: SECTION_A, resourceId: RESOURCE_1, title: 'Clip', visible: true, kind: 'video', content: { durationSeconds: 60, url: 'https://v.example.org/1' } as never, ...stamp },
    };
    spec(courseDecider)
      .given(course, weekA, video)
      .when({ type: 'UpdateResource', ...base, resourceId: RESOURCE_1, title: 'Clip', content: { url: 'https://v.example.org/1', durationSeconds: 60 } })
      .then([]);
  });

  it('refuses content of another kind, an update of nothing, and an unknown resource', () => {
    expect(problemsOf([course, weekA, pageAdded(RESOURCE_1, SECTION_A)], { type: 'UpdateResource', ...base, resourceId: RESOURCE_1, content: { url: 'https://x.org' } })).toEqual([
      'content.body must be a string (the resource is a page)',
    ]);
    expect(problemsOf([course, weekA, pageAdded(RESOURCE_1, SECTION_A)], { type: 'UpdateResource', ...base, resourceId: RESOURCE_1 })).toEqual([
      'nothing to update: give a title or a content',
    ]);
    spec(courseDecider).given(course, weekA).when({ type: 'UpdateResource', ...base, resourceId: UNKNOWN_ID, title: 'x' }).thenFails('RESOURCE_NOT_FOUND');
  });

  it('hides and shows a resource, recording nothing when it is already so', () => {
    const hidden: CourseEvent = { type: 'CourseResourceVisibilityChanged', data: { courseId: COURSE_ID, sectionId: SECTION_A, resourceId: RESOURCE_1, visible: false, ...stamp } };
    spec(courseDecider).given(course, weekA, pageAdded(RESOURCE_1, SECTION_A)).when({ type: 'SetResourceVisibility', ...base, resourceId: RESOURCE_1, visible: false }).then([hidden]);
    spec(courseDecider).given(course, weekA, pageAdded(RESOURCE_1, SECTION_A), hidden).when({ type: 'SetResourceVisibility', ...base, resourceId: RESOURCE_1, visible: false }).then([]);
    expect(spec(courseDecider).given(course, weekA, pageAdded(RESOURCE_1, SECTION_A), hidden).state!.sections[0].resources[0].visible).toBe(false);
    spec(courseDecider).given(course, weekA).when({ type: 'SetResourceVisibility', ...base, resourceId: UNKNOWN_ID, visible: true }).thenFails('RESOURCE_NOT_FOUND');
  });

  it('removes a resource, naming its section', () => {
    const events = spec(courseDecider).given(course, weekA, pageAdded(RESOURCE_1, SECTION_A)).when({ type: 'RemoveResource', ...base, resourceId: RESOURCE_1 }).events();
    expect(events).toEqual([{ type: 'CourseResourceRemoved', data: { courseId: COURSE_ID, sectionId: SECTION_A, resourceId: RESOURCE_1, ...stamp } }]);
    expect(spec(courseDecider).given(course, weekA, pageAdded(RESOURCE_1, SECTION_A), ...events).state!.sections[0].resources).toEqual([]);
    spec(courseDecider).given(course, weekA).when({ type: 'RemoveResource', ...base, resourceId: UNKNOWN_ID }).thenFails('RESOURCE_NOT_FOUND');
  });
});

describe('course decider: activities', () => {
  it('adds an activity to a section', () => {
    const events = spec(courseDecider).given(course, weekA).when({ type: 'AddActivity', ...base, activityId: ACTIVITY_1, kind: 'assignment', sectionId: SECTION_A }).events();
    expect(events).toEqual([{ type: 'CourseActivityAdded', data: { courseId: COURSE_ID, activityId: ACTIVITY_1, kind: 'assignment', sectionId: SECTION_A, idNumber: null, ...stamp } }]);
    expect(spec(courseDecider).given(course, weekA, ...events).state!.activities).toEqual([{ activityId: ACTIVITY_1, kind: 'assignment', sectionId: SECTION_A }]);
  });

  it("records an activity's external id (idNumber) trimmed, and refuses one too long", () => {
    const [event] = spec(courseDecider).given(course, weekA).when({ type: 'AddActivity', ...base, activityId: ACTIVITY_1, kind: 'quiz', sectionId: SECTION_A, idNumber: ' QUIZ-7 ' }).events();
    expect(event.data).toMatchObject({ idNumber: 'QUIZ-7' });
    spec(courseDecider).given(course, weekA).when({ type: 'AddActivity', ...base, activityId: ACTIVITY_1, kind: 'quiz', sectionId: SECTION_A, idNumber: 'x'.repeat(101) }).thenFails('COURSE_INVALID');
  });

  it('refuses an unknown section, an activity already there, and an unknown kind', () => {
    spec(courseDecider).given(course, weekA).when({ type: 'AddActivity', ...base, activityId: ACTIVITY_1, kind: 'quiz', sectionId: UNKNOWN_ID }).thenFails('SECTION_NOT_FOUND');
    spec(courseDecider)
      .given(course, weekA, activityAdded(ACTIVITY_1, SECTION_A))
      .when({ type: 'AddActivity', ...base, activityId: ACTIVITY_1, kind: 'quiz', sectionId: SECTION_A })
      .thenFails('ACTIVITY_EXISTS');
    expect(problemsOf([course, weekA], { type: 'AddActivity', ...base, activityId: ACTIVITY_1, kind: 'forum' as never, sectionId: SECTION_A })).toEqual([
      'kind must be one of quiz, assignment, offline',
    ]);
  });

  it('removes an activity, naming its section, and refuses an unknown one', () => {
    spec(courseDecider)
      .given(course, weekA, activityAdded(ACTIVITY_1, SECTION_A))
      .when({ type: 'RemoveActivity', ...base, activityId: ACTIVITY_1 })
      .then([{ type: 'CourseActivityRemoved', data: { courseId: COURSE_ID, activityId: ACTIVITY_1, sectionId: SECTION_A, ...stamp } }]);
    spec(courseDecider).given(course, weekA).when({ type: 'RemoveActivity', ...base, activityId: ACTIVITY_1 }).thenFails('ACTIVITY_NOT_FOUND');
  });
});

it('DomainError kinds of the content refusals map to the right HTTP statuses', () => {
  const statusOf = (given: CourseEvent[], command: CourseCommand) => {
    try {
      spec(courseDecider).given(...given).when(command).events();
    } catch (e) {
      return (e as DomainError).status;
    }
    return 200;
  };
  expect(statusOf([course], { type: 'RemoveSection', ...base, sectionId: UNKNOWN_ID })).toBe(404);
  expect(statusOf([course, weekA], { type: 'AddSection', ...base, sectionId: SECTION_A, title: 'x' })).toBe(409);
  expect(statusOf([course, weekA, activityAdded(ACTIVITY_1, SECTION_A)], { type: 'RemoveSection', ...base, sectionId: SECTION_A })).toBe(422);
  expect(statusOf([course, weekA], { type: 'ReorderSections', ...base, sectionIds: [] })).toBe(409);
});
