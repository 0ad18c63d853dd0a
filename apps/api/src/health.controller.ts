import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { Public } from '@learnstream/access';
import { ApiList, ApiNullable, ApiOneOf, PG_POOL } from '@learnstream/core';
import { EVENT_STORE, type EventStore } from '@learnstream/event-store';
import { KeyStore } from '@learnstream/personal-data';
import { InlineProjections, ProjectionRunner } from '@learnstream/projections';
import type { FastifyReply } from 'fastify';
import type pg from 'pg';

type Check = { status: 'up' } | { status: 'down'; error: string };

async function check(fn: () => Promise<unknown>): Promise<Check> {
  try {
    await fn();
    return { status: 'up' };
  } catch (error) {
    return { status: 'down', error: error instanceof Error ? error.message : String(error) };
  }
}

class HealthCheckResponse {
  @ApiOneOf(['up', 'down']) status!: 'up' | 'down';
  @ApiPropertyOptional({ description: 'why it is down' }) error?: string;
}

class EventStoreHealthResponse extends HealthCheckResponse {
  @ApiOneOf(['postgres', 'esdb']) kind!: 'postgres' | 'esdb';
}

class ProjectionHealthResponse {
  @ApiProperty() name!: string;
  @ApiProperty({ description: 'running, failing (retrying a database error: stalled), …' }) state!: string;
  @ApiProperty({ description: 'events of the log it has not applied yet' }) lag!: number;
  @ApiProperty({ description: 'the lag was counted up to a cap: it is at least this' }) lagCapped!: boolean;
  @ApiProperty() deadLetters!: number;
  @ApiNullable(String) lastError!: string | null;
}

class ProjectionsHealthResponse {
  @ApiProperty() maxLag!: number;
  @ApiList(() => ProjectionHealthResponse) items!: ProjectionHealthResponse[];
}

/** The answer, 200 or 503 alike. */
class HealthResponse {
  @ApiOneOf(['up', 'down']) status!: 'up' | 'down';
  @ApiPropertyOptional({ description: 'when down: which store or projection, and why' }) reason?: string;
  @ApiProperty({ type: () => HealthCheckResponse }) database!: HealthCheckResponse;
  @ApiProperty({ type: () => EventStoreHealthResponse }) eventStore!: EventStoreHealthResponse;
  @ApiProperty({ type: () => HealthCheckResponse, description: 'the key store’s database (KEYSTORE_DATABASE_URL): without it nobody signs in and nothing personal is written' })
  keyStore!: HealthCheckResponse;
  @ApiProperty({ type: () => ProjectionsHealthResponse }) projections!: ProjectionsHealthResponse;
}

@ApiTags('operations')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    @Inject(PG_POOL) private readonly pool: pg.Pool,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly projections: ProjectionRunner,
    private readonly inline: InlineProjections,
    private readonly keys: KeyStore,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Database, event store and key store reachability, and each projection’s lag' })
  @ApiOkResponse({ type: HealthResponse, description: 'everything is up' })
  @ApiServiceUnavailableResponse({ type: HealthResponse, description: 'the database, the event store or the key store is down, a projection is stalled on it, or the server is still catching its inline read models up at start-up (`reason` says which)' })
  async health(@Res({ passthrough: true }) res: FastifyReply): Promise<HealthResponse> {
    // The PostgreSQL event store is the event database's own table (the same pool): its ping is the database's check
    // too, so /health sends 3 statements (this one, the projections' status, the key store's) and writes nothing.
    const [eventStore, keyStore, ownCheck] = await Promise.all([
      check(() => this.store.ping()),
      check(() => this.keys.ping()),
      this.store.kind === 'postgres' ? null : check(() => this.pool.query('SELECT 1')),
    ]);
    const database = ownCheck ?? eventStore;
    let projections: { name: string; state: string; lag: number; lagCapped: boolean; deadLetters: number; lastError: string | null }[] = [];
    let projectionsCheck: Check = { status: 'up' };
    if (database.status === 'up') {
      projectionsCheck = await check(async () => {
        projections = (await this.projections.status()).map(({ name, state, lag, lagCapped, deadLetters, lastError }) => ({ name, state, lag, lagCapped, deadLetters, lastError }));
      });
    }
    // A projection retrying a database error is stalled: its read model falls behind.
    const stalled = projections.filter((p) => p.state === 'failing');
    const reason =
      database.status === 'down'
        ? `database: ${database.error}`
        : eventStore.status === 'down'
          ? `event store: ${eventStore.error}`
          : keyStore.status === 'down'
            ? `key store: ${keyStore.error}`
            : projectionsCheck.status === 'down'
              ? `projection status: ${projectionsCheck.error}`
              : stalled.length
                ? `projections stalled: ${stalled.map((p) => `${p.name} (${p.lastError})`).join(', ')}`
                : this.inline.catchingUp
                  ? 'starting: the inline read models are catching up with the log (the API answers 503 CATCHING_UP meanwhile)'
                  : null;
    void res.code(reason ? 503 : 200);
    if (reason) void res.header('Retry-After', '2');
    return {
      status: reason ? ('down' as const) : ('up' as const),
      ...(reason && { reason }),
      database,
      eventStore: { kind: this.store.kind, ...eventStore },
      keyStore,
      projections: { maxLag: Math.max(0, ...projections.map((p) => p.lag)), items: projections },
    };
  }
}
