/**
 * Configuration is parsed and validated once, at start-up, from the environment.
 * Nothing else in the code base reads `process.env`: it asks for `AppConfig`.
 * A bad value stops the start with a message that names the variable.
 */
import { hkdfSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export type EventStoreKind = 'postgres' | 'esdb';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface AppConfig {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  logLevel: LogLevel;
  /** LOG_LEVEL was given (commands that are quiet by default honour it). */
  logLevelSet: boolean;
  /** An existing PostgreSQL server; when absent, an embedded one is started. */
  databaseUrl: string | null;
  /** Connections of the process's pool to the event database (DATABASE_POOL_MAX); the process holds 4 more (README). */
  databasePoolMax: number;
  /** lock_timeout of the pool's connections, ms (DATABASE_LOCK_TIMEOUT_MS; 0: none): a request waiting longer for someone else's lock is refused (503). */
  databaseLockTimeoutMs: number;
  /**
   * How far the CLI lets its heap grow past what the last full garbage
   * collection kept, in percent (CLI_HEAP_GROWING_PERCENT, V8's
   * --heap-growing-percent); 0 leaves it to V8, which lets a bulk command's
   * heap grow to about four times its live data before collecting. 75 since the
   * import loads only what it needs (a smaller live heap: 25 made full
   * collections so frequent that they were about a fifth of its CPU).
   */
  cliHeapGrowingPercent: number;
  embedded: { dataDir: string; port: number };
  /**
   * The key store's own database (KEYSTORE_DATABASE_URL): per-subject keys and
   * the erasure ledger, never in a dump of the event database. Null: the
   * database `<name>_keys` on DATABASE_URL's server (created if missing).
   */
  keyStoreDatabaseUrl: string | null;
  /** The erasure ledger outside PostgreSQL (ERASURE_LEDGER_PATH): appended at every erasure, re-applied at every start. */
  erasureLedgerPath: string;
  eventStore: { kind: EventStoreKind; esdbConnectionString: string | null };
  /** 32-byte master key wrapping the per-subject data keys. */
  masterKey: Buffer;
  /** Where the master key came from: told once at start-up, never logged itself. */
  masterKeySource: 'env' | 'file' | 'generated';
  /**
   * Bearer token for the operations API (/api/v1/admin/projections) until the
   * identity issue brings platform-admin sign-in.
   */
  opsToken: string;
  opsTokenSource: 'env' | 'file' | 'generated';
  /** Run the projections inside the API process (the default for `npm start`). */
  projectorInProcess: boolean;
  projections: { batchSize: number; liveBatchSize: number; liveLingerMs: number; pollIntervalMs: number; idlePollMs: number };
  auth: AuthConfig;
  /** The HTTP edge: which proxies to trust for the client address, body bounds, the per-client request limit. */
  http: HttpEdgeConfig;
  /** GraphQL limits checked before execution (graphql-armor). */
  graphql: { maxAliases: number; maxDepth: number; maxCost: number; maxTokens: number; maxDirectives: number };
  /** k-anonymity of usage statistics: a cell computed from fewer distinct people is suppressed. */
  reports: { usageMinCellSize: number };
  /** Class report: a learner with no activity in a course for this many days is at risk. */
  progress: { inactiveDays: number };
  /** Activity ingestion (POST /api/v1/activity): batch size, group commit, back-pressure. */
  activity: {
    maxBatchItems: number;
    queueMaxEvents: number;
    groupMaxEvents: number;
    commitsInFlight: number;
    lingerMs: number;
    retryAfterSeconds: number;
    accessCacheMs: number;
    bodyLimit: string;
  };
  /** Data-subject rights: legal hold, deadlines, retention of request metadata, the sweep, breach review. */
  privacy: {
    legalHoldYears: number;
    requestDeadlineDays: number;
    requestMetadataRetentionMonths: number;
    sweepIntervalMs: number;
    unusualAccessPerHour: number;
    xapiHomePage: string;
  };
  /** The dashboard's built static files (`npm run build`), served at `/`; GraphiQL's page is among them. */
  webDir: string;
  /** Bulk uploads (accounts, enrolments, resources, results, grades): the body limit of their routes. */
  bulk: {
    bodyLimit: string;
  };
  /** Moodle imports and the xAPI LRS (libs/interop). */
  interop: {
    homePage: string;
    /** Where uploaded import files are kept while their job runs (and to resume it). */
    importDir: string;
    /** Largest request body of /xapi. */
    xapiBodyLimit: string;
    /** The xAPI version an LRS answer names when the request names none (the About resource, a 400 for the missing header). */
    xapiDefaultVersion: '1.0.3' | '2.0.0';
  };
}

export interface HttpEdgeConfig {
  /**
   * Express's `trust proxy`: false (the socket's address is the client), a
   * number of hops, or a list of proxy addresses/subnets (`loopback`,
   * `10.0.0.0/8`, …). Only then is X-Forwarded-For believed.
   */
  trustProxy: boolean | number | string[];
  /** Largest JSON (and form) body of an ordinary route; the activity batch route has its own. */
  bodyLimit: string;
  /** Deepest nesting of arrays/objects accepted in a body or query string. */
  maxInputDepth: number;
  /** Requests per client address per minute, all routes together (0 = no limit). */
  rateLimitPerMinute: number;
  /**
   * Where the request limits and the sign-in lockout count: `postgres` (one
   * table shared by every process on the database: N replicas allow the limit
   * once) or `memory` (per process: N replicas allow N times each limit).
   */
  rateLimitStore: 'postgres' | 'memory';
}

export interface AuthConfig {
  /** HMAC key signing access tokens: JWT_SECRET, else derived from the master key. */
  jwtSecret: Buffer;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  /**
   * Failed sign-ins of one username from one client address that lock that
   * pair (never the account), and for how long (LOCKOUT_THRESHOLD, LOCKOUT_MINUTES).
   */
  lockoutThreshold: number;
  lockoutMinutes: number;
  /** Sign-in limits: attempts per client address per minute; the slow-down of a username under attack, for everyone. */
  signIn: { perClientPerMinute: number; slowdownAfter: number; slowdownStepMs: number; slowdownMaxMs: number };
  passwordMinLength: number;
  /** Days after which a password must be changed; 0 = never. */
  passwordMaxAgeDays: number;
  /** argon2id cost (OWASP minimum by default: 19 MiB, 2 passes). */
  argon2: { memoryKiB: number; passes: number };
  /** Below this age a learner is a minor: consent needs a parent. */
  ageOfMajority: number;
  /** The first platform admin (DESIGN.md); a password is generated and printed once when unset. */
  adminUsername: string;
  adminPassword: string | null;
}

export class ConfigError extends Error {
  constructor(readonly variable: string, message: string) {
    super(`Invalid configuration: ${variable} ${message}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function str(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = str(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${n}`);
  return n;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = str(env, name);
  if (raw === undefined) return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'no', 'off'].includes(raw.toLowerCase())) return false;
  throw new ConfigError(name, `must be true or false, got "${raw}"`);
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = str(env, name);
  if (raw === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(name, `must be one of ${allowed.join(', ')}, got "${raw}"`);
  }
  return raw as T;
}

