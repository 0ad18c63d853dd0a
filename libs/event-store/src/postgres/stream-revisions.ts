/**
 * The PostgreSQL adapter's expected-revision check, shared by single appends
 * and the group commit: checks the expected revision and moves the stream's
 * revision on by `n`, holding the stream row's lock until commit, so that
 * concurrent writers of the same stream queue behind it and then fail the
 * check. Returns the new revision, or throws CONCURRENCY_CONFLICT.
 */
import type pg from 'pg';
import { WrongExpectedRevisionError, expectedToString } from '../errors';
import type { ExpectedRevision } from '../event-store';

/** The stream's revision, -1 when it does not exist. */
export async function currentRevision(client: pg.PoolClient, streamId: string): Promise<bigint> {
  const { rows } = await client.query<{ revision: string }>('SELECT revision FROM streams WHERE stream_id = $1', [streamId]);
  return rows.length ? BigInt(rows[0].revision) : -1n;
}

export async function claimRevisions(client: pg.PoolClient, streamId: string, expected: ExpectedRevision, n: number): Promise<bigint> {
  let rows: { revision: string }[];
  if (expected === 'no_stream') {
    ({ rows } = await client.query(
      `INSERT INTO streams (stream_id, revision) VALUES ($1, $2)
       ON CONFLICT (stream_id) DO UPDATE SET revision = EXCLUDED.revision WHERE streams.revision = -1
       RETURNING revision`,
      [streamId, n - 1],
    ));
  } else if (expected === 'any') {
    ({ rows } = await client.query(
      `INSERT INTO streams (stream_id, revision) VALUES ($1, $2)
       ON CONFLICT (stream_id) DO UPDATE SET revision = streams.revision + $3 RETURNING revision`,
      [streamId, n - 1, n],
    ));
  } else if (expected === 'stream_exists') {
    ({ rows } = await client.query(`UPDATE streams SET revision = revision + $2 WHERE stream_id = $1 AND revision >= 0 RETURNING revision`, [streamId, n]));
  } else {
    ({ rows } = await client.query(`UPDATE streams SET revision = revision + $3 WHERE stream_id = $1 AND revision = $2 RETURNING revision`, [streamId, expected.toString(), n]));
  }
  if (rows.length === 0) {
    const actual = await currentRevision(client, streamId);
    throw new WrongExpectedRevisionError(streamId, expectedToString(expected), actual < 0n ? null : actual);
  }
  return BigInt(rows[0].revision);
}

export interface RevisionClaim {
  streamId: string;
  expected: ExpectedRevision;
  n: number;
}

/**
 * claimRevisions for many distinct streams, set-wise: one statement per kind
 * of expected revision present (new streams, any, existing or exact), in
 * stream order. Returns the new revision of each claim, in the order given,
 * or throws CONCURRENCY_CONFLICT for the first claim that fails its check.
 */
export async function claimRevisionsOfMany(client: pg.PoolClient, claims: readonly RevisionClaim[]): Promise<bigint[]> {
  const sorted = [...claims].sort((a, b) => (a.streamId < b.streamId ? -1 : a.streamId > b.streamId ? 1 : 0));
  const of = (kind: (e: ExpectedRevision) => boolean) => sorted.filter((c) => kind(c.expected));
  const ids = (cs: RevisionClaim[]) => cs.map((c) => c.streamId);
  const counts = (cs: RevisionClaim[]) => cs.map((c) => c.n);
  const statements: [RevisionClaim[], string, (cs: RevisionClaim[]) => unknown[]][] = [
    [
      of((e) => e === 'no_stream'),
      `INSERT INTO streams (stream_id, revision) SELECT s, n - 1 FROM unnest($1::text[], $2::bigint[]) AS t(s, n)
       ON CONFLICT (stream_id) DO UPDATE SET revision = EXCLUDED.revision WHERE streams.revision = -1
       RETURNING stream_id, revision`,
      (cs) => [ids(cs), counts(cs)],
    ],
    [
      of((e) => e === 'any'),
      `INSERT INTO streams (stream_id, revision) SELECT s, n - 1 FROM unnest($1::text[], $2::bigint[]) AS t(s, n)
       ON CONFLICT (stream_id) DO UPDATE SET revision = streams.revision + EXCLUDED.revision + 1
       RETURNING stream_id, revision`,
      (cs) => [ids(cs), counts(cs)],
    ],
    [
      of((e) => e === 'stream_exists'),
      `UPDATE streams SET revision = revision + t.n FROM unnest($1::text[], $2::bigint[]) AS t(s, n)
       WHERE streams.stream_id = t.s AND streams.revision >= 0 RETURNING stream_id, revision`,
      (cs) => [ids(cs), counts(cs)],
    ],
    [
      of((e) => typeof e === 'bigint'),
      `UPDATE streams SET revision = revision + t.n FROM unnest($1::text[], $2::bigint[], $3::bigint[]) AS t(s, n, expected)
       WHERE streams.stream_id = t.s AND streams.revision = t.expected RETURNING stream_id, revision`,
      (cs) => [ids(cs), counts(cs), cs.map((c) => (c.expected as bigint).toString())],
    ],
  ];
  const claimed = new Map<string, bigint>();
  for (const [cs, sql, params] of statements) {
    if (!cs.length) continue;
    const { rows } = await client.query<{ stream_id: string; revision: string }>(sql, params(cs));
    for (const row of rows) claimed.set(row.stream_id, BigInt(row.revision));
  }
  const failed = claims.find((c) => !claimed.has(c.streamId));
  if (failed) {
    const actual = await currentRevision(client, failed.streamId);
    throw new WrongExpectedRevisionError(failed.streamId, expectedToString(failed.expected), actual < 0n ? null : actual);
  }
  return claims.map((c) => claimed.get(c.streamId)!);
}
