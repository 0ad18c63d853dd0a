import { DomainError } from '@learnstream/domain';
import { spec } from '../../domain/src/testing/given-when-then';
import { enrolmentDecider, enrolmentId, enrolmentStreamId, isActiveEnrolment, type EnrolLearner, type UnenrolLearner } from './enrolment';
import type { EnrolmentEvent, LearnerEnrolled, LearnerUnenrolled } from './enrolment.events';
import { ADMIN, COURSE_ID, LEARNER, NOW, TEACHER } from './testing/course.fixtures';

const OTHER_COURSE = '7d0e8f3a-5b2c-4e1d-8f6a-9b0c1d2e3f40';
const OTHER_LEARNER = '7d0e8f3a-5b2c-4e1d-8f6a-9b0c1d2e3f41';

const openCourse = {
  archived: false,
  selfEnrolment: { enabled: true },
  enrolmentPeriod: { startsAt: '2025-01-01T00:00:00Z', endsAt: '2025-06-01T00:00:00Z' },
};

const enrol = (fields: Partial<EnrolLearner> = {}): EnrolLearner => ({
  type: 'EnrolLearner',
  courseId: COURSE_ID,
  learnerId: LEARNER,
  by: TEACHER,
  method: 'manual',
  now: NOW,
  course: openCourse,
  ...fields,
});

const selfEnrol = (fields: Partial<EnrolLearner> = {}) => enrol({ method: 'self', by: LEARNER, keyMatches: true, ...fields });

const unenrol = (fields: Partial<UnenrolLearner> = {}): UnenrolLearner => ({ type: 'UnenrolLearner', courseId: COURSE_ID, learnerId: LEARNER, by: TEACHER, now: NOW, ...fields });

const enrolled = (fields: Partial<LearnerEnrolled['data']> = {}): LearnerEnrolled => ({
  type: 'LearnerEnrolled',
  data: { courseId: COURSE_ID, learnerId: LEARNER, method: 'manual', startsAt: null, endsAt: null, by: TEACHER, at: '2025-02-01T00:00:00Z', ...fields },
});

const unenrolled = (fields: Partial<LearnerUnenrolled['data']> = {}): LearnerUnenrolled => ({
  type: 'LearnerUnenrolled',
  data: { courseId: COURSE_ID, learnerId: LEARNER, reason: null, by: TEACHER, at: '2025-02-10T00:00:00Z', ...fields },
});

