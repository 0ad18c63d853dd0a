import { EventRegistry } from '@learnstream/event-store';
import { spec } from '../../domain/src/testing/given-when-then';
import { courseDecider } from './course';
import type { CourseCommand } from './course.commands';
import { COURSE_EVENT_TYPES, type CourseEvent } from './course.events';
import { ENROLMENT_EVENT_TYPES } from './enrolment.events';
import { ACTIVITY_1, base, createCourse, RESOURCE_1, RESOURCE_2, SECTION_A, SECTION_B, TEACHER, TEACHER_2 } from './testing/course.fixtures';

const validatorOf = (type: string) => COURSE_EVENT_TYPES.find((d) => d.type === type)!.validate!;

/** A course's whole life through the decider: every event type it can record, as it records them. */
function story(): CourseEvent[] {
  const commands: CourseCommand[] = [
    createCourse(),
    { type: 'UpdateCourse', ...base, title: 'Maths', summary: null, gradeLevel: null, selfEnrolment: { enabled: false }, enrolmentPeriod: {} },
    { type: 'AddSection', ...base, sectionId: SECTION_A, title: 'Week 1' },
    { type: 'AddSection', ...base, sectionId: SECTION_B, title: 'Week 2' },
    { type: 'RenameSection', ...base, sectionId: SECTION_A, title: 'Week one' },
    { type: 'ReorderSections', ...base, sectionIds: [SECTION_B, SECTION_A] },
    { type: 'AddResource', ...base, resourceId: RESOURCE_1, sectionId: SECTION_A, title: 'Sheet', visible: true, kind: 'file', content: { fileRef: 'f/1', mimeType: 'application/pdf', sizeBytes: 10 } },
    { type: 'AddResource', ...base, resourceId: RESOURCE_2, sectionId: SECTION_B, title: 'Clip', visible: false, kind: 'video', content: { url: 'https://v.example.org/1', durationSeconds: 90 } },
    { type: 'UpdateResource', ...base, resourceId: RESOURCE_2, content: { url: 'https://v.example.org/2', durationSeconds: 95 } },
    { type: 'SetResourceVisibility', ...base, resourceId: RESOURCE_2, visible: true },
    { type: 'AssignTeacher', ...base, userId: TEACHER, role: 'teacher' },
    { type: 'AssignTeacher', ...base, userId: TEACHER_2, role: 'non_editing_teacher' },
    { type: 'UnassignTeacher', ...base, userId: TEACHER_2 },
    { type: 'AddActivity', ...base, activityId: ACTIVITY_1, kind: 'offline', sectionId: SECTION_B },
    { type: 'RemoveActivity', ...base, activityId: ACTIVITY_1 },
    { type: 'RemoveSection', ...base, sectionId: SECTION_A },
    { type: 'ArchiveCourse', ...base },
    { type: 'RestoreCourse', ...base },
  ];
  const events: CourseEvent[] = [];
  for (const command of commands) events.push(...spec(courseDecider).given(...events).when(command).events());
  return events;
}

describe('COURSE_EVENT_TYPES', () => {
  const events = story();
  const dataOf = (type: string) => events.find((e) => e.type === type)!.data as unknown as Record<string, unknown>;

  it('defines every course event type once, at version 1, and registers beside the enrolment events', () => {
    const types = COURSE_EVENT_TYPES.map((d) => d.type);
    expect(new Set(types).size).toBe(types.length);
    expect(new Set(events.map((e) => e.type))).toEqual(new Set(types));
    expect(COURSE_EVENT_TYPES.every((d) => d.version === 1)).toBe(true);
    expect(() => new EventRegistry().register(...COURSE_EVENT_TYPES, ...ENROLMENT_EVENT_TYPES)).not.toThrow();
  });

  it('accepts every event the decider records', () => {
    for (const event of events) expect({ type: event.type, problems: validatorOf(event.type)(event.data as never) }).toEqual({ type: event.type, problems: [] });
  });

  it('accepts the events once stored: a JSON round trip', () => {
    for (const event of events) expect(validatorOf(event.type)(JSON.parse(JSON.stringify(event.data)))).toEqual([]);
  });

  it('names each missing or mistyped field', () => {
    const created = dataOf('CourseCreated');
    const { title: _title, ...untitled } = created;
    expect(validatorOf('CourseCreated')(untitled)).toEqual(['title must be a string']);
    expect(validatorOf('CourseCreated')({ ...created, courseId: 'c1', schoolId: 7, at: 'yesterday' })).toEqual([
      'courseId must be a UUID',
      'schoolId must be a UUID',
      'at must be an ISO-8601 UTC timestamp',
    ]);
    expect(validatorOf('CourseCreated')({ ...created, selfEnrolment: { enabled: 'yes', keyHash: null }, enrolmentPeriod: { startsAt: null } })).toEqual([
      'selfEnrolment.enabled must be a boolean',
      'enrolmentPeriod.endsAt must be an ISO-8601 UTC timestamp',
    ]);
  });

  it('checks a resource content against its kind', () => {
    const added = dataOf('CourseResourceAdded');
    expect(validatorOf('CourseResourceAdded')({ ...added, content: { fileRef: 'f', mimeType: 'text/plain', sizeBytes: '10' } })).toEqual([
      'content.sizeBytes must be a whole number',
    ]);
    expect(validatorOf('CourseResourceAdded')({ ...added, kind: 'scorm' })).toEqual(['kind must be one of page, file, url, video']);
    const updated = dataOf('CourseResourceUpdated');
    expect(validatorOf('CourseResourceUpdated')({ ...updated, changes: { content: { url: 'https://x.org' } } })).toEqual([
      'changes.content.durationSeconds must be a finite number',
    ]);
  });

  it('checks enums and lists', () => {
    const assigned = dataOf('CourseTeacherAssigned');
    expect(validatorOf('CourseTeacherAssigned')({ ...assigned, role: 'admin' })).toEqual(['role must be one of teacher, non_editing_teacher']);
    const reordered = dataOf('CourseSectionsReordered');
    expect(validatorOf('CourseSectionsReordered')({ ...reordered, sectionIds: [SECTION_A, 3] })).toEqual(['sectionIds[1] must be a UUID']);
    expect(validatorOf('CourseArchived')([] as never)).toEqual(['data must be an object']);
  });
});
