/**
 * The live tail's logic with its reader and the access policy replaced: the
 * backlog oldest first, new rows in order and once, resuming after a given
 * row, the end when the reader no longer teaches the course, and the stop on abort.
 */
import type { AccessPolicy, Actor, SessionRevocations } from '@learnstream/access';
import { DEFAULT_REPORTS_OPTIONS } from '../../reports.options';
import type { ReportsRepository } from '../../reports.repository';
import { encodeCursor, type LogPosition } from '../course-log.filter';
import type { CourseLogReader, PositionedRow } from '../course-log.reader';
import { TailCourseLogHandler, TailCourseLogQuery, type TailItem } from './tail-course-log.query';

const courseId = '0b9f1d2e-4c3a-4b5d-9e8f-7a6b5c4d3e2f';
const actor: Actor = { userId: '1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f', realActorId: null, sessionId: 's', platformRoles: [], request: null };
const after = (a: LogPosition, b: LogPosition) => a.commit > b.commit || (a.commit === b.commit && a.prepare > b.prepare);

function fixture(rowCount: number) {
  const table: PositionedRow[] = [];
  const add = () => {
    const n = table.length + 1;
    table.push({ position: { commit: BigInt(100 + n), prepare: 1n }, row: { eventId: `e${n}` } as PositionedRow['row'] });
  };
  for (let i = 0; i < rowCount; i++) add();
  let teaches = true;
  const policy = {
    require: async () => undefined,
    can: async () => teaches,
    course: async () => ({ exists: true, schoolId: null }),
    scopeOf: async () => ({ all: false, schoolIds: [], userIds: [] }),
  } as unknown as AccessPolicy;
  const reader = {
    newest: async (_s: unknown, _c: string, _f: unknown, limit: number) => [...table].reverse().slice(0, limit),
    oldestAfter: async (_s: unknown, _c: string, _f: unknown, limit: number, from: LogPosition) => table.filter((r) => after(r.position, from)).slice(0, limit),
  } as unknown as CourseLogReader;
  const recorded: string[] = [];
  const reports = { courseLogViewed: async (_a: Actor, _c: unknown, format: string) => void recorded.push(format) } as unknown as ReportsRepository;
  // No session ends during these tests: the revocations are those of a session that stays open.
  const revocations = { watch: () => () => undefined, isOpen: async () => true } as unknown as SessionRevocations;
  const handler = new TailCourseLogHandler(policy, reader, reports, revocations, { ...DEFAULT_REPORTS_OPTIONS, liveTailPollMs: 5, liveTailRecheckMs: 0 });
  return { table, add, handler, recorded, revoke: () => (teaches = false) };
}

async function take(iterator: AsyncIterator<TailItem>, n: number): Promise<TailItem[]> {
  const items: TailItem[] = [];
  while (items.length < n) {
    const next = await iterator.next();
    if (next.done) break;
    items.push(next.value);
  }
  return items;
}

const ids = (items: TailItem[]) => items.map((i) => (i.kind === 'row' ? i.row.eventId : `end:${i.reason}`));

describe('live tail', () => {
  it('sends the last rows oldest first, then new rows once each, and ends when the reader no longer teaches the course', async () => {
    const f = fixture(5);
    const abort = new AbortController();
    const tail = (await f.handler.execute(new TailCourseLogQuery(actor, courseId, {}, 2, undefined, abort.signal)))[Symbol.asyncIterator]();
    expect(f.recorded).toEqual(['live']);
    expect(ids(await take(tail, 2))).toEqual(['e4', 'e5']);
    f.add();
    f.add();
    const fresh = await take(tail, 2);
    expect(ids(fresh)).toEqual(['e6', 'e7']);
    expect(fresh[0]).toMatchObject({ id: encodeCursor({ commit: 106n, prepare: 1n }) });
    f.revoke();
    expect(ids(await take(tail, 5))).toEqual(['end:access_revoked']);
    abort.abort();
  });

  it('resumes after the row a reconnecting client names, without a backlog', async () => {
    const f = fixture(4);
    const abort = new AbortController();
    const tail = (await f.handler.execute(new TailCourseLogQuery(actor, courseId, {}, 50, encodeCursor({ commit: 102n, prepare: 1n }), abort.signal)))[Symbol.asyncIterator]();
    expect(ids(await take(tail, 2))).toEqual(['e3', 'e4']);
    abort.abort();
    expect(await tail.next()).toEqual({ done: true, value: undefined });
  });

  it('with no row to send first, sends only what comes after it opened; stops when aborted', async () => {
    const f = fixture(3);
    const abort = new AbortController();
    const tail = (await f.handler.execute(new TailCourseLogQuery(actor, courseId, {}, 0, undefined, abort.signal)))[Symbol.asyncIterator]();
    setTimeout(() => f.add(), 20);
    expect(ids(await take(tail, 1))).toEqual(['e4']);
    setTimeout(() => abort.abort(), 20);
    expect(await tail.next()).toEqual({ done: true, value: undefined });
  });
});
