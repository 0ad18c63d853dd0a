import { Module, type DynamicModule } from '@nestjs/common';
import { CoreModule, type CoreOptions } from '@learnstream/core';
import { ProjectionsModule } from '@learnstream/projections';
import { HealthController } from './health.controller';

/** The HTTP process: REST (and later GraphQL) plus, by default, the projections. */
@Module({})
export class AppModule {
  static forRoot(options: CoreOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [CoreModule.forRoot(options), ProjectionsModule.forRoot({ run: options.config.projectorInProcess, http: true })],
      controllers: [HealthController],
    };
  }
}
