/**
 * One LISTEN connection per database for the whole process, multiplexing
 * every channel (the event store's appends, session revocations): a
 * notification connection cannot come from the pool (it would be handed to
 * other queries), so each one is a connection of the budget (README,
 * "Database connections").
 *
 * While it is down (`live` false) nothing may rely on a push: the `lost`
 * callbacks are told (pushes may have been missed) and it reconnects after
 * `retryMs`, listening again on every channel.
 */
import pg from 'pg';

type Handler = (payload: string) => void;

const CHANNEL = /^[a-z_][a-z0-9_]*$/;

export class PgListener {
  private client: pg.Client | null = null;
  private starting: Promise<void> | null = null;
  private retry: NodeJS.Timeout | null = null;
  private closed = false;
  private readonly channels = new Map<string, Set<Handler>>();
  /** The channels the current connection listens on. */
  private listening = new Set<string>();
  private readonly lostCallbacks = new Set<() => void>();

  constructor(
    private readonly options: pg.ClientConfig,
    private readonly retryMs = 1000,
  ) {}

  /** True while connected and listening on every channel asked for. */
  get live(): boolean {
    return this.client !== null;
  }

  /**
   * Hands every notification on `channel` to `handler` (starting the
   * connection if need be; resolves once listening or once the attempt
   * failed, which is retried). Returns the unsubscribe.
   */
  async listen(channel: string, handler: Handler): Promise<() => void> {
    if (!CHANNEL.test(channel)) throw new Error(`not a channel name: ${channel}`);
    let handlers = this.channels.get(channel);
    if (!handlers) this.channels.set(channel, (handlers = new Set()));
    handlers.add(handler);
    const unsubscribe = () => handlers.delete(handler);
    if (this.client) await this.listenOn(this.client);
    else await this.start();
    return unsubscribe;
  }

  /** LISTENs on the connection for every channel asked for that it does not listen on yet. */
  private async listenOn(client: pg.Client): Promise<void> {
    try {
      for (const channel of this.channels.keys()) {
        if (this.listening.has(channel)) continue;
        this.listening.add(channel);
        await client.query(`LISTEN ${channel}`);
      }
    } catch {
      this.lost(client);
    }
  }

  /** Called each time the connection is lost (pushes may have been missed meanwhile). */
  onLost(callback: () => void): () => void {
    this.lostCallbacks.add(callback);
    return () => this.lostCallbacks.delete(callback);
  }

  /** Connects (idempotent); resolves once listening or once the attempt failed (it is retried). */
  start(): Promise<void> {
    if (this.client || this.closed) return Promise.resolve();
    this.starting ??= this.connect().finally(() => (this.starting = null));
    return this.starting;
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ application_name: 'learnstream-listen', ...this.options });
    client.on('notification', (m) => {
      for (const h of this.channels.get(m.channel) ?? []) h(m.payload ?? '');
    });
    client.on('error', () => this.lost(client));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      for (const channel of this.channels.keys()) await client.query(`LISTEN ${channel}`);
      this.listening = new Set(this.channels.keys());
    } catch {
      await client.end().catch(() => undefined);
      this.scheduleRetry();
      return;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    // Channels asked for while it was connecting.
    await this.listenOn(client);
  }

  private lost(client: pg.Client): void {
    if (this.client !== client) return;
    this.client = null;
    client.end().catch(() => undefined);
    for (const callback of this.lostCallbacks) callback();
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.closed || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = null;
      void this.start();
    }, this.retryMs);
    this.retry.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    await this.starting;
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }
}
