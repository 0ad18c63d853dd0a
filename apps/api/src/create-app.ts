import 'reflect-metadata';
import { BadRequestException, ValidationPipe, type INestApplication, type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { AppConfig } from '@learnstream/config';
import { HttpErrorFilter, requestIdMiddleware } from '@learnstream/core';
import { AppModule } from './app.module';

/** Builds the HTTP application (used by main.ts and by the e2e tests). */
export async function createApp(config: AppConfig, databaseUrl: string, logger: LoggerService | false): Promise<INestApplication> {
  const app = await NestFactory.create(AppModule.forRoot({ config, databaseUrl }), { logger: logger === false ? false : logger, abortOnError: false });
  if (logger) app.useLogger(logger);
  app.use(requestIdMiddleware());
  app.useGlobalFilters(new HttpErrorFilter());
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      exceptionFactory: (errors) =>
        new BadRequestException({
          code: 'VALIDATION_FAILED',
          message: 'the request is not valid',
          details: errors.flatMap((e) => Object.values(e.constraints ?? {}).map((m) => ({ field: e.property, message: m }))),
        }),
    }),
  );
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Learnstream API')
      .setDescription('Moodle-style LMS backend where every user action is an event. Errors: { error: { code, message, details, requestId } }.')
      .setVersion('0.1.0')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  return app;
}
