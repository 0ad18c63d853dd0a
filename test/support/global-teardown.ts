import { rmSync } from 'node:fs';
import type { EmbeddedDatabase } from '../../libs/database/src/embedded-postgres';

export default async function globalTeardown(): Promise<void> {
  const embedded = (globalThis as { __embeddedPostgres?: { db: EmbeddedDatabase; dataDir: string } }).__embeddedPostgres;
  if (!embedded) return;
  await embedded.db.stop();
  rmSync(embedded.dataDir, { recursive: true, force: true });
}
