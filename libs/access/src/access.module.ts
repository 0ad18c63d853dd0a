import { Global, Module } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { APP_CONFIG, type AppConfig } from '@learnstream/config';
import type { DataSource } from 'typeorm';
import { AccessPolicy } from './access-policy';
import { SessionRevocations } from './session-revocations';
import { TenantDb } from './tenant-db';

@Global()
@Module({
  providers: [
    TenantDb,
    SessionRevocations,
    {
      provide: AccessPolicy,
      inject: [getDataSourceToken(), APP_CONFIG],
      useFactory: (db: DataSource, config: AppConfig) => new AccessPolicy(db, config.auth.ageOfMajority),
    },
  ],
  exports: [TenantDb, AccessPolicy, SessionRevocations],
})
export class AccessModule {}
