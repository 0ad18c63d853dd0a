/**
 * The documented shape of a personal-data export (JSON Schema 2020-12), served
 * at GET /api/v1/privacy/export-schema. Version 1.
 */
export const EXPORT_SCHEMA_ID = 'https://learnstream.invalid/schemas/personal-data-export/v1.json';

const nullable = (schema: Record<string, unknown>) => ({ anyOf: [schema, { type: 'null' }] });
const uuid = { type: 'string', format: 'uuid' };
const time = { type: 'string', format: 'date-time' };
const rows = (properties: Record<string, unknown>, description: string) => ({ type: 'array', description, items: { type: 'object', properties } });

export const PERSONAL_DATA_EXPORT_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: EXPORT_SCHEMA_ID,
  title: 'Learnstream personal-data export',
  description:
    'Everything Learnstream holds about one person (GDPR art. 15 and 20, PDPA s. 30–31): the read models about them and every event of the log that involves them, decrypted. Values sealed with another person’s key (their IP, their data) are withheld; values whose key is destroyed (request metadata past retention) read null.',
  type: 'object',
  required: ['schema', 'schemaVersion', 'generatedAt', 'subject', 'profile', 'affiliations', 'enrolments', 'assessments', 'grades', 'consents', 'privacy', 'activityLog'],
  properties: {
    schema: { const: EXPORT_SCHEMA_ID },
    schemaVersion: { const: 1 },
    generatedAt: time,
    subject: { type: 'object', properties: { userId: uuid } },
    profile: nullable({
      type: 'object',
      description: 'the account (accounts read model)',
      properties: {
        userId: uuid, username: { type: 'string' }, displayName: { type: ['string', 'null'] }, givenName: { type: ['string', 'null'] }, familyName: { type: ['string', 'null'] },
        email: { type: ['string', 'null'] }, phone: { type: ['string', 'null'] }, dateOfBirth: { type: ['string', 'null'] }, gender: { type: ['string', 'null'] },
        nationalId: { type: ['string', 'null'] }, country: { type: ['string', 'null'] }, interests: { type: 'array', items: { type: 'string' } },
        platformRoles: { type: 'array', items: { type: 'string' } }, status: { type: 'string' }, createdAt: time, lastLoginAt: nullable(time), parentalConsentSince: nullable(time),
      },
    }),
    affiliations: {
      type: 'object',
      properties: {
        memberships: rows({ schoolId: uuid, schoolName: { type: 'string' }, role: { type: 'string' }, classId: nullable(uuid), className: { type: ['string', 'null'] }, gradeLevel: { type: ['string', 'null'] }, startedAt: time, endedAt: nullable(time) }, 'school memberships, current and past'),
        parentLinks: rows({ linkId: uuid, as: { enum: ['parent', 'child'] }, otherUserId: uuid, status: { type: 'string' }, requestedAt: time, decidedAt: nullable(time) }, 'parent links in which the person is the parent or the child'),
      },
    },
    enrolments: rows({ courseId: uuid, courseCode: { type: 'string' }, courseTitle: { type: 'string' }, status: { type: 'string' }, method: { type: 'string' }, enrolledAt: time, unenrolledAt: nullable(time) }, 'course enrolments'),
    assessments: {
      type: 'object',
      properties: {
        attempts: rows({ attemptId: uuid, quizId: uuid, quizTitle: { type: 'string' }, courseId: uuid, attemptNumber: { type: 'integer' }, status: { type: 'string' }, startedAt: time, submittedAt: nullable(time), answers: { type: 'object', description: 'question id → the answer given' }, results: {}, grade: { type: ['number', 'null'] }, maxGrade: { type: ['number', 'null'] }, passed: { type: ['boolean', 'null'] } }, 'quiz attempts with answers and results'),
        submissions: rows({ assignmentId: uuid, assignmentTitle: { type: 'string' }, courseId: uuid, status: { type: 'string' }, text: { type: ['string', 'null'] }, fileRefs: { type: 'array' }, submittedAt: nullable(time), grade: { type: ['number', 'null'] }, feedback: { type: ['string', 'null'] }, gradedBy: nullable(uuid), gradedAt: nullable(time) }, 'assignment submissions with grades and feedback'),
        offlineResults: rows({ offlineTestId: uuid, title: { type: 'string' }, courseId: uuid, grade: { type: 'number' }, maxGrade: { type: 'number' }, feedback: { type: ['string', 'null'] }, recordedAt: time }, 'results of tests taken on paper'),
      },
    },
    grades: {
      type: 'object',
      properties: {
        activityResults: rows({ activityId: uuid, courseId: uuid, kind: { type: 'string' }, grade: { type: 'number' }, maxGrade: { type: 'number' }, passed: { type: ['boolean', 'null'] }, gradedAt: time }, 'the result that counts per graded activity'),
        gradebook: rows({ courseId: uuid, itemId: uuid, itemName: { type: 'string' }, recorded: { type: ['number', 'null'] }, overridden: { type: ['number', 'null'] } }, 'grades recorded or overridden in a course gradebook'),
        courseOverrides: rows({ courseId: uuid, percentage: { type: 'number' } }, 'overridden course totals'),
        activityCompletions: rows({ courseId: uuid, activityId: uuid, rule: { type: 'string' }, completedAt: time }, 'activities completed'),
        courseCompletions: rows({ courseId: uuid, completedAt: time }, 'courses completed'),
      },
    },
    consents: {
      type: 'object',
      description: 'purpose → whether it holds, and the record of the choice',
      additionalProperties: { type: 'object', properties: { holds: { type: 'boolean' }, default: { type: 'boolean' }, at: nullable(time), by: nullable(uuid), onBehalf: { type: 'boolean' } } },
    },
    privacy: {
      type: 'object',
      properties: {
        flags: { type: 'object' },
        requests: rows({ requestId: uuid, type: { type: 'string' }, status: { type: 'string' }, filedAt: time, dueAt: time, outcome: { type: ['string', 'null'] } }, 'the person’s privacy requests'),
        accessLog: rows({ readerId: uuid, what: { type: 'string' }, purpose: { type: 'string' }, courseId: nullable(uuid), occurredAt: time }, 'who read their personal data'),
      },
    },
    activityLog: rows(
      {
        eventId: uuid,
        type: { type: 'string' },
        occurredAt: time,
        action: { type: 'string' },
        crud: { enum: ['c', 'r', 'u', 'd'] },
        object: nullable({ type: 'object', properties: { type: { type: 'string' }, id: uuid } }),
        courseId: nullable(uuid),
        schoolId: nullable(uuid),
        actorId: nullable(uuid),
        realActorId: nullable(uuid),
        relatedUserId: nullable(uuid),
        you: { type: 'array', items: { enum: ['actor', 'real_actor', 'related', 'mentioned'] }, description: 'how the person is involved' },
        ip: { type: ['string', 'null'], description: 'the request’s IP: only for the person’s own actions; null once past retention' },
        userAgent: { type: ['string', 'null'] },
        origin: { type: 'string' },
        data: { type: 'object', description: 'the event’s data, decrypted' },
        withheld: { type: 'array', items: { type: 'string' }, description: 'paths of another person’s personal data, left out' },
        secrets: { type: 'array', items: { type: 'string' }, description: 'paths of secrets left out (password hashes, enrolment key hashes): never exported' },
        erased: { type: 'array', items: { type: 'string' }, description: 'paths whose keys are destroyed (read null)' },
      },
      'every event that involves the person, in log order',
    ),
  },
} as const;
