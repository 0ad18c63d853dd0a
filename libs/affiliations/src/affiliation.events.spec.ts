import { randomUUID } from 'node:crypto';
import { Personal } from '@learnstream/personal-data';
import { AFFILIATION_EVENT_TYPES, sealPersonalFields, type AffiliationEvent } from './affiliation.events';
import { toNewEvents } from './new-events';

const validator = (type: string) => AFFILIATION_EVENT_TYPES.find((d) => d.type === type)!.validate!;
const at = '2025-01-01T00:00:00.000Z';

describe('affiliation events', () => {
  it('registers each type once, at version 1, with a validator', () => {
    expect(new Set(AFFILIATION_EVENT_TYPES.map((d) => d.type)).size).toBe(19);
    expect(AFFILIATION_EVENT_TYPES.every((d) => d.version === 1 && d.validate)).toBe(true);
  });

  it('seals what is said about a person, and nothing else', () => {
    const userId = randomUUID();
    const joined: AffiliationEvent = { type: 'SchoolJoined', data: { membershipId: randomUUID(), userId, schoolId: randomUUID(), role: 'learner', classId: null, gradeLevel: 'P4', by: null, at } };
    const sealed = sealPersonalFields(joined);
    expect(sealed.gradeLevel).toBeInstanceOf(Personal);
    expect((sealed.gradeLevel as Personal).subjectId).toBe(userId);
    expect(sealed.role).toBe('learner');
    expect(validator('SchoolJoined')(sealed)).toEqual([]);
    // A writer that forgets to seal is stopped before anything is appended.
    expect(validator('SchoolJoined')({ ...joined.data })).toEqual([expect.stringContaining('gradeLevel must be null or sealed with personal()')]);
    const asked: AffiliationEvent = {
      type: 'TransferRequested',
      data: { transferId: randomUUID(), userId, toSchoolId: randomUUID(), fromSchoolId: null, role: 'learner', classId: null, gradeLevel: 'P5', by: randomUUID(), at },
    };
    const sealedAsk = sealPersonalFields(asked);
    expect((sealedAsk.gradeLevel as Personal).subjectId).toBe(userId);
    expect(validator('TransferRequested')(sealedAsk)).toEqual([]);
    expect(validator('TransferRequested')({ ...asked.data })).toEqual([expect.stringContaining('gradeLevel must be null or sealed with personal()')]);
    const school: AffiliationEvent = { type: 'SchoolCreated', data: { schoolId: randomUUID(), name: 'A School', code: 'AS', country: 'TH', by: null, at } };
    expect(sealPersonalFields(school)).toEqual(school.data);
  });

  it('validators name every problem, unknown fields included', () => {
    expect(validator('SchoolCreated')({ schoolId: 'x', name: '', code: 'a', country: 'ZZ', by: null, at: 'yesterday', extra: 1 })).toEqual([
      'schoolId must be a UUID',
      'name must be a trimmed text of 1 to 200 characters',
      'code must be 2 to 20 of A-Z 0-9 -',
      'country must be an ISO 3166-1 alpha-2 code',
      'at must be an ISO-8601 UTC timestamp',
      'extra is not a field of SchoolCreated',
    ]);
    expect(validator('SchoolUpdated')({ schoolId: randomUUID(), changes: {}, by: null, at })).toEqual([expect.stringContaining('changes must be an object with at least one of')]);
    expect(validator('ClassUpdated')({ classId: randomUUID(), schoolId: randomUUID(), changes: { gradeLevel: null }, by: null, at })).toEqual([]);
  });

  it('builds envelopes: verb, object, tenant, person affected', () => {
    const childId = randomUUID();
    const linkId = randomUUID();
    const parentId = randomUUID();
    const school = randomUUID();
    const [event] = toNewEvents({ userId: parentId, realActorId: null, request: null }, [{ type: 'ParentLinkRequested', data: { linkId, parentId, childId, requestedBy: parentId, at } }], school);
    expect(event.envelope).toMatchObject({ actorId: parentId, action: 'requested', crud: 'c', object: { type: 'parent_link', id: linkId }, schoolId: school, relatedUserId: childId, origin: 'system' });
  });
});
