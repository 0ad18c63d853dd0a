/**
 * POST /api/v1/users/bulk as CSV (Content-Type: text/csv), Moodle's "Upload
 * users": a header of the JSON row's fields, one account per line, schoolId
 * and mode in the query; checked by the same DTO and handler as JSON. A CSV
 * as Excel saves it (byte-order mark, CRLF, quoted commas, Thai names) opens
 * the accounts; sent again it writes nothing; a bad row, a duplicate, a
 * malformed file or another school's admin writes nothing either.
 */
import request from 'supertest';
import { appendsNothing, asIs, createSchool, openAccount, signInAdmin, type Session } from '../support/auth';
import { createTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
const http = () => request(t.app.getHttpServer());
let north: Session;
let south: Session;
let northId: string;

beforeAll(async () => {
  t = await createTestApp();
  const admin = await signInAdmin(t);
  northId = await createSchool(t, admin, 'North CSV');
  const southId = await createSchool(t, admin, 'South CSV');
  north = await openAccount(t, admin, { schoolId: northId, role: 'school_admin' });
  south = await openAccount(t, admin, { schoolId: southId, role: 'school_admin' });
}, 120_000);

afterAll(async () => {
  await t.close();
});

const csv = (lines: string[]) => `\uFEFF${lines.join('\r\n')}\r\n`;
const upload = (who: Session, body: string, query: Record<string, string> = { schoolId: northId }) =>
  http().post('/api/v1/users/bulk').query(query).set(who.auth).set('Content-Type', 'text/csv; charset=utf-8').send(body);

const HEADER = 'username,displayName,role,consentObtainedFrom,idNumber,email,interests';
const good = csv([
  HEADER,
  'csv.ann,"Lee, Ann",learner,parent,C-0001,ann.csv@example.com,biology; chess',
  'csv.somchai,สมชาย ใจดี,learner,parent,C-0002,,',
  'csv.tom,Tom Teacher,teacher,,C-0003,tom.csv@example.com,',
]);

it('opens the accounts of a CSV as Excel saves it, and opens nothing when it is sent again', async () => {
  const res = await upload(north, good).expect(200);
  expect(res.body).toMatchObject({ schoolId: northId, created: 3, existing: 0, refused: 0 });
  expect(res.body.results.map((r: { row: number; username: string; status: string }) => [r.row, r.username, r.status])).toEqual([
    [0, 'csv.ann', 'created'],
    [1, 'csv.somchai', 'created'],
    [2, 'csv.tom', 'created'],
  ]);
  const [ann, somchai] = res.body.results as { userId: string; temporaryPassword: string }[];
  expect(ann.temporaryPassword).toEqual(expect.any(String));

  // The fields as the cells gave them: the quoted comma, the Thai name, the list, an empty cell absent.
  const annAccount = await http().get(`/api/v1/users/${ann.userId}`).set(north.auth).expect(200);
  expect(annAccount.body).toMatchObject({ username: 'csv.ann', displayName: 'Lee, Ann', email: 'ann.csv@example.com', interests: ['biology', 'chess'] });
  const somchaiAccount = await http().get(`/api/v1/users/${somchai.userId}`).set(north.auth).expect(200);
  expect(somchaiAccount.body).toMatchObject({ displayName: 'สมชาย ใจดี', email: null });
  const byIdNumber = await http().get(`/api/v1/schools/${northId}/members`).query({ idNumber: 'C-0002' }).set(north.auth).expect(200);
  expect(byIdNumber.body.members.map((m: { userId: string }) => m.userId)).toEqual([somchai.userId]);
  // A temporary password signs in only to be changed.
  const login = await http().post('/api/v1/auth/login').send({ username: 'csv.ann', password: ann.temporaryPassword }).expect(403);
  expect(login.body.error.code).toBe('PASSWORD_CHANGE_REQUIRED');

  const again = await appendsNothing(t, () => upload(north, good).expect(200));
  expect(again.body).toMatchObject({ created: 0, existing: 3, refused: 0 });
  expect(again.body.results.map((r: { userId: string }) => r.userId)).toEqual(res.body.results.map((r: { userId: string }) => r.userId));
});

it('refuses a bad row, a duplicate, an unknown column and malformed CSV, naming the row or line, and writes nothing', async () => {
  await appendsNothing(t, async () => {
    const badRole = await upload(north, csv([HEADER, 'csv.bad1,Bad One,learner,parent,,,', 'csv.bad2,Bad Two,wizard,parent,,,'])).expect(400);
    expect(badRole.body.error.code).toBe('VALIDATION_FAILED');
    expect(badRole.body.error.details).toEqual([expect.objectContaining({ field: 'rows.1.role' })]);

    const unknownColumn = await upload(north, csv(['username,displayName,role,consentObtainedFrom,shoeSize', 'csv.bad3,Bad Three,learner,parent,42'])).expect(400);
    expect(unknownColumn.body.error.details).toEqual([expect.objectContaining({ field: 'rows.0.shoeSize' })]);

    const duplicate = await upload(north, csv([HEADER, 'csv.dup,Dup One,learner,parent,D-1,,', 'csv.other,Other,learner,parent,D-2,,', 'CSV.DUP,Dup Again,learner,parent,D-3,,'])).expect(400);
    expect(duplicate.body.error.code).toBe('BULK_REJECTED');
    expect(duplicate.body.error.details.map((d: { row: number; code: string }) => [d.row, d.code])).toEqual([[2, 'DUPLICATE_ROW']]);

    const ragged = await upload(north, csv([HEADER, 'csv.rag1,Rag One,learner,parent,,,', 'csv.rag2,Rag Two,learner'])).expect(400);
    expect(ragged.body.error.code).toBe('VALIDATION_FAILED');
    expect(ragged.body.error.details).toEqual([expect.objectContaining({ field: 'body', line: 3 })]);

    const twice = await upload(north, csv(['username,displayName,username', 'a.b,A B,c.d'])).expect(400);
    expect(twice.body.error.details).toEqual([expect.objectContaining({ field: 'body', line: 1 })]);

    const headerOnly = await upload(north, csv([HEADER])).expect(400);
    expect(headerOnly.body.error.details).toEqual([expect.objectContaining({ field: 'rows' })]);

    const noSchool = await upload(north, csv([HEADER, 'csv.nos,No School,learner,parent,,,']), {}).expect(400);
    expect(noSchool.body.error.details).toEqual([expect.objectContaining({ field: 'schoolId' })]);

    // per_row opens the good rows and reports the others: here none is good but the second (the first exists already).
    const perRow = await upload(north, csv([HEADER, 'csv.ann,"Lee, Ann",learner,parent,C-0001,,', 'csv.x,X,learner,parent,C-0001,,']), { schoolId: northId, mode: 'per_row' }).expect(200);
    expect(perRow.body.results.map((r: { status: string; code?: string }) => [r.status, r.code])).toEqual([['exists', undefined], ['refused', 'DUPLICATE_ROW']]);
  });
});

it('refuses a CSV that is not the UTF-8 it says (Thai Excel\'s windows-874 saved as is) and reads it when its charset is named', async () => {
  // TIS-620 / windows-874: the Thai letters U+0E01..U+0E5B are the bytes 0xA1..0xFB.
  const legacy = (text: string) => Buffer.from([...text].map((c) => (c.charCodeAt(0) >= 0x0e00 ? c.charCodeAt(0) - 0x0e00 + 0xa0 : c.charCodeAt(0))));
  const file = legacy(['username,displayName,role,consentObtainedFrom', 'csv.ansi,สมศรี มีสุข,learner,parent', ''].join('\r\n'));
  await appendsNothing(t, async () => {
    for (const type of ['text/csv', 'text/csv; charset=utf-8']) {
      const res = await http().post('/api/v1/users/bulk').query({ schoolId: northId }).set(north.auth).set('Content-Type', type).send(file).expect(400);
      expect(res.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: [expect.objectContaining({ field: 'body', message: expect.stringContaining('UTF-8') })] });
    }
    // JSON that is not UTF-8 neither (its name would be stored as U+FFFD).
    const json = Buffer.concat([Buffer.from(`{"schoolId":"${northId}","rows":[{"username":"json.ansi","displayName":"`), legacy('สมศรี'), Buffer.from('","role":"learner","consentObtainedFrom":"parent"}]}')]);
    const notUtf8 = await http().post('/api/v1/users/bulk').set(north.auth).set('Content-Type', 'application/json').serialize(asIs).send(json).expect(400);
    expect(notUtf8.body.error.details).toEqual([expect.objectContaining({ field: 'body', message: expect.stringContaining('UTF-8') })]);
    // A column named after an object's own property is not silently dropped.
    const proto = await upload(north, csv(['username,displayName,role,consentObtainedFrom,__proto__', 'csv.proto,Proto,learner,parent,x'])).expect(400);
    expect(proto.body.error.details).toEqual([expect.objectContaining({ field: 'body', line: 1 })]);
    await upload(north, csv(['username,displayName,role,consentObtainedFrom,constructor', 'csv.ctor,Ctor,learner,parent,x'])).expect(400);
  });
  const named = await http().post('/api/v1/users/bulk').query({ schoolId: northId }).set(north.auth).set('Content-Type', 'text/csv; charset=windows-874').send(file).expect(200);
  const account = await http().get(`/api/v1/users/${named.body.results[0].userId}`).set(north.auth).expect(200);
  expect(account.body.displayName).toBe('สมศรี มีสุข');
});

