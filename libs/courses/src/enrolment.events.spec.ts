import { Personal } from '@learnstream/personal-data';
import { ENROLMENT_EVENT_TYPES } from './enrolment.events';
import { COURSE_ID, LEARNER, NOW, TEACHER } from './testing/course.fixtures';

const validatorOf = (type: string) => ENROLMENT_EVENT_TYPES.find((d) => d.type === type)!.validate!;

describe('ENROLMENT_EVENT_TYPES', () => {
  const enrolled = { courseId: COURSE_ID, learnerId: LEARNER, method: 'self', startsAt: null, endsAt: '2025-06-01T00:00:00Z', by: LEARNER, at: NOW };
  const unenrolled = { courseId: COURSE_ID, learnerId: LEARNER, reason: null, by: TEACHER, at: NOW };

  it('defines LearnerEnrolled and LearnerUnenrolled at version 1', () => {
    expect(ENROLMENT_EVENT_TYPES.map((d) => [d.type, d.version])).toEqual([
      ['LearnerEnrolled', 1],
      ['LearnerUnenrolled', 1],
    ]);
  });

  it('accepts valid data', () => {
    expect(validatorOf('LearnerEnrolled')(enrolled)).toEqual([]);
    expect(validatorOf('LearnerUnenrolled')(unenrolled)).toEqual([]);
  });

  it('accepts a reason wrapped as personal data, as the handler appends it', () => {
    expect(validatorOf('LearnerUnenrolled')({ ...unenrolled, reason: new Personal(LEARNER, 'moved away') })).toEqual([]);
  });

  it('names each missing or mistyped field', () => {
    const { reason: _reason, ...noReason } = unenrolled;
    expect(validatorOf('LearnerUnenrolled')(noReason)).toEqual(['reason is required']);
    expect(validatorOf('LearnerEnrolled')({ ...enrolled, learnerId: undefined, method: 'import', endsAt: 5 })).toEqual([
      'learnerId must be a UUID',
      'method must be one of manual, self, bulk',
      'endsAt must be an ISO-8601 UTC timestamp',
    ]);
  });
});
