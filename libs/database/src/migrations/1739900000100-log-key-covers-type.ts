import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The log's primary key covers each event's type (issue 15: the catch-up of
 * all projections). The inline read models' catch-up (InlineProjections.page)
 * reads the log in windows of positions and types, once per inline read model:
 * with the type in the key, a window is an index-only scan of the key, not a
 * visit of the heap's pages (the events' data and metadata: ~1.4 kB an event).
 * On a 1,000,000-event term those windows were 43–55 s of the catch-up's
 * 202–256 s of database time, all before the server answered; a window of
 * 100,000 events reads ~600 pages of the key instead of ~19,000 of the heap
 * (25 ms, not 420 ms).
 *
 * The key's entries grow by the type's text (30 → 49 MB for 1,000,000 events);
 * no index is added. The rebuild locks the log while it runs (a few seconds
 * for a million events).
 */
export class LogKeyCoversType1739900000100 implements MigrationInterface {
  name = 'LogKeyCoversType1739900000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE events DROP CONSTRAINT events_pkey, ADD PRIMARY KEY (transaction_id, global_position) INCLUDE (event_type)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE events DROP CONSTRAINT events_pkey, ADD PRIMARY KEY (transaction_id, global_position)`);
  }
}
