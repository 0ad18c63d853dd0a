/**
 * The dashboard's static build (dist/web) for browser tests: built with Vite
 * when it is missing or older than its sources, so `npm test` needs nothing first.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = new URL('../..', import.meta.url).pathname;
export const WEB_SOURCES = join(ROOT, 'apps/web');
export const WEB_DIST = join(ROOT, 'dist/web');

function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

export function ensureWebBuild(): void {
  const index = join(WEB_DIST, 'index.html');
  const lock = join(ROOT, 'package-lock.json');
  if (existsSync(index) && statSync(index).mtimeMs > Math.max(newest(WEB_SOURCES), statSync(lock).mtimeMs)) return;
  execFileSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', join(WEB_SOURCES, 'vite.config.ts')], { cwd: ROOT, stdio: 'pipe' });
}
