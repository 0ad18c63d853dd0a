/**
 * Every change to an existing course: its settings, archive and restore,
 * sections, resources, staff and activities. One flow for all of them:
 * course.edit → load the course → decide → append with the loaded revision,
 * decided again on a concurrent change (retryOnConflict) → read-your-writes.
 *
 * Around the decider, what needs I/O: a new enrolment key is hashed; a new
 * staff member must be a teacher of the course's school (any account, for a
 * platform-wide course), else UNKNOWN_TEACHER; new ids are generated when the
 * client gave none. The assessments feature places its activities through
 * this command too (AddActivity / RemoveActivity).
 */
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { AccessPolicy, type Actor } from '@learnstream/access';
import { retryOnConflict } from '@learnstream/core';
import { DomainError, Clock } from '@learnstream/domain';
import type { NewAppend, Position } from '@learnstream/event-store';
import { decideCourse } from '../course';
import type { AddActivity, AddResource, AddSection, CourseCommand, CreateCourse, UpdateCourse } from '../course.commands';
import type { Course } from '../course.state';
import { CoursesRepository } from '../courses.repository';
import { hashEnrolmentKey } from '../enrolment-key';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type Change<C> = DistributiveOmit<C, 'courseId' | 'by' | 'now'>;
type WithOptionalId<C, K extends keyof C> = Omit<C, K> & Partial<Pick<C, K>>;

/** What a client asks of an existing course: a course command without the course, the author and the time. */
export type CourseChange =
  | (Omit<Change<UpdateCourse>, 'selfEnrolment'> & { selfEnrolment?: { enabled: boolean; key?: string | null } })
  | WithOptionalId<Change<AddSection>, 'sectionId'>
  | WithOptionalId<Change<AddResource>, 'resourceId'>
  | WithOptionalId<Change<AddActivity>, 'activityId'>
  | Change<Exclude<CourseCommand, CreateCourse | UpdateCourse | AddSection | AddResource | AddActivity>>;

/** The ids the change names (a new section's, resource's or activity's among them). */
export interface CourseChangeResult {
  courseId: string;
  sectionId?: string;
  resourceId?: string;
  activityId?: string;
  /** Whether anything was recorded: a change to what already is records nothing. */
  changed: boolean;
}

/** Other streams' events a change of a course comes with, written in the same atomic append. */
export interface CourseChangeCompanion {
  appends: readonly NewAppend[];
  /** Told where the append ended in the log, for a caller that waits for its read models. */
  appended?: (position: Position) => void;
}

export class ChangeCourseCommand {
  constructor(
    readonly actor: Actor,
    readonly courseId: string,
    readonly change: CourseChange,
    /**
     * Other streams' events this change comes with, appended with the course's
     * in one atomic append (e.g. a new quiz's stream beside its AddActivity):
     * a refusal of either leaves neither written.
     */
    readonly companion: CourseChangeCompanion = { appends: [] },
  ) {}
}

export const unknownTeacher = (userId: string) =>
  new DomainError('invalid', 'UNKNOWN_TEACHER', `user ${userId} is not a teacher of this course's school`, [{ field: 'userId', message: 'must be a teacher of the course\'s school' }]);

@CommandHandler(ChangeCourseCommand)
export class ChangeCourseHandler implements ICommandHandler<ChangeCourseCommand, CourseChangeResult> {
  constructor(
    private readonly clock: Clock,
    private readonly policy: AccessPolicy,
    private readonly courses: CoursesRepository,
  ) {}

  async execute({ actor, courseId, change, companion }: ChangeCourseCommand): Promise<CourseChangeResult> {
    await this.policy.require(actor, { action: 'course.edit', courseId });
    const command = await this.toCommand(actor, courseId, change);
    const result = await retryOnConflict(async () => {
      const { state, revision } = await this.courses.existingCourse(courseId);
      const events = decideCourse(command, state);
      // After the decider's own checks (archived, input), and only when something would be recorded.
      if (command.type === 'AssignTeacher' && events.length) await this.assertTeacherOf(state, command.userId);
      return this.courses.appendCourse(actor, courseId, state.schoolId, revision, events, companion.appends);
    });
    if (result) companion.appended?.(result.position);
    const ids = command as Partial<Record<'sectionId' | 'resourceId' | 'activityId', string>>;
    return {
      courseId,
      ...(ids.sectionId && { sectionId: ids.sectionId }),
      ...(ids.resourceId && { resourceId: ids.resourceId }),
      ...(ids.activityId && { activityId: ids.activityId }),
      changed: result !== null,
    };
  }

  private async toCommand(actor: Actor, courseId: string, change: CourseChange): Promise<CourseCommand> {
    const base = { courseId, by: actor.userId, now: this.clock.nowIso() };
    switch (change.type) {
      case 'UpdateCourse': {
        const { selfEnrolment, ...rest } = change;
        if (!selfEnrolment) return { ...rest, ...base };
        const keyHash = selfEnrolment.key === undefined ? undefined : selfEnrolment.key === null ? null : await hashEnrolmentKey(selfEnrolment.key);
        return { ...rest, ...base, selfEnrolment: { enabled: selfEnrolment.enabled, ...(keyHash !== undefined && { keyHash }) } };
      }
      case 'AddSection':
        return { ...change, ...base, sectionId: change.sectionId ?? randomUUID() };
      case 'AddResource':
        return { ...change, ...base, resourceId: change.resourceId ?? randomUUID() } as AddResource;
      case 'AddActivity':
        return { ...change, ...base, activityId: change.activityId ?? randomUUID() };
      default:
        return { ...change, ...base };
    }
  }

  private async assertTeacherOf(course: Course, userId: string): Promise<void> {
    const person = await this.policy.person(userId);
    const ok = course.schoolId === null ? person.exists : person.memberships.some((m) => m.schoolId === course.schoolId && m.role === 'teacher');
    if (!ok) throw unknownTeacher(userId);
  }
}
