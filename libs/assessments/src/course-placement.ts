/**
 * A new quiz, assignment or offline test is also an activity of its course:
 * the course feature records it (CourseActivityAdded on the course stream,
 * through its own ChangeCourseCommand, which checks course.edit and that the
 * course is not archived and the section exists). Placed in the section the
 * author names, else in the course's first section; a course without a
 * section cannot take an activity yet (COURSE_HAS_NO_SECTION).
 *
 * Its idNumber (an external id, unique in the school) is the placement's:
 * one for every kind of activity.
 *
 * The activity's own stream (its creation, a quiz's first questions) is
 * written in the same atomic append as CourseActivityAdded: a refusal of
 * either (a stored-event validator, a concurrent change, the database) leaves
 * neither, so a course never lists an activity that does not exist.
 */
import { Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { Actor } from '@learnstream/access';
import type { NewAppend, Position } from '@learnstream/event-store';
import { ChangeCourseCommand } from '@learnstream/courses';
import { DomainError } from '@learnstream/domain';
import { AssessmentsRepository } from './assessments.repository';

export type PlacedKind = 'quiz' | 'assignment' | 'offline';

@Injectable()
export class CoursePlacement {
  constructor(
    private readonly commands: CommandBus,
    private readonly repo: AssessmentsRepository,
  ) {}

  /** The section the activity will go to (checked before anything is appended). */
  async sectionFor(courseId: string, sectionId: string | undefined): Promise<string> {
    if (sectionId) return sectionId;
    const first = await this.repo.firstSection(courseId);
    if (!first) throw new DomainError('rule', 'COURSE_HAS_NO_SECTION', 'add a section to the course first: every activity lives in a section');
    return first;
  }

  /** Places the activity and appends its own stream's first events with it, atomically; waits for the read models. */
  async place(actor: Actor, courseId: string, activityId: string, kind: PlacedKind, sectionId: string, created: NewAppend, idNumber?: string | null): Promise<void> {
    let position: Position | null = null;
    await this.commands.execute(
      new ChangeCourseCommand(actor, courseId, { type: 'AddActivity', activityId, kind, sectionId, idNumber }, { appends: [created], appended: (p) => (position = p) }),
    );
    if (position) await this.repo.settle(position);
  }
}
