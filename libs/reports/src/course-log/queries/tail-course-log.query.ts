/**
 * The live tail of a course's log (Moodle's live logs): first the last `last`
 * rows (oldest first), or, for a client reconnecting with the id of the last
 * row it got, every row after that one; then each new row as the course-log
 * projection writes it, until `signal` aborts (the client went away).
 *
 * New rows are found by polling the table by position (every
 * liveTailPollMs, 500 ms by default): one indexed range scan per open tail,
 * which works whichever process runs the projection (api or projector) and
 * needs no change to the projection or a connection held per listener, as
 * LISTEN/NOTIFY would. The projection writes rows in log order and commits
 * them with its checkpoint, so a row that appears later always has a later
 * position: "after the last position sent" never skips one. A rebuild refills
 * the table with old positions, which the tail does not send again.
 *
 * The access policy is asked again when the reader's access is withdrawn
 * (pushed: a course or school membership of theirs ended or changed) and
 * every liveTailRecheckMs: a teacher taken off the course stops receiving,
 * with an `end` event (`access_revoked`).
 * The session behind the tail is watched: when it ends (logout; password
 * change, lock or a withdrawn role end every session of the user) the
 * revocation is pushed to every process (SessionRevocations) and the tail
 * sends `end` (`session_ended`) at once. Should pushes be lost (the LISTEN
 * connection dropped), the tail checks its session itself at once and at
 * every recheck.
 */
import { Inject } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { AccessPolicy, SessionRevocations, type Actor, type TenantScope } from '@learnstream/access';
import { REPORTS_OPTIONS, type ReportsOptions } from '../../reports.options';
import { ReportsRepository } from '../../reports.repository';
import { openCourseLog, stillTeaches } from '../course-log.access';
import { decodeCursor, encodeCursor, type CourseLogFilter, type LogPosition } from '../course-log.filter';
import { CourseLogReader, type PositionedRow } from '../course-log.reader';
import type { CourseLogRow } from '../course-log.views';

export const LIVE_TAIL_LAST_MAX = 500;
const CATCH_UP = 500;
const BEFORE_ALL: LogPosition = { commit: -1n, prepare: -1n };

export type TailItem = { kind: 'row'; id: string; row: CourseLogRow } | { kind: 'end'; reason: 'access_revoked' | 'session_ended' };

export class TailCourseLogQuery {
  constructor(
    readonly actor: Actor,
    readonly courseId: string,
    readonly filter: CourseLogFilter,
    /** Rows sent first; ignored when `lastEventId` is given. */
    readonly last: number,
    /** The id (a cursor) of the last row a reconnecting client received. */
    readonly lastEventId: string | undefined,
    readonly signal: AbortSignal,
  ) {}
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });
}

/** The live tail follows the log's order: its event ids are positions without a time. */
const item = (r: PositionedRow): TailItem => ({ kind: 'row', id: encodeCursor({ commit: r.position.commit, prepare: r.position.prepare }), row: r.row });
const laterOf = (a: LogPosition, b: LogPosition): LogPosition => (a.commit > b.commit || (a.commit === b.commit && a.prepare > b.prepare) ? a : b);

@QueryHandler(TailCourseLogQuery)
export class TailCourseLogHandler implements IQueryHandler<TailCourseLogQuery, AsyncIterable<TailItem>> {
  constructor(
    private readonly policy: AccessPolicy,
    private readonly reader: CourseLogReader,
    private readonly reports: ReportsRepository,
    private readonly revocations: SessionRevocations,
    @Inject(REPORTS_OPTIONS) private readonly options: ReportsOptions,
  ) {}

  async execute({ actor, courseId, filter, last, lastEventId, signal }: TailCourseLogQuery): Promise<AsyncIterable<TailItem>> {
    const log = await openCourseLog(this.policy, actor, courseId);
    let backlog: PositionedRow[] = [];
    let from: LogPosition;
    if (lastEventId) {
      const { commit, prepare } = decodeCursor(lastEventId);
      from = { commit, prepare };
    } else {
      const newest = await this.reader.newest(log.scope, courseId, filter, Math.max(Math.min(last, LIVE_TAIL_LAST_MAX), 1));
      backlog = newest.slice(0, Math.max(last, 0)).reverse();
      // The backlog is the newest by time; the tail goes on after the latest of them in the log.
      from = newest.reduce<LogPosition>((p, r) => laterOf(p, { commit: r.position.commit, prepare: r.position.prepare }), BEFORE_ALL);
    }
    await this.reports.courseLogViewed(actor, log, 'live', filter.userId ?? null);
    return this.follow(actor, courseId, filter, log.scope, backlog, from, signal);
  }

  private async *follow(actor: Actor, courseId: string, filter: CourseLogFilter, scope: TenantScope, backlog: PositionedRow[], from: LogPosition, signal: AbortSignal): AsyncIterable<TailItem> {
    let ended = false;
    let recheckNow = false;
    let wake = new AbortController();
    const unwatch = this.revocations.watch(actor, (pushed) => {
      if (pushed === 'revoked') ended = true;
      else recheckNow = true;
      wake.abort();
    });
    try {
      for (const r of backlog) yield item(r);
      let after = from;
      let checkedAt = Date.now();
      while (!signal.aborted) {
        if (ended) {
          yield { kind: 'end', reason: 'session_ended' };
          return;
        }
        const rows = await this.reader.oldestAfter(scope, courseId, filter, CATCH_UP, after);
        for (const r of rows) {
          if (signal.aborted || ended) break;
          yield item(r);
          after = r.position;
        }
        if (ended) continue;
        if (rows.length === CATCH_UP) continue;
        if (recheckNow || Date.now() - checkedAt >= this.options.liveTailRecheckMs) {
          recheckNow = false;
          if (!(await this.revocations.isOpen(actor.sessionId))) {
            ended = true;
            continue;
          }
          const fresh = await stillTeaches(this.policy, actor, courseId);
          if (!fresh) {
            yield { kind: 'end', reason: 'access_revoked' };
            return;
          }
          scope = fresh;
          checkedAt = Date.now();
        }
        if (!ended && !recheckNow) {
          wake = new AbortController();
          await pause(this.options.liveTailPollMs, AbortSignal.any([signal, wake.signal]));
        }
      }
    } finally {
      unwatch();
    }
  }
}
