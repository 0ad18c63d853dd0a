import { Module, type DynamicModule } from '@nestjs/common';
import { CoreModule, type CoreOptions } from '@learnstream/core';
import { ProjectionsModule } from '@learnstream/projections';
import { EVENT_TYPES, readModels } from '@learnstream/composition';
import { PrivacyRetentionModule } from '@learnstream/privacy';

/** The worker process: projections only, no HTTP (and, at start, the erasures of the ledger carried out again: ErasureReplay). */
@Module({})
export class ProjectorModule {
  static forRoot(options: CoreOptions): DynamicModule {
    return {
      module: ProjectorModule,
      imports: [CoreModule.forRoot({ ...options, events: EVENT_TYPES }), ProjectionsModule.forRoot({ run: true, http: false, ...readModels(options.config) }), PrivacyRetentionModule],
    };
  }
}
