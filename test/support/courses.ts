/**
 * What many e2e suites set up the same way, through the real endpoints: a
 * course with a first section, a quiz attempt answered and submitted, and
 * the wait until every projection has caught up with the log.
 */
import request from 'supertest';
import { EventLog } from '../../libs/event-store/src';
import { ProjectionRunner } from '../../libs/projections/src';
import type { Session } from './auth';
import type { TestApp } from './test-app';

const http = (t: TestApp) => request(t.app.getHttpServer());

/** Creates a course (no self-enrolment) with one section, as `by`; its id. */
export async function createCourse(
  t: TestApp,
  by: Session,
  course: { schoolId: string; code: string; title?: string; subject?: string; gradeLevel?: string; section?: string },
): Promise<string> {
  const { section = 'Week 1', title = course.code, subject = 'Mathematics', ...rest } = course;
  const created = await http(t).post('/api/v1/courses').set(by.auth).send({ ...rest, title, subject, selfEnrolment: { enabled: false } }).expect(201);
  await http(t).post(`/api/v1/courses/${created.body.courseId}/sections`).set(by.auth).send({ title: section }).expect(201);
  return created.body.courseId as string;
}

/** Starts an attempt of the quiz as `who`, saves `answers` and submits it; the submitted attempt. */
export async function takeQuiz(t: TestApp, who: Session, quizId: string, answers: { questionId: string; answer: unknown }[]): Promise<{ attemptId: string; totalScore: number }> {
  const started = await http(t).post(`/api/v1/quizzes/${quizId}/attempts`).set(who.auth).expect(201);
  await http(t).put(`/api/v1/attempts/${started.body.attemptId}/answers`).set(who.auth).send({ answers }).expect(200);
  return (await http(t).post(`/api/v1/attempts/${started.body.attemptId}/submit`).set(who.auth).expect(200)).body;
}

/**
 * Waits until every projection has applied everything in the log (reads such as views are not
 * settled by their own request). A ceiling, not an expectation: a loaded machine holds the
 * asynchronous projections back for seconds.
 */
export async function caughtUp(t: TestApp, ms = 120_000): Promise<void> {
  const head = await t.app.get(EventLog).store.headPosition();
  if (head) await t.app.get(ProjectionRunner).waitFor(head, ms);
}