function parseDatabaseUrl(raw: string | undefined, name = 'DATABASE_URL'): string | null {
  if (raw === undefined) return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(name, 'is not a URL (expected postgres://user@host:port/database)');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigError(name, `must start with postgres://, got "${url.protocol}//"`);
  }
  if (url.pathname.length <= 1) throw new ConfigError(name, 'must name a database');
  return raw;
}

/** The key store's database must not be the event database: a dump of one must not hold the other. */
function keyStoreDatabaseUrl(env: Env, databaseUrl: string | null): string | null {
  const raw = parseDatabaseUrl(str(env, 'KEYSTORE_DATABASE_URL'), 'KEYSTORE_DATABASE_URL');
  if (raw !== null && databaseUrl !== null) {
    const a = new URL(raw);
    const b = new URL(databaseUrl);
    if (a.host === b.host && a.pathname === b.pathname) {
      throw new ConfigError('KEYSTORE_DATABASE_URL', 'must name another database than DATABASE_URL (the keys must not be in the event database or its backups)');
    }
  }
  return raw;
}

function decodeKey(name: string, raw: string): Buffer {
  const key = /^[0-9a-fA-F]{64}$/.test(raw) ? Buffer.from(raw, 'hex') : Buffer.from(raw, 'base64');
  if (key.length !== 32) {
    throw new ConfigError(name, 'must be 32 bytes, as 64 hex digits or base64 (try: openssl rand -base64 32)');
  }
  return key;
}

