/**
 * A school with one of every kind of id the API takes (a class, staff, a
 * minor and an adult learner, a confirmed parent, a course with a section, a
 * resource, a quiz with questions and an attempt, an assignment with a
 * submission, an offline test, a gradebook with a category and an item, an
 * xAPI client, a pending transfer, a Moodle import job, an approved export
 * request), created over the real HTTP API; and the value of every path
 * parameter of /docs-json for it. Used by the tenant-boundary suite (as the
 * victim school) and by the bad-input suite (real ids, so that validation,
 * not a 404, answers).
 */
import request from 'supertest';
import { createSchool, openAccount, registerUser, type Session } from './auth';
import type { TestApp } from './test-app';

const MINOR_DOB = `${new Date().getUTCFullYear() - 12}-03-01`;

/** The victim school A: every kind of id the API takes, and the names that must not leak. */
export interface Victim {
  school: string;
  class: string;
  admin: Session;
  teacher: Session;
  learner: Session; // a minor
  adult: Session; // an adult learner, with an approved export request
  parent: Session; // confirmed parent of `learner`
  course: string;
  section: string;
  resource: string;
  quiz: string;
  question: string;
  attempt: string;
  assignment: string;
  offlineTest: string;
  category: string;
  item: string;
  link: string;
  transfer: string;
  request: string;
  xapiClient: string;
  importJob: string;
}

export const ok = (res: request.Response, status: number, what: string) => {
  if (res.status !== status) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
};

/** The first value of `key` anywhere in `value` (ids inside nested answers). */
export function findKey(value: unknown, key: string): string | undefined {
  if (Array.isArray(value)) for (const x of value) { const f = findKey(x, key); if (f) return f; }
  else if (value && typeof value === 'object') {
    for (const [k, x] of Object.entries(value)) if (k === key && typeof x === 'string') return x;
    for (const x of Object.values(value)) { const f = findKey(x, key); if (f) return f; }
  }
  return undefined;
}

export async function seedVictim(t: TestApp, admin: Session, dpo: Session): Promise<Victim> {
  const http = () => request(t.app.getHttpServer());
  const school = await createSchool(t, admin, 'Victimville School');
  const schoolAdmin = await openAccount(t, admin, { schoolId: school, role: 'school_admin', displayName: 'Victim Admin' });
  const cls = ok(await http().post(`/api/v1/schools/${school}/classes`).set(schoolAdmin.auth).send({ name: 'Victim P6', gradeLevel: 'P6' }), 201, 'class').classId;
  const teacher = await openAccount(t, schoolAdmin, { schoolId: school, role: 'teacher', classId: cls, displayName: 'Victim Teacher' });
  const learner = await openAccount(t, schoolAdmin, { schoolId: school, role: 'learner', classId: cls, dateOfBirth: MINOR_DOB, displayName: 'Victim Minor' });
  const adult = await openAccount(t, schoolAdmin, { schoolId: school, role: 'learner', classId: cls, dateOfBirth: '2000-01-01', displayName: 'Victim Adult' });
  const parent = await registerUser(t, { displayName: 'Victim Parent' });
  const link = ok(await http().post('/api/v1/parent-links').set(schoolAdmin.auth).send({ childId: learner.userId, parentId: parent.userId }), 201, 'link').linkId;

  const course = ok(
    await http().post('/api/v1/courses').set(teacher.auth).send({ schoolId: school, title: 'Victim Algebra', code: 'VICTIM-101', subject: 'Mathematics', selfEnrolment: { enabled: false } }),
    201,
    'course',
  ).courseId;
  const section = ok(await http().post(`/api/v1/courses/${course}/sections`).set(teacher.auth).send({ title: 'Victim week' }), 201, 'section').sectionId;
  const resource = ok(
    await http().post(`/api/v1/courses/${course}/resources`).set(teacher.auth).send({ sectionId: section, kind: 'page', title: 'Victim page', content: { body: '<p>victim</p>' } }),
    201,
    'resource',
  ).resourceId;
  ok(await http().post(`/api/v1/courses/${course}/enrolments/bulk`).set(teacher.auth).send({ learnerIds: [learner.userId, adult.userId] }), 200, 'enrol');
  const question = { kind: 'true_false', text: 'Victim question?', points: 1, skills: ['logic'], correct: true };
  const quizBody = ok(
    await http().post(`/api/v1/courses/${course}/quizzes`).set(teacher.auth).send({ title: 'Victim quiz', attemptsAllowed: 3, gradingMethod: 'highest', maxGrade: 10, passGrade: 5, questions: [question, question] }),
    201,
    'quiz',
  );
  const quiz = quizBody.quizId;
  const questionId = findKey(quizBody, 'questionId') ?? findKey(ok(await http().get(`/api/v1/quizzes/${quiz}`).set(teacher.auth), 200, 'quiz read'), 'questionId')!;
  const attempt = ok(await http().post(`/api/v1/quizzes/${quiz}/attempts`).set(learner.auth), 201, 'attempt').attemptId;
  const assignment = ok(await http().post(`/api/v1/courses/${course}/assignments`).set(teacher.auth).send({ title: 'Victim essay', submissionTypes: ['text'], maxGrade: 10 }), 201, 'assignment').assignmentId;
  ok(await http().post(`/api/v1/assignments/${assignment}/submissions`).set(learner.auth).send({ text: 'victim words' }), 201, 'submission');
  const offlineTest = ok(await http().post(`/api/v1/courses/${course}/offline-tests`).set(teacher.auth).send({ title: 'Victim oral', maxGrade: 20, passGrade: 10, takenOn: '2025-03-14' }), 201, 'offline test').offlineTestId;
  ok(await http().post(`/api/v1/courses/${course}/gradebook`).set(teacher.auth).send({}), 201, 'gradebook');
  const categoryBody = ok(await http().post(`/api/v1/courses/${course}/gradebook/categories`).set(teacher.auth).send({ name: 'Victim tests', weight: 70 }), 201, 'category');
  const itemBody = ok(await http().post(`/api/v1/courses/${course}/gradebook/items`).set(teacher.auth).send({ source: { kind: 'quiz', id: quiz }, weight: 40 }), 201, 'item');
  const xapiClient = ok(await http().post(`/api/v1/schools/${school}/xapi-clients`).set(schoolAdmin.auth).send({ name: 'Victim tool' }), 201, 'xapi client').clientId;
  // A transfer the victim school asked of an account of no school, still waiting.
  const invitee = await registerUser(t, { displayName: 'Victim Invitee' });
  const transfer = ok(await http().post(`/api/v1/schools/${school}/transfers`).set(schoolAdmin.auth).send({ userId: invitee.userId, role: 'learner' }), 201, 'transfer').transferId;
  // A Moodle log import the victim school's admin ran (its file names no one).
  const header = 'Time,User full name,Affected user,Event context,Component,Event name,Description,Origin,IP address\n';
  const importJob = ok(
    await http().post(`/api/v1/imports/moodle-logs?schoolId=${school}&site=victim&fileName=victim.csv`).set(schoolAdmin.auth).set('Content-Type', 'text/csv').send(header),
    202,
    'import job',
  ).jobId;
  // An approved export request of the adult learner.
  const filed = ok(await http().post('/api/v1/privacy/requests').set(adult.auth).send({ type: 'export' }), 201, 'privacy request').requestId;
  ok(await http().post(`/api/v1/privacy/requests/${filed}/approve`).set(dpo.auth).send({}), 200, 'approve');
  return {
    school, class: cls, admin: schoolAdmin, teacher, learner, adult, parent, course, section, resource, quiz, question: questionId, attempt, assignment, offlineTest,
    category: findKey(categoryBody, 'categoryId')!, item: findKey(itemBody, 'itemId')!, link, transfer, request: filed, xapiClient, importJob,
  };
}

