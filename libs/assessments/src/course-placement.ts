/**
 * A new quiz, assignment or offline test is also an activity of its course:
 * the course feature records it (CourseActivityAdded on the course stream,
 * through its own ChangeCourseCommand, which checks course.edit and that the
 * course is not archived and the section exists). Placed in the section the
 * author names, else in the course's first section; a course without a
 * section cannot take an activity yet (COURSE_HAS_NO_SECTION).
 */
import { Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { Actor } from '@learnstream/access';
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

  async place(actor: Actor, courseId: string, activityId: string, kind: PlacedKind, sectionId: string): Promise<void> {
    await this.commands.execute(new ChangeCourseCommand(actor, courseId, { type: 'AddActivity', activityId, kind, sectionId }));
  }
}
