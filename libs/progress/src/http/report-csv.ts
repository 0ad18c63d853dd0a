/** The tables of each report as CSV: one table per download (?table=). Pure. */
import type { ClassReportView } from '../queries/get-class-report.query';
import type { LearnerProfileView, TimelinePage } from '../queries/get-learner-profile.query';
import type { GroupFigures, SchoolReportView } from '../queries/get-school-report.query';
import { toCsv, type CsvValue } from '@learnstream/core';

const reasons = (r: { flagged: boolean; reasons: { text: string }[] } | null): CsvValue[] => (r === null ? ['', ''] : [r.flagged, r.reasons.map((x) => x.text).join('; ')]);

export function timelineCsv(page: TimelinePage): string {
  return toCsv(
    ['occurredAt', 'eventId', 'eventType', 'action', 'crud', 'involvement', 'courseId', 'objectType', 'objectId', 'objectTitle', 'actorId', 'realActorId', 'relatedUserId'],
    page.events.map((e) => [e.occurredAt, e.eventId, e.eventType, e.action, e.crud, e.involvement, e.courseId, e.object?.type, e.object?.id, e.object?.title, e.actorId, e.realActorId, e.relatedUserId]),
  );
}

export function learnerCsv(p: LearnerProfileView, table: 'courses' | 'skills' | 'timeline'): string {
  if (table === 'timeline') return timelineCsv(p.timeline);
  if (table === 'skills') {
    const verdict = (skill: string) => (p.strengths === null ? '' : p.strengths.includes(skill) ? 'strength' : p.toImprove?.includes(skill) ? 'to_improve' : '');
    return toCsv(
      ['learnerId', 'skill', 'earned', 'possible', 'percentage', 'questions', 'verdict', 'courseIds'],
      p.skills.map((s) => [p.learnerId, s.skill, s.earned, s.possible, s.percentage, s.questions, verdict(s.skill), s.courseIds.join(' ')]),
    );
  }
  return toCsv(
    ['learnerId', 'courseId', 'code', 'title', 'subject', 'gradeLevel', 'status', 'enrolledAt', 'lastAccessAt', 'events', 'activitiesCompleted', 'activitiesRequired',
      'progressPercentage', 'courseCompleted', 'courseCompletedAt', 'gradePercentage', 'letter', 'passed', 'gradeHidden', 'atRisk', 'atRiskReasons'],
    p.courses.map((c) => [
      p.learnerId, c.courseId, c.code, c.title, c.subject, c.gradeLevel, c.enrolment.status, c.enrolment.enrolledAt, c.lastAccessAt,
      Object.values(c.activity).reduce((a, b) => a + b, 0), c.completion.progress.completed, c.completion.progress.required, c.completion.progress.percentage,
      c.completion.courseCompleted, c.completion.courseCompletedAt, c.grades?.total.percentage, c.grades?.total.letter, c.grades?.total.passed, c.grades?.total.hidden,
      ...reasons(c.atRisk),
    ]),
  );
}

/** The tables of the class report's CSV download. */
export const CLASS_TABLES = ['participants', 'questions', 'distribution', 'assessments'] as const;
export type ClassTable = (typeof CLASS_TABLES)[number];

export function classCsv(r: ClassReportView, table: ClassTable): string {
  if (table === 'assessments') {
    return toCsv(
      ['courseId', 'assessmentId', 'kind', 'title', 'dueAt', 'learners', 'graded', 'meanPercentage', 'medianPercentage', 'facility', 'late', 'missing', ...Array.from({ length: 10 }, (_, k) => `from${k * 10}`)],
      r.assessments.map((a) => [r.courseId, a.assessmentId, a.kind, a.title, a.dueAt, a.learners, a.graded, a.meanPercentage, a.medianPercentage, a.facility, a.late, a.missing, ...a.distribution.map((b) => b.count)]),
    );
  }
  if (table === 'distribution') return toCsv(['courseId', 'from', 'to', 'count'], r.gradeDistribution.map((b) => [r.courseId, b.from, b.to, b.count]));
  if (table === 'questions') {
    return toCsv(
      ['courseId', 'quizId', 'quizTitle', 'position', 'questionId', 'kind', 'text', 'skills', 'points', 'learners', 'meanScore', 'facility', 'discrimination'],
      r.questions.map((q) => [r.courseId, q.quizId, q.quizTitle, q.position, q.questionId, q.kind, q.text, q.skills.join(' '), q.points, q.learners, q.meanScore, q.facility, q.discrimination]),
    );
  }
  const actions = [...new Set(r.participants.flatMap((p) => Object.keys(p.activity)))].sort();
  return toCsv(
    ['courseId', 'learnerId', 'displayName', 'status', 'enrolledAt', 'lastAccessAt', 'events', ...actions.map((a) => `events_${a}`), 'activitiesCompleted', 'activitiesRequired',
      'progressPercentage', 'courseCompleted', 'gradePercentage', 'letter', 'passed', 'profilingObjected', 'atRisk', 'atRiskReasons'],
    r.participants.map((p) => [
      r.courseId, p.learnerId, p.displayName, p.status, p.enrolledAt, p.lastAccessAt, p.events, ...actions.map((a) => p.activity[a] ?? 0),
      p.completion.progress.completed, p.completion.progress.required, p.completion.progress.percentage, p.completion.courseCompleted,
      p.grade?.percentage, p.grade?.letter, p.grade?.passed, p.profilingObjected, ...reasons(p.atRisk),
    ]),
  );
}

const FIGURES = ['courses', 'enrolments', 'activeLearners', 'completed', 'completedInPeriod', 'completionRate', 'graded', 'gradeAverage'] as const;
const figures = (f: GroupFigures): CsvValue[] => FIGURES.map((k) => f[k]);

export function schoolCsv(r: SchoolReportView, table: 'courses' | 'subjects' | 'grade-levels' | 'teachers'): string {
  const period = [r.schoolId, r.from, r.to];
  switch (table) {
    case 'teachers':
      return toCsv(['schoolId', 'from', 'to', 'teacherId', 'displayName', 'events', 'activeDays', 'courseIds'], r.teachers.map((t) => [...period, t.teacherId, t.displayName, t.events, t.activeDays, t.courseIds.join(' ')]));
    case 'subjects':
      return toCsv(['schoolId', 'from', 'to', 'subject', ...FIGURES], r.bySubject.map((g) => [...period, g.subject, ...figures(g)]));
    case 'grade-levels':
      return toCsv(['schoolId', 'from', 'to', 'gradeLevel', ...FIGURES], r.byGradeLevel.map((g) => [...period, g.gradeLevel, ...figures(g)]));
    case 'courses':
      return toCsv(
        ['schoolId', 'from', 'to', 'courseId', 'code', 'title', 'subject', 'gradeLevel', 'archived', 'learnerEvents', ...FIGURES.slice(1)],
        r.courses.map((c) => [...period, c.courseId, c.code, c.title, c.subject, c.gradeLevel, c.archived, c.learnerEvents, ...figures(c).slice(1)]),
      );
  }
}
