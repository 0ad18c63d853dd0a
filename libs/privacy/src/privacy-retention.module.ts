import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@learnstream/config';
import { ErasureReplay } from './erasure-replay';
import { ErasureService } from './erasure.service';
import { MentionFinder } from './mentions';
import { PRIVACY_OPTIONS, privacyOptions } from './privacy.options';
import { PrivacyRepository } from './privacy.repository';
import { RetentionSweep } from './retention-sweep';

/**
 * Erasure, its replay at every start (ErasureReplay) and the retention sweep, with no HTTP and no access policy: what
 * the CLI (`learnstream privacy sweep`) needs. The api gets it through PrivacyModule.
 */
@Module({
  providers: [
    { provide: PRIVACY_OPTIONS, inject: [APP_CONFIG], useFactory: (config: AppConfig) => privacyOptions(config) },
    PrivacyRepository,
    MentionFinder,
    ErasureService,
    ErasureReplay,
    RetentionSweep,
  ],
  exports: [PRIVACY_OPTIONS, PrivacyRepository, ErasureService, ErasureReplay, RetentionSweep],
})
export class PrivacyRetentionModule {}
