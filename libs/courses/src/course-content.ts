/**
 * Decisions on what a course holds: sections, the resources in them, and the
 * activities the assessments feature places in them. The course exists and is
 * not archived by the time these run (course.ts checks it).
 *
 * Removing a section removes its resources with it: the decision records a
 * CourseResourceRemoved for each, then the CourseSectionRemoved, so projections
 * of resources need no special case. Activities are not removed that way: they
 * hold learners' attempts and grades, so a section that still has activities
 * is refused (SECTION_HAS_ACTIVITIES) until the assessments feature removes them.
 */
import type {
  AddActivity,
  AddResource,
  AddSection,
  RemoveActivity,
  RemoveResource,
  RemoveSection,
  RenameSection,
  ReorderSections,
  SetResourceVisibility,
  UpdateResource,
} from './course.commands';
import {
  activityExists,
  activityNotFound,
  resourceExists,
  resourceIdNumberTaken,
  resourceNotFound,
  sectionExists,
  sectionHasActivities,
  sectionNotFound,
  sectionOrderMismatch,
} from './course.errors';
import { ACTIVITY_KINDS, type ActivityKind, type CourseEvent, type CourseResourceUpdated, type ResourceContent, type ResourceOfKind } from './course.events';
import { findResource, findSection, resourceByIdNumber, type Course, type CourseResource, type CourseSection } from './course.state';
import { assertValid, contentOf, COURSE_FIELD_CHECKS, contentProblems, resourceKindProblems, resourceTitleProblems, sectionTitleProblems, uuidProblems } from './course.validation';

const stamp = (command: { by: string; now: string }) => ({ by: command.by, at: command.now });

function sectionOf(course: Course, sectionId: string): CourseSection {
  const section = findSection(course, sectionId);
  if (!section) throw sectionNotFound(sectionId);
  return section;
}

function resourceOf(course: Course, resourceId: string): { section: CourseSection; resource: CourseResource } {
  const found = findResource(course, resourceId);
  if (!found) throw resourceNotFound(resourceId);
  return found;
}

export function addSection(command: AddSection, course: Course): CourseEvent[] {
  const count = course.sections.length;
  const position = command.position ?? count;
  const problems = [...uuidProblems('sectionId', command.sectionId), ...sectionTitleProblems(command.title)];
  if (!Number.isInteger(position) || position < 0 || position > count) problems.push(`position must be a whole number from 0 to ${count}`);
  assertValid(problems);
  if (findSection(course, command.sectionId)) throw sectionExists(command.sectionId);
  return [{ type: 'CourseSectionAdded', data: { courseId: course.courseId, sectionId: command.sectionId, title: command.title.trim(), position, ...stamp(command) } }];
}

export function renameSection(command: RenameSection, course: Course): CourseEvent[] {
  const section = sectionOf(course, command.sectionId);
  assertValid(sectionTitleProblems(command.title));
  const title = command.title.trim();
  if (title === section.title) return [];
  return [{ type: 'CourseSectionRenamed', data: { courseId: course.courseId, sectionId: section.sectionId, title, ...stamp(command) } }];
}

export function removeSection(command: RemoveSection, course: Course): CourseEvent[] {
  const section = sectionOf(course, command.sectionId);
  const activities = course.activities.filter((a) => a.sectionId === section.sectionId).map((a) => a.activityId);
  if (activities.length) throw sectionHasActivities(section.sectionId, activities);
  const { courseId } = course;
  const { sectionId } = section;
  return [
    ...section.resources.map((r): CourseEvent => ({ type: 'CourseResourceRemoved', data: { courseId, sectionId, resourceId: r.resourceId, ...stamp(command) } })),
    { type: 'CourseSectionRemoved', data: { courseId, sectionId, ...stamp(command) } },
  ];
}

/**
 * The new order must name every current section exactly once. A list that
 * misses one or names an unknown one was built from a stale view of the course
 * (someone added or removed a section meanwhile): a conflict, not bad input.
 */
export function reorderSections(command: ReorderSections, course: Course): CourseEvent[] {
  const ids: unknown = command.sectionIds;
  if (!Array.isArray(ids) || ids.some((id) => typeof id !== 'string')) assertValid(['sectionIds must be an array of section ids']);
  const sectionIds = ids as string[];
  const duplicates = sectionIds.filter((id, i) => sectionIds.indexOf(id) !== i);
  assertValid(duplicates.length ? [`sectionIds lists ${[...new Set(duplicates)].join(', ')} more than once`] : []);
  const current = course.sections.map((s) => s.sectionId);
  const missing = current.filter((id) => !sectionIds.includes(id));
  const unknown = sectionIds.filter((id) => !current.includes(id));
  if (missing.length || unknown.length) {
    throw sectionOrderMismatch([...(missing.length ? [`missing: ${missing.join(', ')}`] : []), ...(unknown.length ? [`unknown: ${unknown.join(', ')}`] : [])]);
  }
  if (sectionIds.every((id, i) => id === current[i])) return [];
  return [{ type: 'CourseSectionsReordered', data: { courseId: course.courseId, sectionIds: [...sectionIds], ...stamp(command) } }];
}

