/**
 * The typed contract: /docs-json passes Redocly's lint with no error, a client
 * generated from it by openapi-typescript compiles a program that uses the typed
 * answers of /me, a course, the class report and the course log, and the real
 * answers of the API (a seeded term, over HTTP) validate against the schemas the
 * operations declare — with no property left undeclared, so the response DTOs
 * cannot drift from what the handlers return.
 */
import { execFile } from 'node:child_process';
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

/**
 * Operations whose success answer has no declared body yet. The list only shrinks: an operation typed since
 * must leave it (the test says so), and any operation not on it must declare its body.
 */
const NOT_YET_TYPED = new Set([
  'DELETE /api/v1/courses/{courseId}/completion/rules/{activityId}',
  'DELETE /api/v1/courses/{courseId}/gradebook/categories/{categoryId}',
  'DELETE /api/v1/courses/{courseId}/gradebook/items/{itemId}',
  'DELETE /api/v1/courses/{courseId}/grades/{target}/{learnerId}/override',
  'DELETE /api/v1/privacy/subjects/{id}/consents/{purpose}',
  'DELETE /api/v1/privacy/subjects/{id}/legal-hold',
  'DELETE /api/v1/privacy/subjects/{id}/objection',
  'DELETE /api/v1/privacy/subjects/{id}/restriction',
  'DELETE /api/v1/quizzes/{quizId}/questions/{questionId}',
  'GET /api/v1/assignments/{assignmentId}',
  'GET /api/v1/assignments/{assignmentId}/submissions',
  'GET /api/v1/assignments/{assignmentId}/submissions/{learnerId}',
  'GET /api/v1/attempts/{attemptId}',
  'GET /api/v1/courses/{courseId}/completion',
  'GET /api/v1/courses/{courseId}/completion/{learnerId}',
  'GET /api/v1/courses/{courseId}/gradebook',
  'GET /api/v1/courses/{courseId}/grades',
  'GET /api/v1/courses/{courseId}/grades/{learnerId}',
  'GET /api/v1/courses/{id}/enrolments',
  'GET /api/v1/courses/{id}/resources/{resourceId}',
  'GET /api/v1/courses/{id}/xapi',
  'GET /api/v1/offline-tests/{offlineTestId}/results',
  'GET /api/v1/privacy/access-log',
  'GET /api/v1/privacy/breach-review',
  'GET /api/v1/privacy/export',
  'GET /api/v1/privacy/export-schema',
  'GET /api/v1/privacy/requests',
  'GET /api/v1/privacy/requests/queue',
  'GET /api/v1/privacy/requests/{id}/export',
  'GET /api/v1/privacy/requests/{id}/receipts',
  'GET /api/v1/privacy/retention',
  'GET /api/v1/privacy/retention/preview',
  'GET /api/v1/privacy/subjects/{id}',
  'GET /api/v1/privacy/subjects/{id}/export',
  'GET /api/v1/quizzes/{quizId}',
  'GET /api/v1/quizzes/{quizId}/attempts',
  'GET /api/v1/schools',
  'GET /api/v1/schools/{id}/classes',
  'GET /api/v1/users/{id}/impersonations',
  'GET /health',
  'PATCH /api/v1/assignments/{assignmentId}',
  'PATCH /api/v1/courses/{courseId}/gradebook',
  'PATCH /api/v1/courses/{courseId}/gradebook/categories/{categoryId}',
  'PATCH /api/v1/courses/{courseId}/gradebook/items/{itemId}',
  'PATCH /api/v1/quizzes/{quizId}',
  'PATCH /api/v1/quizzes/{quizId}/questions/{questionId}',
  'POST /api/v1/activity',
  'POST /api/v1/assignments/{assignmentId}/submissions',
  'POST /api/v1/assignments/{assignmentId}/submissions/{learnerId}/grade',
  'POST /api/v1/assignments/{assignmentId}/submissions/{learnerId}/reopen',
  'POST /api/v1/attempts/{attemptId}/submit',
  'POST /api/v1/auth/register',
  'POST /api/v1/courses/{courseId}/assignments',
  'POST /api/v1/courses/{courseId}/gradebook',
  'POST /api/v1/courses/{courseId}/gradebook/categories',
  'POST /api/v1/courses/{courseId}/gradebook/hide',
  'POST /api/v1/courses/{courseId}/gradebook/items',
  'POST /api/v1/courses/{courseId}/gradebook/release',
  'POST /api/v1/courses/{courseId}/offline-tests',
  'POST /api/v1/courses/{courseId}/quizzes',
  'POST /api/v1/courses/{id}/enrolments',
  'POST /api/v1/courses/{id}/enrolments/self',
  'POST /api/v1/privacy/subjects/{id}/cancellation',
  'POST /api/v1/quizzes/{quizId}/attempts',
  'POST /api/v1/quizzes/{quizId}/questions',
  'POST /api/v1/users',
  'POST /api/v1/users/{id}/password-reset',
  'PUT /api/v1/attempts/{attemptId}/answers',
  'PUT /api/v1/courses/{courseId}/completion/criteria',
  'PUT /api/v1/courses/{courseId}/completion/rules/{activityId}',
  'PUT /api/v1/courses/{courseId}/grades/{itemId}/{learnerId}',
  'PUT /api/v1/courses/{courseId}/grades/{target}/{learnerId}/override',
  'PUT /api/v1/offline-tests/{offlineTestId}/results/{learnerId}',
  'PUT /api/v1/privacy/subjects/{id}/consents/{purpose}',
  'PUT /api/v1/privacy/subjects/{id}/legal-hold',
]);

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
    const missing = operations().flatMap(({ name, op }) => {
      const problems: string[] = [];
      if (!op.summary) problems.push(`${name}: no summary`);
      const success = Object.entries(op.responses).filter(([status]) => /^2/.test(status));
      if (success.length === 0) problems.push(`${name}: no success response`);
      for (const [status, response] of success) {
        if (status === '204') continue;
        const media = Object.entries(response.content ?? {});
        const untyped = media.length === 0 || media.some(([, m]) => !m.schema);
        if (untyped && !NOT_YET_TYPED.has(name)) problems.push(`${name}: ${status} declares no body schema`);
        if (!untyped && NOT_YET_TYPED.has(name)) problems.push(`${name}: typed now, take it off NOT_YET_TYPED`);
      }
      return problems;
    });
    expect(missing).toEqual([]);
    const operationNames = new Set(operations().map((o) => o.name));
    expect([...NOT_YET_TYPED].filter((name) => !operationNames.has(name))).toEqual([]);
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

  /** Calls `url` as `template` declares it and checks the answer against the declared schema; returns the body. */
  async function check<T = Record<string, unknown>>(bearer: string, template: string, url: string, method = 'get', status = 200): Promise<T> {
    const res = await fetch(`${s.base}${url}`, { method: method.toUpperCase(), headers: { Authorization: `Bearer ${bearer}` } });
    const body: unknown = await res.json();
    expect([url, res.status]).toEqual([url, status]);
    const validate = validatorOf(template, method, status);
    expect([url, validate(body) ? [] : validate.errors]).toEqual([url, []]);
    return body as T;
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
});
