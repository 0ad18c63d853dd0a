/**
 * Decisions read what was written (inline read models, DESIGN.md): the
 * accounts, schools, memberships, courses with their staff and enrolments are
 * written in the append's own transaction, so a command or an access check
 * right after a write never gets a wrong 401/403/404.
 *
 * The app runs with no projection runner at all (PROJECTOR_IN_PROCESS=false):
 * a decision that still read an asynchronous read model would be refused here
 * every time, not only under load. Then 8 writers build schools, accounts,
 * courses and enrolments at once while each new person acts the moment they
 * exist.
 */
import request from 'supertest';
import { ProjectionRunner } from '../../libs/projections/src';
import { createSchool, openAccount, signInAdmin, type Session } from '../support/auth';
import { createTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
const http = () => request(t.app.getHttpServer());

beforeAll(async () => {
  t = await createTestApp({ PROJECTOR_IN_PROCESS: 'false' });
}, 60_000);

afterAll(async () => {
  await t.close();
});

/** Every answer that was not the one expected, with what it was for. */
const wrong: string[] = [];
function expectStatus(what: string, res: request.Response, status: number): request.Response {
  if (res.status !== status) wrong.push(`${what}: ${res.status} ${JSON.stringify(res.body?.error ?? res.body)}`);
  return res;
}

/** One writer: a school, its admin, a teacher, learners, a course, enrolments; everyone acts at once after each write. */
async function writer(admin: Session, i: number): Promise<void> {
  const schoolId = await createSchool(t, admin, `School ${i}`);
  const schoolAdmin = await openAccount(t, admin, { schoolId, role: 'school_admin' });
  expectStatus('school admin reads their school', await http().get(`/api/v1/schools/${schoolId}`).set(schoolAdmin.auth), 200);
  const [teacher, ...learners] = await Promise.all([
    openAccount(t, schoolAdmin, { schoolId, role: 'teacher' }),
    ...[1, 2, 3].map(() => openAccount(t, schoolAdmin, { schoolId, role: 'learner' })),
  ]);
  for (const s of [teacher, ...learners]) expectStatus('a new account reads /me', await http().get('/api/v1/me').set(s.auth), 200);
  const course = expectStatus(
    'teacher creates a course',
    await http().post('/api/v1/courses').set(teacher.auth).send({ schoolId, title: `Course ${i}`, code: `C-${i}`, subject: 'Mathematics', selfEnrolment: { enabled: false } }),
    201,
  );
  const courseId = course.body.courseId as string;
  expectStatus('teacher adds a section to their new course', await http().post(`/api/v1/courses/${courseId}/sections`).set(teacher.auth).send({ title: 'Week 1' }), 201);
  await Promise.all(
    learners.map(async (learner) => {
      expectStatus('teacher enrols a learner', await http().post(`/api/v1/courses/${courseId}/enrolments`).set(teacher.auth).send({ learnerId: learner.userId }), 201);
      expectStatus('the enrolled learner opens the course', await http().get(`/api/v1/courses/${courseId}`).set(learner.auth), 200);
      expectStatus("the teacher reads the learner's account", await http().get(`/api/v1/users/${learner.userId}`).set(teacher.auth), 200);
    }),
  );
  expectStatus('school admin archives the course', await http().post(`/api/v1/courses/${courseId}/archive`).set(schoolAdmin.auth), 204);
}

it('8 writers and the people they create act at once: no wrong 401, 403 or 404, with no projection runner', async () => {
  expect(t.app.get(ProjectionRunner).projections.length).toBeGreaterThan(0);
  const admin = await signInAdmin(t);
  await Promise.all([1, 2, 3, 4, 5, 6, 7, 8].map((i) => writer(admin, i)));
  expect(wrong).toEqual([]);
}, 240_000);

it('the inline read models are marked inline and never lag', async () => {
  const admin = await signInAdmin(t);
  const res = await http().get('/api/v1/admin/projections').set(admin.auth).expect(200);
  const byName = new Map((res.body.projections ?? res.body).map((p: { name: string }) => [p.name, p]));
  for (const name of ['accounts', 'schools', 'school-memberships', 'school-transfers', 'parent-links', 'courses', 'course-enrolments']) {
    expect(byName.get(name)).toMatchObject({ state: 'inline', lag: 0 });
  }
  // The asynchronous ones were not run in this process: they lag.
  expect(byName.get('course-log')).toMatchObject({ state: 'stopped' });
});
