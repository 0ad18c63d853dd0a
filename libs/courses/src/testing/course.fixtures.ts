/** Ids, commands and events the course and enrolment specs build their stories from. */
import type { CreateCourse } from '../course.commands';
import type {
  CourseActivityAdded,
  CourseCreated,
  CourseResourceAdded,
  CourseSectionAdded,
  CourseTeacherAssigned,
  CourseRole,
} from '../course.events';

export const COURSE_ID = '0b6f4a52-3c1e-4d8e-9a2b-1f0c2d3e4a01';
export const SCHOOL_ID = '0b6f4a52-3c1e-4d8e-9a2b-1f0c2d3e4a02';
export const ADMIN = '0b6f4a52-3c1e-4d8e-9a2b-1f0c2d3e4a03';
export const TEACHER = '0b6f4a52-3c1e-4d8e-9a2b-1f0c2d3e4a04';
export const TEACHER_2 = '0b6f4a52-3c1e-4d8e-9a2b-1f0c2d3e4a05';
export const ASSISTANT = '0b6f4a52-3c1e-4d8e-9a2b-1f0c2d3e4a06';
export const SECTION_A = '0b6f4a52-3c1e-4d8e-9a2b-1f0c2d3e4a07';
export const SECTION_B = '0b6f4a52-3c1e-4d8e-9a2b-1f0c2d3e4a08';
export const SECTION_C = '0b6f4a52-3c1e-4d8e-9a2b-1f0c2d3e4a09';
export const RESOURCE_1 = '0b6f4a52-3c1e-4d8e-9a2b-1f0c2d3e4a10';
export const RESOURCE_2 = '0b6f4a52-3c1e-4d8e-9a2b-1f0c2d3e4a11';
export const ACTIVITY_1 = '0b6f4a52-3c1e-4d8e-9a2b-1f0c2d3e4a12';
export const LEARNER = '0b6f4a52-3c1e-4d8e-9a2b-1f0c2d3e4a13';
export const UNKNOWN_ID = '0b6f4a52-3c1e-4d8e-9a2b-1f0c2d3e4aff';

export const NOW = '2025-03-01T09:00:00.000Z';
export const EARLIER = '2025-02-01T09:00:00.000Z';

/** The fields every course command carries. */
export const base = { courseId: COURSE_ID, by: ADMIN, now: NOW };
/** What every course event records of who and when. */
export const stamp = { by: ADMIN, at: NOW };
const earlier = { by: ADMIN, at: EARLIER };

export const createCourse = (overrides: Partial<CreateCourse> = {}): CreateCourse => ({
  type: 'CreateCourse',
  ...base,
  schoolId: SCHOOL_ID,
  title: 'Mathematics 1',
  code: 'MATH-101',
  summary: 'Numbers and shapes.',
  subject: 'Mathematics',
  gradeLevel: 'M1',
  selfEnrolment: { enabled: true, keyHash: 'hash-of-key' },
  enrolmentPeriod: { startsAt: '2025-01-01T00:00:00Z', endsAt: '2025-06-01T00:00:00Z' },
  ...overrides,
});

export const courseCreated = (overrides: Partial<CourseCreated['data']> = {}): CourseCreated => ({
  type: 'CourseCreated',
  data: {
    courseId: COURSE_ID,
    schoolId: SCHOOL_ID,
    title: 'Mathematics 1',
    code: 'MATH-101',
    summary: 'Numbers and shapes.',
    subject: 'Mathematics',
    gradeLevel: 'M1',
    idNumber: null,
    selfEnrolment: { enabled: true, keyHash: 'hash-of-key' },
    enrolmentPeriod: { startsAt: '2025-01-01T00:00:00Z', endsAt: '2025-06-01T00:00:00Z' },
    ...earlier,
    ...overrides,
  },
});

export const sectionAdded = (sectionId: string, title: string, position: number): CourseSectionAdded => ({
  type: 'CourseSectionAdded',
  data: { courseId: COURSE_ID, sectionId, title, position, ...earlier },
});

export const pageAdded = (resourceId: string, sectionId: string, title = 'Welcome', visible = true): CourseResourceAdded => ({
  type: 'CourseResourceAdded',
  data: { courseId: COURSE_ID, sectionId, resourceId, title, visible, kind: 'page', content: { body: '<p>Hello</p>' }, ...earlier },
});

export const teacherAssigned = (userId: string, role: CourseRole = 'teacher'): CourseTeacherAssigned => ({
  type: 'CourseTeacherAssigned',
  data: { courseId: COURSE_ID, userId, role, ...earlier },
});

export const activityAdded = (activityId: string, sectionId: string): CourseActivityAdded => ({
  type: 'CourseActivityAdded',
  data: { courseId: COURSE_ID, activityId, kind: 'quiz', sectionId, ...earlier },
});
