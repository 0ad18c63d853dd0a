import { Inject, Module, type Type, type BeforeApplicationShutdown, type DynamicModule, type OnApplicationBootstrap } from '@nestjs/common';
import { getDataSourceToken, TypeOrmModule } from '@nestjs/typeorm';
import { APP_CONFIG, type AppConfig } from '@learnstream/config';
import { EventLog, processAppends } from '@learnstream/event-store';
import type { DataSource } from 'typeorm';
import { PROJECTIONS, type Projection } from './projection';
import { InlineProjections } from './inline-projections';
import { ProjectionRunner } from './projection-runner';

export interface ProjectionsModuleOptions {
  /** Every read model of the application (the composition lists them). */
  projections: Projection[];
  /** TypeORM entities the projections and their queries use. */
  entities?: Type[];
  /** Run the projection loops in this process (the projector, or the api with PROJECTOR_IN_PROCESS). */
  run: boolean;
  /** Expose the operations API (the api app): catch-ups run in the background while it answers. */
  http: boolean;
  /** The operations API's controllers (ProjectionsAdminController, from the barrel), when `http`: kept out of this file so that a process without HTTP loads no Swagger. */
  controllers?: Type[];
}

const RUN = Symbol('RUN_PROJECTIONS');
const HTTP = Symbol('PROJECTIONS_HTTP');

/** A process that appended within this long is appending (its reader takes PROJECTION_LIVE_BATCH_SIZE meanwhile). */
const APPENDING_MS = 1000;

@Module({})
export class ProjectionsModule implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    private readonly runner: ProjectionRunner,
    private readonly inline: InlineProjections,
    private readonly log: EventLog,
    @Inject(RUN) private readonly run: boolean,
    @Inject(HTTP) private readonly http: boolean,
  ) {}

  static forRoot(options: ProjectionsModuleOptions): DynamicModule {
    return {
      module: ProjectionsModule,
      global: true,
      imports: [TypeOrmModule.forFeature(options.entities ?? [])],
      controllers: options.http ? (options.controllers ?? []) : [],
      providers: [
        { provide: RUN, useValue: options.run },
        { provide: HTTP, useValue: options.http },
        { provide: PROJECTIONS, useValue: options.projections },
        {
          provide: InlineProjections,
          inject: [getDataSourceToken(), EventLog, PROJECTIONS, APP_CONFIG],
          useFactory: (dataSource: DataSource, log: EventLog, projections: Projection[], config: AppConfig) =>
            new InlineProjections(dataSource, log, projections, config.projections.batchSize),
        },
        {
          provide: ProjectionRunner,
          inject: [getDataSourceToken(), EventLog, PROJECTIONS, APP_CONFIG, InlineProjections],
          useFactory: (dataSource: DataSource, log: EventLog, projections: Projection[], config: AppConfig, inline: InlineProjections) =>
            new ProjectionRunner(dataSource, log, projections, {
              batchSize: config.projections.batchSize,
              // The appends of this process (a server's requests) go first: its reader takes small batches meanwhile.
              liveBatchSize: config.projections.liveBatchSize,
              appending: () => processAppends.within(APPENDING_MS),
              // Under a stream of small appends (any process's), fewer and larger batches (a batch's transaction and statements cost the same whatever its size).
              liveLingerMs: config.projections.liveLingerMs,
              idleCheckMs: config.projections.idlePollMs,
              inline,
            }),
        },
      ],
      exports: [ProjectionRunner, InlineProjections],
    };
  }

  /**
   * Every process that appends writes the inline read models (PostgreSQL);
   * elsewhere (EventStoreDB) its appends wait until the runner has applied
   * them to the same read models. The HTTP process listens while a long
   * catch-up of them runs (refusing what reads them with 503 CATCHING_UP);
   * the projector and the CLI start when it is over.
   */
  async onApplicationBootstrap(): Promise<void> {
    await this.runner.ensureCheckpoints();
    if (!(await this.inline.attach({ background: this.http }))) {
      const names = this.inline.names();
      this.log.readYourWrites = async (types, position) => {
        if (this.inline.touches(types)) await this.runner.settle(position, names);
      };
    }
    if (this.run) await this.runner.start();
  }

  /** Before any module closes its pools (those close in onApplicationShutdown). */
  async beforeApplicationShutdown(): Promise<void> {
    // The inline read models stay attached: appends still in flight (a draining group commit) write them too.
    await this.inline.stop();
    await this.runner.stop();
  }
}
