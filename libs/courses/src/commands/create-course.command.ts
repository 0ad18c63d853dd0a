/**
 * A school admin or a teacher of the school creates a course (a platform admin
 * a platform-wide one). The enrolment key is hashed here, before the decider
 * sees it. A teacher who creates a course becomes its (editing) teacher in the
 * same append, or they could not go on to build it; an admin who creates one
 * for a school is not assigned (they are usually not its teacher).
 */
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { AccessPolicy, HistoricTime, originOf, type Actor } from '@learnstream/access';
import { retryOnConflict } from '@learnstream/core';
import { decideCourse } from '../course';
import type { CreateCourse } from '../course.commands';
import type { CourseEvent } from '../course.events';
import { evolveCourse } from '../course.state';
import { CoursesRepository } from '../courses.repository';
import { hashEnrolmentKey } from '../enrolment-key';
import type { PeriodInput } from '../period';

export interface CreateCourseInput {
  courseId?: string;
  schoolId: string | null;
  title: string;
  code: string;
  subject: string;
  gradeLevel?: string | null;
  summary?: string | null;
  selfEnrolment: { enabled: boolean; key?: string | null };
  enrolmentPeriod?: PeriodInput;
  /** When the course was created, for a migrated course (import permission); absent: now. */
  occurredAt?: string;
}

export class CreateCourseCommand {
  constructor(
    readonly actor: Actor,
    readonly input: CreateCourseInput,
  ) {}
}

@CommandHandler(CreateCourseCommand)
export class CreateCourseHandler implements ICommandHandler<CreateCourseCommand, { courseId: string }> {
  constructor(
    private readonly policy: AccessPolicy,
    private readonly courses: CoursesRepository,
    private readonly time: HistoricTime,
  ) {}

  async execute({ actor, input }: CreateCourseCommand): Promise<{ courseId: string }> {
    const { schoolId, selfEnrolment, courseId = randomUUID(), occurredAt, ...fields } = input;
    await this.policy.require(actor, { action: 'course.create', schoolId });
    const time = await this.time.forSchool(actor, schoolId, occurredAt);
    const keyHash = selfEnrolment.key ? await hashEnrolmentKey(selfEnrolment.key) : null;
    const me = await this.policy.factsOf(actor);
    const creatorTeaches = schoolId !== null && me.memberships.some((m) => m.schoolId === schoolId && m.role === 'teacher');
    const now = time.at;
    const command: CreateCourse = {
      type: 'CreateCourse',
      courseId,
      by: actor.userId,
      now,
      schoolId,
      ...fields,
      gradeLevel: fields.gradeLevel ?? null,
      selfEnrolment: { enabled: selfEnrolment.enabled, keyHash },
    };
    await retryOnConflict(async () => {
      const { state, revision } = await this.courses.loadCourse(courseId);
      const events: CourseEvent[] = decideCourse(command, state);
      if (creatorTeaches) {
        const created = events.reduce(evolveCourse, state);
        events.push(...decideCourse({ type: 'AssignTeacher', courseId, userId: actor.userId, role: 'teacher', by: actor.userId, now }, created));
      }
      return this.courses.appendCourse(actor, courseId, schoolId, revision, events, [], originOf(time));
    });
    return { courseId };
  }
}
