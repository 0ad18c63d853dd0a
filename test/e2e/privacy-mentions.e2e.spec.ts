/**
 * The mentions report of an erasure, over HTTP (issue 14): free text in
 * other people's records that names the person erased.
 *
 * Nok is a learner; her classmate Ploy wrote an essay and a quiz answer that
 * name her, and their teacher's feedback to Ploy names her too. Nok is
 * erased. Then:
 *   - the DPO's report lists each place (record, field, owner) with an
 *     excerpt in which the name is masked; nothing in the report, or in any
 *     table, holds the name;
 *   - nobody but the DPO reads the report or redacts (403);
 *   - each mention is redacted, as an event on Ploy's record: the name is
 *     gone from every table, every report and Ploy's export (the rest of her
 *     text stays), and redacting twice changes nothing.
 * What stays, by design: Ploy's own original events, sealed under Ploy's key
 * (the log is append-only; her export shows the redacted text).
 */
import pg from 'pg';
import request from 'supertest';
import { EventLog } from '../../libs/event-store/src';
import { ProjectionRunner } from '../../libs/projections/src';
import { createSchool, openAccount, PASSWORD, registerUser, signIn, signInAdmin, type Session } from '../support/auth';
import { createTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
let db: pg.Client;
const api = () => request(t.app.getHttpServer());

const NOK = { given: 'Nokyoong', family: 'Wattanakul', display: 'Nokyoong Wattanakul', old: 'Nokyung Wattanakul' };
const NEEDLES = [NOK.given, NOK.family, NOK.old];

let admin: Session;
let schoolAdmin: Session;
let teacher: Session;
let dpo: Session;
let nok: Session;
let ploy: Session;
let course: string;
let essay: string;
let quiz: { quizId: string; questions: { questionId: string }[] };
let erasureId: string;

async function settled(): Promise<void> {
  const head = await t.app.get(EventLog).store.headPosition();
  if (head) await t.app.get(ProjectionRunner).waitFor(head, 120_000);
}

const found = (text: string) => NEEDLES.filter((n) => text.toLowerCase().includes(n.toLowerCase()));

/** Every row of every table but the event store's, as JSON text, with the needles it holds. */
async function tablesNaming(): Promise<{ table: string; found: string[] }[]> {
  const { rows } = await db.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name NOT IN ('events', 'streams') ORDER BY 1`);
  const out: { table: string; found: string[] }[] = [];
  for (const { table_name } of rows) {
    for (const r of (await db.query(`SELECT row_to_json(t)::text AS row FROM "${table_name}" t`)).rows) if (found(r.row).length) out.push({ table: table_name, found: found(r.row) });
  }
  return out;
}

beforeAll(async () => {
  t = await createTestApp();
  db = new pg.Client({ connectionString: t.db.url });
  await db.connect();
  admin = await signInAdmin(t);
  const school = await createSchool(t, admin, 'Mention School');
  schoolAdmin = await openAccount(t, admin, { schoolId: school, role: 'school_admin' });
  teacher = await openAccount(t, schoolAdmin, { schoolId: school, role: 'teacher', displayName: 'Teacher Anan' });
  dpo = await registerUser(t);
  await api().put(`/api/v1/users/${dpo.userId}/roles/dpo`).set(admin.auth).expect(204);
  dpo = await signIn(t, dpo.username, PASSWORD);
  nok = await openAccount(t, schoolAdmin, { schoolId: school, role: 'learner', displayName: NOK.old, ...({ givenName: NOK.given, familyName: NOK.family } as object) });
  ploy = await openAccount(t, schoolAdmin, { schoolId: school, role: 'learner', displayName: 'Ploy Chaiyo' });
  // Nok corrects her name: the old one is hers too, and is looked for.
  await api().patch(`/api/v1/users/${nok.userId}`).set(nok.auth).send({ displayName: NOK.display }).expect(204);

  course = (await api().post('/api/v1/courses').set(teacher.auth).send({ schoolId: school, title: 'Stories', code: 'THA-2', subject: 'Thai', selfEnrolment: { enabled: false } }).expect(201)).body.courseId;
  await api().post(`/api/v1/courses/${course}/sections`).set(teacher.auth).send({ title: 'Term 1' }).expect(201);
  await api().post(`/api/v1/courses/${course}/enrolments/bulk`).set(teacher.auth).send({ learnerIds: [nok.userId, ploy.userId] }).expect(200);
  essay = (await api().post(`/api/v1/courses/${course}/assignments`).set(teacher.auth).send({ title: 'My friend', submissionTypes: ['text'], maxGrade: 10 }).expect(201)).body.assignmentId;
  quiz = (
    await api()
      .post(`/api/v1/courses/${course}/quizzes`)
      .set(teacher.auth)
      .send({ title: 'Who helped you?', attemptsAllowed: 1, gradingMethod: 'highest', maxGrade: 1, questions: [{ kind: 'short_answer', text: 'Who helped you?', points: 1, skills: ['reflection'], accepted: ['my teacher'], caseSensitive: false }] })
      .expect(201)
  ).body;

  await api().post(`/api/v1/assignments/${essay}/submissions`).set(ploy.auth).send({ text: `My best friend is ${NOK.display}. ${NOK.given} lives by the river.` }).expect(201);
  await api().post(`/api/v1/assignments/${essay}/submissions/${ploy.userId}/grade`).set(teacher.auth).send({ grade: 8, feedback: `Lovely portrait of ${NOK.old}` }).expect(200);
  const attempt = (await api().post(`/api/v1/quizzes/${quiz.quizId}/attempts`).set(ploy.auth).expect(201)).body.attemptId;
  await api().put(`/api/v1/attempts/${attempt}/answers`).set(ploy.auth).send({ answers: [{ questionId: quiz.questions[0].questionId, answer: `${NOK.given} helped me` }] }).expect(200);
  await api().post(`/api/v1/attempts/${attempt}/submit`).set(ploy.auth).expect(200);
  await settled();
}, 180_000);

afterAll(async () => {
  await db?.end();
  await t?.close();
});

describe('the mentions report of an erasure', () => {
  it('Nok is erased; the DPO’s report lists where her names stood in Ploy’s record, masked, and keeps no name', async () => {
    erasureId = (await api().post('/api/v1/privacy/requests').set(nok.auth).send({ type: 'erasure' }).expect(201)).body.requestId;
    await api().post(`/api/v1/privacy/requests/${erasureId}/approve`).set(dpo.auth).send({}).expect(200);
    await settled();
    const report = await api().get(`/api/v1/privacy/requests/${erasureId}/mentions`).set(dpo.auth).expect(200);
    const mentions = report.body.mentions as { mentionId: string; ownerId: string; record: string; field: string; excerpt: string; redactedAt: string | null }[];
    expect(mentions.map((m) => [m.ownerId, m.record, m.field]).sort()).toEqual(
      [
        [ploy.userId, 'assignment_submission', 'text'],
        [ploy.userId, 'assignment_submission', 'text'],
        [ploy.userId, 'assignment_submission', 'feedback'],
        [ploy.userId, 'quiz_attempt', `answer:${quiz.questions[0].questionId}`],
      ].sort(),
    );
    expect(mentions.every((m) => m.excerpt.includes('█') && m.redactedAt === null)).toBe(true);
    expect(mentions.find((m) => m.field === 'feedback')!.excerpt).toBe(`Lovely portrait of ${'█'.repeat(NOK.old.length)}`);
    expect(found(report.text)).toEqual([]);
    // Until redacted, the name is in Ploy's record only (her submission, feedback and answer).
    expect([...new Set((await tablesNaming()).map((h) => h.table))].sort()).toEqual(['assignment_submissions', 'quiz_attempts']);
  });

  it('nobody but the DPO reads the report or redacts', async () => {
    for (const who of [teacher, schoolAdmin, admin, ploy]) {
      await api().get(`/api/v1/privacy/requests/${erasureId}/mentions`).set(who.auth).expect(403);
    }
    const [first] = (await api().get(`/api/v1/privacy/requests/${erasureId}/mentions`).set(dpo.auth).expect(200)).body.mentions;
    for (const who of [teacher, admin, ploy]) await api().post(`/api/v1/privacy/mentions/${first.mentionId}/redact`).set(who.auth).expect(403);
    await api().post('/api/v1/privacy/mentions/5d9b7b4e-2d2a-4a8e-9a65-3c1f0e7e9a11/redact').set(dpo.auth).expect(404);
    await api().post('/api/v1/privacy/mentions/not-an-id/redact').set(dpo.auth).expect(400);
  });

  it('each redaction rectifies Ploy’s record: the name is gone from every table, report and her export; the rest stays', async () => {
    const { mentions } = (await api().get(`/api/v1/privacy/requests/${erasureId}/mentions`).set(dpo.auth).expect(200)).body;
    for (const m of mentions) {
      const redacted = await api().post(`/api/v1/privacy/mentions/${m.mentionId}/redact`).set(dpo.auth).expect(200);
      expect(redacted.body).toMatchObject({ mentionId: m.mentionId, redactedAt: expect.any(String) });
    }
    await settled();
    // Twice changes nothing.
    const again = await api().post(`/api/v1/privacy/mentions/${mentions[0].mentionId}/redact`).set(dpo.auth).expect(200);
    const redactions = (await db.query(`SELECT count(*)::int AS n FROM events WHERE event_type = 'PersonalDataRedacted'`)).rows[0].n;
    expect(redactions).toBe(mentions.length);
    expect(again.body.redactedAt).toBe((await api().get(`/api/v1/privacy/requests/${erasureId}/mentions`).set(dpo.auth)).body.mentions.find((x: { mentionId: string }) => x.mentionId === mentions[0].mentionId).redactedAt);

    expect(await tablesNaming()).toEqual([]);
    const submission = await api().get(`/api/v1/assignments/${essay}/submissions/${ploy.userId}`).set(teacher.auth).expect(200);
    expect(submission.body.text).toBe(`My best friend is ${'█'.repeat(NOK.display.length)}. ${'█'.repeat(NOK.given.length)} lives by the river.`);
    const reports = [
      await api().get(`/api/v1/assignments/${essay}/submissions`).set(teacher.auth).expect(200),
      await api().get(`/api/v1/quizzes/${quiz.quizId}/attempts`).set(teacher.auth).expect(200),
      await api().get(`/api/v1/reports/courses/${course}`).set(teacher.auth).expect(200),
      await api().get(`/api/v1/reports/learners/${ploy.userId}`).set(teacher.auth).expect(200),
    ];
    expect(reports.flatMap((r) => found(r.text))).toEqual([]);
    const exported = await api().get('/api/v1/privacy/export').set(ploy.auth).expect(200);
    expect(found(exported.text)).toEqual([]);
    expect(exported.text).toContain('lives by the river');
    const xapi = await api().get('/api/v1/privacy/export?format=xapi').set(ploy.auth).expect(200);
    expect(found(xapi.text)).toEqual([]);
  });
});
