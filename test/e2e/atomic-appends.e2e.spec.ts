/**
 * A change that writes several events writes them in ONE atomic append, even
 * across streams: creating a quiz, an assignment or an offline test records
 * CourseActivityAdded on the course and the activity's own events on its new
 * stream together. A fault at the append of the second part (here a NUL byte
 * in a title, which the edge would refuse first: the command is sent behind
 * it, so the refusal comes from the stored-event layer) leaves nothing written:
 * no event, no activity in the course, no dead letter.
 */
import { CommandBus } from '@nestjs/cqrs';
import request from 'supertest';
import type { Actor } from '../../libs/access/src';
import { CreateAssignmentCommand, CreateOfflineTestCommand, CreateQuizCommand } from '../../libs/assessments/src';
import { countEvents, createSchool, openAccount, signInAdmin, type Session } from '../support/auth';
import { createTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
let teacher: Session;
let actor: Actor;
let courseId: string;
const http = () => request(t.app.getHttpServer());

const deadLetters = async (): Promise<number> => {
  const res = await http().get('/api/v1/admin/projections/dead-letters').set({ Authorization: `Bearer ${t.opsToken}` }).expect(200);
  return (res.body.deadLetters as unknown[]).length;
};
const activities = async (): Promise<string[]> => {
  const res = await http().get(`/api/v1/courses/${courseId}`).set(teacher.auth).expect(200);
  return (res.body.sections as { activities?: { activityId: string }[] }[]).flatMap((s) => (s.activities ?? []).map((a) => a.activityId));
};
const QUESTION = { kind: 'true_false', text: 'Every square is a rectangle.', points: 1, skills: ['logic'], correct: true };

beforeAll(async () => {
  t = await createTestApp();
  const admin = await signInAdmin(t);
  const school = await createSchool(t, admin, 'Atomic School');
  const schoolAdmin = await openAccount(t, admin, { schoolId: school, role: 'school_admin' });
  teacher = await openAccount(t, schoolAdmin, { schoolId: school, role: 'teacher' });
  const me = await http().get('/api/v1/me').set(teacher.auth).expect(200);
  actor = { userId: teacher.userId, realActorId: null, sessionId: 'atomic-appends', platformRoles: me.body.platformRoles ?? [], request: null };
  const created = await http().post('/api/v1/courses').set(teacher.auth).send({ schoolId: school, title: 'Atomic', code: 'ATOM-1', subject: 'Mathematics', selfEnrolment: { enabled: false } }).expect(201);
  courseId = created.body.courseId;
  await http().post(`/api/v1/courses/${courseId}/sections`).set(teacher.auth).send({ title: 'Week 1' }).expect(201);
}, 120_000);

afterAll(async () => {
  await t.close();
});

const faults: [string, () => unknown][] = [
  ['a quiz whose title holds a NUL', () => new CreateQuizCommand(actor, courseId, { title: 'Quiz\u0000one', attemptsAllowed: 1, gradingMethod: 'highest', maxGrade: 10, passGrade: 5 } as never)],
  [
    'a quiz whose second question holds a NUL',
    () => new CreateQuizCommand(actor, courseId, { title: 'Quiz two', attemptsAllowed: 1, gradingMethod: 'highest', maxGrade: 10, passGrade: 5, questions: [QUESTION, { ...QUESTION, text: 'Is\u0000it?' }] } as never),
  ],
  ['an assignment whose title holds a NUL', () => new CreateAssignmentCommand(actor, courseId, { title: 'Essay\u0000', maxGrade: 10, passGrade: 5 } as never)],
  ['an offline test whose title holds a NUL', () => new CreateOfflineTestCommand(actor, courseId, { title: 'Paper\u0000test', maxGrade: 20, passGrade: 10 } as never)],
];

describe('a multi-event change is one atomic append', () => {
  it.each(faults)('%s: refused, and neither the course nor the activity stream is written', async (_name, command) => {
    // Reading the course records a view: read it before counting, and after.
    const listed = await activities();
    const [events, letters] = [await countEvents(t), await deadLetters()];
    await expect(t.app.get(CommandBus).execute(command() as CreateQuizCommand)).rejects.toBeDefined();
    expect(await countEvents(t)).toBe(events);
    expect(await deadLetters()).toBe(letters);
    expect(await activities()).toEqual(listed);
  });

  it('the same creations without the fault write the course activity and the new stream together', async () => {
    const before = await countEvents(t);
    const quiz = await http()
      .post(`/api/v1/courses/${courseId}/quizzes`)
      .set(teacher.auth)
      .send({ title: 'Quiz three', attemptsAllowed: 1, gradingMethod: 'highest', maxGrade: 10, passGrade: 5, questions: [QUESTION, QUESTION] })
      .expect(201);
    // CourseActivityAdded + QuizCreated + two QuestionAdded.
    expect(await countEvents(t)).toBe(before + 4);
    expect(await activities()).toContain(quiz.body.quizId);
    await http().get(`/api/v1/quizzes/${quiz.body.quizId}`).set(teacher.auth).expect(200);
  });
});
