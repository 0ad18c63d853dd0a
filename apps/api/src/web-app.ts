/**
 * The dashboard (apps/web, built by `npm run build` into WEB_DIR) served at
 * `/`, and GraphiQL's page of the same build for a browser's GET /graphql
 * outside production. Hashed assets are cached for good; the pages are
 * revalidated. When the app is not built, `/` says how to build it.
 */
import fastifyStatic from '@fastify/static';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AppConfig } from '@learnstream/config';
import { acceptedRanges, pathOf } from '@learnstream/core';

/** The q-value of `type` in an Accept header (0 when not accepted; `*` ranges count only when `loose`). */
function quality(accept: string, type: string, loose: boolean): number {
  const wildcard = `${type.split('/')[0]}/*`;
  return acceptedRanges(accept).reduce((best, { range, q }) => (range === type || (loose && (range === '*/*' || range === wildcard)) ? Math.max(best, q) : best), 0);
}

/** A browser asks for HTML first; GraphQL clients (GET queries) ask for JSON or anything. */
export function prefersHtml(accept: string | undefined): boolean {
  if (!accept) return false;
  const html = quality(accept, 'text/html', false);
  return html > 0 && html > quality(accept, 'application/json', true);
}

export function serveWebApp(app: NestFastifyApplication, config: AppConfig): void {
  const fastify = app.getHttpAdapter().getInstance();
  const index = join(config.webDir, 'index.html');
  const graphiql = join(config.webDir, 'graphiql.html');
  if (config.env !== 'production') {
    fastify.addHook('onRequest', (request, reply, done) => {
      if (request.method !== 'GET' || !/^\/graphql\/?$/.test(pathOf(request.url)) || !prefersHtml(request.headers.accept) || !existsSync(graphiql)) return done();
      readFile(graphiql).then(
        (page) => void reply.header('Cache-Control', 'no-cache').type('text/html; charset=utf-8').send(page),
        (error: Error) => done(error),
      );
    });
  }
  if (!existsSync(index)) {
    fastify.get('/', (_request, reply) => {
      void reply.code(404).type('application/json; charset=utf-8').send(JSON.stringify({ error: { code: 'WEB_APP_NOT_BUILT', message: `the dashboard is not built: run npm run build (looked in ${config.webDir})` } }));
    });
    return;
  }
  const assets = join(config.webDir, 'assets');
  void fastify.register(fastifyStatic, {
    root: config.webDir,
    index: 'index.html',
    wildcard: true,
    cacheControl: false,
    setHeaders: (reply, path) => void reply.header('Cache-Control', path.startsWith(assets) ? 'public, max-age=31536000, immutable' : 'no-cache'),
  });
}
