/**
 * The dashboard in a real browser (Debian's chromium driven by
 * playwright-core) on a seeded term: each role signs in and finds on its
 * page the figures the API gives for the same report, downloads a CSV,
 * follows the live tail while an event is posted, switches to Thai; no
 * console errors, no serious or critical axe-core violation, no request
 * leaves the server (no CDN), and the first load's JavaScript stays under
 * 250 kB gzipped. Screenshots of each role's main page go to test-results/.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { ClassReportView, LearnerProfileView, SchoolReportView } from '../../libs/progress/src';
import { downloadName } from '../../libs/core/src/csv';
import type { UsageReportView } from '../../libs/reports/src';
import { createSeededTerm, type SeededTerm } from '../support/seeded-term';
import { TEST_ADMIN } from '../support/test-app';
import { ensureWebBuild, WEB_DIST } from '../support/web-build';

const CHROMIUM = '/usr/bin/chromium';
const RESULTS = new URL('../../test-results/', import.meta.url).pathname;
const JS_BUDGET_GZIP = 250 * 1024;

let s: SeededTerm;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does it)`);
  ensureWebBuild();
  s = await createSeededTerm();
  // launch() runs the browser on a fresh, temporary profile (its own --user-data-dir).
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  mkdirSync(RESULTS, { recursive: true });
}, 900_000);

afterAll(async () => {
  await browser?.close();
  await s?.t.close();
});

/** An API call with a user's token, as the test's own reference for the figures. */
async function api<T = unknown>(token: string, path: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(`${s.base}${path}`, { ...init, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', ...init.headers } });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}
async function login(username: string, password: string): Promise<{ userId: string; accessToken: string }> {
  const res = await fetch(`${s.base}/api/v1/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username, password }) });
  return (await res.json()) as { userId: string; accessToken: string };
}

interface Visit {
  context: BrowserContext;
  page: Page;
  errors: string[];
  offsite: string[];
  scripts: Set<string>;
}

/** A fresh browser context signed in through the sign-in form; records console errors, off-site requests and the scripts loaded. */
async function signInAs(username: string, password: string): Promise<Visit> {
  const context = await browser.newContext({ locale: 'en-US', timezoneId: 'UTC', acceptDownloads: true, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors: string[] = [];
  const offsite: string[] = [];
  const scripts = new Set<string>();
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(s.base) || url.startsWith('blob:') || url.startsWith('data:')) return route.continue();
    offsite.push(url);
    return route.abort();
  });
  page.on('response', (r) => r.url().endsWith('.js') && scripts.add(new URL(r.url()).pathname));
  await page.goto(s.base);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  return { context, page, errors, offsite, scripts };
}

/** axe-core in the page (evaluated over the DevTools protocol, so the CSP does not apply to it). */
async function axeViolations(page: Page): Promise<string[]> {
  await page.evaluate(readFileSync(new URL('../../node_modules/axe-core/axe.min.js', import.meta.url), 'utf8'));
  const result = await page.evaluate(async () => (globalThis as unknown as { axe: typeof import('axe-core') }).axe.run({ resultTypes: ['violations'] }));
  return (result.violations as { id: string; impact: string; nodes: { target: string[] }[] }[])
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

async function finish(visit: Visit, name: string): Promise<void> {
  await visit.page.screenshot({ path: join(RESULTS, `${name}.png`), fullPage: true });
  expect(await axeViolations(visit.page)).toEqual([]);
  expect(visit.errors).toEqual([]);
  expect(visit.offsite).toEqual([]);
  await visit.context.close();
}

/** The text of a figure (a <dt> label and its <dd>). */
const figure = (page: Page, label: string) => page.locator('dl.figures > div').filter({ has: page.getByText(label, { exact: true }) }).locator('dd');
/** The cells of a chart's table, row by row. */
async function chartTable(page: Page, id: string): Promise<string[][]> {
  const chart = page.locator(`#${id}`);
  await chart.locator('summary').click();
  return chart.locator('tbody tr').evaluateAll((rows) => rows.map((r) => [...r.children].map((c) => c.textContent ?? '')));
}
/** What functions run in the page use of the browser's globals (the tests compile without the DOM library). */
interface InPage {
  document: { querySelectorAll(selector: string): Iterable<{ children: ArrayLike<{ textContent: string | null }> }> };
  sessionStorage: { getItem(key: string): string | null; setItem(key: string, value: string): void };
}

/** The part of a person's privacy status the tests read. */
interface PrivacyStatus {
  consents: Record<string, { holds: boolean }>;
}

const nf = (locale: string, n: number, digits = 2) => new Intl.NumberFormat(locale, { maximumFractionDigits: digits }).format(n);
const pf = (locale: string, n: number) => new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 }).format(n / 100);

async function downloaded(page: Page, button: string): Promise<{ name: string; text: string }> {
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: button }).click()]);
  return { name: file.suggestedFilename(), text: readFileSync(await file.path(), 'utf8') };
}

