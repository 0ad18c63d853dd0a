/**
 * The shared EventStore contract, run against a real EventStoreDB/KurrentDB when
 * EVENTSTORE_CONNECTION_STRING is set (e.g. `docker compose -f docker/compose.yaml
 * up -d eventstore`, then EVENTSTORE_CONNECTION_STRING=kurrentdb://localhost:2113?tls=false).
 * Without it the suite is skipped, loudly: a warning, and a skipped test in the summary.
 */
import { describeEventStoreContract } from '../testing/event-store.contract';
import { EsdbEventStore } from './esdb-event-store';

const connectionString = process.env.EVENTSTORE_CONNECTION_STRING;

if (connectionString) {
  describeEventStoreContract('esdb', async () => {
    const store = EsdbEventStore.fromConnectionString(connectionString);
    return { store, close: () => store.close() };
  });
} else {
  console.warn(
    'EventStoreDB contract suite SKIPPED: set EVENTSTORE_CONNECTION_STRING=kurrentdb://localhost:2113?tls=false to run it ' +
      '(esdb:// works too; docker/compose.yaml starts a server)',
  );
  describe('EventStore contract: esdb', () => {
    it.skip('EventStoreDB contract suite (set EVENTSTORE_CONNECTION_STRING to run)', () => undefined);
  });
}
