/**
 * The activity feature's own rules, directly: the body of POST /api/v1/activity
 * (given a body, when it is parsed, then the items or every problem with its
 * index and field) and the registry's validators of the activity events.
 */
import { randomUUID } from 'node:crypto';
import { ACTIVITY_EVENT_TYPES, ACTIVITY_VOCABULARY, MAX_SECONDS } from './activity.events';
import { parseActivityBody } from './activity.validation';

const MAX_ITEMS = 5;
const courseId = randomUUID();
const resourceId = randomUUID();
const item = (fields: Record<string, unknown> = {}) => ({ id: randomUUID(), type: 'VideoProgressed', courseId, resourceId, positionSeconds: 30, durationSeconds: 120, ...fields });

describe('parseActivityBody', () => {
  it('accepts one item and gives it back with its ids in lower case', () => {
    const id = randomUUID();
    const parsed = parseActivityBody(item({ id: id.toUpperCase(), courseId: courseId.toUpperCase() }), MAX_ITEMS);
    expect(parsed).toEqual({
      ok: true,
      items: [{ id, type: 'VideoProgressed', courseId, resourceId, positionSeconds: 30, durationSeconds: 120 }],
      definitions: [ACTIVITY_VOCABULARY.find((a) => a.type === 'VideoProgressed')],
    });
  });

  it('accepts a batch of up to the limit, in order', () => {
    const batch = Array.from({ length: MAX_ITEMS }, (_, i) => item({ positionSeconds: i }));
    const parsed = parseActivityBody({ events: batch }, MAX_ITEMS);
    expect(parsed.ok && parsed.items.map((i) => [i.id, i.positionSeconds])).toEqual(batch.map((b) => [b.id, b.positionSeconds]));
  });

  it('refuses a batch past the limit, an empty one and one with other fields, before looking at the items', () => {
    expect(parseActivityBody({ events: Array.from({ length: MAX_ITEMS + 1 }, () => item()) }, MAX_ITEMS)).toEqual({
      ok: false,
      message: `a batch holds at most ${MAX_ITEMS} events, got ${MAX_ITEMS + 1}`,
      details: [],
    });
    expect(parseActivityBody({ events: [] }, MAX_ITEMS)).toMatchObject({ ok: false, message: '"events" is empty' });
    expect(parseActivityBody({ events: [item()], userId: randomUUID() }, MAX_ITEMS)).toMatchObject({ ok: false, details: [{ index: -1, field: 'userId' }] });
  });

  it('refuses the whole batch when one item is wrong, naming each problem by index and field', () => {
    const repeated = item();
    const parsed = parseActivityBody(
      { events: [item(), repeated, { ...repeated }, item({ positionSeconds: 200 }), item({ type: 'Nothing' }), item({ durationSeconds: MAX_SECONDS + 1, extra: 1 })] },
      10,
    );
    expect(parsed).toEqual({
      ok: false,
      message: '4 of 6 events are not valid: nothing was recorded',
      details: [
        { index: 2, field: 'id', message: 'repeats the id of item 1' },
        { index: 3, field: 'positionSeconds', message: 'must not be past durationSeconds' },
        { index: 4, field: 'type', message: `must be one of ${ACTIVITY_VOCABULARY.map((a) => a.type).join(', ')}` },
        { index: 5, field: 'durationSeconds', message: `must be a number of seconds, above 0 to ${MAX_SECONDS}` },
        { index: 5, field: 'extra', message: 'is not a field of VideoProgressed' },
      ],
    });
  });

  it('refuses ids that are not UUIDs and a course view with a resource', () => {
    const parsed = parseActivityBody({ events: [item({ id: 'abc', resourceId: 'x' }), { id: randomUUID(), type: 'CourseViewed', courseId, resourceId }] }, MAX_ITEMS);
    expect(parsed.ok === false && parsed.details.map((d) => [d.index, d.field])).toEqual([
      [0, 'id'],
      [0, 'resourceId'],
      [1, 'resourceId'],
    ]);
  });
});

describe('the activity event validators', () => {
  const validate = (type: string, data: Record<string, unknown>) => ACTIVITY_EVENT_TYPES.find((t) => t.type === type)!.validate!(data);
  const on = { courseId, resourceId, userId: randomUUID() };

  it('accept the data of each activity type', () => {
    expect(validate('VideoProgressed', { ...on, positionSeconds: 0, durationSeconds: MAX_SECONDS })).toEqual([]);
    expect(validate('VideoCompleted', { ...on, durationSeconds: 60 })).toEqual([]);
    expect(validate('PageTimeRecorded', { ...on, seconds: 12.5 })).toEqual([]);
    expect(validate('FileDownloaded', on)).toEqual([]);
  });

  it('refuse missing ids, seconds out of range, a position past the end and fields of no such type', () => {
    expect(validate('VideoProgressed', { courseId, resourceId: 'r', positionSeconds: 90, durationSeconds: 60, userAgent: 'x' })).toEqual([
      'resourceId must be a UUID',
      'userId must be a UUID',
      'userAgent is not a field of VideoProgressed',
      'positionSeconds must not be past durationSeconds',
    ]);
    expect(validate('PageTimeRecorded', { ...on, seconds: -1 })).toEqual([`seconds must be a number of seconds from 0 to ${MAX_SECONDS}`]);
  });
});
