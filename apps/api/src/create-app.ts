import 'reflect-metadata';
import type { INestApplication, LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { AppConfig } from '@learnstream/config';
import type { Clock } from '@learnstream/domain';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { clientErrorHandler, clientRateLimit, HttpErrorFilter, inputGuardHook, JsonLogger, noStoreHook, PG_POOL, preRoutingServer, registerBodyParsing, registerRequestIds, securityHeadersHook, sendEdgeError, validationPipe } from '@learnstream/core';
import { InlineProjections } from '@learnstream/projections';
import { AppModule } from './app.module';
import { catchingUpHook } from './catching-up.middleware';
import { serveWebApp } from './web-app';

/** TRUST_PROXY=n: the n proxies nearest the server are trusted. */
function trustHops(n: number): (address: string, hop: number) => boolean {
  return (_address, hop) => hop < n;
}

/** Builds the HTTP application (used by main.ts and by the e2e tests, which give it a clock they move). */
export async function createApp(config: AppConfig, databaseUrl: string, logger: LoggerService | false, { clock }: { clock?: Clock } = {}): Promise<INestApplication> {
  // Fastify under Nest: the HTTP framework's own cost per request is a third of Express's (README, issue 15).
  // Every body is read by our parser (bounded, with our error shape): see libs/core/src/edge.ts.
  const pre = preRoutingServer();
  const adapter = new FastifyAdapter({
    // The client address (request.ip: rate limits, sign-in lockout, the events' ip) is the socket's unless a trusted proxy says otherwise.
    // A number is that many hops (Express's meaning too).
    trustProxy: typeof config.http.trustProxy === 'number' ? trustHops(config.http.trustProxy) : config.http.trustProxy,
    // A request id of our own (X-Request-Id or a UUID, registerRequestIds); Fastify's is not used.
    requestIdHeader: false,
    // Requests the LRS's alternate syntax describes are rewritten before Fastify routes them (pre-routing.ts).
    serverFactory: pre.serverFactory,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 500 },
    // A request Node's parser refuses (headers past maxHeaderSize, not HTTP): our error shape too.
    clientErrorHandler,
    // A URL Fastify cannot route (a %-escape that is not UTF-8, a parameter past 500 characters): our error shape too.
    frameworkErrors: (error: FastifyError, _request: FastifyRequest, reply: FastifyReply) => {
      if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') void sendEdgeError(reply, 414, 'URI_TOO_LONG', 'a part of the path is longer than 500 characters');
      else void sendEdgeError(reply, 400, 'VALIDATION_FAILED', 'the URL is not valid: a %-escape in it does not decode to UTF-8');
    },
  });
  pre.attach(adapter.getInstance());
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot({ config, databaseUrl, clock }), adapter, { logger: logger === false ? false : logger, abortOnError: false, bodyParser: false });
  if (logger) app.useLogger(logger);
  const fastify = app.getHttpAdapter().getInstance();
  // The access log (one line a request at info): not even timed when the log's level drops it.
  registerRequestIds(fastify, undefined, logger !== false && (!(logger instanceof JsonLogger) || logger.pino.isLevelEnabled('info')));
  fastify.addHook('onRequest', securityHeadersHook());
  // A long start-up catch-up of the inline read models: the API answers 503 CATCHING_UP until it is over.
  fastify.addHook('onRequest', catchingUpHook(app.get(InlineProjections), config.opsToken));
  // The dashboard's static files (and GraphiQL's page): not rate-limited, not body-parsed, cacheable.
  serveWebApp(app, config);
  for (const limit of clientRateLimit(config, app.get(PG_POOL))) fastify.addHook('onRequest', limit);
  fastify.addHook('onRequest', noStoreHook);
  registerBodyParsing(fastify, config.http);
  fastify.addHook('preValidation', inputGuardHook(config.http));
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
  // Routes are registered and Fastify made ready here: the callers' init() is then a no-op, and supertest can call the server.
  await app.init();
  await fastify.ready();
  return app;
}
