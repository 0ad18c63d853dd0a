/**
 * Every schema change, in order. A new migration is a new file here, added to
 * this list; a landed migration is never edited.
 */
import { EventStore1732200000000 } from './1732200000000-event-store';

export const migrations = [EventStore1732200000000];