const account = (role: string) => s.seed.accounts.find((a) => a.role.startsWith(role))!;

it('teacher: the class report with its figures, a CSV, the live tail; first-load JavaScript under budget', async () => {
  const teacher = account('teacher');
  const course = s.seed.courses.find((c) => c.teacher === teacher.username)!;
  const token = (await login(teacher.username, s.password)).accessToken;
  const visit = await signInAs(teacher.username, s.password);
  const { page } = visit;
  await page.getByRole('heading', { name: 'Class report', level: 1 }).waitFor();
  await page.getByRole('heading', { name: 'Participants' }).waitFor();
  const report = await api<ClassReportView>(token, `/api/v1/reports/courses/${course.courseId}`);

  expect(await figure(page, 'Learners').textContent()).toBe(nf('en-US', report.summary.learners));
  expect(await figure(page, 'Mean grade').textContent()).toBe(pf('en-US', report.summary.meanGrade!));
  expect(await figure(page, 'At risk').textContent()).toBe(nf('en-US', report.summary.atRisk));
  const bins = await chartTable(page, 'chart-distribution');
  expect(bins.map((row) => row[1])).toEqual(report.gradeDistribution.map((b: { count: number }) => nf('en-US', b.count)));
  expect(bins.reduce((n, row) => n + Number(row[1]), 0)).toBe(report.summary.graded);
  for (const p of report.participants) await page.getByRole('rowheader', { name: p.displayName!, exact: true }).first().waitFor();
  const atRisk = report.participants.filter((p) => p.atRisk?.flagged);
  expect(await page.locator('#at-risk-title + ul > li').count()).toBe(atRisk.length);
  const questions = await chartTable(page, 'chart-questions');
  expect(questions.map((row) => row[1])).toEqual(report.questions.map((q: { facility: number }) => nf('en-US', q.facility, 3)));

  // A CSV download: one line per participant under the header.
  const csv = await downloaded(page, 'Download CSV: Participants');
  expect(csv.name).toMatch(new RegExp(`^${report.code}-class-report-participants-\\d{4}-\\d{2}-\\d{2}\\.csv$`));
  expect(csv.text.trim().split(/\r?\n/)).toHaveLength(report.participants.length + 1);

  // The course log filtered by a user: every row shown has them as its actor or its related user.
  const someone = report.participants[0];
  await page.getByLabel('User', { exact: true }).selectOption(someone.learnerId);
  await page.getByRole('form', { name: 'Filters' }).getByRole('button', { name: 'Apply' }).click();
  await page.locator('[aria-label="Course log"] tbody tr').first().waitFor();
  await page.waitForFunction(
    (name) => {
      const rows = [...(globalThis as unknown as InPage).document.querySelectorAll('[aria-label="Course log"] tbody tr')].map((r) => [r.children[1].textContent, r.children[5].textContent]);
      return rows.length > 0 && rows.every(([actor, related]) => actor === name || related === name);
    },
    someone.displayName,
  );
  await page.getByLabel('User', { exact: true }).selectOption('');
  await page.getByRole('form', { name: 'Filters' }).getByRole('button', { name: 'Apply' }).click();

  // The live tail: a learner opens the course; the row appears without a reload.
  await page.getByRole('button', { name: 'Follow live' }).click();
  await page.getByText('Following the course log').waitFor();
  const learnerPlan = s.plan.courses.find((c) => c.title === course.title && s.plan.schools[c.schoolIndex].name === course.school)!.learners[0];
  const learner = await login(learnerPlan.username, s.password);
  await api(learner.accessToken, '/api/v1/activity', { method: 'POST', body: JSON.stringify({ id: randomUUID(), type: 'CourseViewed', courseId: course.courseId }) });
  const live = page.getByRole('log', { name: 'Live tail' });
  await live.getByRole('cell', { name: learnerPlan.displayName, exact: true }).first().waitFor({ timeout: 30_000 });
  await live.getByRole('cell', { name: 'CourseViewed', exact: true }).first().waitFor();
  await page.getByRole('button', { name: 'Stop following' }).click();

  // First load: every script the browser fetched, gzipped.
  const bytes = [...visit.scripts].reduce((n, path) => n + gzipSync(readFileSync(join(WEB_DIST, path))).length, 0);
  console.log(`dashboard first-load JavaScript: ${(bytes / 1024).toFixed(1)} kB gzipped in ${visit.scripts.size} file(s)`);
  expect(visit.scripts.size).toBeGreaterThan(0);
  expect(bytes).toBeLessThanOrEqual(JS_BUDGET_GZIP);

  await finish(visit, 'teacher');
}, 300_000);