it('is refused to another school\'s admin and to no one signed in', async () => {
  await appendsNothing(t, async () => {
    const other = await upload(south, csv([HEADER, 'csv.intruder,Intruder,learner,parent,,,'])).expect(403);
    expect(other.body.error.code).toBe('FORBIDDEN');
    await http().post('/api/v1/users/bulk').query({ schoolId: northId }).set('Content-Type', 'text/csv').send(csv([HEADER, 'csv.anon,Anon,learner,parent,,,'])).expect(401);
  });
});

it('keeps JSON as it was: schoolId in the body (a query may not say otherwise), a bad row named by its path', async () => {
  await appendsNothing(t, async () => {
    const inQuery = await http().post('/api/v1/users/bulk').query({ schoolId: south.userId }).set(north.auth).send({ schoolId: northId, rows: [{ username: 'json.q', displayName: 'Q', role: 'learner', consentObtainedFrom: 'parent' }] }).expect(400);
    expect(inQuery.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: [expect.objectContaining({ field: 'schoolId' })] });
    const bad = await http().post('/api/v1/users/bulk').set(north.auth).send({ schoolId: northId, rows: [{ username: 'json.a', displayName: 'A', role: 'learner', consentObtainedFrom: 'parent' }, { username: 'json.b', displayName: '', role: 'learner' }] }).expect(400);
    expect(bad.body.error.details).toEqual([expect.objectContaining({ field: 'rows.1.displayName' })]);
  });
  const ok = await http().post('/api/v1/users/bulk').set(north.auth).send({ schoolId: northId, rows: [{ username: 'json.ok', displayName: 'Ok', role: 'learner', consentObtainedFrom: 'parent' }] }).expect(200);
  expect(ok.body).toMatchObject({ created: 1 });
});
