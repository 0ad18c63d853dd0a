/**
 * The explorable path: a small planned term created over the real HTTP API
 * (so through the real command handlers: passwords are hashed, access is
 * checked, every action is an event with its envelope), as a platform admin.
 * Schools, their admins, teachers, learners, parents linked to a child,
 * courses with sections and resources, enrolments, skill-tagged quizzes and
 * the learners' attempts, a gradebook released to learners, resource views
 * and client-side activity. Ids are the server's; names and choices come from
 * the plan, so the same seed gives the same term.
 */
import { randomUUID } from 'node:crypto';
import { answerOf, type PersonPlan, type TermPlan } from './term';

export const DEMO_PASSWORD = 'learnstream-demo-2025';

export interface SeededAccount {
  username: string;
  password: string;
  role: string;
  displayName: string;
  school: string | null;
}

export interface SeedResult {
  accounts: SeededAccount[];
  courses: { courseId: string; title: string; school: string; teacher: string; learners: number }[];
  counts: Record<string, number>;
}

class Api {
  calls = 0;
  constructor(private readonly base: string) {}

  async call<T = unknown>(method: string, path: string, body?: unknown, token?: string, expected: number[] = [200, 201, 202, 204]): Promise<T> {
    this.calls += 1;
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: { ...(body !== undefined && { 'Content-Type': 'application/json' }), ...(token && { Authorization: `Bearer ${token}` }), 'User-Agent': 'learnstream-seed/1.0' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!expected.includes(res.status)) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 500)}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  async signIn(username: string, password: string): Promise<{ userId: string; token: string }> {
    const body = await this.call<{ userId: string; accessToken: string }>('POST', '/api/v1/auth/login', { username, password });
    return { userId: body.userId, token: body.accessToken };
  }
}

