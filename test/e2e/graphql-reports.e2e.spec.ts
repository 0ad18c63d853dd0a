/**
 * GraphQL parity of the reports: the learner profile and its timeline, the
 * class report, the school report, usage statistics, the course log (paged)
 * and the projections' status answer with the same figures as REST, and
 * refuse whom REST refuses, with the same codes. On a seeded term, over HTTP.
 */
import { signIn } from '../support/auth';
import { caughtUp } from '../support/courses';
import { createSeededTerm, type SeededTerm } from '../support/seeded-term';
import { TEST_ADMIN } from '../support/test-app';

let s: SeededTerm;

beforeAll(async () => {
  s = await createSeededTerm();
}, 900_000);

afterAll(async () => {
  await s?.t.close();
});

type Json = Record<string, unknown>;

async function token(username: string, password = s.password): Promise<string> {
  return (await signIn(s.t, username, password)).accessToken;
}

async function rest(bearer: string, path: string): Promise<{ status: number; body: Json }> {
  const res = await fetch(`${s.base}${path}`, { headers: { Authorization: `Bearer ${bearer}` } });
  return { status: res.status, body: (await res.json()) as Json };
}

async function gql(bearer: string, query: string, variables: Json): Promise<{ data: Json | null; errors: { message: string; extensions: { code: string } }[] }> {
  const res = await fetch(`${s.base}/graphql`, { method: 'POST', headers: { Authorization: `Bearer ${bearer}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  const body = (await res.json()) as { data?: Json | null; errors?: { message: string; extensions: { code: string } }[] };
  return { data: body.data ?? null, errors: body.errors ?? [] };
}

/** The value without the keys named (at any depth): what differs between two reads by nature (when it was generated). */
function without(value: unknown, keys: string[]): unknown {
  if (Array.isArray(value)) return value.map((v) => without(v, keys));
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).filter(([k]) => !keys.includes(k)).map(([k, v]) => [k, without(v, keys)]));
}

const COMPLETION = 'completion { progress { completed required percentage } courseCompleted courseCompletedAt }';
const BASELINE_REASONS = 'reasons { ... on InactiveReason { rule text since neverActive days } ... on FailingReason { rule text percentage passPercentage } }';
const AT_RISK = `atRisk { flagged risk reasons { rule feature contribution text } baseline { flagged ${BASELINE_REASONS} } }`;
const TIMELINE = 'learnerId nextCursor events { eventId occurredAt eventType action crud involvement courseId schoolId object { type id title } actorId realActorId relatedUserId }';

const CLASS_REPORT = `query ($courseId: ID!) { classReport(courseId: $courseId) {
  courseId title code subject gradeLevel generatedAt asOf
  earlyWarning { threshold riskAtLeast expectedPrecision expectedRecall rule trainedOn model }
  rules { atRisk inactiveDays grades questions assessments distribution suggestions }
  summary { learners completed completionRate graded meanGrade passing atRisk atRiskBaseline profilingObjected }
  participants { learnerId displayName status enrolledAt unenrolledAt lastAccessAt events activity ${COMPLETION} grade { percentage letter passed } profilingObjected
    ${AT_RISK} }
  gradeDistribution { from to count }
  questions { quizId quizTitle position questionId kind text skills points learners meanScore facility discrimination }
  assessments { assessmentId kind title dueAt learners graded meanPercentage medianPercentage distribution { from to count } facility late missing }
  suggestions { kind text learners }
} }`;

const PROFILE = `query ($learnerId: ID!, $limit: Int) { learnerProfile(learnerId: $learnerId, limit: $limit) {
  learnerId displayName generatedAt lastAccessAt
  profiling { objected note } rules { skills atRisk inactiveDays advice }
  courses { courseId title code subject gradeLevel enrolment { status method enrolledAt unenrolledAt } lastAccessAt activity ${COMPLETION}
    grades { releasedOnly passPercentage total { percentage letter passed overridden hidden } items { itemId name categoryId grade percentage released overridden dropped } } ${AT_RISK} }
  skills { skill earned possible questions percentage courseIds }
  strengths toImprove
  advice { courseId skill evidence { earned possible questions percentage text } missedQuestions { quizId quizTitle questionId text score points } resources { resourceId kind title } next }
  timeline { ${TIMELINE} }
} }`;

const FIGURES = 'courses enrolments activeLearners completed completedInPeriod completionRate graded gradeAverage';
const SCHOOL_REPORT = `query ($schoolId: ID!, $from: String, $to: String) { schoolReport(schoolId: $schoolId, from: $from, to: $to) {
  schoolId name from to generatedAt definitions
  overall { ${FIGURES} }
  courses { courseId code title subject gradeLevel archived learnerEvents ${FIGURES} }
  bySubject { subject ${FIGURES} } byGradeLevel { gradeLevel ${FIGURES} }
  teachers { teacherId displayName events activeDays courseIds }
} }`;

const PEOPLE = 'people suppressed';
const USAGE = `query ($from: String, $to: String, $by: UsageDimension) { usage(from: $from, to: $to, by: $by) {
  from to granularity by minCellSize dimension { key label }
  periods { period start end
    registrations { total { ${PEOPLE} } cells { key ${PEOPLE} } }
    activeUsers { total { ${PEOPLE} events } cells { key ${PEOPLE} events } }
    contentAccess { courseViews { ${PEOPLE} views } resourceViews { ${PEOPLE} views } }
    completion { ${PEOPLE} completions } }
} }`;

const LOG = `query ($courseId: ID!, $limit: Int, $cursor: String) { courseLog(courseId: $courseId, limit: $limit, cursor: $cursor) {
  courseId nextCursor rows { eventId occurredAt eventType action crud object { type id title } origin schoolId actor { userId displayName } realActor { userId displayName } relatedUser { userId displayName } }
} }`;

const PROJECTIONS = `{ projections { name state position generation eventsHandled lag lagCapped deadLetters lastError updatedAt rebuildStartedAt } }`;

describe('GraphQL answers every report with REST\'s figures', () => {
  let teacher: string;
  let schoolAdmin: string;
  let admin: string;
  let courseId: string;
  let learnerId: string;
  let schoolId: string;

  beforeAll(async () => {
    const byRole = (role: string) => s.seed.accounts.find((a) => a.role === role)!.username;
    [teacher, schoolAdmin, admin] = await Promise.all([token(byRole('teacher')), token(byRole('school_admin')), token(TEST_ADMIN.username, TEST_ADMIN.password)]);
    const mine = (await rest(teacher, '/api/v1/courses?mine=true')).body.courses as { courseId: string; viewer: { role: string | null } }[];
    courseId = mine.find((c) => c.viewer.role === 'teacher')!.courseId;
    const report = (await rest(teacher, `/api/v1/reports/courses/${courseId}`)).body as { participants: { learnerId: string }[] };
    learnerId = report.participants[0].learnerId;
    const me = (await rest(schoolAdmin, '/api/v1/me')).body as { memberships: { schoolId: string; role: string }[] };
    schoolId = me.memberships.find((m) => m.role === 'school_admin')!.schoolId;
  }, 120_000);

  it('the class report', async () => {
    const viaRest = await rest(teacher, `/api/v1/reports/courses/${courseId}`);
    const viaGraphql = await gql(teacher, CLASS_REPORT, { courseId });
    expect(viaGraphql.errors).toEqual([]);
    expect((viaRest.body.participants as unknown[]).length).toBeGreaterThan(0);
    expect(without(viaGraphql.data!.classReport, ['generatedAt'])).toEqual(without(viaRest.body, ['generatedAt']));
  });

  it('the learner profile and its timeline', async () => {
    const viaRest = await rest(teacher, `/api/v1/reports/learners/${learnerId}?limit=3`);
    const viaGraphql = await gql(teacher, PROFILE, { learnerId, limit: 3 });
    expect(viaGraphql.errors).toEqual([]);
    expect((viaRest.body.courses as unknown[]).length).toBeGreaterThan(0);
    // Each read of a profile is an event of the learner's timeline (LearnerProfileViewed): the figures, not the timeline, must match here.
    expect(without(viaGraphql.data!.learnerProfile, ['generatedAt', 'timeline'])).toEqual(without(viaRest.body, ['generatedAt', 'timeline']));
    const cursor = (viaRest.body.timeline as { nextCursor: string | null }).nextCursor;
    expect(cursor).toEqual(expect.any(String));
    const restPage = await rest(teacher, `/api/v1/reports/learners/${learnerId}/timeline?limit=5&cursor=${encodeURIComponent(cursor!)}`);
    expect(restPage.status).toBe(200);
    const gqlPage = await gql(teacher, `query ($learnerId: ID!, $cursor: String) { learnerTimeline(learnerId: $learnerId, limit: 5, cursor: $cursor) { ${TIMELINE} } }`, {
      learnerId,
      cursor,
    });
    expect(gqlPage.errors).toEqual([]);
    expect((restPage.body.events as unknown[]).length).toBe(5);
    expect(gqlPage.data!.learnerTimeline).toEqual(restPage.body);
  });

  it('the school report over a period', async () => {
    const to = new Date().toISOString().slice(0, 10);
    const from = new Date(Date.now() - 60 * 86_400_000).toISOString().slice(0, 10);
    // The earlier tests' reads are events of their readers (a teacher's among the school report's figures): both reads
    // below must see all of them, not one before and one after the projections apply the last (PROJECTION_LIVE_LINGER_MS).
    await caughtUp(s.t);
    const viaRest = await rest(schoolAdmin, `/api/v1/reports/schools/${schoolId}?from=${from}&to=${to}`);
    const viaGraphql = await gql(schoolAdmin, SCHOOL_REPORT, { schoolId, from, to });
    expect(viaGraphql.errors).toEqual([]);
    expect((viaRest.body.courses as unknown[]).length).toBeGreaterThan(0);
    expect(without(viaGraphql.data!.schoolReport, ['generatedAt'])).toEqual(without(viaRest.body, ['generatedAt']));
  });

  it('usage statistics', async () => {
    const to = new Date().toISOString().slice(0, 10);
    const from = new Date(Date.now() - 10 * 86_400_000).toISOString().slice(0, 10);
    const viaRest = await rest(admin, `/api/v1/reports/usage?from=${from}&to=${to}&by=role`);
    const viaGraphql = await gql(admin, USAGE, { from, to, by: 'role' });
    expect(viaGraphql.errors).toEqual([]);
    expect((viaRest.body.periods as unknown[]).length).toBe(11);
    // Reading the report is itself activity of the reader (a platform admin): their role's cell and the total of active users
    // move with each read; every other figure must be the same.
    type Report = { periods: { activeUsers: { total: unknown; cells: { key: string }[] } }[] };
    const steady = (report: unknown) => {
      const copy = structuredClone(report) as Report;
      for (const p of copy.periods) {
        p.activeUsers.total = null;
        p.activeUsers.cells = p.activeUsers.cells.filter((c) => c.key !== 'platform_admin');
      }
      return copy;
    };
    expect(steady(viaGraphql.data!.usage)).toEqual(steady(viaRest.body));
  });

  it('the course log, page by page', async () => {
    const first = await rest(teacher, `/api/v1/courses/${courseId}/logs?limit=3`);
    const cursor = first.body.nextCursor as string;
    const viaRest = await rest(teacher, `/api/v1/courses/${courseId}/logs?limit=3&cursor=${encodeURIComponent(cursor)}`);
    const viaGraphql = await gql(teacher, LOG, { courseId, limit: 3, cursor });
    expect(viaGraphql.errors).toEqual([]);
    expect((viaRest.body.rows as unknown[]).length).toBe(3);
    expect(viaGraphql.data!.courseLog).toEqual(viaRest.body);
  });

  it('the projections\' status', async () => {
    await s.caughtUp();
    const viaRest = await rest(admin, '/api/v1/admin/projections');
    const viaGraphql = await gql(admin, PROJECTIONS, {});
    expect(viaGraphql.errors).toEqual([]);
    const names = (rows: unknown) => (rows as { name: string }[]).map((p) => p.name);
    expect(names(viaGraphql.data!.projections)).toEqual(names(viaRest.body.projections));
    expect(names(viaRest.body.projections).length).toBeGreaterThan(3);
    // Figures that move with the log (lag, checkpoints) are compared once caught up: every projection has handled what REST says.
    const settled = (rows: unknown) => (rows as { name: string; state: string; generation: number; deadLetters: number }[]).map(({ name, state, generation, deadLetters }) => ({ name, state, generation, deadLetters }));
    expect(settled(viaGraphql.data!.projections)).toEqual(settled(viaRest.body.projections));
  });
});

describe('GraphQL refuses whom REST refuses, with the same code', () => {
  const cases: [string, (ids: Record<string, string>) => [string, string, Json]][] = [
    ['a learner asking the class report', ({ courseId }) => [`/api/v1/reports/courses/${courseId}`, 'query ($courseId: ID!) { classReport(courseId: $courseId) { courseId } }', { courseId }]],
    ['a learner asking the school report', ({ schoolId }) => [`/api/v1/reports/schools/${schoolId}`, 'query ($schoolId: ID!) { schoolReport(schoolId: $schoolId) { schoolId } }', { schoolId }]],
    ['a learner asking another learner\'s profile', ({ otherLearnerId }) => [`/api/v1/reports/learners/${otherLearnerId}`, 'query ($learnerId: ID!) { learnerProfile(learnerId: $learnerId) { learnerId } }', { learnerId: otherLearnerId }]],
    ['a learner asking usage statistics', () => ['/api/v1/reports/usage', '{ usage { from } }', {}]],
    ['a learner asking the course log', ({ courseId }) => [`/api/v1/courses/${courseId}/logs`, 'query ($courseId: ID!) { courseLog(courseId: $courseId) { courseId } }', { courseId }]],
    ['a learner asking the projections', () => ['/api/v1/admin/projections', '{ projections { name } }', {}]],
  ];

  it.each(cases)('%s', async (_name, call) => {
    const byRole = (role: string) => s.seed.accounts.filter((a) => a.role === role);
    const teacher = await token(byRole('teacher')[0].username);
    const schoolAdmin = await token(byRole('school_admin')[0].username);
    const mine = (await rest(teacher, '/api/v1/courses?mine=true')).body.courses as { courseId: string; viewer: { role: string | null } }[];
    const courseId = mine.find((c) => c.viewer.role === 'teacher')!.courseId;
    const report = (await rest(teacher, `/api/v1/reports/courses/${courseId}`)).body as { participants: { learnerId: string }[] };
    const me = (await rest(schoolAdmin, '/api/v1/me')).body as { memberships: { schoolId: string; role: string }[] };
    const schoolId = me.memberships.find((m) => m.role === 'school_admin')!.schoolId;
    // A learner enrolled in the course, asking about another one of it.
    const [asker, other] = report.participants;
    const askerAccount = byRole('learner').find((a) => a.displayName === (asker as { displayName?: string }).displayName) ?? byRole('learner')[0];
    const learner = await token(askerAccount.username);
    const learnerMe = (await rest(learner, '/api/v1/me')).body as { account: { userId: string } };
    const otherLearnerId = [asker, other].map((p) => p.learnerId).find((id) => id !== learnerMe.account.userId)!;

    const [path, query, variables] = call({ courseId, schoolId, otherLearnerId });
    const viaRest = await rest(learner, path);
    const viaGraphql = await gql(learner, query, variables);
    expect(viaRest.status).toBe(403);
    expect(viaGraphql.data && Object.values(viaGraphql.data)[0]).toBeNull();
    expect(viaGraphql.errors.map((e) => [e.extensions.code, e.message])).toEqual([[(viaRest.body.error as { code: string }).code, (viaRest.body.error as { message: string }).message]]);
  });
});