describe('enrolment decider: EnrolLearner', () => {
  it('enrols a learner manually', () => {
    spec(enrolmentDecider).given().when(enrol()).then([enrolled({ at: NOW })]);
  });

  it('lets a learner enrol themself with the right key', () => {
    spec(enrolmentDecider).given().when(selfEnrol()).then([enrolled({ method: 'self', by: LEARNER, at: NOW })]);
  });

  it('records an individual enrolment period', () => {
    spec(enrolmentDecider)
      .given()
      .when(enrol({ startsAt: '2025-03-10T00:00:00Z', endsAt: '2025-04-10T00:00:00Z' }))
      .then([enrolled({ startsAt: '2025-03-10T00:00:00Z', endsAt: '2025-04-10T00:00:00Z', at: NOW })]);
  });

  it('refuses an archived course', () => {
    spec(enrolmentDecider).given().when(enrol({ course: { ...openCourse, archived: true } })).thenFails('COURSE_ARCHIVED');
  });

  it('refuses self-enrolment when the course does not allow it, whatever the key', () => {
    spec(enrolmentDecider).given().when(selfEnrol({ course: { ...openCourse, selfEnrolment: { enabled: false } } })).thenFails('SELF_ENROLMENT_DISABLED');
  });

  it('lets staff enrol a learner in a course closed to self-enrolment', () => {
    expect(spec(enrolmentDecider).given().when(enrol({ course: { ...openCourse, selfEnrolment: { enabled: false } } })).events()).toHaveLength(1);
  });

  it('refuses a wrong key, and a self-enrolment where the handler said nothing of the key (fail closed)', () => {
    spec(enrolmentDecider).given().when(selfEnrol({ keyMatches: false })).thenFails('ENROLMENT_KEY_INVALID');
    spec(enrolmentDecider).given().when(selfEnrol({ keyMatches: undefined })).thenFails('ENROLMENT_KEY_INVALID');
  });

  it('refuses a "self" enrolment made by someone else', () => {
    spec(enrolmentDecider).given().when(selfEnrol({ by: TEACHER })).thenFails('ENROLMENT_INVALID');
  });

  it.each([
    ['before the course period opens', '2024-12-31T23:59:59.999Z'],
    ['at the very end of the course period', '2025-06-01T00:00:00Z'],
    ['after the course period', '2025-07-01T00:00:00Z'],
  ])('refuses to enrol %s: ENROLMENT_CLOSED', (_when, now) => {
    spec(enrolmentDecider).given().when(enrol({ now })).thenFails('ENROLMENT_CLOSED');
    spec(enrolmentDecider).given().when(selfEnrol({ now })).thenFails('ENROLMENT_CLOSED');
  });

  it('accepts an enrolment at the very start of the course period, and any time in an open one', () => {
    expect(spec(enrolmentDecider).given().when(enrol({ now: '2025-01-01T00:00:00Z' })).events()).toHaveLength(1);
    expect(spec(enrolmentDecider).given().when(enrol({ now: '2030-01-01T00:00:00Z', course: { ...openCourse, enrolmentPeriod: {} } })).events()).toHaveLength(1);
  });

  it('refuses a learner already enrolled, manually or by themself: ENROLMENT_EXISTS', () => {
    spec(enrolmentDecider).given(enrolled()).when(enrol()).thenFails('ENROLMENT_EXISTS');
    spec(enrolmentDecider).given(enrolled()).when(selfEnrol()).thenFails('ENROLMENT_EXISTS');
  });

  it('records nothing for a learner already enrolled when the enrolment is bulk (idempotent), even after the period closed', () => {
    spec(enrolmentDecider).given(enrolled()).when(enrol({ method: 'bulk' })).then([]);
    spec(enrolmentDecider).given(enrolled()).when(enrol({ method: 'bulk', now: '2025-07-01T00:00:00Z' })).then([]);
  });

  it('enrols in bulk a learner who is not enrolled', () => {
    spec(enrolmentDecider).given().when(enrol({ method: 'bulk', by: ADMIN })).then([enrolled({ method: 'bulk', by: ADMIN, at: NOW })]);
  });

  it('counts an enrolment whose individual period is still to come as existing', () => {
    spec(enrolmentDecider).given(enrolled({ startsAt: '2025-04-01T00:00:00Z' })).when(enrol()).thenFails('ENROLMENT_EXISTS');
  });

  it('re-enrols a learner after unenrolment', () => {
    spec(enrolmentDecider).given(enrolled(), unenrolled()).when(selfEnrol()).then([enrolled({ method: 'self', by: LEARNER, at: NOW })]);
  });

  it('renews an enrolment whose individual period has ended', () => {
    spec(enrolmentDecider)
      .given(enrolled({ endsAt: NOW }))
      .when(enrol({ endsAt: '2025-05-01T00:00:00Z' }))
      .then([enrolled({ endsAt: '2025-05-01T00:00:00Z', at: NOW })]);
  });

  it.each([
    ['a course id that is not a UUID', { courseId: 'c1' }, ['courseId must be a UUID']],
    ['a learner id that is not a UUID', { learnerId: LEARNER.toUpperCase() }, ['learnerId must be a UUID']],
    ['a time that is not an instant', { now: 'today' }, ['now must be an ISO-8601 UTC timestamp']],
    ['an unknown method', { method: 'import' as never }, ['method must be one of manual, self, bulk']],
    ['a period end that is not an instant', { endsAt: 'next week' }, ['period.endsAt must be an ISO-8601 UTC timestamp']],
    ['a period that ends before it starts', { startsAt: '2025-04-01T00:00:00Z', endsAt: '2025-03-20T00:00:00Z' }, ['period.endsAt must be after period.startsAt']],
    ['a period that is already over', { endsAt: NOW }, ['period.endsAt must be in the future']],
  ])('refuses %s: ENROLMENT_INVALID', (_name, fields, problems) => {
    let error: unknown;
    try {
      spec(enrolmentDecider).given().when(enrol(fields)).events();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: 'ENROLMENT_INVALID', kind: 'invalid', details: problems });
  });

  it('answers with the agreed error kinds', () => {
    const kindOf = (given: EnrolmentEvent[], command: EnrolLearner) => {
      try {
        spec(enrolmentDecider).given(...given).when(command).events();
      } catch (e) {
        return (e as DomainError).kind;
      }
      return 'accepted';
    };
    expect(kindOf([], enrol({ course: { ...openCourse, archived: true } }))).toBe('rule');
    expect(kindOf([], selfEnrol({ course: { ...openCourse, selfEnrolment: { enabled: false } } }))).toBe('forbidden');
    expect(kindOf([], selfEnrol({ keyMatches: false }))).toBe('forbidden');
    expect(kindOf([], enrol({ now: '2025-07-01T00:00:00Z' }))).toBe('rule');
    expect(kindOf([enrolled()], enrol())).toBe('conflict');
  });
});

