import { Global, Module } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { APP_CONFIG, type AppConfig } from '@learnstream/config';
import { Clock } from '@learnstream/domain';
import type { DataSource } from 'typeorm';
import { AccessPolicy } from './access-policy';
import { HistoricTime } from './historic-time';
import { SessionRevocations } from './session-revocations';
import { TenantDb } from './tenant-db';

@Global()
@Module({
  providers: [
    TenantDb,
    SessionRevocations,
    {
      provide: AccessPolicy,
      inject: [getDataSourceToken(), APP_CONFIG, Clock],
      useFactory: (db: DataSource, config: AppConfig, clock: Clock) => new AccessPolicy(db, config.auth.ageOfMajority, clock),
    },
    { provide: HistoricTime, inject: [AccessPolicy, Clock], useFactory: (policy: AccessPolicy, clock: Clock) => new HistoricTime(policy, clock) },
  ],
  exports: [TenantDb, AccessPolicy, SessionRevocations, HistoricTime],
})
export class AccessModule {}
