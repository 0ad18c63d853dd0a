import { Inject, Injectable, Logger, Module, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ChangeConsentHandler } from './commands/consent.command';
import { ApprovePrivacyRequestHandler, RejectPrivacyRequestHandler, WithdrawPrivacyRequestHandler } from './commands/decide-request.command';
import { FilePrivacyRequestHandler } from './commands/file-request.command';
import { ChangePrivacyStateHandler } from './commands/subject-state.command';
import { SubjectExporter } from './export/subject-export';
import { PrivacyController } from './http/privacy.controller';
import { PRIVACY_OPTIONS, type PrivacyOptions } from './privacy.options';
import { PrivacyRetentionModule } from './privacy-retention.module';
import { PrivacyReader } from './privacy.reader';
import { ExportPersonalDataHandler, ExportRequestedDataHandler } from './queries/export.query';
import { GetErasureReceiptsHandler, GetPrivacyRequestHandler, ListMyPrivacyRequestsHandler, ListPrivacyQueueHandler } from './queries/requests.query';
import { GetAccessLogHandler, GetBreachReviewHandler, GetPrivacyStatusHandler, GetRetentionHandler, PreviewRetentionSweepHandler } from './queries/status.query';
import { ListMentionsHandler, RedactMentionHandler } from './queries/mentions.query';
import { RetentionSweep } from './retention-sweep';

/** Runs the retention sweep every PRIVACY_SWEEP_INTERVAL (api only; 0: never). */
@Injectable()
export class RetentionScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('RetentionSweep');
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;

  constructor(
    private readonly sweep: RetentionSweep,
    @Inject(PRIVACY_OPTIONS) private readonly options: PrivacyOptions,
  ) {}

  onApplicationBootstrap(): void {
    if (this.options.sweepIntervalMs <= 0) return;
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.sweep
        .run()
        .catch((error: unknown) => this.logger.error({ msg: 'retention sweep failed', error: error instanceof Error ? error.message : String(error) }))
        .finally(() => (this.running = null));
    }, this.options.sweepIntervalMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}

/** Data-subject rights over REST (/api/v1/privacy), and the scheduled retention sweep. */
@Module({
  imports: [PrivacyRetentionModule],
  controllers: [PrivacyController],
  providers: [
    PrivacyReader,
    SubjectExporter,
    RetentionScheduler,
    FilePrivacyRequestHandler,
    ApprovePrivacyRequestHandler,
    RejectPrivacyRequestHandler,
    WithdrawPrivacyRequestHandler,
    ChangeConsentHandler,
    ChangePrivacyStateHandler,
    ListMyPrivacyRequestsHandler,
    ListPrivacyQueueHandler,
    GetPrivacyRequestHandler,
    GetErasureReceiptsHandler,
    ExportPersonalDataHandler,
    ExportRequestedDataHandler,
    GetPrivacyStatusHandler,
    GetAccessLogHandler,
    GetBreachReviewHandler,
    GetRetentionHandler,
    PreviewRetentionSweepHandler,
    ListMentionsHandler,
    RedactMentionHandler,
  ],
  exports: [SubjectExporter, PrivacyReader],
})
export class PrivacyModule {}
