/**
 * The title of what an event is about, for the course log and a learner's
 * timeline: a SQL expression over a row's object type and id, from the read
 * models (under the reader's row-level security: null where the reader may
 * not see it, or it is gone, or the kind of object has no title).
 */
export function objectTitleSql(type: string, id: string): string {
  return `CASE ${type}
    WHEN 'course' THEN (SELECT t.title FROM courses t WHERE t.course_id = ${id})
    WHEN 'section' THEN (SELECT t.title FROM course_sections t WHERE t.section_id = ${id})
    WHEN 'resource' THEN (SELECT t.title FROM course_resources t WHERE t.resource_id = ${id})
    WHEN 'quiz' THEN (SELECT t.title FROM quizzes t WHERE t.quiz_id = ${id})
    WHEN 'assignment' THEN (SELECT t.title FROM assignments t WHERE t.assignment_id = ${id})
    WHEN 'offline_test' THEN (SELECT t.title FROM offline_tests t WHERE t.offline_test_id = ${id})
    WHEN 'activity' THEN coalesce((SELECT t.title FROM quizzes t WHERE t.quiz_id = ${id}), (SELECT t.title FROM assignments t WHERE t.assignment_id = ${id}),
      (SELECT t.title FROM offline_tests t WHERE t.offline_test_id = ${id}))
    WHEN 'school' THEN (SELECT t.name FROM schools t WHERE t.school_id = ${id})
  END`;
}
