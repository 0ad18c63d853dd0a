/**
 * The event types the log accepts, each with its current schema version, an
 * optional validator of its `data`, and upcasters that bring old versions up
 * to date on read. Events are never edited: old shapes are converted as they
 * are read.
 */
export type Upcaster = (data: Record<string, unknown>) => Record<string, unknown>;

export interface EventTypeDefinition {
  type: string;
  /** Current schema version of `data` (from 1). */
  version: number;
  /** Problems with `data`, as readable sentences; empty when valid. */
  validate?: (data: Record<string, unknown>) => string[];
  /** upcasters[v] turns data of version v into version v + 1. */
  upcasters?: Record<number, Upcaster>;
}

export class EventRegistry {
  private readonly types = new Map<string, EventTypeDefinition>();

  register(...definitions: EventTypeDefinition[]): this {
    for (const d of definitions) {
      const existing = this.types.get(d.type);
      if (existing && existing !== d) throw new Error(`event type ${d.type} is registered twice`);
      for (let v = 1; v < d.version; v++) {
        if (!d.upcasters?.[v]) throw new Error(`event type ${d.type}: no upcaster from version ${v} to ${v + 1}`);
      }
      this.types.set(d.type, d);
    }
    return this;
  }

  get(type: string): EventTypeDefinition | undefined {
    return this.types.get(type);
  }

  /** Brings `data` written at `version` up to the current version of its type. */
  upcast(type: string, version: number, data: Record<string, unknown>): { data: Record<string, unknown>; version: number } {
    const definition = this.types.get(type);
    if (!definition) return { data, version };
    let current = data;
    for (let v = version; v < definition.version; v++) current = definition.upcasters![v](current);
    return { data: current, version: Math.max(version, definition.version) };
  }
}
