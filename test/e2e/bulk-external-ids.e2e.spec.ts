/**
 * External ids (Moodle's idnumber) on courses: set on create and update,
 * unique in a school (409 IDNUMBER_TAKEN, nothing appended), free in another
 * school, shown in the course, and a lookup by it in the catalogue.
 */
import request from 'supertest';
import { countEvents, createSchool, openAccount, signInAdmin, type Session } from '../support/auth';
import { createTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
const http = () => request(t.app.getHttpServer());
let north: Session;
let south: Session;
let northId: string;
let southId: string;

beforeAll(async () => {
  t = await createTestApp();
  const admin = await signInAdmin(t);
  [northId, southId] = [await createSchool(t, admin, 'North School'), await createSchool(t, admin, 'South School')];
  north = await openAccount(t, admin, { schoolId: northId, role: 'school_admin' });
  south = await openAccount(t, admin, { schoolId: southId, role: 'school_admin' });
}, 120_000);

afterAll(async () => {
  await t.close();
});

const course = (schoolId: string, code: string, idNumber?: string | null) => ({ schoolId, title: `Course ${code}`, code, subject: 'Maths', selfEnrolment: { enabled: false }, ...(idNumber !== undefined && { idNumber }) });

describe('course idNumber', () => {
  it('is unique in a school, free in another, changed by update, and found by lookup', async () => {
    const first = (await http().post('/api/v1/courses').set(north.auth).send(course(northId, 'M-1', ' MATH101-2024 ')).expect(201)).body.courseId;
    expect((await http().get(`/api/v1/courses/${first}`).set(north.auth).expect(200)).body.idNumber).toBe('MATH101-2024');

    // Taken in the school: 409, and nothing is appended.
    const before = await countEvents(t);
    const taken = await http().post('/api/v1/courses').set(north.auth).send(course(northId, 'M-2', 'MATH101-2024')).expect(409);
    expect(taken.body.error.code).toBe('IDNUMBER_TAKEN');
    expect(await countEvents(t)).toBe(before);

    // Another school may use it; courses without one do not collide.
    const other = (await http().post('/api/v1/courses').set(south.auth).send(course(southId, 'M-1', 'MATH101-2024')).expect(201)).body.courseId;
    const second = (await http().post('/api/v1/courses').set(north.auth).send(course(northId, 'M-2')).expect(201)).body.courseId;
    await http().post('/api/v1/courses').set(north.auth).send(course(northId, 'M-3', null)).expect(201);

    // Update: to a taken id is 409; to a free one changes it and frees the old one.
    const clash = await http().patch(`/api/v1/courses/${second}`).set(north.auth).send({ idNumber: 'MATH101-2024' }).expect(409);
    expect(clash.body.error.code).toBe('IDNUMBER_TAKEN');
    await http().patch(`/api/v1/courses/${first}`).set(north.auth).send({ idNumber: 'MATH101-2025' }).expect(204);
    await http().patch(`/api/v1/courses/${second}`).set(north.auth).send({ idNumber: 'MATH101-2024' }).expect(204);

    // Lookup: each school's caller finds their own school's course by the id.
    const found = await http().get('/api/v1/courses').query({ idNumber: 'MATH101-2024' }).set(north.auth).expect(200);
    expect(found.body.courses.map((c: { courseId: string; idNumber: string }) => [c.courseId, c.idNumber])).toEqual([[second, 'MATH101-2024']]);
    const theirs = await http().get('/api/v1/courses').query({ idNumber: 'MATH101-2024' }).set(south.auth).expect(200);
    expect(theirs.body.courses.map((c: { courseId: string }) => c.courseId)).toEqual([other]);
    expect((await http().get('/api/v1/courses').query({ idNumber: 'MATH101-2025' }).set(north.auth).expect(200)).body.courses.map((c: { courseId: string }) => c.courseId)).toEqual([first]);
    expect((await http().get('/api/v1/courses').query({ idNumber: 'nothing' }).set(north.auth).expect(200)).body).toMatchObject({ courses: [], total: 0 });
    const tooLong = await http().get('/api/v1/courses').query({ idNumber: 'x'.repeat(101) }).set(north.auth).expect(400);
    expect(tooLong.body.error.code).toBe('VALIDATION_FAILED');
  });
});
