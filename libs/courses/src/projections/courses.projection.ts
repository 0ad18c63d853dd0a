/**
 * The course read models, from the course streams: the catalogue (courses),
 * sections and resources in course order, activities, and staff (which the
 * access policy reads to know who teaches a course). Every row carries the
 * course's school for row-level security. Idempotent: a replayed event finds
 * its row already there (or gone) and changes nothing; positions are shifted
 * only when a row is actually inserted or removed.
 *
 * Erasure: an erased teacher leaves the courses' staff (nothing else here
 * names a person).
 */
import type { StoredEvent } from '@learnstream/event-store';
import { typedEvent, type ErasedSubject, type Projection } from '@learnstream/projections/headless';
import type { EntityManager } from 'typeorm';
import { COURSE_EVENT_TYPES, type CourseChanges, type CourseEvent } from '../course.events';

const SCHOOL_OF = '(SELECT school_id FROM courses WHERE course_id = $1)';

const COURSE_COLUMNS: Record<Exclude<keyof CourseChanges, 'selfEnrolment' | 'enrolmentPeriod'>, string> = {
  title: 'title',
  summary: 'summary',
  subject: 'subject',
  gradeLevel: 'grade_level',
  idNumber: 'id_number',
};

export class CoursesProjection implements Projection {
  readonly name = 'courses';
  readonly inline = true;
  readonly eventTypes = COURSE_EVENT_TYPES.map((d) => d.type);

