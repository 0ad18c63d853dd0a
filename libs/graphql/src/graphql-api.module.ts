/**
 * GraphQL at /graphql (DESIGN.md: the same reads and the common writes as
 * REST), code-first with the schema built in memory at start-up.
 *
 * Requests pass through the same machinery as REST: the global
 * AuthenticationGuard reads `context.req` (httpRequestOf), so every field not
 * marked @Public() needs a signed-in caller; the global ValidationPipe
 * validates input types; the command and query handlers ask the AccessPolicy.
 * Errors keep REST's stable codes (format-error.ts): the app's
 * HttpErrorFilter passes non-HTTP errors on to Apollo.
 *
 * HTTP status: an operation that ran answers 200, refused fields (including
 * UNAUTHENTICATED) being null with an entry in `errors[]` (GraphQL
 * convention); a document that does not parse or fit the schema, or
 * variables of the wrong type, answer 400.
 *
 * Limits (configured in libs/config): graphql-js's parser counts tokens;
 * graphql-armor's validation rules check aliases, depth, cost and directives.
 * All run while the document is parsed and validated, so an abusive query is refused (400 VALIDATION_FAILED) before any
 * resolver runs. Field suggestions ("did you mean …?") are blocked in
 * production, where they would map the schema that introspection hides.
 */
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { Module } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { APP_CONFIG, type AppConfig } from '@learnstream/config';
import { IdentityModule } from '@learnstream/identity';
import { AffiliationsResolver } from './affiliations/affiliations.resolver';
import { AssessmentsResolver, QuestionResultResolver } from './assessments/assessments.resolver';
import { CoursesResolver } from './courses/courses.resolver';
import { formatError, requestIds } from './format-error';
import { CompletionCriteriaResolver, GradesResolver } from './grades/grades.resolver';
import { IdentityResolver } from './identity/identity.resolver';
import { ProgressResolver } from './reports/progress.resolver';
import { ReportsResolver } from './reports/reports.resolver';

/** graphql-armor's limits; its plugins come with ours (requestIds). */
function armor(config: AppConfig): Pick<ApolloDriverConfig, 'plugins' | 'validationRules' | 'allowBatchedHttpRequests' | 'parseOptions'> {
  const limits = config.graphql;
  const { plugins, validationRules, allowBatchedHttpRequests } = new ApolloArmor({
    maxAliases: { n: limits.maxAliases },
    maxDepth: { n: limits.maxDepth, ignoreIntrospection: true },
    costLimit: { maxCost: limits.maxCost, ignoreIntrospection: true },
    // Armor's token plugin throws from Apollo's parsingDidStart hook, which Apollo 5 answers with a 500;
    // graphql-js's own parser limit (parseOptions below) fails the parse instead: a 400.
    maxTokens: { enabled: false },
    maxDirectives: { n: limits.maxDirectives },
    blockFieldSuggestion: { enabled: config.env === 'production' },
  }).protect();
  return { plugins: [...(plugins ?? []), requestIds], validationRules, allowBatchedHttpRequests, parseOptions: { maxTokens: limits.maxTokens } };
}

@Module({
  imports: [
    IdentityModule,
    GraphQLModule.forRootAsync<ApolloDriverConfig>({
      driver: ApolloDriver,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig): ApolloDriverConfig => ({
        ...armor(config),
        path: '/graphql',
        autoSchemaFile: true,
        context: (req: FastifyRequest, reply: FastifyReply) => ({ req, reply }),
        formatError,
        // Our formatError maps Nest's HTTP exceptions itself, to our codes rather than Apollo's.
        autoTransformHttpErrors: false,
        includeStacktraceInErrorResponses: false,
        // The in-browser IDE and schema introspection are development aids. GraphiQL is
        // self-hosted (apps/web/graphiql.html, served by apps/api/src/web-app.ts for a
        // browser's GET /graphql): Apollo's and Nest's landing pages load it from a CDN.
        graphiql: false,
        introspection: config.env !== 'production',
      }),
    }),
  ],
  providers: [
    IdentityResolver,
    AffiliationsResolver,
    CoursesResolver,
    AssessmentsResolver,
    QuestionResultResolver,
    GradesResolver,
    CompletionCriteriaResolver,
    ReportsResolver,
    ProgressResolver,
  ],
})
export class GraphqlApiModule {}
