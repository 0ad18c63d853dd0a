import type { StoredEvent } from '@learnstream/event-store';
import { typedEvent, type Projection } from '@learnstream/projections/headless';
import type { EntityManager } from 'typeorm';
import { SCHOOL_EVENT_TYPES, type SchoolEvent } from '../affiliation.events';

/**
 * Schools and their classes (tables `schools`, `school_classes`, row-level
 * secured on school_id). Creations insert-or-ignore, so a replayed creation
 * never undoes a later change; changes set only the fields they name.
 */
export class SchoolsProjection implements Projection {
  readonly name = 'schools';
  readonly inline = true;
  readonly eventTypes = SCHOOL_EVENT_TYPES;

  async handle(event: StoredEvent, tx: EntityManager): Promise<void> {
    const e = typedEvent<SchoolEvent>(event);
    switch (e.type) {
      case 'SchoolCreated': {
        const { schoolId, name, code, country, at } = e.data;
        await tx.query(
          `INSERT INTO schools (school_id, name, code, country, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (school_id) DO NOTHING`,
          [schoolId, name, code, country, at],
        );
        return;
      }
      case 'SchoolUpdated': {
        const { name, code, country } = e.data.changes;
        await tx.query(`UPDATE schools SET name = coalesce($2, name), code = coalesce($3, code), country = coalesce($4, country) WHERE school_id = $1`, [
          e.data.schoolId, name ?? null, code ?? null, country ?? null,
        ]);
        return;
      }
      case 'SchoolArchived':
        await tx.query(`UPDATE schools SET archived_at = $2 WHERE school_id = $1`, [e.data.schoolId, e.data.at]);
        return;
      case 'ClassCreated': {
        const { classId, schoolId, name, gradeLevel, at } = e.data;
        await tx.query(
          `INSERT INTO school_classes (class_id, school_id, name, grade_level, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (class_id) DO NOTHING`,
          [classId, schoolId, name, gradeLevel, at],
        );
        return;
      }
      case 'ClassUpdated': {
        const { name, gradeLevel } = e.data.changes;
        await tx.query(
          `UPDATE school_classes SET name = coalesce($2, name), grade_level = CASE WHEN $3::boolean THEN $4::text ELSE grade_level END WHERE class_id = $1`,
          [e.data.classId, name ?? null, gradeLevel !== undefined, gradeLevel ?? null],
        );
        return;
      }
      case 'ClassArchived':
        await tx.query(`UPDATE school_classes SET archived_at = $2 WHERE class_id = $1`, [e.data.classId, e.data.at]);
        return;
    }
  }

  async reset(tx: EntityManager): Promise<void> {
    await tx.query('TRUNCATE schools, school_classes');
  }
}
