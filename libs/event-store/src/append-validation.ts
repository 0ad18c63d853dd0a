import { isPlainObject, isUuid } from '@learnstream/domain';
import { InvalidEventError } from './errors';
import type { EventToAppend } from './event-store';


/** The shape checks every adapter makes before it writes anything. */
export function validateAppend(streamId: string, events: EventToAppend[]): void {
  const problems: string[] = [];
  if (!streamId || typeof streamId !== 'string' || streamId.length > 200) problems.push('stream id must be 1 to 200 characters');
  events.forEach((e, i) => {
    if (e.id !== undefined && !isUuid(e.id)) problems.push(`event ${i}: id must be a UUID`);
    if (!e.type || typeof e.type !== 'string') problems.push(`event ${i}: type is required`);
    if (!isPlainObject(e.data)) problems.push(`event ${i}: data must be an object`);
    if (!isPlainObject(e.metadata)) problems.push(`event ${i}: metadata must be an object`);
  });
  if (problems.length) throw new InvalidEventError(`cannot append to ${streamId}`, problems);
}