it('teacher in Thai: strings, html lang and numbers follow the locale', async () => {
  const teacher = account('teacher');
  const course = s.seed.courses.find((c) => c.teacher === teacher.username)!;
  const token = (await login(teacher.username, s.password)).accessToken;
  const visit = await signInAs(teacher.username, s.password);
  const { page } = visit;
  await page.getByRole('heading', { name: 'Participants' }).waitFor();
  await page.getByLabel('Language').selectOption('th');
  await page.getByRole('heading', { name: 'รายงานชั้นเรียน', level: 1 }).waitFor();
  expect(await page.locator('html').getAttribute('lang')).toBe('th');
  await page.getByRole('heading', { name: 'ผู้เข้าร่วม' }).waitFor();
  const report = await api<ClassReportView>(token, `/api/v1/reports/courses/${course.courseId}`);
  expect(await figure(page, 'คะแนนเฉลี่ย').textContent()).toBe(pf('th', report.summary.meanGrade!));
  // Dates in the Thai (Buddhist) calendar; the early-warning model's reasons as the API words them (not yet translated).
  const seen = report.participants.find((p) => p.lastAccessAt)!;
  const thaiTime = new Intl.DateTimeFormat('th', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(new Date(seen.lastAccessAt!));
  expect(thaiTime).toMatch(/25\d\d/);
  const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: seen.displayName!, exact: true }) }).first();
  expect(await row.locator('td').nth(1).textContent()).toBe(thaiTime);
  const reason = report.participants.flatMap((p) => p.atRisk?.reasons ?? [])[0];
  if (reason) await page.getByText(reason.text, { exact: false }).first().waitFor();
  await page.getByRole('button', { name: 'ออกจากระบบ' }).waitFor();
  await finish(visit, 'teacher-th');
}, 300_000);

it('school admin: the school report over the period, its charts and a CSV', async () => {
  const admin = account('school_admin');
  const token = (await login(admin.username, s.password)).accessToken;
  const me = await api<{ memberships: { role: string; schoolId: string }[]; children: string[] }>(token, '/api/v1/me');
  const schoolId = me.memberships.find((m) => m.role === 'school_admin')!.schoolId;
  const visit = await signInAs(admin.username, s.password);
  const { page } = visit;
  await page.getByRole('heading', { name: 'School report', level: 1 }).waitFor();
  await page.getByRole('heading', { name: 'Teacher activity' }).waitFor();
  const from = await page.getByLabel('From', { exact: true }).inputValue();
  const to = await page.getByLabel('To', { exact: true }).inputValue();
  const report = await api<SchoolReportView>(token, `/api/v1/reports/schools/${schoolId}?from=${from}&to=${to}`);
  expect(report.overall.activeLearners).toBeGreaterThan(0);
  expect(await figure(page, 'Active learners').textContent()).toBe(nf('en-US', report.overall.activeLearners));
  expect(await figure(page, 'Enrolments').textContent()).toBe(nf('en-US', report.overall.enrolments));
  expect(await figure(page, 'Grade average').textContent()).toBe(pf('en-US', report.overall.gradeAverage!));
  const courses = await chartTable(page, 'chart-courses');
  expect(courses.map((row) => [row[0], row[2]])).toEqual(report.courses.map((c) => [c.title, pf('en-US', c.gradeAverage!)]));
  const teachers = await chartTable(page, 'chart-teachers');
  expect(teachers.map((row) => row[1])).toEqual(report.teachers.map((x: { events: number }) => nf('en-US', x.events)));

  const csv = await downloaded(page, 'Download CSV: Teacher activity');
  expect(csv.name).toBe(downloadName([report.name, 'school-report', 'teachers', from, to]));
  expect(csv.text.trim().split(/\r?\n/)).toHaveLength(report.teachers.length + 1);
  await finish(visit, 'school-admin');
}, 300_000);