describe('enrolment decider: UnenrolLearner', () => {
  it('unenrols an enrolled learner, passing the reason through untouched', () => {
    const reason = { sealedLater: 'moved to another school' };
    const [event] = spec(enrolmentDecider).given(enrolled()).when(unenrol({ reason })).events();
    expect(event).toEqual(unenrolled({ reason, at: NOW }));
    expect((event as LearnerUnenrolled).data.reason).toBe(reason);
  });

  it('records a null reason when none is given', () => {
    spec(enrolmentDecider).given(enrolled()).when(unenrol()).then([unenrolled({ at: NOW })]);
  });

  it('unenrols a learner whose individual period has ended', () => {
    spec(enrolmentDecider).given(enrolled({ endsAt: '2025-02-15T00:00:00Z' })).when(unenrol()).then([unenrolled({ at: NOW })]);
  });

  it('refuses a learner who is not enrolled: NOT_ENROLLED', () => {
    spec(enrolmentDecider).given().when(unenrol()).thenFails('NOT_ENROLLED');
    spec(enrolmentDecider).given(enrolled(), unenrolled()).when(unenrol()).thenFails('NOT_ENROLLED');
  });

  it('records nothing for a learner who is not enrolled when the run is bulk (idempotent)', () => {
    spec(enrolmentDecider).given().when(unenrol({ bulk: true })).then([]);
    spec(enrolmentDecider).given(enrolled(), unenrolled()).when(unenrol({ bulk: true })).then([]);
  });

  it('unenrols in bulk a learner who is enrolled', () => {
    spec(enrolmentDecider).given(enrolled()).when(unenrol({ bulk: true })).then([unenrolled({ at: NOW })]);
  });
});

describe('isActiveEnrolment', () => {
  const stateOf = (...events: EnrolmentEvent[]) => spec(enrolmentDecider).given(...events).state;

  it('is true for an enrolment with no individual period', () => {
    expect(isActiveEnrolment(stateOf(enrolled()), NOW)).toBe(true);
  });

  it('is false when asked with a time that is not an instant (fail closed)', () => {
    expect(isActiveEnrolment(stateOf(enrolled()), 'not a time')).toBe(false);
  });

  it('is false before any enrolment and after unenrolment', () => {
    expect(isActiveEnrolment(stateOf(), NOW)).toBe(false);
    expect(isActiveEnrolment(stateOf(enrolled(), unenrolled()), NOW)).toBe(false);
  });

  it('respects the individual period: from its start (included) to its end (excluded)', () => {
    const state = stateOf(enrolled({ startsAt: '2025-03-01T00:00:00Z', endsAt: '2025-04-01T00:00:00Z' }));
    expect(isActiveEnrolment(state, '2025-02-28T23:59:59.999Z')).toBe(false);
    expect(isActiveEnrolment(state, '2025-03-01T00:00:00Z')).toBe(true);
    expect(isActiveEnrolment(state, '2025-03-31T23:59:59.999Z')).toBe(true);
    expect(isActiveEnrolment(state, '2025-04-01T00:00:00Z')).toBe(false);
  });

  it('follows a re-enrolment with its new period', () => {
    const state = stateOf(enrolled({ endsAt: '2025-02-15T00:00:00Z' }), enrolled({ startsAt: null, endsAt: null, at: NOW }));
    expect(isActiveEnrolment(state, '2025-05-01T00:00:00Z')).toBe(true);
  });

  it('keeps what the read side needs in the state', () => {
    expect(stateOf(enrolled({ method: 'self', endsAt: '2025-05-01T00:00:00Z' }), unenrolled())).toEqual({
      status: 'unenrolled',
      courseId: COURSE_ID,
      learnerId: LEARNER,
      method: 'self',
      startsAt: null,
      endsAt: '2025-05-01T00:00:00Z',
      enrolledAt: '2025-02-01T00:00:00Z',
      unenrolledAt: '2025-02-10T00:00:00Z',
    });
  });
});

describe('enrolment streams', () => {
  it('are enrolment-<uuid v5 of courseId:learnerId>, the same however often computed', () => {
    const id = enrolmentStreamId(COURSE_ID, LEARNER);
    expect(id).toMatch(/^enrolment-[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(enrolmentStreamId(COURSE_ID, LEARNER)).toBe(id);
    expect(id).toBe(`enrolment-${enrolmentId(COURSE_ID, LEARNER)}`);
  });

  it('differ for another course, another learner, or the pair swapped', () => {
    const ids = new Set([
      enrolmentStreamId(COURSE_ID, LEARNER),
      enrolmentStreamId(OTHER_COURSE, LEARNER),
      enrolmentStreamId(COURSE_ID, OTHER_LEARNER),
      enrolmentStreamId(LEARNER, COURSE_ID),
    ]);
    expect(ids.size).toBe(4);
  });

  it('do not depend on how the ids are spelt: upper-case ids find the same stream', () => {
    expect(enrolmentStreamId(COURSE_ID.toUpperCase(), LEARNER.toUpperCase())).toBe(enrolmentStreamId(COURSE_ID, LEARNER));
  });

  it('are pinned: changing the namespace or the name format would orphan every enrolment', () => {
    expect(enrolmentStreamId('00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002')).toBe('enrolment-047efa87-8088-5609-9ef3-3d7beb95555e');
  });
});
