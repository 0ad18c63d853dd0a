import 'reflect-metadata';
import type { INestApplication, LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { AppConfig } from '@learnstream/config';
import type { Clock } from '@learnstream/domain';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { bodyParsers, clientRateLimit, HttpErrorFilter, inputGuardMiddleware, JsonLogger, noStoreMiddleware, PG_POOL, requestIdMiddleware, securityHeaders, validationPipe } from '@learnstream/core';
import { InlineProjections } from '@learnstream/projections';
import { AppModule } from './app.module';
import { catchingUpMiddleware } from './catching-up.middleware';
import { serveWebApp } from './web-app';

/** Builds the HTTP application (used by main.ts and by the e2e tests, which give it a clock they move). */
export async function createApp(config: AppConfig, databaseUrl: string, logger: LoggerService | false, { clock }: { clock?: Clock } = {}): Promise<INestApplication> {
  // Our own body parsers (bounded, with our error shape) replace Nest's: see libs/core/src/edge.ts.
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot({ config, databaseUrl, clock }), { logger: logger === false ? false : logger, abortOnError: false, bodyParser: false });
  if (logger) app.useLogger(logger);
  // The client address (req.ip: rate limits, sign-in lockout, the events' ip) is the socket's unless a trusted proxy says otherwise.
  app.set('trust proxy', config.http.trustProxy);
  app.disable('x-powered-by');
  // The access log (one line a request at info): not even timed when the log's level drops it.
  app.use(requestIdMiddleware(undefined, logger !== false && (!(logger instanceof JsonLogger) || logger.pino.isLevelEnabled('info'))));
  app.use(securityHeaders());
  // A long start-up catch-up of the inline read models: the API answers 503 CATCHING_UP until it is over.
  app.use(catchingUpMiddleware(app.get(InlineProjections), config.opsToken));
  // The dashboard's static files (and GraphiQL's page): not rate-limited, not body-parsed, cacheable.
  serveWebApp(app, config);
  for (const limit of clientRateLimit(config, app.get(PG_POOL))) app.use(limit);
  app.use('/api/v1', noStoreMiddleware);
  app.use(...bodyParsers(config.http));
  app.use(inputGuardMiddleware(config.http));
  app.useGlobalFilters(new HttpErrorFilter());
  app.useGlobalPipes(validationPipe());
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Learnstream API')
      .setDescription('Moodle-style LMS backend where every user action is an event. Errors: { error: { code, message, details, requestId } }.')
      .setVersion('0.1.0')
      .addServer('/')
      .addBearerAuth()
      .addBasicAuth({ type: 'http', scheme: 'basic', description: 'the LRS (/xapi): a school\'s xAPI client id and secret' }, 'basic')
      .build(),
  );
  // An operation that names no scheme is open to anyone (`@Public()`: health, sign-in, the LRS's about): say so (`security: []`),
  // as OpenAPI reads a missing list as "the document's default". The contract test calls each of them without credentials.
  for (const item of Object.values(document.paths)) {
    for (const method of ['get', 'put', 'post', 'delete', 'patch'] as const) {
      const operation = item[method];
      if (operation && !operation.security) operation.security = [];
    }
  }
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  return app;
}
