/**
 * The class report lists its participants as the old join did
 * (`ORDER BY display_name NULLS LAST, learner_id` over course_enrolments ⟕
 * accounts), now from the courses and identity readers: same order in the
 * database's collation, people without a name or an account last.
 */
import { randomUUID } from 'node:crypto';
import { readEnrolments } from '@learnstream/courses';
import { query } from '@learnstream/database';
import { readAccountNames } from '@learnstream/identity';
import { createMigratedDatabase } from '../../../../test/support/test-database';
import { byDisplayName, restrictedIds } from './read-models';

describe('participants through the readers', () => {
  let db: Awaited<ReturnType<typeof createMigratedDatabase>>;
  const course = randomUUID();
  // Names that sort differently by code point, by case and by locale; two without a name; two without an account.
  const names = ['Zoë', 'zara', 'Ånna', 'anna', 'Émile', 'Bob', 'bob', '12 Monkeys', null, null];
  const accounts = names.map((name) => ({ id: randomUUID(), name }));
  const withoutAccount = [randomUUID(), randomUUID()];
  const restricted = accounts[1].id;

  beforeAll(async () => {
    db = await createMigratedDatabase();
    await db.dataSource.query(
      `INSERT INTO accounts (user_id, username, display_name, origin, created_at, updated_at)
       SELECT u, 'user' || n, d, 'test', now(), now() FROM unnest($1::uuid[], $2::text[]) WITH ORDINALITY AS t(u, d, n)`,
      [accounts.map((a) => a.id), accounts.map((a) => a.name)],
    );
    const learners = [...accounts.map((a) => a.id), ...withoutAccount];
    await db.dataSource.query(
      `INSERT INTO course_enrolments (course_id, learner_id, status, method, enrolled_at) SELECT $1, u, 'active', 'manual', now() FROM unnest($2::uuid[]) u`,
      [course, learners],
    );
    await db.dataSource.query('INSERT INTO subject_flags (user_id, restricted, updated_at) VALUES ($1, true, now())', [restricted]);
  }, 120_000);

  afterAll(() => db.drop());

  it('gives the order of the join, restricted people left out', async () => {
    const joined = await query<{ learner_id: string }>(
      db.dataSource,
      `SELECT e.learner_id FROM course_enrolments e LEFT JOIN accounts a ON a.user_id = e.learner_id
       WHERE e.course_id = $1 AND NOT coalesce(e.learner_id = ANY ((SELECT ls_restricted_ids())::uuid[]), false)
       ORDER BY a.display_name NULLS LAST, e.learner_id`,
      [course],
    );
    const left = await restrictedIds(db.dataSource);
    const enrolled = (await readEnrolments(db.dataSource, { courseIds: [course] })).filter((e) => !left.has(e.learnerId));
    const named = await readAccountNames(db.dataSource, enrolled.map((e) => e.learnerId));
    expect(byDisplayName(enrolled, (e) => e.learnerId, named).map((e) => e.learnerId)).toEqual(joined.map((r) => r.learner_id));
    expect(joined).toHaveLength(accounts.length + withoutAccount.length - 1);
    expect(joined.map((r) => r.learner_id)).not.toContain(restricted);
  });
});
