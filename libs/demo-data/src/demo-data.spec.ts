import { EVENT_TYPES, readModels } from '@learnstream/composition';
import { ProjectionRunner } from '@learnstream/projections';
import { createEventLogFixture, type EventLogFixture } from '../../../test/support/event-log-fixture';
import { writeTermEvents } from './fast-term-writer';
import { SMALL_TERM, planTerm } from './term';

describe('demo data', () => {
  it('plans the same term from the same seed, and another from another seed', () => {
    expect(planTerm(SMALL_TERM)).toEqual(planTerm(SMALL_TERM));
    expect(planTerm({ ...SMALL_TERM, seed: 7 }).schools[0].schoolId).not.toBe(planTerm(SMALL_TERM).schools[0].schoolId);
    const plan = planTerm({ ...SMALL_TERM, schools: 2, learnersPerSchool: 40, coursesPerSchool: 4, coursesPerLearner: 2 });
    expect(plan.courses.reduce((n, c) => n + c.learners.length, 0)).toBe(2 * 40 * 2);
    expect(plan.courses.every((c) => c.quizzes.every((q) => q.questions.every((question) => question.skills.length > 0)))).toBe(true);
  });

  describe('the fast path', () => {
    let fx: EventLogFixture;
    beforeAll(async () => {
      fx = await createEventLogFixture(EVENT_TYPES, readModels().entities as never);
    });
    afterAll(() => fx.close());

    it('writes valid, registered events that every projection applies without a dead letter', async () => {
      const plan = planTerm(SMALL_TERM);
      const result = await writeTermEvents(fx.log, plan, { targetEvents: 3000, passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo' });
      expect(result.events).toBeGreaterThanOrEqual(2900);
      expect(Object.keys(result.byPhase)).toEqual(['schools', 'accounts', 'courses', 'enrolments', 'quizzes', 'attempts', 'activity']);
      const { rows } = await fx.pool.query('SELECT count(*)::int AS n FROM events');
      expect(rows[0].n).toBe(result.events);
      // Personal data is sealed: no display name in clear anywhere in the log.
      const leaked = await fx.pool.query('SELECT count(*)::int AS n FROM events WHERE data::text LIKE $1', [`%${plan.schools[0].learners[0].displayName}%`]);
      expect(leaked.rows[0].n).toBe(0);

      const runner = new ProjectionRunner(fx.dataSource, fx.log, readModels().projections, { batchSize: 500 });
      await runner.start();
      await runner.waitFor((await fx.store.headPosition())!, 120_000);
      await runner.stop();
      expect(await runner.deadLetters()).toEqual([]);
      const count = async (sql: string) => (await fx.pool.query(sql)).rows[0].n;
      expect(await count('SELECT count(*)::int AS n FROM accounts')).toBe(plan.schools.reduce((n, s) => n + 1 + s.teachers.length + s.learners.length + s.parents.length, 0));
      expect(await count(`SELECT count(*)::int AS n FROM course_enrolments WHERE status = 'active'`)).toBe(plan.courses.reduce((n, c) => n + c.learners.length, 0));
      expect(await count('SELECT count(*)::int AS n FROM quiz_attempts')).toBeGreaterThan(0);
      expect(await count('SELECT count(*)::int AS n FROM course_log')).toBeGreaterThan(2000);
    }, 120_000);
  });
});
