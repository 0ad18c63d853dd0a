/**
 * Erasures are carried out again at every start (api, projector, cli) and by
 * `learnstream privacy reapply-erasures` (docs/privacy.md, "Backup and restore").
 *
 * The key store's half ran already when the KeyStore was made (CoreModule:
 * the ledger file merged into the key store's ledger, keys of ledger subjects
 * deleted). This is the event database's half: for each erasure in the ledger
 * whose person the event database knows but has not erased (a dump taken
 * before the erasure was restored), the username index entry and sessions go
 * and SubjectErased is appended again, with the ledger's request and anonymous
 * id, so that every projection forgets the person and writes its receipt again.
 */
import { randomUUID } from 'node:crypto';
import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { KeyStore } from '@learnstream/personal-data';
import { Clock } from '@learnstream/domain';
import { ErasureService } from './erasure.service';
import { PrivacyRepository } from './privacy.repository';

export interface ReplayReport {
  /** Erasures in the ledger. */
  ledger: number;
  /** Keys deleted from the key store (it was restored from before an erasure). */
  keysDeleted: number;
  /** People the event database had not erased: erased again, receipts re-issued. */
  reapplied: { subjectId: string; requestId: string | null }[];
}

@Injectable()
export class ErasureReplay implements OnApplicationBootstrap {
  private readonly logger = new Logger('ErasureReplay');

  constructor(
    private readonly clock: Clock,
    private readonly keys: KeyStore,
    private readonly repo: PrivacyRepository,
    private readonly erasure: ErasureService,
  ) {}

  /** What the start-up run did. */
  atStart: ReplayReport | null = null;

  async onApplicationBootstrap(): Promise<void> {
    const report = await this.run();
    this.atStart = report;
    if (report.reapplied.length || report.keysDeleted) this.logger.warn({ msg: 'erasures re-applied (a database restored from before them?)', ...report });
  }

  async run(now: Date = this.clock.now()): Promise<ReplayReport> {
    const { erasures, keysDeleted } = await this.keys.reapplyErasures();
    const reapplied: ReplayReport['reapplied'] = [];
    for (const e of erasures) {
      const { state, revision } = await this.repo.loadSubject(e.subjectId);
      if (revision === null || state.erased) continue; // not in this event database, or erased there already
      await this.erasure.finish(e.subjectId, e.requestId, e.anonymousId ?? randomUUID(), null, now);
      reapplied.push({ subjectId: e.subjectId, requestId: e.requestId });
    }
    return { ledger: erasures.length, keysDeleted, reapplied };
  }
}
