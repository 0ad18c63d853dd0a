import type { EventLog } from '@learnstream/event-store';
import { evolveSchool, type SchoolState } from './school';
import { schoolStream } from './streams';
import { isUuid } from './values';

/** A school and its classes, folded from its stream; null when there is no such school. */
export async function loadSchool(log: EventLog, schoolId: string): Promise<SchoolState | null> {
  if (!isUuid(schoolId)) return null;
  return (await log.aggregate(schoolStream(schoolId.toLowerCase()), null, evolveSchool)).state;
}
