export * from './event-store';
export * from './errors';
export * from './envelope';
export * from './event-registry';
export * from './event-log';
export { PostgresEventStore, toRecorded, type EventRow } from './postgres/postgres-event-store';
export { AppendActivity, processAppends } from './append-activity';
export { AppendBatcher, OverloadedError, ShuttingDownError, type AppendBatcherOptions, type BatchedAppendResult } from './postgres/append-batcher';

/** The EventStoreDB adapter, loaded only when chosen (its client brings a native module). */
export async function connectEsdb(connectionString: string): Promise<import('./event-store').EventStore> {
  const { EsdbEventStore } = await import('./esdb');
  return EsdbEventStore.fromConnectionString(connectionString);
}
