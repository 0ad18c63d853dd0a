/**
 * Need to know inside one school, attacked by people whose rights have ended
 * (the cross-school matrix is tenant-boundary.e2e.spec.ts): a teacher who left
 * the school, a learner who moved to another school. What they held before must
 * stop with the membership, however the course's own records (its staff list,
 * the enrolment) still name them.
 */
import request from 'supertest';
import { appendsNothing, createSchool, openAccount, signInAdmin, type Session } from '../support/auth';
import { createCourse } from '../support/courses';
import { createTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
const api = () => request(t.app.getHttpServer());
let admin: Session;
let schoolA: string;
let schoolAdmin: Session;
let teacher: Session;
let learner: Session;

beforeAll(async () => {
  t = await createTestApp();
  admin = await signInAdmin(t);
  schoolA = await createSchool(t, admin, 'Need-to-know School');
  schoolAdmin = await openAccount(t, admin, { schoolId: schoolA, role: 'school_admin' });
  teacher = await openAccount(t, schoolAdmin, { schoolId: schoolA, role: 'teacher' });
  learner = await openAccount(t, schoolAdmin, { schoolId: schoolA, role: 'learner' });
}, 120_000);
afterAll(() => t?.close());

describe('a teacher who left the school', () => {
  it('no longer edits, enrols, unenrols or reads the course they were assigned to, although its staff list still names them', async () => {
    const leaver = await openAccount(t, schoolAdmin, { schoolId: schoolA, role: 'teacher' });
    const courseId = await createCourse(t, teacher, { schoolId: schoolA, code: 'LEAVE-1' });
    await api().put(`/api/v1/courses/${courseId}/teachers/${leaver.userId}`).set(teacher.auth).send({ role: 'teacher' }).expect(204);
    await api().post(`/api/v1/courses/${courseId}/enrolments`).set(teacher.auth).send({ learnerId: learner.userId }).expect(201);
    // While a teacher of the school, they edit and read the course.
    await api().post(`/api/v1/courses/${courseId}/sections`).set(leaver.auth).send({ title: 'Week 2' }).expect(201);
    await api().get(`/api/v1/courses/${courseId}/enrolments`).set(leaver.auth).expect(200);

    await api().delete(`/api/v1/schools/${schoolA}/members/${leaver.userId}`).set(schoolAdmin.auth).expect(200);

    await appendsNothing(t, async () => {
      const writes = [
        api().patch(`/api/v1/courses/${courseId}`).set(leaver.auth).send({ title: 'Taken over' }),
        api().post(`/api/v1/courses/${courseId}/sections`).set(leaver.auth).send({ title: 'Week 3' }),
        api().delete(`/api/v1/courses/${courseId}/enrolments/${learner.userId}`).set(leaver.auth).send({ reason: 'gone' }),
        api().put(`/api/v1/courses/${courseId}/teachers/${leaver.userId}`).set(leaver.auth).send({ role: 'non_editing_teacher' }),
      ];
      for (const res of await Promise.all(writes)) expect({ path: res.req.path, status: res.status, code: res.body.error?.code }).toEqual({ path: res.req.path, status: 403, code: 'FORBIDDEN' });
    });
    for (const path of [`/api/v1/courses/${courseId}/enrolments`, `/api/v1/courses/${courseId}/logs`, `/api/v1/reports/courses/${courseId}`]) {
      const res = await api().get(path).set(leaver.auth);
      expect({ path, status: res.status }).toEqual({ path, status: 403 });
    }
    // The course's history keeps them on its staff list; the remaining teacher still teaches it.
    const course = await api().get(`/api/v1/courses/${courseId}`).set(teacher.auth).expect(200);
    expect(course.body.staff).toContainEqual({ userId: leaver.userId, role: 'teacher' });
    await api().post(`/api/v1/courses/${courseId}/sections`).set(teacher.auth).send({ title: 'Week 3' }).expect(201);
  });
});
