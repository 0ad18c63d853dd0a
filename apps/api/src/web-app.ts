/**
 * The dashboard (apps/web, built by `npm run build` into WEB_DIR) served at
 * `/`, and GraphiQL's page of the same build for a browser's GET /graphql
 * outside production. Hashed assets are cached for good; the pages are
 * revalidated. When the app is not built, `/` says how to build it.
 */
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { AppConfig } from '@learnstream/config';

export function serveWebApp(app: NestExpressApplication, config: AppConfig): void {
  const index = join(config.webDir, 'index.html');
  const graphiql = join(config.webDir, 'graphiql.html');
  if (config.env !== 'production') {
    app.use('/graphql', (req: Request, res: Response, next: NextFunction) => {
      // A browser asks for HTML first; GraphQL clients (GET queries) ask for JSON or anything.
      if (req.method !== 'GET' || req.path !== '/' || req.accepts(['json', 'html']) !== 'html' || !existsSync(graphiql)) return next();
      res.setHeader('Cache-Control', 'no-cache');
      res.sendFile(graphiql);
    });
  }
  if (!existsSync(index)) {
    app.use((req: Request, res: Response, next: NextFunction) => {
      if (req.method !== 'GET' || req.path !== '/') return next();
      res.status(404).json({ error: { code: 'WEB_APP_NOT_BUILT', message: `the dashboard is not built: run npm run build (looked in ${config.webDir})` } });
    });
    return;
  }
  app.useStaticAssets(config.webDir, {
    index: 'index.html',
    setHeaders: (res, path) => res.setHeader('Cache-Control', path.includes(`${join(config.webDir, 'assets')}`) ? 'public, max-age=31536000, immutable' : 'no-cache'),
  });
}
