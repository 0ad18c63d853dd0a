import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The key store leaves the event database for its own (KEYSTORE_DATABASE_URL,
 * migrations in ./key-store): a dump of the event database must not hold the
 * keys, or restoring it would bring an erased person back.
 *
 * Empty tables (a new installation) are dropped. Tables with keys are renamed
 * `moved_*`: the key store copies them into its database at its first start
 * and then empties them (KeyStore.adoptMovedKeys), so that no key is lost.
 */
export class KeyStoreMovedOut1733000500100 implements MigrationInterface {
  name = 'KeyStoreMovedOut1733000500100';

  async up(q: QueryRunner): Promise<void> {
    const [{ used }] = await q.query(`SELECT EXISTS (SELECT 1 FROM subject_keys) OR EXISTS (SELECT 1 FROM erased_subjects) AS used`);
    if (!used) {
      await q.query('DROP TABLE key_store_check');
      await q.query('DROP TABLE erased_subjects');
      await q.query('DROP TABLE subject_keys');
      return;
    }
    await q.query('ALTER TABLE subject_keys RENAME TO moved_subject_keys');
    await q.query('ALTER TABLE erased_subjects RENAME TO moved_erased_subjects');
    await q.query('ALTER TABLE key_store_check RENAME TO moved_key_store_check');
  }

  async down(): Promise<void> {
    throw new Error('the key store lives in its own database now: moving it back into the event database is not supported');
  }
}
