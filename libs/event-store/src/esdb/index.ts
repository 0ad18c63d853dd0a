export { EsdbEventStore, type EsdbClient, type EsdbEventStoreOptions } from './esdb-event-store';