it('platform admin: usage statistics with suppressed cells shown as suppressed, projections and dead letters', async () => {
  const token = (await login(TEST_ADMIN.username, TEST_ADMIN.password)).accessToken;
  const visit = await signInAs(TEST_ADMIN.username, TEST_ADMIN.password);
  const { page } = visit;
  await page.getByRole('heading', { name: 'Platform', level: 1 }).waitFor();
  await page.locator('#usage-table').waitFor();
  const from = await page.getByLabel('From', { exact: true }).inputValue();
  const to = await page.getByLabel('To', { exact: true }).inputValue();
  const usage = await api<UsageReportView>(token, `/api/v1/reports/usage?from=${from}&to=${to}&by=role&granularity=day`);
  const today = usage.periods.at(-1)!;
  const row = page.locator('#usage-table tbody tr').last();
  const cells = await row.locator('td').allTextContents();
  const suppressed = today.activeUsers.cells.filter((c: { suppressed: boolean }) => c.suppressed).length;
  expect(suppressed).toBeGreaterThan(0); // the seeded term has fewer than k teachers and school admins
  expect(cells.filter((c) => c === 'suppressed')).toHaveLength(suppressed);
  expect(cells[usage.dimension.length]).toBe(today.activeUsers.total.suppressed ? 'suppressed' : nf('en-US', today.activeUsers.total.people!));
  const chart = await chartTable(page, 'chart-usage');
  expect(chart.at(-1)![1]).toBe(today.activeUsers.total.suppressed ? 'suppressed' : nf('en-US', today.activeUsers.total.people!));

  await page.getByRole('heading', { name: 'Projections' }).waitFor();
  const { projections } = await api<{ projections: { name: string }[] }>(token, '/api/v1/admin/projections');
  for (const p of projections) await page.getByRole('rowheader', { name: p.name, exact: true }).waitFor();
  await page.getByText('No dead letters.').waitFor();

  const csv = await downloaded(page, 'Download CSV: Usage statistics');
  expect(csv.name).toBe(`usage-role-day-${from}-${to}.csv`);
  expect(csv.text).toContain('suppressed');
  await finish(visit, 'platform-admin');
}, 300_000);

it('learner: progress, grades, skills with advice, the timeline, and the privacy page', async () => {
  const learnerPlan = s.plan.schools[0].learners[0];
  const me = await login(learnerPlan.username, s.password);
  const visit = await signInAs(learnerPlan.username, s.password);
  const { page } = visit;
  await page.getByRole('heading', { name: `Progress of ${learnerPlan.displayName}`, level: 1 }).waitFor();
  const profile = await api<LearnerProfileView>(me.accessToken, `/api/v1/reports/learners/${me.userId}`);
  const grades = await chartTable(page, 'chart-grades');
  expect(grades).toEqual(profile.courses.map((c) => [c.title, c.grades?.total?.percentage == null ? '—' : pf('en-US', c.grades.total.percentage)]));
  const skills = await chartTable(page, 'chart-skills');
  expect(skills).toEqual(profile.skills.map((x) => [x.skill, pf('en-US', x.percentage!)]));
  await page.getByRole('heading', { name: 'Strengths' }).waitFor();
  await page.getByRole('heading', { name: 'Points to improve' }).waitFor();
  // The timeline as the page got it: the API's, up to the page's newest event (reading it since adds events).
  const shown = await page.locator('ol.timeline time').evaluateAll((times) => times.map((t) => t.getAttribute('datetime')));
  expect(shown.length).toBeGreaterThan(0);
  expect(shown).toEqual(profile.timeline.events.map((e: { occurredAt: string }) => e.occurredAt).filter((at: string) => at <= shown[0]!));
  await finish(visit, 'learner');

  const privacy = await signInAs(learnerPlan.username, s.password);
  await privacy.page.getByRole('link', { name: 'My privacy' }).click();
  await privacy.page.getByRole('heading', { name: 'My privacy', level: 1 }).waitFor();
  const status = await api<PrivacyStatus>(me.accessToken, `/api/v1/privacy/subjects/${me.userId}`);
  expect(status.consents.analytics.holds).toBe(true);
  await privacy.page.getByRole('button', { name: 'Withdraw consent: Usage statistics (analytics)' }).click();
  await privacy.page.getByRole('button', { name: 'Give consent: Usage statistics (analytics)' }).waitFor();
  expect((await api<PrivacyStatus>(me.accessToken, `/api/v1/privacy/subjects/${me.userId}`)).consents.analytics.holds).toBe(false);
  const copy = await downloaded(privacy.page, 'Download my data');
  expect(JSON.parse(copy.text)).toEqual(expect.objectContaining({}));
  expect(copy.text).toContain(me.userId);
  await privacy.page.getByLabel('Request', { exact: true }).selectOption('export');
  await privacy.page.getByRole('button', { name: 'Send the request' }).click();
  await privacy.page.getByRole('rowheader', { name: 'Export', exact: true }).waitFor();
  expect((await api<{ requests: unknown[] }>(me.accessToken, '/api/v1/privacy/requests')).requests).toEqual([expect.objectContaining({ type: 'export', status: 'pending' })]);
  await privacy.page.getByRole('heading', { name: 'Who accessed my data' }).waitFor();
  await finish(privacy, 'learner-privacy');
}, 300_000);

