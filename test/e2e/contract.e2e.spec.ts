/**
 * The typed contract: /docs-json passes Redocly's lint with no error, a client
 * generated from it by openapi-typescript compiles a program that uses the typed
 * answers of /me, a course, the class report and the course log, and the real
 * answers of the API (a seeded term, over HTTP) validate against the schemas the
 * operations declare — with no property left undeclared, so the response DTOs
 * cannot drift from what the handlers return.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import openapiTS, { astToString } from 'openapi-typescript';
import { createSeededTerm, type SeededTerm } from '../support/seeded-term';
import { TEST_ADMIN } from '../support/test-app';

const run = promisify(execFile);
const ROOT = new URL('../..', import.meta.url).pathname;

interface Operation {
  summary?: string;
  security?: Record<string, string[]>[];
  parameters?: { name: string; in: string }[];
  responses: Record<string, { content?: Record<string, { schema?: object }> }>;
}
interface OpenApi {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, object>; securitySchemes: Record<string, object> };
}

let s: SeededTerm;
let spec: OpenApi;
let dir: string;

beforeAll(async () => {
  s = await createSeededTerm();
  const res = await fetch(`${s.base}/docs-json`);
  spec = (await res.json()) as OpenApi;
  dir = mkdtempSync(join(tmpdir(), 'learnstream-contract-'));
  writeFileSync(join(dir, 'openapi.json'), JSON.stringify(spec));
}, 900_000);

afterAll(async () => {
  await s?.t.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const operations = () =>
  Object.entries(spec.paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ path, method, op, name: `${method.toUpperCase()} ${path}` })));

describe('the OpenAPI document', () => {
  it('passes Redocly lint (recommended rules, redocly.yaml) with no error', async () => {
    const out = await run(process.execPath, [join(ROOT, 'node_modules/@redocly/cli/bin/cli.js'), 'lint', join(dir, 'openapi.json'), '--config', join(ROOT, 'redocly.yaml'), '--format', 'json', '--max-problems', '1000'], {
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' },
      maxBuffer: 64 * 1024 * 1024,
    }).catch((e: { stdout: string; stderr: string }) => e);
    const report = JSON.parse(out.stdout) as { problems: { ruleId: string; severity: string; message: string; location: { pointer: string }[] }[] };
    const errors = report.problems.filter((p) => p.severity === 'error').map((p) => `${p.ruleId}: ${p.message} at ${p.location[0]?.pointer}`);
    expect(errors).toEqual([]);
  }, 120_000);

  it('gives every operation a summary and a success answer with its body\'s schema (or 204, a file, an event stream)', () => {
    const untyped = operations().flatMap(({ name, op }) => {
      const problems: string[] = [];
      if (!op.summary) problems.push(`${name}: no summary`);
      const success = Object.entries(op.responses).filter(([status]) => /^2/.test(status));
      if (success.length === 0) problems.push(`${name}: no success response`);
      for (const [status, response] of success) {
        if (status === '204') continue;
        const media = Object.entries(response.content ?? {});
        if (media.length === 0 || media.some(([, m]) => !m.schema)) problems.push(`${name}: ${status} declares no body schema`);
      }
      return problems;
    });
    // Every operation is counted: not one may be left untyped.
    expect(operations().length).toBeGreaterThan(140);
    expect(untyped).toEqual([]);
  });

  it('declares no property as a bare object (a generated client types it Record<string, never>): `string | null` and unions name their type', () => {
    type Schema = { type?: string; properties?: Record<string, Schema>; additionalProperties?: unknown; oneOf?: unknown; allOf?: unknown; $ref?: string };
    const bare = Object.entries(spec.components.schemas as Record<string, Schema>).flatMap(([name, schema]) =>
      Object.entries(schema.properties ?? {})
        .filter(([, p]) => p.type === 'object' && !p.properties && p.additionalProperties === undefined && !p.oneOf && !p.allOf && !p.$ref)
        .map(([property]) => `${name}.${property}`),
    );
    expect(bare).toEqual([]);
  });

  it('declares the LRS\'s basic scheme, and calls open only what answers without credentials', async () => {
    expect(spec.components.securitySchemes).toMatchObject({ bearer: { type: 'http', scheme: 'bearer' }, basic: { type: 'http', scheme: 'basic' } });
    const open = operations().filter(({ op }) => op.security?.length === 0);
    expect(open.map((o) => o.name).sort()).toEqual(
      ['GET /health', 'GET /xapi/about', 'POST /api/v1/auth/login', 'POST /api/v1/auth/password', 'POST /api/v1/auth/refresh', 'POST /api/v1/auth/register'].sort(),
    );
    for (const { path, method } of open) {
      const res = await fetch(`${s.base}${path}`, { method: method.toUpperCase(), headers: { 'Content-Type': 'application/json' }, ...(method !== 'get' && { body: '{}' }) });
      expect([path, res.status === 401]).toEqual([path, false]);
    }
  });
});

describe('a client generated from /docs-json (openapi-typescript)', () => {
  it('types /me, a course, the class report and the course log, and a program using them compiles', async () => {
    const types = astToString(await openapiTS(JSON.parse(JSON.stringify(spec)) as Parameters<typeof openapiTS>[0]));
    writeFileSync(join(dir, 'api.ts'), types);
    // Equal<A, B> fails the compile when a response is typed never/unknown or a field has the wrong type.
    writeFileSync(
      join(dir, 'program.ts'),
      `import type { paths } from './api';
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;
type Json<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends { responses: { 200: { content: { 'application/json': infer B } } } } ? B : never;

export type Me = Json<'/api/v1/me', 'get'>;
export type Course = Json<'/api/v1/courses/{id}', 'get'>;
export type ClassReport = Json<'/api/v1/reports/courses/{id}', 'get'>;
export type CourseLog = Json<'/api/v1/courses/{id}/logs', 'get'>;

export type Checks = [
  Expect<Equal<Me['account']['username'], string>>,
  Expect<Equal<Me['impersonatedBy'], string | null>>,
  Expect<Equal<Course['title'], string>>,
  Expect<Equal<Course['sections'][number]['resources'][number]['visible'], boolean>>,
  Expect<Equal<ClassReport['summary']['meanGrade'], number | null>>,
  Expect<Equal<ClassReport['participants'][number]['completion']['courseCompleted'], boolean>>,
  Expect<Equal<CourseLog['rows'][number]['eventType'], string>>,
  Expect<Equal<CourseLog['nextCursor'], string | null>>,
];

/** What a dashboard would show: typed all the way, no cast. */
export function headline(me: Me, course: Course, report: ClassReport, log: CourseLog): string {
  const who = me.account.displayName ?? me.account.username;
  const sections = course.sections.map((s) => \`\${s.title} (\${s.resources.length})\`).join(', ');
  const atRisk = report.participants.filter((p) => p.atRisk?.flagged).map((p) => p.displayName ?? p.learnerId);
  const last = log.rows[0];
  return [who, course.title, sections, report.summary.learners.toFixed(0), atRisk.join(', '), last ? \`\${last.eventType} by \${last.actor?.displayName ?? 'system'}\` : 'no events'].join(' | ');
}
`,
    );
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { strict: true, noEmit: true, target: 'es2022', module: 'nodenext', moduleResolution: 'nodenext', types: [], skipLibCheck: false }, files: ['program.ts'] }),
    );
    const tsc = await run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(dir, 'tsconfig.json')], { cwd: dir }).catch((e: { stdout: string }) => e);
    expect(tsc.stdout).toBe('');
  }, 120_000);
});

