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
