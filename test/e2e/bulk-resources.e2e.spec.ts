/**
 * POST /courses/{id}/resources/bulk: many resources of a course in one
 * request, idempotent by their idNumber, every row decided before anything is
 * written (per-row refusals), one append to the course; refused to those who
 * may not edit the course.
 */
import request from 'supertest';
import { appendsNothing, createSchool, openAccount, signInAdmin, type Session } from '../support/auth';
import { createTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
const http = () => request(t.app.getHttpServer());
let admin: Session;
let other: Session;
let teacher: Session;
let learner: Session;
let courseId: string;
let week1: string;
let week2: string;

beforeAll(async () => {
  t = await createTestApp();
  const platform = await signInAdmin(t);
  const schoolId = await createSchool(t, platform, 'Resources School');
  const otherSchool = await createSchool(t, platform, 'Other Resources School');
  admin = await openAccount(t, platform, { schoolId, role: 'school_admin' });
  other = await openAccount(t, platform, { schoolId: otherSchool, role: 'school_admin' });
  teacher = await openAccount(t, admin, { schoolId, role: 'teacher' });
  learner = await openAccount(t, admin, { schoolId, role: 'learner' });
  courseId = (await http().post('/api/v1/courses').set(admin.auth).send({ schoolId, title: 'Chemistry', code: 'CHEM-1', subject: 'Chemistry', selfEnrolment: { enabled: false } }).expect(201)).body.courseId;
  week1 = (await http().post(`/api/v1/courses/${courseId}/sections`).set(admin.auth).send({ title: 'Week 1' }).expect(201)).body.sectionId;
  week2 = (await http().post(`/api/v1/courses/${courseId}/sections`).set(admin.auth).send({ title: 'Week 2' }).expect(201)).body.sectionId;
  await http().put(`/api/v1/courses/${courseId}/teachers/${teacher.userId}`).set(admin.auth).send({ role: 'non_editing_teacher' }).expect(204);
  await http().post(`/api/v1/courses/${courseId}/enrolments`).set(admin.auth).send({ learnerId: learner.userId }).expect(201);
}, 120_000);

afterAll(async () => {
  await t.close();
});

const bulk = (who: Session, body: object) => http().post(`/api/v1/courses/${courseId}/resources/bulk`).set(who.auth).send(body);
const rows = () => [
  { idNumber: 'mod-page-1', sectionId: week1, kind: 'page', title: 'Atoms', content: { body: '<p>Atoms</p>' } },
  { idNumber: 'mod-video-2', sectionId: week1, kind: 'video', title: 'Bonds', content: { url: 'https://videos.example.org/bonds', durationSeconds: 420 }, visible: false },
  { idNumber: 'mod-file-3', sectionId: week2, kind: 'file', title: 'Lab sheet', content: { fileRef: 'lab-1', mimeType: 'application/pdf', sizeBytes: 2048 } },
];

it('adds the rows in order, and records nothing when the upload is sent again', async () => {
  const res = await bulk(admin, { rows: rows() }).expect(200);
  expect(res.body).toMatchObject({ courseId, added: 3, existing: 0, refused: 0 });
  const ids = res.body.results.map((r: { resourceId: string }) => r.resourceId);
  expect(res.body.results.map((r: { row: number; idNumber: string; status: string }) => [r.row, r.idNumber, r.status])).toEqual([
    [0, 'mod-page-1', 'added'],
    [1, 'mod-video-2', 'added'],
    [2, 'mod-file-3', 'added'],
  ]);
  const course = await http().get(`/api/v1/courses/${courseId}`).set(admin.auth).expect(200);
  const sections = course.body.sections as { sectionId: string; resources: { resourceId: string; title: string; kind: string; visible: boolean }[] }[];
  expect(sections.map((s) => s.resources.map((r) => [r.resourceId, r.title, r.kind, r.visible]))).toEqual([
    [
      [ids[0], 'Atoms', 'page', true],
      [ids[1], 'Bonds', 'video', false],
    ],
    [[ids[2], 'Lab sheet', 'file', true]],
  ]);
  const video = await http().get(`/api/v1/courses/${courseId}/resources/${ids[1]}`).set(admin.auth).expect(200);
  expect(video.body).toMatchObject({ content: { url: 'https://videos.example.org/bonds', durationSeconds: 420 } });

  // Sent again, with one new row: the known ones are the same resources, only the new one is added.
  const again = await bulk(admin, { rows: [...rows(), { idNumber: 'mod-url-4', sectionId: week2, kind: 'url', title: 'Periodic table', content: { url: 'https://example.org/table' } }] }).expect(200);
  expect(again.body).toMatchObject({ added: 1, existing: 3, refused: 0 });
  expect(again.body.results.slice(0, 3).map((r: { status: string; resourceId: string }) => [r.status, r.resourceId])).toEqual(ids.map((id: string) => ['exists', id]));
  await appendsNothing(t, async () => {
    const third = await bulk(admin, { rows: rows() }).expect(200);
    expect(third.body).toMatchObject({ added: 0, existing: 3 });
  });
  // One resource added alone may not take an idNumber the course has.
  const taken = await http().post(`/api/v1/courses/${courseId}/resources`).set(admin.auth).send({ sectionId: week1, kind: 'page', title: 'Copy', content: { body: 'x' }, idNumber: 'mod-page-1' }).expect(409);
  expect(taken.body.error.code).toBe('IDNUMBER_TAKEN');
});

it('refuses the whole upload with each bad row, or adds the good rows per row', async () => {
  const bad = [
    { idNumber: 'new-1', sectionId: week1, kind: 'page', title: 'Fine', content: { body: 'ok' } },
    { idNumber: 'new-2', sectionId: courseId, kind: 'page', title: 'No such section', content: { body: 'x' } },
    { idNumber: 'new-3', sectionId: week1, kind: 'video', title: 'No duration', content: { url: 'https://videos.example.org/x' } },
    { idNumber: 'new-1', sectionId: week2, kind: 'page', title: 'Twice', content: { body: 'y' } },
  ];
  await appendsNothing(t, async () => {
    const res = await bulk(admin, { rows: bad }).expect(400);
    expect(res.body.error.code).toBe('BULK_REJECTED');
    expect(res.body.error.details.map((d: { row: number; code: string }) => [d.row, d.code])).toEqual([
      [1, 'SECTION_NOT_FOUND'],
      [2, 'COURSE_INVALID'],
      [3, 'DUPLICATE_ROW'],
    ]);
    const noIdNumber = await bulk(admin, { rows: [{ sectionId: week1, kind: 'page', title: 'No id', content: { body: 'z' } }] }).expect(400);
    expect(noIdNumber.body.error.code).toBe('VALIDATION_FAILED');
    expect(new Set(noIdNumber.body.error.details.map((d: { field: string }) => d.field))).toEqual(new Set(['rows.0.idNumber']));
    await bulk(admin, { rows: [] }).expect(400);
  });
  const perRow = await bulk(admin, { rows: bad, mode: 'per_row' }).expect(200);
  expect(perRow.body).toMatchObject({ added: 1, existing: 0, refused: 3 });
  const course = await http().get(`/api/v1/courses/${courseId}`).set(admin.auth).expect(200);
  expect(course.body.sections[0].resources.map((r: { title: string }) => r.title)).toEqual(['Atoms', 'Bonds', 'Fine']);
});

it('is refused to another school\'s admin, a non-editing teacher, a learner and no one signed in', async () => {
  const one = [{ idNumber: 'intruder-1', sectionId: week1, kind: 'page', title: 'Intruder', content: { body: 'x' } }];
  await appendsNothing(t, async () => {
    for (const who of [other, teacher, learner]) expect((await bulk(who, { rows: one }).expect(403)).body.error.code).toBe('FORBIDDEN');
    await http().post(`/api/v1/courses/${courseId}/resources/bulk`).send({ rows: one }).expect(401);
  });
});
