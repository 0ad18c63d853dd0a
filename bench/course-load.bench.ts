/**
 * npm run bench:course-load [-- --learners 1000 --assessments 5 --events 60000 --in-flight 2]
 * — issue 17's floor: "a 1,000-learner course with 5 assessments and 60,000
 * activity events loaded through the public API in under 60 s".
 *
 * The built server on a fresh database, loaded over HTTP as a school's
 * integrator would (its own account, a school admin: the import permission),
 * every write at its historic time:
 *
 *   accounts     POST /api/v1/users/bulk (temporary passwords)
 *   course       POST /courses (occurredAt), a section, a page, a video and a file
 *   enrolments   POST /courses/{id}/enrolments/bulk, each learner with their date
 *   assessments  POST /courses/{id}/assignments and /offline-tests (occurredAt, dueAt in the past)
 *   results      POST /assignments/{id}/grades/bulk, /offline-tests/{id}/results/bulk
 *   activity     POST /api/v1/activity, 1,000 items a request (the route's maximum),
 *                each with its learnerId and occurredAt inside the learner's enrolment
 *
 * One request at a time, but for the activity: two requests in flight
 * (--in-flight N), as the route is built for (its group commit keeps
 * ACTIVITY_COMMITS_IN_FLIGHT = 2 commits going; a client with one request in
 * flight leaves it idle between answers: at load 17, 51 s for the 60,000
 * events with 1 in flight, 22 s with 2). The
 * total is the wall time from the first account to the last activity answer;
 * each step prints its rows/s with the load average. The reports are
 * asynchronous (an upload does not wait for them): the time they then take to
 * catch up is printed apart, not counted in the total.
 */
import { randomUUID } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { ADMIN, freshDatabase, must, processCpuSeconds, signIn, startServer, waitForProjections } from './support';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const LEARNERS = arg('learners', 1000);
const ASSESSMENTS = arg('assessments', 5);
const EVENTS = arg('events', 60_000);
const IN_FLIGHT = arg('in-flight', 2);
/** The activity route's largest batch (ACTIVITY_MAX_BATCH's default). */
const ACTIVITY_BATCH = 1000;
const FLOOR_SECONDS = 60;

