/**
 * What every command with a database shares: the configuration (exit 78 on a bad setting), the database (DATABASE_URL
 * or an embedded server), an application context of the command's module (migrations run as it starts), the error
 * line and exit code 1 of a failure, and the shutdown. Light on purpose: the import's entry (import-command.ts) loads it.
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { DynamicModule, INestApplicationContext } from '@nestjs/common';
import { ConfigError, loadConfig, type AppConfig } from '@learnstream/config';
import { JsonLogger, resolveDatabase, type CoreOptions } from '@learnstream/core/headless';
import { setFlagsFromString } from 'node:v8';

/** The configuration, or the exit code of a bad setting (its message written to `out`). */
export function cliConfig(out: (s: string) => void): AppConfig | number {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      out(error.message);
      return 78;
    }
    throw error;
  }
  // A bulk command (an import, a rebuild) allocates much that dies soon after: V8 would let the heap grow to
  // about four times the live data between full collections (a 100,000-row import peaked at 420 MiB with 70 MB live).
  if (config.cliHeapGrowingPercent > 0) setFlagsFromString(`--heap-growing-percent=${config.cliHeapGrowingPercent}`);
  return config;
}

export const cliLogger = (config: AppConfig) => new JsonLogger(config.logLevelSet ? config.logLevel : 'warn');

/** Runs `work` in an application context of `module(options)`; a failure is its code and message on `out`, exit 1. */
export async function inContext(
  config: AppConfig,
  logger: JsonLogger,
  module: (options: CoreOptions) => DynamicModule,
  out: (s: string) => void,
  work: (app: INestApplicationContext) => Promise<number>,
): Promise<number> {
  const database = await resolveDatabase(config, logger);
  let app;
  try {
    // Migrations run when the context starts.
    app = await NestFactory.createApplicationContext(module({ config, databaseUrl: database.url }), { logger, abortOnError: false });
    return await work(app);
  } catch (error) {
    const code = (error as { code?: string }).code;
    out(code ? `${code}: ${(error as Error).message}` : String(error));
    return 1;
  } finally {
    await app?.close();
    await database.stop();
  }
}
