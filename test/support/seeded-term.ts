/**
 * A seeded demo term (libs/demo-data's small term) created over the real
 * HTTP API of a test app listening on a local port, with every projection
 * caught up: for tests that drive the app from outside (a browser).
 */
import { DEMO_PASSWORD, SMALL_TERM, planTerm, seedDemo, type SeedResult, type TermPlan } from '../../libs/demo-data/src';
import { EventLog } from '../../libs/event-store/src';
import { ProjectionRunner } from '../../libs/projections/src';
import { createTestApp, TEST_ADMIN, type TestApp } from './test-app';

export interface SeededTerm {
  t: TestApp;
  /** http://127.0.0.1:<port> */
  base: string;
  plan: TermPlan;
  seed: SeedResult;
  password: string;
  /** Waits until every projection has applied the log's head. */
  caughtUp(): Promise<void>;
}

export async function createSeededTerm(overrides: Record<string, string> = {}): Promise<SeededTerm> {
  // A cheaper argon2 cost: the seed signs in every account of the term.
  const t = await createTestApp({ ARGON2_MEMORY_KIB: '1024', ARGON2_PASSES: '1', ...overrides });
  await t.app.listen(0, '127.0.0.1');
  const base = (await t.app.getUrl()).replace('[::1]', '127.0.0.1');
  const plan = planTerm(SMALL_TERM);
  const seed = await seedDemo(base, TEST_ADMIN, plan);
  const caughtUp = async () => {
    const head = await t.app.get(EventLog).store.headPosition();
    if (head) await t.app.get(ProjectionRunner).waitFor(head, 120_000);
  };
  await caughtUp();
  return { t, base, plan, seed, password: DEMO_PASSWORD, caughtUp };
}
