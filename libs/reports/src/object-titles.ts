/**
 * The title of what an event is about, for the course log and a learner's
 * timeline, read through the owning features' readers inside the reader's
 * transaction (row-level security: null where the reader may not see it, or
 * it is gone, or the kind of object has no title). One statement per feature
 * for a whole page of rows.
 */
import { readSchoolNames } from '@learnstream/affiliations';
import { readAssessmentTitles } from '@learnstream/assessments';
import { readContentTitles } from '@learnstream/courses';
import type { Queryable } from '@learnstream/database';

export interface ObjectRef {
  type: string | null;
  id: string | null;
}

const ASSESSMENTS = new Set(['quiz', 'assignment', 'offline_test', 'activity']);

/** title(object): its title, or null. */
export async function readObjectTitles(db: Queryable, objects: readonly ObjectRef[]): Promise<(object: ObjectRef) => string | null> {
  const idsOf = (...types: string[]) => [...new Set(objects.filter((o) => o.id !== null && o.type !== null && types.includes(o.type)).map((o) => o.id!))];
  const content = await readContentTitles(db, { courses: idsOf('course'), sections: idsOf('section'), resources: idsOf('resource') });
  const assessments = await readAssessmentTitles(db, idsOf(...ASSESSMENTS));
  const schools = await readSchoolNames(db, idsOf('school'));
  return ({ type, id }) => {
    if (id === null || type === null) return null;
    if (type === 'course' || type === 'section' || type === 'resource') return content.get(id) ?? null;
    if (ASSESSMENTS.has(type)) return assessments.get(id) ?? null;
    if (type === 'school') return schools.get(id) ?? null;
    return null;
  };
}