export async function seedDemo(base: string, admin: { username: string; password: string }, plan: TermPlan, log: (line: string) => void = () => undefined): Promise<SeedResult> {
  const api = new Api(base);
  const adminSession = await api.signIn(admin.username, admin.password);
  const accounts: SeededAccount[] = [];
  const sessions = new Map<PersonPlan, { userId: string; token: string }>();
  const counts: Record<string, number> = { schools: 0, accounts: 0, courses: 0, enrolments: 0, quizzes: 0, attempts: 0, activity: 0 };

  const open = async (p: PersonPlan, schoolId: string, schoolName: string, by: string) => {
    await api.call('POST', '/api/v1/users', {
      username: p.username, password: DEMO_PASSWORD, displayName: p.displayName, givenName: p.givenName, familyName: p.familyName, email: p.email,
      schoolId, role: p.role, ...(p.dateOfBirth && { dateOfBirth: p.dateOfBirth }), ...(p.gradeLevel && { gradeLevel: p.gradeLevel }),
      ...(p.role === 'learner' && { consentObtainedFrom: 'parent' }),
    }, by);
    sessions.set(p, await api.signIn(p.username, DEMO_PASSWORD));
    accounts.push({ username: p.username, password: DEMO_PASSWORD, role: p.role, displayName: p.displayName, school: schoolName });
    counts.accounts += 1;
  };

  const schoolIds: string[] = [];
  for (const school of plan.schools) {
    const { schoolId } = await api.call<{ schoolId: string }>('POST', '/api/v1/schools', { name: school.name, code: school.code, country: 'TH' }, adminSession.token);
    schoolIds.push(schoolId);
    counts.schools += 1;
    await open(school.admin, schoolId, school.name, adminSession.token);
    const adminToken = sessions.get(school.admin)!.token;
    for (const p of [...school.teachers, ...school.learners]) await open(p, schoolId, school.name, adminToken);
    for (const { parent, children } of school.parents) {
      await api.call('POST', '/api/v1/auth/register', { username: parent.username, password: DEMO_PASSWORD, displayName: parent.displayName, email: parent.email });
      const session = await api.signIn(parent.username, DEMO_PASSWORD);
      sessions.set(parent, session);
      accounts.push({ username: parent.username, password: DEMO_PASSWORD, role: `parent of ${children.map((c) => c.displayName).join(', ')}`, displayName: parent.displayName, school: null });
      for (const child of children) await api.call('POST', '/api/v1/parent-links', { childId: sessions.get(child)!.userId, parentId: session.userId }, adminToken);
    }
    log(`school ${school.name}: ${1 + school.teachers.length + school.learners.length + school.parents.length} accounts`);
  }

  const courses: SeedResult['courses'] = [];
  for (const course of plan.courses) {
    const teacher = sessions.get(course.teacher)!;
    const schoolId = schoolIds[course.schoolIndex];
    const { courseId } = await api.call<{ courseId: string }>('POST', '/api/v1/courses', { schoolId, title: course.title, code: course.code, subject: course.subject, gradeLevel: course.gradeLevel, selfEnrolment: { enabled: false } }, teacher.token);
    counts.courses += 1;
    const resources: { resourceId: string; kind: string; durationSeconds: number }[] = [];
    for (const section of course.sections) {
      await api.call('POST', `/api/v1/courses/${courseId}/sections`, { title: section.title }, teacher.token);
    }
    const { sections } = await api.call<{ sections: { sectionId: string }[] }>('GET', `/api/v1/courses/${courseId}`, undefined, teacher.token);
    for (const [k, section] of course.sections.entries()) {
      for (const r of section.resources) {
        const content = r.kind === 'video' ? { url: `https://video.example/${course.code}/${k}`, durationSeconds: r.durationSeconds } : r.kind === 'page' ? { body: `<p>${r.title}</p>` } : { fileRef: `files/${course.code}/${k}`, mimeType: 'application/pdf', sizeBytes: 250_000 };
        const { resourceId } = await api.call<{ resourceId: string }>('POST', `/api/v1/courses/${courseId}/resources`, { sectionId: sections[k].sectionId, kind: r.kind, title: r.title, content }, teacher.token);
        resources.push({ resourceId, kind: r.kind, durationSeconds: r.durationSeconds });
      }
    }
    await api.call('POST', `/api/v1/courses/${courseId}/enrolments/bulk`, { learnerIds: course.learners.map((l) => sessions.get(l)!.userId) }, teacher.token);
    counts.enrolments += course.learners.length;

    // Quizzes, attempted by most learners (right answers as likely as the learner is able).
    const quizItems: string[] = [];
    await api.call('POST', `/api/v1/courses/${courseId}/gradebook`, {}, teacher.token);
    for (const quiz of course.quizzes) {
      const created = await api.call<{ quizId: string; questions: { questionId: string }[] }>('POST', `/api/v1/courses/${courseId}/quizzes`, {
        title: quiz.title, attemptsAllowed: 2, gradingMethod: 'highest', maxGrade: quiz.maxGrade, passGrade: quiz.passGrade,
        questions: quiz.questions.map(({ questionId: _, ...q }) => q),
      }, teacher.token);
      counts.quizzes += 1;
      const item = await api.call<{ createdId: string }>('POST', `/api/v1/courses/${courseId}/gradebook/items`, { source: { kind: 'quiz', id: created.quizId } }, teacher.token);
      quizItems.push(item.createdId);
      let right = 0;
      for (const learner of course.learners) {
        const session = sessions.get(learner)!;
        right = (right * 7 + 3) % 10;
        if (right === 0) continue; // one in ten does not attempt it
        const attempt = await api.call<{ attemptId: string }>('POST', `/api/v1/quizzes/${created.quizId}/attempts`, undefined, session.token);
        const answers = quiz.questions.map((q, i) => ({ questionId: created.questions[i].questionId, answer: answerOf(q, (i * 37 + right * 13) % 100 < learner.ability * 100) }));
        await api.call('PUT', `/api/v1/attempts/${attempt.attemptId}/answers`, { answers }, session.token);
        await api.call('POST', `/api/v1/attempts/${attempt.attemptId}/submit`, undefined, session.token);
        counts.attempts += 1;
      }
    }
    await api.call('POST', `/api/v1/courses/${courseId}/gradebook/release`, {}, teacher.token);

    // Learners read the course and its resources, and their app reports what it saw.
    for (const [i, learner] of course.learners.entries()) {
      const session = sessions.get(learner)!;
      await api.call('GET', `/api/v1/courses/${courseId}`, undefined, session.token);
      const video = resources.filter((r) => r.kind === 'video')[i % 3];
      const page = resources.filter((r) => r.kind === 'page')[i % 3];
      const file = resources.filter((r) => r.kind === 'file')[i % 3];
      await api.call('GET', `/api/v1/courses/${courseId}/resources/${page.resourceId}`, undefined, session.token);
      const events = [
        ...[0.25, 0.5, 0.75, 1].filter((f) => f <= learner.ability + 0.3).map((f) => ({ id: randomUUID(), type: 'VideoProgressed', courseId, resourceId: video.resourceId, positionSeconds: Math.round(video.durationSeconds * f), durationSeconds: video.durationSeconds })),
        { id: randomUUID(), type: 'PageTimeRecorded', courseId, resourceId: page.resourceId, seconds: 60 + Math.round(600 * learner.diligence) },
        { id: randomUUID(), type: 'FileDownloaded', courseId, resourceId: file.resourceId },
      ];
      await api.call('POST', '/api/v1/activity', { events }, session.token);
      counts.activity += events.length;
    }
    courses.push({ courseId, title: course.title, school: plan.schools[course.schoolIndex].name, teacher: course.teacher.username, learners: course.learners.length });
    log(`course ${course.title} (${plan.schools[course.schoolIndex].name}): ${course.learners.length} learners, ${course.quizzes.length} quizzes`);
  }
  counts.requests = api.calls;
  return { accounts, courses, counts };
}
