import { Inject, Module, type Type, type BeforeApplicationShutdown, type DynamicModule, type OnApplicationBootstrap } from '@nestjs/common';
import { getDataSourceToken, TypeOrmModule } from '@nestjs/typeorm';
import { APP_CONFIG, type AppConfig } from '@learnstream/config';
import { EventLog } from '@learnstream/event-store';
import type { DataSource } from 'typeorm';
import { CourseLogEntry } from './course-log/course-log.entity';
import { PROJECTIONS, type Projection } from './projection';
import { ProjectionRunner } from './projection-runner';
import { ProjectionsAdminController } from './projections-admin.controller';

export interface ProjectionsModuleOptions {
  /** Every read model of the application (the composition lists them). */
  projections: Projection[];
  /** TypeORM entities the projections and their queries use. */
  entities?: Type[];
  /** Run the projection loops in this process (the projector, or the api with PROJECTOR_IN_PROCESS). */
  run: boolean;
  /** Expose the operations API (the api app). */
  http: boolean;
}

const RUN = Symbol('RUN_PROJECTIONS');

@Module({})
export class ProjectionsModule implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    private readonly runner: ProjectionRunner,
    @Inject(RUN) private readonly run: boolean,
  ) {}

  static forRoot(options: ProjectionsModuleOptions): DynamicModule {
    return {
      module: ProjectionsModule,
      global: true,
      imports: [TypeOrmModule.forFeature([CourseLogEntry, ...(options.entities ?? [])])],
      controllers: options.http ? [ProjectionsAdminController] : [],
      providers: [
        { provide: RUN, useValue: options.run },
        { provide: PROJECTIONS, useValue: options.projections },
        {
          provide: ProjectionRunner,
          inject: [getDataSourceToken(), EventLog, PROJECTIONS, APP_CONFIG],
          useFactory: (dataSource: DataSource, log: EventLog, projections: Projection[], config: AppConfig) =>
            new ProjectionRunner(dataSource, log, projections, { batchSize: config.projections.batchSize }),
        },
      ],
      exports: [ProjectionRunner],
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.run) await this.runner.start();
  }

  /** Before any module closes its pools (those close in onApplicationShutdown). */
  async beforeApplicationShutdown(): Promise<void> {
    await this.runner.stop();
  }
}
