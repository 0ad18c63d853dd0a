import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from './config';

const KEY = Buffer.alloc(32, 7).toString('base64');
const TOKEN = 'x'.repeat(32);
const base = { MASTER_KEY: KEY, OPS_TOKEN: TOKEN };

function error(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('gives defaults for a newcomer: embedded PostgreSQL, postgres event store, projector in process', () => {
    const c = loadConfig(base);
    expect(c).toMatchObject({ port: 3000, databaseUrl: null, eventStore: { kind: 'postgres' }, projectorInProcess: true, masterKeySource: 'env' });
    expect(c.masterKey).toEqual(Buffer.alloc(32, 7));
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT', /whole number/],
    [{ PORT: '70000' }, 'PORT', /between 0 and 65535/],
    [{ DATABASE_URL: 'mysql://x/y' }, 'DATABASE_URL', /postgres:\/\//],
    [{ DATABASE_URL: 'not a url' }, 'DATABASE_URL', /not a URL/],
    [{ DATABASE_URL: 'postgres://localhost:5432' }, 'DATABASE_URL', /name a database/],
    [{ EVENT_STORE: 'kafka' }, 'EVENT_STORE', /postgres, esdb/],
    [{ EVENT_STORE: 'esdb' }, 'EVENTSTORE_CONNECTION_STRING', /required when EVENT_STORE=esdb/],
    [{ EVENTSTORE_CONNECTION_STRING: 'http://x' }, 'EVENTSTORE_CONNECTION_STRING', /esdb:\/\//],
    [{ MASTER_KEY: 'c2hvcnQ=' }, 'MASTER_KEY', /32 bytes/],
    [{ PROJECTOR_IN_PROCESS: 'maybe' }, 'PROJECTOR_IN_PROCESS', /true or false/],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL', /one of/],
    [{ OPS_TOKEN: 'short' }, 'OPS_TOKEN', /at least 24/],
  ])('refuses %p naming %s', (env, variable, message) => {
    const e = error({ ...base, ...env } as Record<string, string>);
    expect(e.variable).toBe(variable);
    expect(e.message).toContain(variable);
    expect(e.message).toMatch(message);
  });

  it('requires MASTER_KEY, OPS_TOKEN and DATABASE_URL in production', () => {
    expect(error({ NODE_ENV: 'production', OPS_TOKEN: TOKEN, DATABASE_URL: 'postgres://h/db' }).variable).toBe('MASTER_KEY');
    expect(error({ NODE_ENV: 'production', MASTER_KEY: KEY, DATABASE_URL: 'postgres://h/db' }).variable).toBe('OPS_TOKEN');
    expect(error({ NODE_ENV: 'production', ...base }).variable).toBe('DATABASE_URL');
  });

  it('outside production, generates the master key once and reads the same key on the next start', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ls-config-'));
    const env = { EMBEDDED_PG_DIR: join(dir, 'postgres') };
    const first = loadConfig(env);
    const second = loadConfig(env);
    expect(first.masterKeySource).toBe('generated');
    expect(second.masterKeySource).toBe('file');
    expect(second.masterKey).toEqual(first.masterKey);
    expect(second.opsToken).toBe(first.opsToken);
    expect(readFileSync(join(dir, 'master.key'), 'utf8').trim()).toBe(first.masterKey.toString('base64'));
  });
});
