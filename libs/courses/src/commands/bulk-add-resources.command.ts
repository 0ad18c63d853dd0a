/**
 * Bulk resources, in the style of Moodle's course upload: many resources of a
 * course (pages, files, links, videos) in one request.
 *
 *   rows         what POST /courses/{id}/resources takes, with the resource's
 *                `idNumber` (its id in the source system) required
 *   idempotent   a row whose idNumber a resource of the course already has is
 *                `exists` (its resourceId in the answer) and nothing is
 *                recorded for it: the same upload sent again records nothing
 *   validated    every row is decided, in order, on the course as the rows
 *                before it leave it, before anything is written: mode
 *                `all_or_nothing` (default) refuses the upload (400
 *                BULK_REJECTED, each refused row in `details`) when one row is
 *                refused; `per_row` records the good rows and reports the others
 *   atomic       the recorded rows are one append to the course's stream with
 *                the revision they were decided on (decided again on a
 *                concurrent change)
 */
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { AccessPolicy, type Actor } from '@learnstream/access';
import { retryOnConflict } from '@learnstream/core';
import { Clock, DomainError } from '@learnstream/domain';
import { decideCourse } from '../course';
import type { AddResource } from '../course.commands';
import type { CourseEvent, ResourceContent, ResourceKind } from '../course.events';
import { evolveCourse, resourceByIdNumber, type Course } from '../course.state';
import { CoursesRepository } from '../courses.repository';
import type { BulkMode } from './bulk-enrol.command';

export interface BulkResourceRow {
  idNumber: string;
  sectionId: string;
  kind: ResourceKind;
  title: string;
  content: ResourceContent;
  visible?: boolean;
}

export class BulkAddResourcesCommand {
  constructor(
    readonly actor: Actor,
    readonly courseId: string,
    readonly rows: readonly BulkResourceRow[],
    readonly mode: BulkMode = 'all_or_nothing',
  ) {}
}

export type BulkResourceStatus = 'added' | 'exists' | 'refused';

export interface BulkResourceRowResult {
  /** Position of the row in the upload (from 0). */
  row: number;
  idNumber: string;
  status: BulkResourceStatus;
  /** The resource: the new one, or the course's resource with the row's idNumber. */
  resourceId?: string;
  code?: string;
  message?: string;
}

export interface BulkResourcesResult {
  courseId: string;
  added: number;
  existing: number;
  refused: number;
  results: BulkResourceRowResult[];
}

@CommandHandler(BulkAddResourcesCommand)
export class BulkAddResourcesHandler implements ICommandHandler<BulkAddResourcesCommand, BulkResourcesResult> {
  constructor(
    private readonly clock: Clock,
    private readonly policy: AccessPolicy,
    private readonly courses: CoursesRepository,
  ) {}

  async execute({ actor, courseId, rows, mode }: BulkAddResourcesCommand): Promise<BulkResourcesResult> {
    await this.policy.require(actor, { action: 'course.edit', courseId });
    // Each row's new id, chosen once: a decision made again after a concurrent change gives the same ids.
    const newIds = rows.map(() => randomUUID());
    return retryOnConflict(async () => {
      const { state, revision } = await this.courses.existingCourse(courseId);
      const now = this.clock.nowIso();
      let course: Course = state;
      const events: CourseEvent[] = [];
      const seen = new Map<string, number>();
      const results = rows.map((row, index): BulkResourceRowResult => {
        const idNumber = row.idNumber.trim();
        const refuse = (code: string, message: string): BulkResourceRowResult => ({ row: index, idNumber, status: 'refused', code, message });
        if (seen.has(idNumber)) return refuse('DUPLICATE_ROW', `idNumber ${idNumber} is in the upload more than once (row ${seen.get(idNumber)})`);
        seen.set(idNumber, index);
        const existing = resourceByIdNumber(course, idNumber);
        if (existing) return { row: index, idNumber, status: 'exists', resourceId: existing.resourceId };
        const command = { type: 'AddResource', courseId, by: actor.userId, now, resourceId: newIds[index], sectionId: row.sectionId, kind: row.kind, title: row.title, content: row.content, visible: row.visible ?? true, idNumber } as AddResource;
        try {
          const decided = decideCourse(command, course);
          course = decided.reduce<Course>((c, e) => evolveCourse(c, e) ?? c, course);
          events.push(...decided);
          return { row: index, idNumber, status: 'added', resourceId: newIds[index] };
        } catch (error) {
          if (!(error instanceof DomainError)) throw error;
          return refuse(error.code, error.message);
        }
      });
      const refused = results.filter((r) => r.status === 'refused');
      if (mode === 'all_or_nothing' && refused.length) {
        throw new DomainError('invalid', 'BULK_REJECTED', `${refused.length} of ${rows.length} rows cannot be added: nothing was recorded`, refused);
      }
      await this.courses.appendCourse(actor, courseId, state.schoolId, revision, events);
      const count = (status: BulkResourceStatus) => results.filter((r) => r.status === status).length;
      return { courseId, added: count('added'), existing: count('exists'), refused: refused.length, results };
    });
  }
}