/** A secret from the environment, else (outside production) one generated once and kept in a file. */
function secret(env: Env, name: string, production: boolean, file: string, make: () => string, check: (v: string) => string) {
  const raw = str(env, name);
  if (raw) return { value: check(raw), source: 'env' as const };
  if (production) throw new ConfigError(name, 'is required in production');
  if (existsSync(file)) return { value: check(readFileSync(file, 'utf8').trim()), source: 'file' as const };
  const value = make();
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, value + '\n', { mode: 0o600 });
  return { value, source: 'generated' as const };
}

/**
 * The master key: MASTER_KEY (hex or base64) in production. On a newcomer's
 * machine a key is generated on first start and kept next to the embedded data,
 * so that `npm start` needs no setup and restarts can still read old events.
 */
function masterKey(env: Env, production: boolean, dataDir: string): Pick<AppConfig, 'masterKey' | 'masterKeySource'> {
  const file = resolve(dataDir, '..', 'master.key');
  const s = secret(env, 'MASTER_KEY', production, file, () => randomBytes(32).toString('base64'), (v) => (decodeKey('MASTER_KEY', v), v));
  return { masterKey: decodeKey('MASTER_KEY', s.value), masterKeySource: s.source };
}

function opsToken(env: Env, production: boolean, dataDir: string): Pick<AppConfig, 'opsToken' | 'opsTokenSource'> {
  const file = resolve(dataDir, '..', 'ops.token');
  const s = secret(env, 'OPS_TOKEN', production, file, () => randomBytes(24).toString('base64url'), (v) => {
    if (v.length < 24) throw new ConfigError('OPS_TOKEN', 'must be at least 24 characters');
    return v;
  });
  return { opsToken: s.value, opsTokenSource: s.source };
}

function auth(env: Env, key: Buffer): AuthConfig {
  const jwt = str(env, 'JWT_SECRET');
  if (jwt !== undefined && jwt.length < 32) throw new ConfigError('JWT_SECRET', 'must be at least 32 characters');
  const adminUsername = str(env, 'ADMIN_USERNAME') ?? 'admin';
  if (!/^[a-z0-9][a-z0-9._@-]{2,63}$/i.test(adminUsername)) throw new ConfigError('ADMIN_USERNAME', 'must be 3–64 letters, digits or . _ @ -');
  const minLength = int(env, 'PASSWORD_MIN_LENGTH', 10, 8, 64);
  const adminPassword = str(env, 'ADMIN_PASSWORD') ?? null;
  if (adminPassword !== null && adminPassword.length < minLength) throw new ConfigError('ADMIN_PASSWORD', `must be at least ${minLength} characters`);
  return {
    jwtSecret: jwt ? Buffer.from(jwt) : Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), 'learnstream access tokens', 32)),
    accessTokenTtlSeconds: int(env, 'ACCESS_TOKEN_TTL_SECONDS', 900, 30, 86400),
    refreshTokenTtlSeconds: int(env, 'REFRESH_TOKEN_TTL_SECONDS', 30 * 86400, 60, 365 * 86400),
    lockoutThreshold: int(env, 'LOCKOUT_THRESHOLD', 5, 1, 100),
    lockoutMinutes: int(env, 'LOCKOUT_MINUTES', 15, 1, 10080),
    signIn: {
      perClientPerMinute: int(env, 'SIGNIN_RATE_LIMIT_PER_MINUTE', 60, 1, 100000),
      slowdownAfter: int(env, 'SIGNIN_SLOWDOWN_AFTER', 10, 1, 10000),
      slowdownStepMs: int(env, 'SIGNIN_SLOWDOWN_STEP_MS', 200, 0, 10000),
      slowdownMaxMs: int(env, 'SIGNIN_SLOWDOWN_MAX_MS', 3000, 0, 60000),
    },
    passwordMinLength: minLength,
    passwordMaxAgeDays: int(env, 'PASSWORD_MAX_AGE_DAYS', 0, 0, 3650),
    argon2: { memoryKiB: int(env, 'ARGON2_MEMORY_KIB', 19456, 1024, 1048576), passes: int(env, 'ARGON2_PASSES', 2, 1, 10) },
    ageOfMajority: int(env, 'AGE_OF_MAJORITY', 18, 10, 21),
    adminUsername,
    adminPassword,
  };
}

