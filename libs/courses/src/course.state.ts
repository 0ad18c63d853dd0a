/**
 * A course as its events build it: what the deciders check and what the read
 * side shows. evolve never mutates: each event gives a new state, so a state
 * once read stays valid.
 */
import type { ActivityKind, CourseEvent, CourseRole, ResourceContent, ResourceKind, SelfEnrolment } from './course.events';
import type { Period } from './period';

export interface CourseResource {
  resourceId: string;
  kind: ResourceKind;
  title: string;
  content: ResourceContent;
  visible: boolean;
  /** External id (Moodle's idnumber), unique in the course; null when none was given. */
  idNumber: string | null;
}

export interface CourseSection {
  sectionId: string;
  title: string;
  /** In the order learners see them. */
  resources: CourseResource[];
}

export interface CourseStaffMember {
  userId: string;
  role: CourseRole;
}

export interface CourseActivity {
  activityId: string;
  kind: ActivityKind;
  sectionId: string;
}

export interface Course {
  courseId: string;
  schoolId: string | null;
  title: string;
  code: string;
  summary: string | null;
  subject: string;
  gradeLevel: string | null;
  /** The course's id in another system (unique in its school), or null. */
  idNumber: string | null;
  archived: boolean;
  selfEnrolment: SelfEnrolment;
  enrolmentPeriod: Period;
  /** In course order. */
  sections: CourseSection[];
  staff: CourseStaffMember[];
  /** In the order they were added. */
  activities: CourseActivity[];
}

/** null until the course is created. */
export type CourseState = Course | null;

export const initialCourseState = (): CourseState => null;

export function findSection(course: Course, sectionId: string): CourseSection | undefined {
  return course.sections.find((s) => s.sectionId === sectionId);
}

/** The course's resource with this external id, if any. */
export function resourceByIdNumber(course: Course, idNumber: string): CourseResource | undefined {
  for (const section of course.sections) for (const r of section.resources) if (r.idNumber === idNumber) return r;
  return undefined;
}

export function findResource(course: Course, resourceId: string): { section: CourseSection; resource: CourseResource } | undefined {
  for (const section of course.sections) {
    const resource = section.resources.find((r) => r.resourceId === resourceId);
    if (resource) return { section, resource };
  }
  return undefined;
}

const updateSection = (course: Course, sectionId: string, change: (s: CourseSection) => CourseSection): Course => ({
  ...course,
  sections: course.sections.map((s) => (s.sectionId === sectionId ? change(s) : s)),
});

const updateResource = (course: Course, sectionId: string, resourceId: string, change: (r: CourseResource) => CourseResource): Course =>
  updateSection(course, sectionId, (s) => ({ ...s, resources: s.resources.map((r) => (r.resourceId === resourceId ? change(r) : r)) }));

export function evolveCourse(state: CourseState, event: CourseEvent): CourseState {
  if (event.type === 'CourseCreated') {
    const { courseId, schoolId, title, code, summary, subject, gradeLevel, idNumber = null, selfEnrolment, enrolmentPeriod } = event.data;
    return { courseId, schoolId, title, code, summary, subject, gradeLevel, idNumber, selfEnrolment, enrolmentPeriod, archived: false, sections: [], staff: [], activities: [] };
  }
  if (!state) return state;
  switch (event.type) {
    case 'CourseUpdated':
      return { ...state, ...event.data.changes };
    case 'CourseArchived':
      return { ...state, archived: true };
    case 'CourseRestored':
      return { ...state, archived: false };
    case 'CourseSectionAdded': {
      const sections = [...state.sections];
      sections.splice(event.data.position, 0, { sectionId: event.data.sectionId, title: event.data.title, resources: [] });
      return { ...state, sections };
    }
    case 'CourseSectionRenamed':
      return updateSection(state, event.data.sectionId, (s) => ({ ...s, title: event.data.title }));
    case 'CourseSectionRemoved':
      return { ...state, sections: state.sections.filter((s) => s.sectionId !== event.data.sectionId) };
    case 'CourseSectionsReordered': {
      const byId = new Map(state.sections.map((s) => [s.sectionId, s]));
      return { ...state, sections: event.data.sectionIds.flatMap((id) => byId.get(id) ?? []) };
    }
    case 'CourseResourceAdded': {
      const { resourceId, kind, title, content, visible, idNumber = null } = event.data;
      return updateSection(state, event.data.sectionId, (s) => ({ ...s, resources: [...s.resources, { resourceId, kind, title, content, visible, idNumber }] }));
    }
    case 'CourseResourceUpdated':
      return updateResource(state, event.data.sectionId, event.data.resourceId, (r) => ({ ...r, ...event.data.changes }));
    case 'CourseResourceVisibilityChanged':
      return updateResource(state, event.data.sectionId, event.data.resourceId, (r) => ({ ...r, visible: event.data.visible }));
    case 'CourseResourceRemoved':
      return updateSection(state, event.data.sectionId, (s) => ({ ...s, resources: s.resources.filter((r) => r.resourceId !== event.data.resourceId) }));
    case 'CourseTeacherAssigned': {
      const { userId, role } = event.data;
      const known = state.staff.some((m) => m.userId === userId);
      return { ...state, staff: known ? state.staff.map((m) => (m.userId === userId ? { userId, role } : m)) : [...state.staff, { userId, role }] };
    }
    case 'CourseTeacherUnassigned':
      return { ...state, staff: state.staff.filter((m) => m.userId !== event.data.userId) };
    case 'CourseActivityAdded': {
      const { activityId, kind, sectionId } = event.data;
      return { ...state, activities: [...state.activities, { activityId, kind, sectionId }] };
    }
    case 'CourseActivityRemoved':
      return { ...state, activities: state.activities.filter((a) => a.activityId !== event.data.activityId) };
  }
}
