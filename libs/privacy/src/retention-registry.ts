/**
 * The retention registry (Moodle's data registry, per event type rather than
 * per context): for each category of personal data, the event types that
 * carry it, why it is processed (purpose and legal basis: GDPR art. 6(1),
 * PDPA s. 24), how long it is kept, and how it goes. GET /api/v1/privacy/retention.
 *
 * Durations are ISO-8601. "account" means: while the account exists, then
 * restricted for the legal hold period after it is cancelled, then shredded.
 * Everything personal in the log is sealed with its subject's keys: "goes"
 * means the keys are destroyed and every projection forgets the person.
 */
import type { PrivacyOptions } from './privacy.options';

export type LegalBasis = 'consent' | 'contract' | 'legal_obligation' | 'vital_interests' | 'public_task' | 'legitimate_interests';

export interface RetentionEntry {
  category: string;
  description: string;
  /** Event types carrying it (sealed fields in brackets). */
  eventTypes: string[];
  personalFields: string[];
  purpose: string;
  legalBasis: LegalBasis;
  /** ISO-8601 duration, or 'account' (while the account lives, then the legal hold period). */
  retention: string;
  retentionNote: string;
  /** How it is removed when its time is up or the person is erased. */
  disposal: string;
}

export function retentionRegistry(options: PrivacyOptions): { legalHoldPeriod: string; requestMetadataRetention: string; requestDeadline: string; entries: RetentionEntry[] } {
  const hold = `P${options.legalHoldYears}Y`;
  const metadata = `P${options.requestMetadataRetentionMonths}M`;
  const account = `while the account exists; after a cancellation, restricted for ${hold} (the legal hold period), then shredded`;
  const shred = 'crypto-shredding: the subject’s keys are destroyed; projections delete or anonymise their rows';
  return {
    legalHoldPeriod: hold,
    requestMetadataRetention: metadata,
    requestDeadline: `P${options.requestDeadlineDays}D`,
    entries: [
      {
        category: 'account_profile',
        description: 'who the person is: username, names, contact data, date of birth, gender, national id, country, interests, password hash',
        eventTypes: ['AccountCreated', 'ProfileUpdated', 'PasswordChanged'],
        personalFields: ['username', 'profile.*', 'changes.*', 'passwordHash'],
        purpose: 'running the person’s account and their schooling',
        legalBasis: 'public_task',
        retention: 'account',
        retentionNote: account,
        disposal: shred,
      },
      {
        category: 'request_metadata',
        description: 'IP address and user agent of every request (every event’s envelope)',
        eventTypes: ['*'],
        personalFields: ['envelope.ip', 'envelope.userAgent'],
        purpose: 'security: detecting and investigating abuse of accounts',
        legalBasis: 'legitimate_interests',
        retention: metadata,
        retentionNote: `keys per person per calendar month: the months older than ${metadata} are destroyed by the retention sweep`,
        disposal: 'the month’s request keys are destroyed (KeyStore.destroyRequestKeysBefore)',
      },
      {
        category: 'sign_in',
        description: 'sign-ins, failures, sign-outs, lockouts, impersonations (with their reason)',
        eventTypes: ['UserLoggedIn', 'LoginFailed', 'UserLoggedOut', 'AccountLocked', 'AccountUnlocked', 'ImpersonationStarted', 'ImpersonationEnded'],
        personalFields: ['reason (impersonation)'],
        purpose: 'security and accountability of support access',
        legalBasis: 'legitimate_interests',
        retention: 'account',
        retentionNote: account,
        disposal: shred,
      },
      {
        category: 'affiliations',
        description: 'memberships of schools and classes, grade level, why a membership ended, transfers between schools, parent links, parental consents and their purposes',
        eventTypes: [
          'SchoolJoined', 'ClassChanged', 'SchoolLeft', 'TransferRequested', 'TransferAccepted', 'TransferDeclined', 'TransferCancelled',
          'ParentLinkRequested', 'ParentLinkConfirmed', 'ParentLinkRejected', 'ParentLinkRevoked', 'ParentalConsentGiven', 'ParentalConsentWithdrawn',
        ],
        personalFields: ['gradeLevel', 'reason', 'purposes'],
        purpose: 'organising schooling; proving a parent’s consent for a minor',
        legalBasis: 'public_task',
        retention: 'account',
        retentionNote: account,
        disposal: shred,
      },
      {
        category: 'learning_records',
        description: 'enrolments, quiz attempts and answers, assignment submissions, results, grades, overrides and their reasons, feedback, completion',
        eventTypes: [
          'LearnerEnrolled', 'LearnerUnenrolled', 'AttemptStarted', 'AnswersSaved', 'AttemptSubmitted', 'AttemptGraded', 'AssignmentSubmitted',
          'SubmissionGraded', 'SubmissionReopened', 'OfflineResultRecorded', 'GradeRecorded', 'GradeOverridden', 'GradeOverrideCleared',
        ],
        personalFields: ['answers[].answer', 'text', 'feedback', 'reason'],
        purpose: 'teaching, assessment and certification',
        legalBasis: 'public_task',
        retention: 'account',
        retentionNote: `${account}. Anonymised results stay in course aggregates (grade distributions, per-question statistics).`,
        disposal: `${shred}; results kept for aggregates carry an anonymous id`,
      },
      {
        category: 'activity_log',
        description: 'what the person viewed and did (course and resource views, client activity, report reads)',
        eventTypes: ['CourseViewed', 'ResourceViewed', 'GradesViewed', 'CompletionViewed', 'AttemptReviewed', 'CourseLogViewed', 'LearnerProfileViewed', 'ClassReportViewed', 'SchoolReportViewed', 'UsageReportViewed'],
        personalFields: ['envelope.ip', 'envelope.userAgent'],
        purpose: 'teaching (course logs, progress reports) and aggregate usage statistics',
        legalBasis: 'legitimate_interests',
        retention: 'account',
        retentionNote: `${account}. Left out of reports while the person is restricted; out of usage statistics when analytics consent is withdrawn.`,
        disposal: `${shred}; course-log and usage rows kept with an anonymous id`,
      },
      {
        category: 'consents_and_objections',
        description: 'consents per purpose (marketing, analytics, profiling), objections to profiling, restrictions',
        eventTypes: ['ConsentGiven', 'ConsentWithdrawn', 'ProfilingObjected', 'ProfilingObjectionWithdrawn', 'ProcessingRestricted', 'ProcessingRestrictionLifted'],
        personalFields: [],
        purpose: 'proving consent and honouring objections',
        legalBasis: 'legal_obligation',
        retention: 'account',
        retentionNote: account,
        disposal: 'ids only in the log; the flags row is deleted at erasure',
      },
      {
        category: 'privacy_requests',
        description: 'data-subject requests, decisions and reasons, legal holds, exports, erasures and their receipts',
        eventTypes: ['PrivacyRequestFiled', 'PrivacyRequestApproved', 'PrivacyRequestRejected', 'PrivacyRequestWithdrawn', 'ErasureDeferred', 'PrivacyRequestCompleted', 'LegalHoldPlaced', 'LegalHoldLifted', 'PersonalDataExported', 'SubjectErased'],
        personalFields: ['details', 'reason'],
        purpose: 'accountability: showing that rights were honoured',
        legalBasis: 'legal_obligation',
        retention: 'indefinite (ids only after erasure)',
        retentionNote: 'the request’s details and reasons are sealed with the subject’s keys and shredded with them; the fact of the request (ids, dates, outcome) and the erasure receipts remain',
        disposal: 'details and reasons shredded at erasure; ids kept',
      },
      {
        category: 'access_audit',
        description: 'who read whose personal data, what and why',
        eventTypes: ['PersonalDataAccessed'],
        personalFields: [],
        purpose: 'accountability and breach detection',
        legalBasis: 'legal_obligation',
        retention: 'account',
        retentionNote: 'ids only; an erased person’s rows carry an anonymous id',
        disposal: 'anonymised at erasure',
      },
    ],
  };
}