export function addResource(command: AddResource, course: Course): CourseEvent[] {
  const kindProblems = resourceKindProblems(command.kind);
  assertValid([
    ...uuidProblems('resourceId', command.resourceId),
    ...resourceTitleProblems(command.title),
    ...kindProblems,
    ...(kindProblems.length ? [] : contentProblems(command.kind, command.content)),
    ...(typeof command.visible === 'boolean' ? [] : ['visible must be a boolean']),
    ...COURSE_FIELD_CHECKS.idNumber(command.idNumber ?? null),
  ]);
  const section = sectionOf(course, command.sectionId);
  if (findResource(course, command.resourceId)) throw resourceExists(command.resourceId);
  const idNumber = command.idNumber == null ? null : command.idNumber.trim();
  if (idNumber !== null && resourceByIdNumber(course, idNumber)) throw resourceIdNumberTaken(idNumber);
  const ofKind = { kind: command.kind, content: contentOf(command.kind, command.content) } as ResourceOfKind;
  return [
    {
      type: 'CourseResourceAdded',
      data: {
        courseId: course.courseId,
        sectionId: section.sectionId,
        resourceId: command.resourceId,
        title: command.title.trim(),
        visible: command.visible,
        ...(idNumber !== null && { idNumber }),
        ...ofKind,
        ...stamp(command),
      },
    },
  ];
}

/** Field by field, so that a content read back from storage with its keys reordered still compares equal. */
function sameContent(a: ResourceContent, b: ResourceContent): boolean {
  const x = a as unknown as Record<string, unknown>;
  const y = b as unknown as Record<string, unknown>;
  return Object.keys(x).length === Object.keys(y).length && Object.keys(x).every((k) => x[k] === y[k]);
}

export function updateResource(command: UpdateResource, course: Course): CourseEvent[] {
  const { section, resource } = resourceOf(course, command.resourceId);
  const { title, content } = command;
  assertValid([
    ...(title === undefined && content === undefined ? ['nothing to update: give a title or a content'] : []),
    ...(title === undefined ? [] : resourceTitleProblems(title)),
    ...(content === undefined ? [] : contentProblems(resource.kind, content).map((p) => `${p} (the resource is a ${resource.kind})`)),
  ]);
  const changes: CourseResourceUpdated['data']['changes'] = {};
  if (title !== undefined && title.trim() !== resource.title) changes.title = title.trim();
  if (content !== undefined) {
    const next = contentOf(resource.kind, content);
    if (!sameContent(next, resource.content)) changes.content = next;
  }
  if (!Object.keys(changes).length) return [];
  return [
    {
      type: 'CourseResourceUpdated',
      data: { courseId: course.courseId, sectionId: section.sectionId, resourceId: resource.resourceId, kind: resource.kind, changes, ...stamp(command) },
    },
  ];
}

export function setResourceVisibility(command: SetResourceVisibility, course: Course): CourseEvent[] {
  const { section, resource } = resourceOf(course, command.resourceId);
  assertValid(typeof command.visible === 'boolean' ? [] : ['visible must be a boolean']);
  if (command.visible === resource.visible) return [];
  return [
    {
      type: 'CourseResourceVisibilityChanged',
      data: { courseId: course.courseId, sectionId: section.sectionId, resourceId: resource.resourceId, visible: command.visible, ...stamp(command) },
    },
  ];
}

export function removeResource(command: RemoveResource, course: Course): CourseEvent[] {
  const { section, resource } = resourceOf(course, command.resourceId);
  return [{ type: 'CourseResourceRemoved', data: { courseId: course.courseId, sectionId: section.sectionId, resourceId: resource.resourceId, ...stamp(command) } }];
}

export function addActivity(command: AddActivity, course: Course): CourseEvent[] {
  assertValid([
    ...uuidProblems('activityId', command.activityId),
    ...(ACTIVITY_KINDS.includes(command.kind as ActivityKind) ? [] : [`kind must be one of ${ACTIVITY_KINDS.join(', ')}`]),
    ...COURSE_FIELD_CHECKS.idNumber(command.idNumber ?? null),
  ]);
  const section = sectionOf(course, command.sectionId);
  if (course.activities.some((a) => a.activityId === command.activityId)) throw activityExists(command.activityId);
  return [
    {
      type: 'CourseActivityAdded',
      data: { courseId: course.courseId, activityId: command.activityId, kind: command.kind, sectionId: section.sectionId, idNumber: command.idNumber?.trim() ?? null, ...stamp(command) },
    },
  ];
}

export function removeActivity(command: RemoveActivity, course: Course): CourseEvent[] {
  const activity = course.activities.find((a) => a.activityId === command.activityId);
  if (!activity) throw activityNotFound(command.activityId);
  return [{ type: 'CourseActivityRemoved', data: { courseId: course.courseId, activityId: activity.activityId, sectionId: activity.sectionId, ...stamp(command) } }];
}