it('parent: the linked child\'s progress', async () => {
  const parentPlan = s.plan.schools[0].parents[0];
  const token = (await login(parentPlan.parent.username, s.password)).accessToken;
  const child = parentPlan.children[0];
  const visit = await signInAs(parentPlan.parent.username, s.password);
  const { page } = visit;
  await page.getByRole('heading', { name: `Progress of ${child.displayName}`, level: 1 }).waitFor();
  const me = await api<{ memberships: { role: string; schoolId: string }[]; children: string[] }>(token, '/api/v1/me');
  const profile = await api<LearnerProfileView>(token, `/api/v1/reports/learners/${me.children[0]}`);
  const grades = await chartTable(page, 'chart-grades');
  expect(grades.map((row) => row[1])).toEqual(profile.courses.map((c) => (c.grades?.total?.percentage == null ? '—' : pf('en-US', c.grades.total.percentage))));
  await finish(visit, 'parent');
}, 300_000);

it('sessions: an expired access token is refreshed with the refresh token; sign-out ends the session', async () => {
  const parentPlan = s.plan.schools[0].parents[0];
  const visit = await signInAs(parentPlan.parent.username, s.password);
  const { page } = visit;
  await page.getByRole('heading', { name: `Progress of ${parentPlan.children[0].displayName}`, level: 1 }).waitFor();
  const stored = () => page.evaluate(() => JSON.parse((globalThis as unknown as InPage).sessionStorage.getItem('learnstream.session') ?? 'null') as { accessToken: string; refreshToken: string } | null);
  const before = (await stored())!;
  // The access token no longer works (as when it expires): the next call answers 401, the app refreshes and calls again.
  await page.evaluate(() => {
    const storage = (globalThis as unknown as InPage).sessionStorage;
    storage.setItem('learnstream.session', JSON.stringify({ ...JSON.parse(storage.getItem('learnstream.session') ?? 'null'), accessToken: 'not-a-token' }));
  });
  await page.reload();
  await page.getByRole('heading', { name: `Progress of ${parentPlan.children[0].displayName}`, level: 1 }).waitFor();
  const after = (await stored())!;
  expect(after.refreshToken).not.toBe(before.refreshToken);
  expect(after.accessToken).not.toBe('not-a-token');
  // The browser reports the refused call (401) as a console error; nothing else may appear.
  expect(visit.errors.filter((e) => !/status of 401/.test(e))).toEqual([]);
  expect(visit.errors.length).toBeGreaterThan(0);
  visit.errors.length = 0;

  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor();
  expect(await stored()).toBeNull();
  const refresh = await fetch(`${s.base}/api/v1/auth/refresh`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ refreshToken: after.refreshToken }) });
  expect(refresh.status).toBe(401);
  await finish(visit, 'sign-in');
}, 300_000);

it('GraphiQL is served from the build, with nothing from a CDN', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors: string[] = [];
  const offsite: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  await page.route('**/*', (route) => (route.request().url().startsWith(s.base) ? route.continue() : (offsite.push(route.request().url()), route.abort())));
  await page.goto(`${s.base}/graphql`);
  await page.locator('.graphiql-container').waitFor({ timeout: 60_000 });
  expect(offsite).toEqual([]);
  expect(errors).toEqual([]);
  await page.screenshot({ path: join(RESULTS, 'graphiql.png') });
  await context.close();
}, 300_000);