const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');
const DAY = 86_400_000;
const TERM_START = Date.parse('2024-01-08T00:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

async function main(): Promise<void> {
  console.log(`bench:course-load: ${LEARNERS} learners, ${ASSESSMENTS} assessments, ${EVENTS} activity events (${IN_FLIGHT} activity request(s) in flight); ${cpus().length} CPUs, load ${load()}`);
  const db = await freshDatabase('course_load', 54351);
  const server = await startServer({ databaseUrl: db.url });
  const steps: { step: string; rows: number; seconds: number; cpu: number; load: string }[] = [];
  let started = 0;
  const step = async <T>(name: string, rows: number, work: () => Promise<T>): Promise<T> => {
    const cpu0 = processCpuSeconds(server.pid);
    const t = process.hrtime.bigint();
    const result = await work();
    steps.push({ step: name, rows, seconds: Number(process.hrtime.bigint() - t) / 1e9, cpu: processCpuSeconds(server.pid) - cpu0, load: load() });
    return result;
  };
  try {
    const { base } = server;
    const admin = await signIn(base, ADMIN.username, ADMIN.password);
    const school = await must<{ schoolId: string }>(201, base, 'POST', '/api/v1/schools', { name: 'Course load school', code: `CL${Date.now() % 1e6}`, country: 'TH' }, admin.token);
    // The integration's own account: a school admin of the school (README, "The import permission").
    const made = await must<{ results: { temporaryPassword: string }[] }>(200, base, 'POST', '/api/v1/users/bulk', {
      schoolId: school.schoolId,
      rows: [{ username: 'moodle.sync', displayName: 'Moodle sync', role: 'school_admin' }],
    }, admin.token);
    const password = 'course-load-integration-1';
    await must(204, base, 'POST', '/api/v1/auth/password', { username: 'moodle.sync', currentPassword: made.results[0].temporaryPassword, newPassword: password });
    const sync = await signIn(base, 'moodle.sync', password);
    const as = <T>(expected: number, method: string, path: string, body?: unknown) => must<T>(expected, base, method, path, body, sync.token);

    started = Date.now();
    const learnerIds = await step('accounts', LEARNERS, async () => {
      const res = await as<{ results: { userId: string }[] }>(200, 'POST', '/api/v1/users/bulk', {
        schoolId: school.schoolId,
        rows: Array.from({ length: LEARNERS }, (_, i) => ({ username: `cl.learner${i}`, displayName: `Learner ${i}`, role: 'learner', consentObtainedFrom: 'parent', idNumber: `S${100000 + i}`, occurredAt: iso(TERM_START - 7 * DAY) })),
      });
      return res.results.map((r) => r.userId);
    });

    const { courseId, resources } = await step('course, section, 3 resources', 5, async () => {
      const course = await as<{ courseId: string }>(201, 'POST', '/api/v1/courses', { schoolId: school.schoolId, title: 'Biology 1', code: 'BIO-1', subject: 'Biology', idNumber: 'BIO-1-2024', selfEnrolment: { enabled: false }, occurredAt: iso(TERM_START) });
      const section = await as<{ sectionId: string }>(201, 'POST', `/api/v1/courses/${course.courseId}/sections`, { title: 'Week 1' });
      const add = (kind: string, title: string, content: unknown) => as<{ resourceId: string }>(201, 'POST', `/api/v1/courses/${course.courseId}/resources`, { sectionId: section.sectionId, kind, title, content });
      const page = await add('page', 'Cells', { body: '<p>Cells</p>' });
      const video = await add('video', 'Mitosis', { url: 'https://videos.example.org/mitosis', durationSeconds: 600 });
      const file = await add('file', 'Worksheet', { fileRef: 'worksheet-1', mimeType: 'application/pdf', sizeBytes: 120_000 });
      return { courseId: course.courseId, resources: { page: page.resourceId, video: video.resourceId, file: file.resourceId } };
    });

    // Each learner enrolled on one of the term's first 7 days.
    const enrolledAt = (i: number) => TERM_START + DAY + (i % 7) * DAY + (i % 600) * 60_000;
    await step('enrolments', LEARNERS, () =>
      as(200, 'POST', `/api/v1/courses/${courseId}/enrolments/bulk`, { learners: learnerIds.map((learnerId, i) => ({ learnerId, occurredAt: iso(enrolledAt(i)) })) }),
    );

    const assessments = await step(`assessments (${ASSESSMENTS})`, ASSESSMENTS, async () => {
      const made: { kind: 'assignment' | 'offline'; id: string; gradedAt: number }[] = [];
      for (let a = 0; a < ASSESSMENTS; a++) {
        const setAt = TERM_START + (10 + 14 * a) * DAY;
        if (a % 2 === 0) {
          const r = await as<{ assignmentId: string }>(201, 'POST', `/api/v1/courses/${courseId}/assignments`, { title: `Essay ${a + 1}`, submissionTypes: ['text'], maxGrade: 100, dueAt: iso(setAt + 7 * DAY), occurredAt: iso(setAt), idNumber: `BIO-A${a + 1}` });
          made.push({ kind: 'assignment', id: r.assignmentId, gradedAt: setAt + 9 * DAY });
        } else {
          const r = await as<{ offlineTestId: string }>(201, 'POST', `/api/v1/courses/${courseId}/offline-tests`, { title: `Test ${a + 1}`, maxGrade: 50, takenOn: iso(setAt).slice(0, 10), occurredAt: iso(setAt), idNumber: `BIO-T${a + 1}` });
          made.push({ kind: 'offline', id: r.offlineTestId, gradedAt: setAt + 2 * DAY });
        }
      }
      return made;
    });

    await step('results and grades', ASSESSMENTS * LEARNERS, async () => {
      for (const [a, { kind, id, gradedAt }] of assessments.entries()) {
        const max = kind === 'assignment' ? 100 : 50;
        const rows = learnerIds.map((learnerId, i) => ({ learnerId, grade: (i * 7 + a * 13) % (max + 1), occurredAt: iso(gradedAt + (i % 300) * 60_000) }));
        await as(200, 'POST', kind === 'assignment' ? `/api/v1/assignments/${id}/grades/bulk` : `/api/v1/offline-tests/${id}/results/bulk`, { rows });
      }
    });

    // Activity over the term's 10 weeks, each item after its learner's enrolment.
    const item = (n: number) => {
      const i = n % LEARNERS;
      const occurredAt = iso(enrolledAt(i) + DAY + ((n * 7919) % (63 * 24)) * 3_600_000 + (n % 3600) * 1000);
      const base = { id: randomUUID(), courseId, learnerId: learnerIds[i], occurredAt };
      switch (n % 5) {
        case 0:
          return { ...base, type: 'CourseViewed' };
        case 1:
          return { ...base, type: 'ResourceViewed', resourceId: resources.page };
        case 2:
          return { ...base, type: 'PageTimeRecorded', resourceId: resources.page, seconds: 30 + (n % 600) };
        case 3:
          return { ...base, type: 'VideoProgressed', resourceId: resources.video, positionSeconds: n % 600, durationSeconds: 600 };
        default:
          return { ...base, type: 'FileDownloaded', resourceId: resources.file };
      }
    };
    await step('activity events', EVENTS, async () => {
      const batches = Math.ceil(EVENTS / ACTIVITY_BATCH);
      let next = 0;
      const sender = async () => {
        for (let b = next++; b < batches; b = next++) {
          const events = Array.from({ length: Math.min(ACTIVITY_BATCH, EVENTS - b * ACTIVITY_BATCH) }, (_, k) => item(b * ACTIVITY_BATCH + k));
          await as(201, 'POST', '/api/v1/activity', { events });
        }
      };
      await Promise.all(Array.from({ length: IN_FLIGHT }, sender));
    });
    const total = (Date.now() - started) / 1000;
    const rows = steps.reduce((n, s) => n + s.rows, 0);

    const table = [
      ['step', 'rows', 'seconds', 'rows/s', 'server CPU s', 'load average (1 5 15)'],
      ...steps.map((s) => [s.step, String(s.rows), s.seconds.toFixed(2), (s.rows / s.seconds).toFixed(0), s.cpu.toFixed(1), s.load]),
      ['total', String(rows), total.toFixed(2), (rows / total).toFixed(0), steps.reduce((n, s) => n + s.cpu, 0).toFixed(1), load()],
    ];
    const widths = table[0].map((_, c) => Math.max(...table.map((r) => r[c].length)));
    for (const r of table) console.log(r.map((v, c) => v.padEnd(widths[c])).join('  '));
    console.log(`\ncourse loaded through the API in ${total.toFixed(1)} s: ${total < FLOOR_SECONDS ? 'met' : 'NOT met'} (floor: under ${FLOOR_SECONDS} s), load ${load()}`);
    const caughtUp = await waitForProjections(server, 1_800_000);
    console.log(`the report projections caught up ${caughtUp.toFixed(1)} s after the last answer (not counted above), load ${load()}`);
  } finally {
    await server.stop();
    await db.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
