import { decodeCursor, encodeCursor, filterSql, parseBound, positionSql } from './course-log.filter';
import { wantsCsv } from '@learnstream/core';
import { toCourseLogFilter } from './course-log.dto';

const course = '0b9f1d2e-4c3a-4b5d-9e8f-7a6b5c4d3e2f';
const user = '1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f';

describe('course-log cursor', () => {
  it('round-trips a position and is opaque', () => {
    const cursor = encodeCursor({ commit: 123456789012n, prepare: 42n });
    expect(cursor).not.toContain('123456789012');
    expect(decodeCursor(cursor)).toEqual({ commit: 123456789012n, prepare: 42n });
  });

  it('refuses a cursor it did not give out with 400 VALIDATION_FAILED', () => {
    for (const bad of ['', 'nope', Buffer.from('cl1:1/x').toString('base64url'), Buffer.from('12/3').toString('base64url'), 'a'.repeat(300)]) {
      expect(() => decodeCursor(bad)).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED', status: 400 }));
    }
  });
});

describe('course-log filters', () => {
  it('builds one parameterised clause per filter, the user as actor or related user', () => {
    const { where, params } = filterSql(course, {
      userId: user,
      from: new Date('2025-05-01T00:00:00Z'),
      before: new Date('2025-06-01T00:00:00Z'),
      action: 'viewed',
      eventType: 'CourseViewed',
      objectType: 'course',
      objectId: course,
      crud: 'cud',
      origin: 'web',
    });
    expect(where).toBe(
      'l.course_id = $1 AND (l.actor_id = $2 OR l.related_user_id = $2) AND l.occurred_at >= $3 AND l.occurred_at < $4 AND l.action = $5 ' +
        'AND l.event_type = $6 AND l.object_type = $7 AND l.object_id = $8 AND l.crud = ANY ($9::text[]) AND l.origin = $10',
    );
    expect(params).toEqual([course, user, new Date('2025-05-01T00:00:00Z'), new Date('2025-06-01T00:00:00Z'), 'viewed', 'CourseViewed', 'course', course, ['c', 'u', 'd'], 'web']);
    expect(positionSql('before', { commit: 7n, prepare: 8n }, params)).toBe(
      "(split_part(l.position, '/', 1)::bigint, split_part(l.position, '/', 2)::bigint) < ($11::bigint, $12::bigint)",
    );
  });

  it('takes dates and timestamps: a date `to` covers its whole UTC day', () => {
    expect(parseBound('2025-05-01', 'from').toISOString()).toBe('2025-05-01T00:00:00.000Z');
    expect(parseBound('2025-05-01', 'to').toISOString()).toBe('2025-05-02T00:00:00.000Z');
    expect(parseBound('2025-05-01T08:00:00+07:00', 'from').toISOString()).toBe('2025-05-01T01:00:00.000Z');
    expect(parseBound('2025-05-01T08:00:00.250Z', 'to').toISOString()).toBe('2025-05-01T08:00:00.251Z');
    for (const bad of ['2025-02-30', '2025-02-30T00:00:00Z', '2025-02-29T08:00:00+07:00', 'yesterday', '2025-05-01T08:00:00', '1 May 2025']) {
      expect(() => parseBound(bad, 'from')).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
    }
    expect(() => toCourseLogFilter({ from: '2025-05-02', to: '2025-05-01' })).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
    expect(toCourseLogFilter({ from: '2025-05-01', to: '2025-05-01' })).toMatchObject({ from: new Date('2025-05-01T00:00:00Z'), before: new Date('2025-05-02T00:00:00Z') });
  });
});

describe('content negotiation', () => {
  it('answers CSV for ?format=csv, or an Accept header that prefers text/csv', () => {
    expect(wantsCsv('csv', 'application/json')).toBe(true);
    expect(wantsCsv('json', 'text/csv')).toBe(false);
    expect(wantsCsv(undefined, 'text/csv')).toBe(true);
    expect(wantsCsv(undefined, 'text/csv;q=0.9, application/json;q=0.5')).toBe(true);
    expect(wantsCsv(undefined, 'application/json, text/csv')).toBe(false);
    expect(wantsCsv(undefined, '*/*')).toBe(false);
    expect(wantsCsv(undefined, undefined)).toBe(false);
  });
});
