import { randomUUID } from 'node:crypto';
import { toXapi } from '@learnstream/privacy';
import { validateStatement } from './statement';
import { toStatement } from './to-xapi';

const HOME = 'https://learnstream.invalid';
const user = randomUUID();
const other = randomUUID();
const course = randomUUID();

/** Every shape of event Learnstream turns into xAPI: about a course, a resource, a person, nothing. */
const objects = [{ type: 'course', id: course }, { type: 'resource', id: randomUUID() }, { type: 'user', id: other }, null];

describe('statements Learnstream emits validate against its own LRS', () => {
  it.each(objects)('the privacy export, object %j', (object) => {
    const [statement] = toXapi(
      [{ eventId: randomUUID(), type: 'X', occurredAt: '2024-05-01T08:00:00.000Z', action: 'viewed', crud: 'r', object, courseId: course, schoolId: randomUUID(), actorId: user, realActorId: null, relatedUserId: other, you: ['actor'], ip: '192.0.2.1', userAgent: 'UA', origin: 'web', data: {}, withheld: [], secrets: [], erased: [] }],
      { userId: user, email: 'a@example.com', displayName: 'A' },
      HOME,
    );
    expect(validateStatement(statement)).toEqual([]);
  });

  it.each(objects)('the course log and learner export, object %j', (object) => {
    const statement = toStatement(HOME, { eventId: randomUUID(), eventType: 'X', occurredAt: '2024-05-01T08:00:00.000Z', action: 'viewed', crud: 'r', origin: 'import', courseId: course, objectType: object?.type ?? null, objectId: object?.id ?? null, actorId: user, realActorId: other, relatedUserId: other });
    expect(validateStatement(statement)).toEqual([]);
  });
});