const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function trustProxy(env: Env): boolean | number | string[] {
  const raw = str(env, 'TRUST_PROXY');
  if (raw === undefined || raw.toLowerCase() === 'false') return false;
  if (raw.toLowerCase() === 'true') return true;
  if (/^\d+$/.test(raw)) return int(env, 'TRUST_PROXY', 0, 0, 32);
  const list = raw.split(',').map((p) => p.trim()).filter(Boolean);
  for (const entry of list) {
    if (!PROXY_NAMES.has(entry) && !/^[0-9a-f.:]+(\/\d{1,3})?$/i.test(entry)) {
      throw new ConfigError('TRUST_PROXY', `must be false, true, a hop count or a list of addresses/subnets (loopback, 10.0.0.0/8, …), got "${entry}"`);
    }
  }
  return list;
}

function httpUrl(env: Env, name: string, fallback: string): string {
  const raw = str(env, name) ?? fallback;
  if (!/^https?:\/\/[^\s/]+/.test(raw)) throw new ConfigError(name, `must be an http(s) URL, got "${raw}"`);
  return raw.replace(/\/+$/, '');
}

function bodyLimit(env: Env, name: string, fallback: string): string {
  const raw = str(env, name) ?? fallback;
  if (!/^\d+(kb|mb)$/i.test(raw)) throw new ConfigError(name, `must be a size like 512kb or 1mb, got "${raw}"`);
  return raw.toLowerCase();
}