/** Path parameters, by the segment before them (`/schools/{id}`) or their own name. */
export function pathValue(v: Victim, segment: string, name: string): string | undefined {
  const bySegment: Record<string, string> = {
    schools: v.school, users: v.learner.userId, classes: v.class, members: v.learner.userId, 'parent-links': v.link, transfers: v.transfer,
    courses: v.course, sections: v.section, resources: v.resource, teachers: v.teacher.userId, enrolments: v.learner.userId, quizzes: v.quiz,
    questions: v.question, attempts: v.attempt, assignments: v.assignment, submissions: v.learner.userId, 'offline-tests': v.offlineTest,
    results: v.learner.userId, categories: v.category, items: v.item, rules: v.quiz, learners: v.learner.userId, requests: v.request,
    subjects: v.learner.userId, 'xapi-clients': v.xapiClient, imports: v.importJob, roles: 'dpo', consents: 'analytics', rebuild: 'course-log',
  };
  const byName: Record<string, string> = {
    schoolId: v.school, courseId: v.course, learnerId: v.learner.userId, childId: v.learner.userId, itemId: v.item, target: v.item, activityId: v.quiz,
    transferId: v.transfer, linkId: v.link, clientId: v.xapiClient, jobId: v.importJob, name: 'course-log', role: 'dpo', purpose: 'analytics',
  };
  if (segment === 'dead-letters') return '00000000-0000-4000-8000-000000000001'; // operations: no tenant data
  if (segment === 'mentions') return '00000000-0000-4000-8000-000000000002'; // an erasure's mentions report: the DPO's only
  return byName[name] ?? bySegment[segment];
}


/** The id a body or query field of that name takes, in this school. */
export const idOfField = (v: Victim, name: string): string | undefined =>
  ({
    userId: v.learner.userId, childId: v.learner.userId, parentId: v.parent.userId, subjectId: v.learner.userId, learnerId: v.learner.userId, user: v.learner.userId,
    schoolId: v.school, courseId: v.course, classId: v.class, sectionId: v.section, resourceId: v.resource, quizId: v.quiz, questionId: v.question,
    assignmentId: v.assignment, activityId: v.quiz, objectId: v.resource, id: v.quiz, itemId: v.item, categoryId: v.category,
  })[name];

