/**
 * `learnstream seed demo` (npm run seed:demo): starts the API in this process
 * on a free local port, on the configured database (the embedded one by
 * default: stop `npm start` first, they share its folder), and creates a small
 * demo term through the real endpoints. On a database with no platform admin
 * yet, the admin is created with ADMIN_PASSWORD, or a password generated and
 * printed here; on one that has an admin, ADMIN_PASSWORD must be its password.
 */
import { randomBytes } from 'node:crypto';
import type { AppConfig } from '@learnstream/config';
import { resolveDatabase, type JsonLogger } from '@learnstream/core';
import { DEMO_PASSWORD, SMALL_TERM, planTerm, seedDemo } from '@learnstream/demo-data';
import pg from 'pg';
import { createApp } from '../../api/src/create-app';

const SYSTEM_STREAM = 'system-00000000-0000-4000-8000-000000000000';

async function hasAdmin(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url });
  // A connection lost between queries is reported by the next query, not as an unhandled 'error'.
  client.on('error', () => undefined);
  await client.connect();
  try {
    const { rows } = await client.query(`SELECT to_regclass('public.events') IS NOT NULL AS ready`);
    if (!rows[0].ready) return false;
    return (await client.query('SELECT 1 FROM events WHERE stream_id = $1 LIMIT 1', [SYSTEM_STREAM])).rowCount! > 0;
  } finally {
    await client.end();
  }
}

export async function seedDemoCommand(config: AppConfig, logger: JsonLogger, out: (s: string) => void): Promise<number> {
  const database = await resolveDatabase(config, logger);
  let app;
  try {
    let generated: string | null = null;
    if (!config.auth.adminPassword) {
      if (await hasAdmin(database.url)) {
        out(`this database already has a platform admin: set ADMIN_PASSWORD to their password (ADMIN_USERNAME=${config.auth.adminUsername}) and run again`);
        return 78;
      }
      generated = randomBytes(12).toString('base64url');
      config.auth.adminPassword = generated;
    }
    app = await createApp({ ...config, projectorInProcess: true }, database.url, logger);
    await app.listen(0, '127.0.0.1');
    const base = await app.getUrl();
    out(`seeding a demo term through ${base.replace('[::1]', '127.0.0.1')} (seed ${SMALL_TERM.seed}) …`);
    const plan = planTerm(SMALL_TERM);
    let result;
    try {
      result = await seedDemo(base.replace('[::1]', '127.0.0.1'), { username: config.auth.adminUsername, password: config.auth.adminPassword }, plan, (line) => out(`  ${line}`));
    } catch (error) {
      const message = (error as Error).message;
      out(/409/.test(message) ? `the demo term seems to be there already (${message.slice(0, 200)})` : `seeding failed: ${message}`);
      return 1;
    }
    const start = `http://localhost:${config.port}`;
    const pick = (role: string) => result.accounts.find((a) => a.role.startsWith(role))!;
    const teacher = pick('teacher');
    const learner = pick('learner');
    out('');
    out(`done: ${Object.entries(result.counts).map(([k, v]) => `${v} ${k}`).join(', ')}`);
    out('');
    out(`sign-ins (every demo account's password is ${DEMO_PASSWORD}):`);
    out(`  ${'platform admin'.padEnd(28)} ${config.auth.adminUsername} / ${generated ?? '(ADMIN_PASSWORD)'}`);
    for (const a of result.accounts.filter((a, i, all) => a.role !== 'learner' || all.findIndex((b) => b.role === 'learner' && b.school === a.school) === i)) {
      out(`  ${`${a.role}${a.school ? ` (${a.school})` : ''}`.slice(0, 60).padEnd(28)} ${a.username}`);
    }
    out(`  …and ${result.accounts.filter((a) => a.role === 'learner').length} learners in all (learner1-… , see GET /api/v1/schools/:id/members as a school admin)`);
    out('');
    out(`courses: ${result.courses.map((c) => `${c.title} (${c.school}, ${c.learners} learners) ${c.courseId}`).join('; ')}`);
    out('');
    out(`try it (npm start, then):`);
    out(`  TOKEN=$(curl -s ${start}/api/v1/auth/login -H 'Content-Type: application/json' -d '{"username":"${teacher.username}","password":"${DEMO_PASSWORD}"}' | sed 's/.*"accessToken":"\\([^"]*\\)".*/\\1/')`);
    out(`  curl -s ${start}/api/v1/courses -H "Authorization: Bearer $TOKEN"`);
    out(`  curl -s ${start}/api/v1/courses/${result.courses[0].courseId}/logs -H "Authorization: Bearer $TOKEN"`);
    out(`  curl -s ${start}/api/v1/courses/${result.courses[0].courseId}/grades -H "Authorization: Bearer $TOKEN"`);
    out(`  # as a learner (${learner.username}): record client-side activity`);
    out(`  curl -s ${start}/api/v1/activity -H "Authorization: Bearer $LEARNER_TOKEN" -H 'Content-Type: application/json' \\`);
    out(`    -d '{"id":"'$(cat /proc/sys/kernel/random/uuid)'","type":"CourseViewed","courseId":"${result.courses[0].courseId}"}'`);
    out(`  open ${start}/docs for everything else`);
    return 0;
  } finally {
    await app?.close();
    await database.stop();
  }
}
