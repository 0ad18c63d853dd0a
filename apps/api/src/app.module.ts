import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { AccessModule } from '@learnstream/access';
import { ActivityModule } from '@learnstream/activity';
import { CoreModule, SignInRateGuard, type CoreOptions } from '@learnstream/core';
import { GraphqlApiModule } from '@learnstream/graphql';
import { ProjectionsAdminController, ProjectionsModule } from '@learnstream/projections';
import { EVENT_TYPES, readModels, FEATURE_MODULES } from '@learnstream/composition';
import { HealthController } from './health.controller';

/** The HTTP process: REST and GraphQL plus, by default, the projections. */
@Module({})
export class AppModule {
  static forRoot(options: CoreOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CoreModule.forRoot({ ...options, events: EVENT_TYPES }),
        // Listed before the others (it is one of FEATURE_MODULES too): Express tries each route in the order it was
        // registered, and POST /api/v1/activity, the busiest route, came after ~150 others (~10 % of its CPU).
        ActivityModule,
        ProjectionsModule.forRoot({ run: options.config.projectorInProcess, http: true, controllers: [ProjectionsAdminController], ...readModels(options.config) }),
        CqrsModule.forRoot(),
        AccessModule,
        ...FEATURE_MODULES,
        GraphqlApiModule,
      ],
      controllers: [HealthController],
      providers: [{ provide: APP_GUARD, useClass: SignInRateGuard }],
    };
  }
}