export function loadConfig(env: Env = process.env): AppConfig {
  const nodeEnv = oneOf(env, 'NODE_ENV', ['development', 'production', 'test'] as const, 'development');
  const production = nodeEnv === 'production';
  const databaseUrl = parseDatabaseUrl(str(env, 'DATABASE_URL'));
  const dataDir = resolve(str(env, 'EMBEDDED_PG_DIR') ?? '.data/postgres');
  const kind = oneOf(env, 'EVENT_STORE', ['postgres', 'esdb'] as const, 'postgres');
  const esdb = str(env, 'EVENTSTORE_CONNECTION_STRING') ?? null;
  if (kind === 'esdb' && !esdb) {
    throw new ConfigError('EVENTSTORE_CONNECTION_STRING', 'is required when EVENT_STORE=esdb (e.g. esdb://localhost:2113?tls=false)');
  }
  if (esdb && !/^(esdb|kurrentdb|kdb)(\+discover)?:\/\//.test(esdb)) {
    throw new ConfigError('EVENTSTORE_CONNECTION_STRING', 'must start with esdb://, esdb+discover://, kurrentdb:// or kurrentdb+discover://');
  }
  if (production && !databaseUrl) {
    throw new ConfigError('DATABASE_URL', 'is required in production (the embedded PostgreSQL is for development)');
  }
  const keys = masterKey(env, production, dataDir);
  return {
    env: nodeEnv,
    port: int(env, 'PORT', 3000, 0, 65535),
    host: str(env, 'HOST') ?? '0.0.0.0',
    logLevelSet: str(env, 'LOG_LEVEL') !== undefined,
    logLevel: oneOf(env, 'LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, nodeEnv === 'test' ? 'silent' : 'info'),
    databaseUrl,
    // 6 + the key store's 2 + 2 LISTEN connections: 10 per process (README, "Database connections").
    databasePoolMax: int(env, 'DATABASE_POOL_MAX', 6, 2, 1000),
    databaseLockTimeoutMs: int(env, 'DATABASE_LOCK_TIMEOUT_MS', 0, 0, 3_600_000),
    cliHeapGrowingPercent: int(env, 'CLI_HEAP_GROWING_PERCENT', 75, 0, 1000),
    embedded: { dataDir, port: int(env, 'EMBEDDED_PG_PORT', 54329, 1024, 65535) },
    keyStoreDatabaseUrl: keyStoreDatabaseUrl(env, databaseUrl),
    erasureLedgerPath: resolve(str(env, 'ERASURE_LEDGER_PATH') ?? resolve(dataDir, '..', 'erasure-ledger.jsonl')),
    eventStore: { kind, esdbConnectionString: esdb },
    ...keys,
    ...opsToken(env, production, dataDir),
    projectorInProcess: bool(env, 'PROJECTOR_IN_PROCESS', true),
    projections: {
      batchSize: int(env, 'PROJECTION_BATCH_SIZE', 2000, 1, 10000),
      liveBatchSize: int(env, 'PROJECTION_LIVE_BATCH_SIZE', 500, 1, 10000),
      liveLingerMs: int(env, 'PROJECTION_LIVE_LINGER_MS', 250, 0, 10000),
      pollIntervalMs: int(env, 'PROJECTION_POLL_MS', 250, 10, 60000),
      idlePollMs: int(env, 'PROJECTION_IDLE_POLL_MS', 5000, 10, 600000),
    },
    auth: auth(env, keys.masterKey),
    http: {
      trustProxy: trustProxy(env),
      bodyLimit: bodyLimit(env, 'HTTP_BODY_LIMIT', '100kb'),
      maxInputDepth: int(env, 'HTTP_MAX_INPUT_DEPTH', 32, 2, 1000),
      rateLimitPerMinute: int(env, 'RATE_LIMIT_PER_MINUTE', 3000, 0, 10_000_000),
      rateLimitStore: oneOf(env, 'RATE_LIMIT_STORE', ['postgres', 'memory'] as const, 'postgres'),
    },
    graphql: {
      maxAliases: int(env, 'GRAPHQL_MAX_ALIASES', 15, 1, 1000),
      maxDepth: int(env, 'GRAPHQL_MAX_DEPTH', 10, 2, 100),
      maxCost: int(env, 'GRAPHQL_MAX_COST', 5000, 10, 1_000_000),
      maxTokens: int(env, 'GRAPHQL_MAX_TOKENS', 2000, 100, 1_000_000),
      maxDirectives: int(env, 'GRAPHQL_MAX_DIRECTIVES', 20, 1, 1000),
    },
    reports: { usageMinCellSize: int(env, 'USAGE_MIN_CELL_SIZE', 5, 1, 1000) },
    progress: { inactiveDays: int(env, 'AT_RISK_INACTIVE_DAYS', 7, 1, 365) },
    activity: {
      maxBatchItems: int(env, 'ACTIVITY_MAX_BATCH', 1000, 1, 10000),
      queueMaxEvents: int(env, 'ACTIVITY_QUEUE_MAX', 20000, 1, 10_000_000),
      groupMaxEvents: int(env, 'ACTIVITY_GROUP_MAX_EVENTS', 5000, 1, 100000),
      commitsInFlight: int(env, 'ACTIVITY_COMMITS_IN_FLIGHT', 2, 1, 64),
      lingerMs: int(env, 'ACTIVITY_LINGER_MS', 0, 0, 1000),
      retryAfterSeconds: int(env, 'ACTIVITY_RETRY_AFTER_SECONDS', 1, 1, 3600),
      accessCacheMs: int(env, 'ACTIVITY_ACCESS_CACHE_MS', 5000, 0, 600000),
      bodyLimit: bodyLimit(env, 'ACTIVITY_BODY_LIMIT', '1mb'),
    },
    privacy: {
      legalHoldYears: int(env, 'PRIVACY_LEGAL_HOLD_YEARS', 5, 0, 100),
      requestDeadlineDays: int(env, 'PRIVACY_REQUEST_DEADLINE_DAYS', 30, 1, 365),
      requestMetadataRetentionMonths: int(env, 'PRIVACY_REQUEST_METADATA_MONTHS', 12, 1, 240),
      sweepIntervalMs: int(env, 'PRIVACY_SWEEP_INTERVAL_MINUTES', 1440, 0, 525600) * 60_000,
      unusualAccessPerHour: int(env, 'PRIVACY_UNUSUAL_ACCESS_PER_HOUR', 50, 1, 100000),
      xapiHomePage: httpUrl(env, 'XAPI_HOME_PAGE', 'https://learnstream.invalid'),
    },
    webDir: resolve(str(env, 'WEB_DIR') ?? 'dist/web'),
    bulk: {
      bodyLimit: bodyLimit(env, 'BULK_BODY_LIMIT', '10mb'),
    },
    interop: {
      homePage: httpUrl(env, 'XAPI_HOME_PAGE', 'https://learnstream.invalid'),
      importDir: resolve(str(env, 'IMPORT_DIR') ?? resolve(dataDir, '..', 'imports')),
      xapiBodyLimit: bodyLimit(env, 'XAPI_BODY_LIMIT', '20mb'),
      xapiDefaultVersion: oneOf(env, 'XAPI_DEFAULT_VERSION', ['1.0.3', '2.0.0'] as const, '2.0.0'),
    },
  };
}

/** Nest injection token for the parsed configuration. */
export const APP_CONFIG = Symbol('APP_CONFIG');
