import { spec } from '../../domain/src/testing/given-when-then';
import { courseDecider } from './course';
import { canEditCourse, canGradeInCourse, courseRoleOf } from './course-staff';
import type { CourseEvent } from './course.events';
import { ASSISTANT, base, COURSE_ID, courseCreated, LEARNER, stamp, TEACHER, TEACHER_2, teacherAssigned } from './testing/course.fixtures';

const course = courseCreated();
const assigned = (userId: string, role: 'teacher' | 'non_editing_teacher'): CourseEvent => ({
  type: 'CourseTeacherAssigned',
  data: { courseId: COURSE_ID, userId, role, ...stamp },
});
const unassigned = (userId: string): CourseEvent => ({ type: 'CourseTeacherUnassigned', data: { courseId: COURSE_ID, userId, ...stamp } });

describe('course decider: staff', () => {
  it('assigns a teacher and a non-editing teacher', () => {
    spec(courseDecider).given(course).when({ type: 'AssignTeacher', ...base, userId: TEACHER, role: 'teacher' }).then([assigned(TEACHER, 'teacher')]);
    spec(courseDecider)
      .given(course, teacherAssigned(TEACHER))
      .when({ type: 'AssignTeacher', ...base, userId: ASSISTANT, role: 'non_editing_teacher' })
      .then([assigned(ASSISTANT, 'non_editing_teacher')]);
  });

  it('records nothing when the user already has that role', () => {
    spec(courseDecider).given(course, teacherAssigned(TEACHER)).when({ type: 'AssignTeacher', ...base, userId: TEACHER, role: 'teacher' }).then([]);
  });

  it('changes the role of a staff member in place', () => {
    const given = [course, teacherAssigned(TEACHER), teacherAssigned(ASSISTANT, 'non_editing_teacher'), teacherAssigned(TEACHER_2)];
    spec(courseDecider).given(...given).when({ type: 'AssignTeacher', ...base, userId: ASSISTANT, role: 'teacher' }).then([assigned(ASSISTANT, 'teacher')]);
    const { state } = spec(courseDecider).given(...given, assigned(ASSISTANT, 'teacher'));
    expect(state!.staff).toEqual([
      { userId: TEACHER, role: 'teacher' },
      { userId: ASSISTANT, role: 'teacher' },
      { userId: TEACHER_2, role: 'teacher' },
    ]);
  });

  it('refuses a user id that is not a UUID and an unknown role', () => {
    spec(courseDecider).given(course).when({ type: 'AssignTeacher', ...base, userId: 'bob', role: 'teacher' }).thenFails('COURSE_INVALID');
    spec(courseDecider).given(course).when({ type: 'AssignTeacher', ...base, userId: TEACHER, role: 'manager' as never }).thenFails('COURSE_INVALID');
  });

  it('unassigns a staff member', () => {
    const given = [course, teacherAssigned(TEACHER), teacherAssigned(TEACHER_2)];
    spec(courseDecider).given(...given).when({ type: 'UnassignTeacher', ...base, userId: TEACHER }).then([unassigned(TEACHER)]);
    expect(spec(courseDecider).given(...given, unassigned(TEACHER)).state!.staff).toEqual([{ userId: TEACHER_2, role: 'teacher' }]);
  });

  it('unassigns a non-editing teacher even when only one editing teacher remains', () => {
    spec(courseDecider)
      .given(course, teacherAssigned(TEACHER), teacherAssigned(ASSISTANT, 'non_editing_teacher'))
      .when({ type: 'UnassignTeacher', ...base, userId: ASSISTANT })
      .then([unassigned(ASSISTANT)]);
  });

  it('refuses to unassign someone not on the staff', () => {
    spec(courseDecider).given(course, teacherAssigned(TEACHER)).when({ type: 'UnassignTeacher', ...base, userId: LEARNER }).thenFails('TEACHER_NOT_FOUND');
  });

  it('refuses to unassign the last editing teacher, even with non-editing teachers left', () => {
    spec(courseDecider)
      .given(course, teacherAssigned(TEACHER), teacherAssigned(ASSISTANT, 'non_editing_teacher'))
      .when({ type: 'UnassignTeacher', ...base, userId: TEACHER })
      .thenFails('LAST_TEACHER');
  });

  it('refuses to demote the last editing teacher to non-editing', () => {
    spec(courseDecider).given(course, teacherAssigned(TEACHER)).when({ type: 'AssignTeacher', ...base, userId: TEACHER, role: 'non_editing_teacher' }).thenFails('LAST_TEACHER');
  });

  it('allows the demotion once another editing teacher is there', () => {
    spec(courseDecider)
      .given(course, teacherAssigned(TEACHER), teacherAssigned(TEACHER_2))
      .when({ type: 'AssignTeacher', ...base, userId: TEACHER, role: 'non_editing_teacher' })
      .then([assigned(TEACHER, 'non_editing_teacher')]);
  });
});

describe('course roles', () => {
  const { state } = spec(courseDecider).given(course, teacherAssigned(TEACHER), teacherAssigned(ASSISTANT, 'non_editing_teacher'));

  it('tells each user their role in the course', () => {
    expect(courseRoleOf(state, TEACHER)).toBe('teacher');
    expect(courseRoleOf(state, ASSISTANT)).toBe('non_editing_teacher');
    expect(courseRoleOf(state, LEARNER)).toBeNull();
    expect(courseRoleOf(null, TEACHER)).toBeNull();
  });

  it('lets a teacher edit, and not a non-editing teacher nor anyone else', () => {
    expect(canEditCourse(state, TEACHER)).toBe(true);
    expect(canEditCourse(state, ASSISTANT)).toBe(false);
    expect(canEditCourse(state, LEARNER)).toBe(false);
    expect(canEditCourse(null, TEACHER)).toBe(false);
  });

  it('lets both kinds of teacher grade, and nobody else', () => {
    expect(canGradeInCourse(state, TEACHER)).toBe(true);
    expect(canGradeInCourse(state, ASSISTANT)).toBe(true);
    expect(canGradeInCourse(state, LEARNER)).toBe(false);
  });

  it('still lets the teacher of an archived course edit it: they are the ones to restore it', () => {
    const archived = spec(courseDecider).given(course, teacherAssigned(TEACHER), { type: 'CourseArchived', data: { courseId: COURSE_ID, ...stamp } }).state;
    expect(canEditCourse(archived, TEACHER)).toBe(true);
  });
});