  async handle(stored: StoredEvent, tx: EntityManager): Promise<void> {
    const event = typedEvent<CourseEvent>(stored);
    const at = new Date(event.data.at);
    switch (event.type) {
      case 'CourseCreated': {
        const d = event.data;
        await tx.query(
          `INSERT INTO courses (course_id, school_id, code, title, summary, subject, grade_level, self_enrolment, enrolment_key_hash,
             enrolment_starts_at, enrolment_ends_at, created_at, updated_at, id_number)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $13) ON CONFLICT (course_id) DO NOTHING`,
          [d.courseId, d.schoolId, d.code, d.title, d.summary, d.subject, d.gradeLevel, d.selfEnrolment.enabled, d.selfEnrolment.keyHash, d.enrolmentPeriod.startsAt, d.enrolmentPeriod.endsAt, at, d.idNumber ?? null],
        );
        return;
      }
      case 'CourseUpdated': {
        const { changes } = event.data;
        const sets: string[] = [];
        const values: unknown[] = [event.data.courseId, at];
        const set = (column: string, value: unknown) => {
          values.push(value);
          sets.push(`${column} = $${values.length}`);
        };
        for (const [field, column] of Object.entries(COURSE_COLUMNS)) if (field in changes) set(column, changes[field as keyof typeof COURSE_COLUMNS]);
        if (changes.selfEnrolment) {
          set('self_enrolment', changes.selfEnrolment.enabled);
          set('enrolment_key_hash', changes.selfEnrolment.keyHash);
        }
        if (changes.enrolmentPeriod) {
          set('enrolment_starts_at', changes.enrolmentPeriod.startsAt);
          set('enrolment_ends_at', changes.enrolmentPeriod.endsAt);
        }
        await tx.query(`UPDATE courses SET ${[...sets, 'updated_at = $2'].join(', ')} WHERE course_id = $1`, values);
        return;
      }
      case 'CourseArchived':
        await tx.query('UPDATE courses SET archived_at = $2, updated_at = $2 WHERE course_id = $1', [event.data.courseId, at]);
        return;
      case 'CourseRestored':
        await tx.query('UPDATE courses SET archived_at = NULL, updated_at = $2 WHERE course_id = $1', [event.data.courseId, at]);
        return;
      case 'CourseSectionAdded': {
        const { courseId, sectionId, title, position } = event.data;
        if (await exists(tx, 'course_sections', 'section_id', sectionId)) return;
        await tx.query('UPDATE course_sections SET position = position + 1 WHERE course_id = $1 AND position >= $2', [courseId, position]);
        await tx.query(`INSERT INTO course_sections (section_id, course_id, school_id, title, position) VALUES ($2, $1, ${SCHOOL_OF}, $3, $4)`, [courseId, sectionId, title, position]);
        return;
      }
      case 'CourseSectionRenamed':
        await tx.query('UPDATE course_sections SET title = $2 WHERE section_id = $1', [event.data.sectionId, event.data.title]);
        return;
      case 'CourseSectionRemoved': {
        // One statement: the sections after it move up only if a row was really removed.
        await tx.query(
          `WITH removed AS (DELETE FROM course_sections WHERE section_id = $1 RETURNING course_id, position)
           UPDATE course_sections s SET position = s.position - 1 FROM removed r WHERE s.course_id = r.course_id AND s.position > r.position`,
          [event.data.sectionId],
        );
        return;
      }
      case 'CourseSectionsReordered':
        await tx.query(
          `UPDATE course_sections s SET position = o.index - 1 FROM unnest($2::uuid[]) WITH ORDINALITY AS o(section_id, index)
           WHERE s.course_id = $1 AND s.section_id = o.section_id`,
          [event.data.courseId, event.data.sectionIds],
        );
        return;
      case 'CourseResourceAdded': {
        const { courseId, sectionId, resourceId, kind, title, content, visible } = event.data;
        await tx.query(
          `INSERT INTO course_resources (resource_id, course_id, school_id, section_id, kind, title, content, visible, position)
           VALUES ($2, $1, ${SCHOOL_OF}, $3, $4, $5, $6, $7, (SELECT count(*) FROM course_resources WHERE section_id = $3))
           ON CONFLICT (resource_id) DO NOTHING`,
          [courseId, resourceId, sectionId, kind, title, JSON.stringify(content), visible],
        );
        return;
      }
      case 'CourseResourceUpdated': {
        const { resourceId, changes } = event.data;
        if (changes.title !== undefined) await tx.query('UPDATE course_resources SET title = $2 WHERE resource_id = $1', [resourceId, changes.title]);
        if (changes.content !== undefined) await tx.query('UPDATE course_resources SET content = $2 WHERE resource_id = $1', [resourceId, JSON.stringify(changes.content)]);
        return;
      }
      case 'CourseResourceVisibilityChanged':
        await tx.query('UPDATE course_resources SET visible = $2 WHERE resource_id = $1', [event.data.resourceId, event.data.visible]);
        return;
      case 'CourseResourceRemoved': {
        await tx.query(
          `WITH removed AS (DELETE FROM course_resources WHERE resource_id = $1 RETURNING section_id, position)
           UPDATE course_resources s SET position = s.position - 1 FROM removed r WHERE s.section_id = r.section_id AND s.position > r.position`,
          [event.data.resourceId],
        );
        return;
      }
      case 'CourseTeacherAssigned':
        await tx.query(
          `INSERT INTO course_staff (course_id, user_id, school_id, role, assigned_at) VALUES ($1, $2, ${SCHOOL_OF}, $3, $4)
           ON CONFLICT (course_id, user_id) DO UPDATE SET role = EXCLUDED.role`,
          [event.data.courseId, event.data.userId, event.data.role, at],
        );
        return;
      case 'CourseTeacherUnassigned':
        await tx.query('DELETE FROM course_staff WHERE course_id = $1 AND user_id = $2', [event.data.courseId, event.data.userId]);
        return;
      case 'CourseActivityAdded':
        await tx.query(
          `INSERT INTO course_activities (activity_id, course_id, school_id, section_id, kind, id_number) VALUES ($2, $1, ${SCHOOL_OF}, $3, $4, $5) ON CONFLICT (activity_id) DO NOTHING`,
          [event.data.courseId, event.data.activityId, event.data.sectionId, event.data.kind, event.data.idNumber ?? null],
        );
        return;
      case 'CourseActivityRemoved':
        await tx.query('DELETE FROM course_activities WHERE activity_id = $1', [event.data.activityId]);
        return;
    }
  }

  async reset(tx: EntityManager): Promise<void> {
    await tx.query('TRUNCATE courses, course_sections, course_resources, course_activities, course_staff');
  }

  async forgetSubject({ userId }: ErasedSubject, tx: EntityManager): Promise<void> {
    await tx.query('DELETE FROM course_staff WHERE user_id = $1', [userId]);
  }
}

async function exists(tx: EntityManager, table: string, column: string, id: string): Promise<boolean> {
  return (await tx.query(`SELECT 1 FROM ${table} WHERE ${column} = $1`, [id])).length > 0;
}
