/**
 * Reads of read models on behalf of a user run inside a transaction as the
 * role `learnstream_reader`, with the request's tenant scope in
 * transaction-local settings: row-level security (migration 0300) then hides
 * every row of a school outside that scope, whatever the SQL says.
 */
import { Inject, Injectable } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';

export interface TenantScope {
  /** Every school (platform admins and the DPO; the policy narrows what they may see). */
  all: boolean;
  schoolIds: string[];
  /** People visible whatever their school: the caller and their linked children. */
  userIds: string[];
}

export const NO_SCOPE: TenantScope = { all: false, schoolIds: [], userIds: [] };

const pgArray = (ids: string[]) => `{${ids.join(',')}}`;

@Injectable()
export class TenantDb {
  constructor(@Inject(getDataSourceToken()) private readonly dataSource: DataSource) {}

  /**
   * Runs `work` with row-level security on, limited to `scope`: the scope and
   * the role are set in one statement (transaction-local, as SET LOCAL), in a
   * transaction of the server's default isolation (READ COMMITTED).
   */
  read<T>(scope: TenantScope, work: (db: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (tx) => {
      await tx.query(
        `SELECT set_config('learnstream.scope_all', $1, true), set_config('learnstream.school_ids', $2, true), set_config('learnstream.user_ids', $3, true),
           set_config('role', 'learnstream_reader', true)`,
        [scope.all ? 'on' : 'off', pgArray(scope.schoolIds), pgArray(scope.userIds)],
      );
      return work(tx);
    });
  }
}