/** JSON Schema of a response from the OpenAPI 3.0 document: nullable → null allowed, and no property beyond the declared ones. */
function strict(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(strict);
  if (!schema || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === 'example' || k === 'nullable') continue;
    out[k] = k === '$ref' ? String(v).replace('#/components/schemas/', 'openapi#/components/schemas/') : k === 'properties' ? Object.fromEntries(Object.entries(v as object).map(([p, s]) => [p, strict(s)])) : strict(v);
  }
  if (out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
  return (schema as { nullable?: boolean }).nullable ? { anyOf: [out, { type: 'null' }] } : out;
}

describe('the real answers validate against the declared schemas', () => {
  let ajv: Ajv;
  beforeAll(() => {
    ajv = new Ajv({ allErrors: true, strict: false });
    addFormats.default(ajv);
    ajv.addSchema({ $id: 'openapi', components: { schemas: strict(spec.components.schemas) } });
  });

  const validators = new Map<string, ValidateFunction>();
  function validatorOf(path: string, method: string, status: number): ValidateFunction {
    const key = `${method} ${path} ${status}`;
    if (!validators.has(key)) {
      const schema = spec.paths[path]?.[method]?.responses[String(status)]?.content?.['application/json']?.schema;
      if (!schema) throw new Error(`${key}: no JSON schema declared`);
      validators.set(key, ajv.compile(strict(schema) as object));
    }
    return validators.get(key)!;
  }

  async function token(username: string, password = s.password): Promise<string> {
    const res = await fetch(`${s.base}/api/v1/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username, password }) });
    const body = (await res.json()) as { accessToken: string };
    if (res.status !== 200) throw new Error(`sign-in of ${username}: ${res.status} ${JSON.stringify(body)}`);
    return body.accessToken;
  }

  /** Calls `url` as `template` declares it (with `body` as JSON) and checks the answer against the declared schema; returns the body. */
  async function check<T = Record<string, unknown>>(bearer: string, template: string, url: string, method = 'get', status = 200, body?: unknown): Promise<T> {
    const res = await fetch(`${s.base}${url}`, {
      method: method.toUpperCase(),
      headers: { Authorization: `Bearer ${bearer}`, ...(body !== undefined && { 'Content-Type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const answer: unknown = await res.json();
    expect([url, res.status, res.status === status ? null : answer]).toEqual([url, status, null]);
    const validate = validatorOf(template, method, status);
    expect([url, validate(answer) ? [] : validate.errors]).toEqual([url, []]);
    return answer as T;
  }

  it('for a learner, a teacher and school and platform admins', async () => {
    const byRole = (role: string) => s.seed.accounts.find((a) => a.role === role)!.username;
    const teacher = await token(byRole('teacher'));
    const learner = await token(byRole('learner'));
    const admin = await token(TEST_ADMIN.username, TEST_ADMIN.password);

    const me = await check<{ account: { userId: string } }>(teacher, '/api/v1/me', '/api/v1/me');
    const learnerMe = await check<{ account: { userId: string } }>(learner, '/api/v1/me', '/api/v1/me');
    await check(admin, '/api/v1/me', '/api/v1/me');
    await check(teacher, '/api/v1/users/{id}', `/api/v1/users/${learnerMe.account.userId}`);
    await check(admin, '/api/v1/users/{id}', `/api/v1/users/${me.account.userId}`);

    const mine = await check<{ courses: { courseId: string; viewer: { role: string | null } }[] }>(teacher, '/api/v1/courses', '/api/v1/courses?mine=true');
    const courseId = mine.courses.find((c) => c.viewer.role === 'teacher')!.courseId;
    await check(admin, '/api/v1/courses', '/api/v1/courses');
    await check(teacher, '/api/v1/courses/{id}', `/api/v1/courses/${courseId}`);
    const learnerCourses = await check<{ courses: { courseId: string }[] }>(learner, '/api/v1/courses', '/api/v1/courses?mine=true');

    // One paging convention: following `next` from a first page of 2 gives every course once, in order, and `total` says how many.
    const all = await check<{ courses: { courseId: string }[]; total: number; next: string | null }>(admin, '/api/v1/courses', '/api/v1/courses?limit=500');
    expect(all.next).toBeNull();
    expect(all.total).toBe(all.courses.length);
    expect(all.total).toBeGreaterThan(2);
    const paged: string[] = [];
    for (let next: string | null = '/api/v1/courses?limit=2'; next; ) {
      const page: { courses: { courseId: string }[]; total: number; next: string | null } = await check(admin, '/api/v1/courses', next);
      expect(page.total).toBe(all.total);
      expect(page.courses.length).toBeLessThanOrEqual(2);
      paged.push(...page.courses.map((c) => c.courseId));
      next = page.next;
    }
    expect(paged).toEqual(all.courses.map((c) => c.courseId));
    const refused = await fetch(`${s.base}/api/v1/courses?cursor=not-a-cursor`, { headers: { Authorization: `Bearer ${admin}` } });
    expect([refused.status, ((await refused.json()) as { error: { code: string } }).error.code]).toEqual([400, 'VALIDATION_FAILED']);
    await check(learner, '/api/v1/courses/{id}', `/api/v1/courses/${learnerCourses.courses[0].courseId}`);

    const report = await check<{ participants: unknown[] }>(teacher, '/api/v1/reports/courses/{id}', `/api/v1/reports/courses/${courseId}`);
    expect(report.participants.length).toBeGreaterThan(0);
    const log = await check<{ rows: unknown[]; nextCursor: string | null }>(teacher, '/api/v1/courses/{id}/logs', `/api/v1/courses/${courseId}/logs?limit=5`);
    expect(log.rows).toHaveLength(5);
    await check(teacher, '/api/v1/courses/{id}/logs', `/api/v1/courses/${courseId}/logs?limit=5&cursor=${log.nextCursor}`);

    const learnerId = (report.participants[0] as { learnerId: string }).learnerId;
    const profile = await check<{ timeline: { nextCursor: string | null } }>(teacher, '/api/v1/reports/learners/{id}', `/api/v1/reports/learners/${learnerId}?limit=2`);
    await check(learner, '/api/v1/reports/learners/{id}', `/api/v1/reports/learners/${learnerMe.account.userId}`);
    await check(teacher, '/api/v1/reports/learners/{id}/timeline', `/api/v1/reports/learners/${learnerId}/timeline?limit=2&cursor=${encodeURIComponent(profile.timeline.nextCursor!)}`);
    const schoolAdmin = await token(byRole('school_admin'));
    const schoolId = (await check<{ memberships: { schoolId: string; role: string }[] }>(schoolAdmin, '/api/v1/me', '/api/v1/me')).memberships.find((m) => m.role === 'school_admin')!.schoolId;
    await check(schoolAdmin, '/api/v1/reports/schools/{id}', `/api/v1/reports/schools/${schoolId}`);

    // The school's directory pages the same way (it used to refuse `limit`).
    const directory = await check<{ members: { userId: string }[]; total: number; next: string | null }>(schoolAdmin, '/api/v1/schools/{id}/members', `/api/v1/schools/${schoolId}/members?limit=500`);
    expect(directory.total).toBe(directory.members.length);
    expect(directory.total).toBeGreaterThan(3);
    const members: string[] = [];
    for (let next: string | null = `/api/v1/schools/${schoolId}/members?limit=3`; next; ) {
      const page: { members: { userId: string }[]; total: number; next: string | null } = await check(schoolAdmin, '/api/v1/schools/{id}/members', next);
      expect(page.total).toBe(directory.total);
      members.push(...page.members.map((m) => m.userId));
      next = page.next;
    }
    expect(members).toEqual(directory.members.map((m) => m.userId));
    await check(admin, '/api/v1/reports/usage', '/api/v1/reports/usage?by=school');
    await check(admin, '/api/v1/admin/projections', '/api/v1/admin/projections');
    await check(admin, '/api/v1/admin/projections/dead-letters', '/api/v1/admin/projections/dead-letters');
  }, 300_000);

  it('for every other operation: accounts, schools, enrolments, resources, quizzes, attempts, assignments, offline tests, gradebook, grades, completion, activity, xAPI, health, privacy', async () => {
    const byRole = (role: string) => s.seed.accounts.find((a) => a.role === role)!.username;
    const teacher = await token(byRole('teacher'));
    const admin = await token(TEST_ADMIN.username, TEST_ADMIN.password);
    const mine = await check<{ courses: { courseId: string; viewer: { role: string | null } }[] }>(teacher, '/api/v1/courses', '/api/v1/courses?mine=true');
    const courseId = mine.courses.find((c) => c.viewer.role === 'teacher')!.courseId;
    const course = await check<{ schoolId: string; sections: { sectionId: string; resources: { resourceId: string }[]; activities: { activityId: string; kind: string }[] }[] }>(
      teacher,
      '/api/v1/courses/{id}',
      `/api/v1/courses/${courseId}`,
    );
    const { schoolId } = course;

    // A learner opened and enrolled here, so the writes below start from a known state.
    const username = `contract-${Date.now().toString(36)}`;
    const opened = await check<{ userId: string }>(admin, '/api/v1/users', '/api/v1/users', 'post', 201, {
      username,
      password: s.password,
      displayName: 'Contract Learner',
      schoolId,
      role: 'learner',
      consentObtainedFrom: 'parent',
    });
    const reset = await check<{ temporaryPassword: string }>(admin, '/api/v1/users/{id}/password-reset', `/api/v1/users/${opened.userId}/password-reset`, 'post', 200);
    expect(typeof reset.temporaryPassword).toBe('string');
    await check(admin, '/api/v1/users/{id}/impersonations', `/api/v1/users/${opened.userId}/impersonations`);
    await check(admin, '/api/v1/schools', '/api/v1/schools?includeArchived=true');
    await check(admin, '/api/v1/schools/{id}/classes', `/api/v1/schools/${schoolId}/classes`);
    await check(admin, '/api/v1/schools/{id}/transfers', `/api/v1/schools/${schoolId}/transfers`);
    await check(admin, '/api/v1/schools/{id}/parent-links', `/api/v1/schools/${schoolId}/parent-links`);
    await check(admin, '/api/v1/users/{id}/affiliations', `/api/v1/users/${opened.userId}/affiliations`);
    await check(admin, '/api/v1/users/{id}/parent-links', `/api/v1/users/${opened.userId}/parent-links`);
    const enrolled = await check<{ learnerId: string }>(teacher, '/api/v1/courses/{id}/enrolments', `/api/v1/courses/${courseId}/enrolments`, 'post', 201, { learnerId: opened.userId });
    expect(enrolled.learnerId).toBe(opened.userId);
    const participants = await check<{ participants: { learnerId: string }[] }>(teacher, '/api/v1/courses/{id}/enrolments', `/api/v1/courses/${courseId}/enrolments?includeUnenrolled=true`);
    expect(participants.participants.map((p) => p.learnerId)).toContain(opened.userId);
    const changed = await fetch(`${s.base}/api/v1/auth/password`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username, currentPassword: reset.temporaryPassword, newPassword: `${s.password}-2` }),
    });
    expect(changed.status).toBeLessThan(300);
    const learner = await token(username, `${s.password}-2`);
    await check(learner, '/api/v1/transfers', '/api/v1/transfers');

    const resourceId = course.sections.flatMap((x) => x.resources)[0].resourceId;
    await check(learner, '/api/v1/courses/{id}/resources/{resourceId}', `/api/v1/courses/${courseId}/resources/${resourceId}`);
    await check(teacher, '/api/v1/courses/{id}/resources/{resourceId}', `/api/v1/courses/${courseId}/resources/${resourceId}`);

    // A quiz of the seed, seen by its teacher (with the answers) and by the learner, who takes it.
    const quizId = course.sections.flatMap((x) => x.activities).find((a) => a.kind === 'quiz')!.activityId;
    await check(teacher, '/api/v1/quizzes/{quizId}', `/api/v1/quizzes/${quizId}`);
    await check(teacher, '/api/v1/quizzes/{quizId}/attempts', `/api/v1/quizzes/${quizId}/attempts`);
    const quiz = await check<{ questions: { questionId: string; kind: string; choices?: { id: string }[] }[] }>(learner, '/api/v1/quizzes/{quizId}', `/api/v1/quizzes/${quizId}`);
    const started = await check<{ attemptId: string }>(learner, '/api/v1/quizzes/{quizId}/attempts', `/api/v1/quizzes/${quizId}/attempts`, 'post', 201);
    const answerOf = (q: { kind: string; choices?: { id: string }[] }): unknown =>
      q.kind === 'multiple_choice_single' ? q.choices![0].id : q.kind === 'multiple_choice_multi' ? [q.choices![0].id] : q.kind === 'true_false' ? true : q.kind === 'numeric' ? 1 : 'an answer';
    await check(learner, '/api/v1/attempts/{attemptId}/answers', `/api/v1/attempts/${started.attemptId}/answers`, 'put', 200, {
      answers: quiz.questions.map((q) => ({ questionId: q.questionId, answer: answerOf(q) })),
    });
    await check(learner, '/api/v1/attempts/{attemptId}', `/api/v1/attempts/${started.attemptId}`);
    await check(learner, '/api/v1/attempts/{attemptId}/submit', `/api/v1/attempts/${started.attemptId}/submit`, 'post', 200);
    await check(learner, '/api/v1/attempts/{attemptId}', `/api/v1/attempts/${started.attemptId}`);
    await check(learner, '/api/v1/quizzes/{quizId}/attempts', `/api/v1/quizzes/${quizId}/attempts`);

    // A new quiz: created, changed, its questions added, replaced and removed.
    const question = { kind: 'true_false', text: 'The sky is blue.', points: 1, skills: ['sky'], correct: true };
    const created = await check<{ quizId: string }>(teacher, '/api/v1/courses/{courseId}/quizzes', `/api/v1/courses/${courseId}/quizzes`, 'post', 201, { title: 'Contract quiz', attemptsAllowed: 0, gradingMethod: 'highest', maxGrade: 10, questions: [{ ...question, questionId: randomUUID() }] });
    await check(teacher, '/api/v1/quizzes/{quizId}', `/api/v1/quizzes/${created.quizId}`, 'patch', 200, { title: 'Contract quiz, renamed' });
    const added = await check<{ questions: { questionId: string }[] }>(teacher, '/api/v1/quizzes/{quizId}/questions', `/api/v1/quizzes/${created.quizId}/questions`, 'post', 201, {
      question: { ...question, text: 'Water is wet.' },
    });
    const second = added.questions[1].questionId;
    await check(teacher, '/api/v1/quizzes/{quizId}/questions/{questionId}', `/api/v1/quizzes/${created.quizId}/questions/${second}`, 'patch', 200, { question: { ...question, text: 'Ice is cold.' } });
    await check(teacher, '/api/v1/quizzes/{quizId}/questions/{questionId}', `/api/v1/quizzes/${created.quizId}/questions/${second}`, 'delete', 200);

    // An assignment: submitted by the learner, graded, reopened.
    const assignment = await check<{ assignmentId: string }>(teacher, '/api/v1/courses/{courseId}/assignments', `/api/v1/courses/${courseId}/assignments`, 'post', 201, {
      title: 'Contract essay',
      submissionTypes: ['text'],
      maxGrade: 20,
      passGrade: 10,
    });
    const a = assignment.assignmentId;
    await check(teacher, '/api/v1/assignments/{assignmentId}', `/api/v1/assignments/${a}`, 'patch', 200, { instructions: 'Two pages.' });
    await check(learner, '/api/v1/assignments/{assignmentId}', `/api/v1/assignments/${a}`);
    await check(learner, '/api/v1/assignments/{assignmentId}/submissions', `/api/v1/assignments/${a}/submissions`, 'post', 201, { text: 'My essay.' });
    await check(teacher, '/api/v1/assignments/{assignmentId}/submissions/{learnerId}/grade', `/api/v1/assignments/${a}/submissions/${opened.userId}/grade`, 'post', 200, { grade: 15, feedback: 'Good.' });
    await check(teacher, '/api/v1/assignments/{assignmentId}/submissions', `/api/v1/assignments/${a}/submissions`);
    await check(learner, '/api/v1/assignments/{assignmentId}/submissions/{learnerId}', `/api/v1/assignments/${a}/submissions/${opened.userId}`);
    await check(teacher, '/api/v1/assignments/{assignmentId}/submissions/{learnerId}/reopen', `/api/v1/assignments/${a}/submissions/${opened.userId}/reopen`, 'post', 200);

    // An offline test and its result.
    const offline = await check<{ offlineTestId: string }>(teacher, '/api/v1/courses/{courseId}/offline-tests', `/api/v1/courses/${courseId}/offline-tests`, 'post', 201, {
      title: 'Contract oral',
      maxGrade: 20,
      takenOn: '2026-01-15',
    });
    const o = offline.offlineTestId;
    await check(teacher, '/api/v1/offline-tests/{offlineTestId}/results/{learnerId}', `/api/v1/offline-tests/${o}/results/${opened.userId}`, 'put', 200, { grade: 12 });
    await check(teacher, '/api/v1/offline-tests/{offlineTestId}/results', `/api/v1/offline-tests/${o}/results`);

    // The gradebook: settings, a category and a manual item, a grade and an override, release.
    const g = `/api/v1/courses/${courseId}/gradebook`;
    await check(teacher, '/api/v1/courses/{courseId}/gradebook', g);
    await check(teacher, '/api/v1/courses/{courseId}/gradebook', g, 'patch', 200, { passPercentage: 55 });
    const category = await check<{ createdId: string }>(teacher, '/api/v1/courses/{courseId}/gradebook/categories', `${g}/categories`, 'post', 201, { name: 'Projects', weight: 1 });
    await check(teacher, '/api/v1/courses/{courseId}/gradebook/categories/{categoryId}', `${g}/categories/${category.createdId}`, 'patch', 200, { weight: 2 });
    const item = await check<{ createdId: string }>(teacher, '/api/v1/courses/{courseId}/gradebook/items', `${g}/items`, 'post', 201, { name: 'Participation', source: { kind: 'manual' }, maxGrade: 10 });
    await check(teacher, '/api/v1/courses/{courseId}/gradebook/items', `${g}/items`, 'post', 201, { source: { kind: 'assignment', id: a } });
    await check(teacher, '/api/v1/courses/{courseId}/gradebook/items/{itemId}', `${g}/items/${item.createdId}`, 'patch', 200, { weight: 2 });
    const grades = `/api/v1/courses/${courseId}/grades`;
    await check(teacher, '/api/v1/courses/{courseId}/grades/{itemId}/{learnerId}', `${grades}/${item.createdId}/${opened.userId}`, 'put', 200, { grade: 8 });
    await check(teacher, '/api/v1/courses/{courseId}/grades/{target}/{learnerId}/override', `${grades}/course/${opened.userId}/override`, 'put', 200, { grade: 70, reason: 'moderated' });
    await check(teacher, '/api/v1/courses/{courseId}/gradebook/release', `${g}/release`, 'post', 200, {});
    await check(teacher, '/api/v1/courses/{courseId}/grades', grades);
    await check(teacher, '/api/v1/courses/{courseId}/grades', `${grades}?final=true`);
    await check(teacher, '/api/v1/courses/{courseId}/grades/{learnerId}', `${grades}/${opened.userId}`);
    await check(teacher, '/api/v1/courses/{courseId}/gradebook/hide', `${g}/hide`, 'post', 200, { itemIds: [item.createdId] });
    await check(learner, '/api/v1/courses/{courseId}/grades/{learnerId}', `${grades}/${opened.userId}`);
    await check(teacher, '/api/v1/courses/{courseId}/grades/{target}/{learnerId}/override', `${grades}/course/${opened.userId}/override`, 'delete', 200);
    await check(teacher, '/api/v1/courses/{courseId}/gradebook/items/{itemId}', `${g}/items/${item.createdId}`, 'delete', 200);
    await check(teacher, '/api/v1/courses/{courseId}/gradebook/categories/{categoryId}', `${g}/categories/${category.createdId}`, 'delete', 200);

    // Completion: a rule, the criteria, each learner's and one learner's completion.
    const c = `/api/v1/courses/${courseId}/completion`;
    await check(teacher, '/api/v1/courses/{courseId}/completion/rules/{activityId}', `${c}/rules/${a}`, 'put', 200, { kind: 'assignment', rule: 'submitted' });
    await check(teacher, '/api/v1/courses/{courseId}/completion/criteria', `${c}/criteria`, 'put', 200, { requireAll: 'all' });
    await check(teacher, '/api/v1/courses/{courseId}/completion', c);
    await check(learner, '/api/v1/courses/{courseId}/completion/{learnerId}', `${c}/${opened.userId}`);
    await check(teacher, '/api/v1/courses/{courseId}/completion/rules/{activityId}', `${c}/rules/${a}`, 'delete', 200);

    // Client-side activity (a retry answers 200), the course's xAPI statements, health.
    const events = { events: [{ id: randomUUID(), type: 'ResourceViewed', courseId, resourceId }] };
    await check(learner, '/api/v1/activity', '/api/v1/activity', 'post', 201, events);
    await check(learner, '/api/v1/activity', '/api/v1/activity', 'post', 200, events);
    await check(teacher, '/api/v1/courses/{id}/xapi', `/api/v1/courses/${courseId}/xapi?limit=5`);
    await check(admin, '/health', '/health');

    // Privacy: the learner's own state, consents, exports and access log; a DPO's queue, holds, reviews and an erasure's receipts.
    const p = `/api/v1/privacy/subjects/${opened.userId}`;
    await check(learner, '/api/v1/privacy/subjects/{id}', p);
    await check(learner, '/api/v1/privacy/subjects/{id}/consents/{purpose}', `${p}/consents/marketing`, 'put', 200);
    await check(learner, '/api/v1/privacy/subjects/{id}/consents/{purpose}', `${p}/consents/marketing`, 'delete', 200);
    await check(learner, '/api/v1/privacy/export', '/api/v1/privacy/export');
    await check(learner, '/api/v1/privacy/export', '/api/v1/privacy/export?format=xapi');
    await check(learner, '/api/v1/privacy/subjects/{id}/export', `${p}/export`);
    await check(learner, '/api/v1/privacy/export-schema', '/api/v1/privacy/export-schema');
    await check(learner, '/api/v1/privacy/access-log', '/api/v1/privacy/access-log');
    const objection = await check<{ requestId: string }>(learner, '/api/v1/privacy/requests', '/api/v1/privacy/requests', 'post', 201, { type: 'objection' });
    await check(learner, '/api/v1/privacy/requests', '/api/v1/privacy/requests');
    const dpoUser = await check<{ userId: string }>(admin, '/api/v1/users', '/api/v1/users', 'post', 201, {
      username: `${username}-dpo`,
      password: s.password,
      displayName: 'Contract DPO',
      schoolId,
      role: 'teacher',
    });
    expect((await fetch(`${s.base}/api/v1/users/${dpoUser.userId}/roles/dpo`, { method: 'PUT', headers: { Authorization: `Bearer ${admin}` } })).status).toBe(204);
    const dpo = await token(`${username}-dpo`);
    await check(dpo, '/api/v1/privacy/requests/{id}/approve', `/api/v1/privacy/requests/${objection.requestId}/approve`, 'post', 200, { reason: 'checked' });
    await check(learner, '/api/v1/privacy/subjects/{id}/objection', `${p}/objection`, 'delete', 200);
    const restriction = await check<{ requestId: string }>(learner, '/api/v1/privacy/requests', '/api/v1/privacy/requests', 'post', 201, { type: 'restriction' });
    await check(dpo, '/api/v1/privacy/requests/{id}/approve', `/api/v1/privacy/requests/${restriction.requestId}/approve`, 'post', 200, { reason: 'checked' });
    await check(dpo, '/api/v1/privacy/subjects/{id}/restriction', `${p}/restriction`, 'delete', 200);
    await check(dpo, '/api/v1/privacy/subjects/{id}/legal-hold', `${p}/legal-hold`, 'put', 200, { reason: 'a contract check' });
    await check(dpo, '/api/v1/privacy/subjects/{id}/legal-hold', `${p}/legal-hold`, 'delete', 200);
    const exported = await check<{ requestId: string }>(learner, '/api/v1/privacy/requests', '/api/v1/privacy/requests', 'post', 201, { type: 'export' });
    await check(dpo, '/api/v1/privacy/requests/{id}/approve', `/api/v1/privacy/requests/${exported.requestId}/approve`, 'post', 200, { reason: 'checked' });
    await check(learner, '/api/v1/privacy/requests/{id}/export', `/api/v1/privacy/requests/${exported.requestId}/export`);
    await check(dpo, '/api/v1/privacy/requests/queue', '/api/v1/privacy/requests/queue');
    await check(dpo, '/api/v1/privacy/breach-review', '/api/v1/privacy/breach-review?threshold=1');
    await check(dpo, '/api/v1/privacy/retention', '/api/v1/privacy/retention');
    await check(dpo, '/api/v1/privacy/retention/preview', '/api/v1/privacy/retention/preview');
    await check(learner, '/api/v1/privacy/subjects/{id}/cancellation', `${p}/cancellation`, 'post', 200);
    const erasure = await check<{ requestId: string }>(dpo, '/api/v1/privacy/requests', '/api/v1/privacy/requests', 'post', 201, { subjectId: opened.userId, type: 'erasure' });
    await check(dpo, '/api/v1/privacy/requests/{id}/approve', `/api/v1/privacy/requests/${erasure.requestId}/approve`, 'post', 200, { reason: 'checked' });
    await s.caughtUp();
    await check(dpo, '/api/v1/privacy/requests/{id}/receipts', `/api/v1/privacy/requests/${erasure.requestId}/receipts`);
  }, 300_000);
});
