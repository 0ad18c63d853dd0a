/**
 * Input rules of course commands. Each check returns readable problems; a
 * command with any problem fails as a whole with COURSE_INVALID ('invalid', 400)
 * and the list in `details`, so a client can show every problem at once.
 */
import { DomainError } from '@learnstream/domain';
import { RESOURCE_KINDS, type FileContent, type PageContent, type ResourceContent, type ResourceKind, type UrlContent, type VideoContent } from './course.events';
import { periodProblems } from './period';
import { charCount, isHttpUrl, isPlainObject, isUuid, textProblems } from './value-checks';

export const COURSE_LIMITS = {
  title: 200,
  subject: 100,
  code: 30,
  summary: 10_000,
  gradeLevel: 50,
  idNumber: 100,
  sectionTitle: 200,
  resourceTitle: 200,
  pageBody: 500_000,
  fileRef: 500,
  keyHash: 1_000,
} as const;

/** Letters of any script (with their combining marks, as Thai needs), digits, '-' and '_'. */
const CODE = /^[\p{L}\p{M}\p{N}_-]+$/u;
/** type/subtype as in RFC 6838, e.g. application/pdf, video/mp4. */
const MIME_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/i;

export function assertValid(problems: string[]): void {
  if (problems.length) throw new DomainError('invalid', 'COURSE_INVALID', `the request is not valid: ${problems.join('; ')}`, problems);
}

export const uuidProblems = (name: string, value: unknown): string[] => (isUuid(value) ? [] : [`${name} must be a UUID`]);

export function codeProblems(value: unknown): string[] {
  if (typeof value !== 'string') return ['code must be a string'];
  const length = charCount(value);
  if (length < 1 || length > COURSE_LIMITS.code) return [`code must be 1 to ${COURSE_LIMITS.code} characters`];
  return CODE.test(value) ? [] : ['code may hold only letters, digits, "-" and "_"'];
}

function summaryProblems(value: unknown): string[] {
  if (value === null) return [];
  if (typeof value !== 'string') return ['summary must be a string or null'];
  return charCount(value) > COURSE_LIMITS.summary ? [`summary must be at most ${COURSE_LIMITS.summary} characters`] : [];
}

function selfEnrolmentProblems(value: unknown): string[] {
  if (!isPlainObject(value)) return ['selfEnrolment must be an object'];
  const problems: string[] = [];
  if (typeof value.enabled !== 'boolean') problems.push('selfEnrolment.enabled must be a boolean');
  const { keyHash } = value;
  if (keyHash != null && (typeof keyHash !== 'string' || keyHash.length === 0 || keyHash.length > COURSE_LIMITS.keyHash)) {
    problems.push(`selfEnrolment.keyHash must be null or a string of 1 to ${COURSE_LIMITS.keyHash} characters`);
  }
  return problems;
}

/** The checks of the fields a course is created with and UpdateCourse may change. */
export const COURSE_FIELD_CHECKS = {
  title: (v: unknown) => textProblems('title', v, COURSE_LIMITS.title),
  summary: summaryProblems,
  subject: (v: unknown) => textProblems('subject', v, COURSE_LIMITS.subject),
  gradeLevel: (v: unknown) => (v === null ? [] : textProblems('gradeLevel', v, COURSE_LIMITS.gradeLevel)),
  /** The course's id in another system (Moodle's idnumber): unique in its school, null for none. */
  idNumber: (v: unknown) => (v === null ? [] : textProblems('idNumber', v, COURSE_LIMITS.idNumber)),
  selfEnrolment: selfEnrolmentProblems,
  enrolmentPeriod: (v: unknown) => periodProblems('enrolmentPeriod', v),
} satisfies Record<string, (value: unknown) => string[]>;

export type CourseField = keyof typeof COURSE_FIELD_CHECKS;
export const COURSE_FIELDS = Object.keys(COURSE_FIELD_CHECKS) as CourseField[];

export const sectionTitleProblems = (value: unknown): string[] => textProblems('title', value, COURSE_LIMITS.sectionTitle);
export const resourceTitleProblems = (value: unknown): string[] => textProblems('title', value, COURSE_LIMITS.resourceTitle);

export function resourceKindProblems(kind: unknown): string[] {
  return RESOURCE_KINDS.includes(kind as ResourceKind) ? [] : [`kind must be one of ${RESOURCE_KINDS.join(', ')}`];
}

const httpUrlProblems = (name: string, value: unknown): string[] =>
  isHttpUrl(value) ? [] : [`${name} must be an absolute http or https URL of at most 2048 characters`];

/** Problems with `content` for a resource of `kind` (a known kind). */
export function contentProblems(kind: ResourceKind, content: unknown): string[] {
  if (!isPlainObject(content)) return ['content must be an object'];
  switch (kind) {
    case 'page':
      if (typeof content.body !== 'string') return ['content.body must be a string'];
      return charCount(content.body) > COURSE_LIMITS.pageBody ? [`content.body must be at most ${COURSE_LIMITS.pageBody} characters`] : [];
    case 'file': {
      const problems: string[] = [];
      if (typeof content.fileRef !== 'string' || content.fileRef.length === 0 || content.fileRef.length > COURSE_LIMITS.fileRef) {
        problems.push(`content.fileRef must be a string of 1 to ${COURSE_LIMITS.fileRef} characters`);
      }
      if (typeof content.mimeType !== 'string' || !MIME_TYPE.test(content.mimeType)) problems.push('content.mimeType must be a media type such as application/pdf');
      if (!Number.isSafeInteger(content.sizeBytes) || (content.sizeBytes as number) < 0) problems.push('content.sizeBytes must be a whole number of bytes, 0 or more');
      return problems;
    }
    case 'url':
      return httpUrlProblems('content.url', content.url);
    case 'video': {
      const problems = httpUrlProblems('content.url', content.url);
      const duration = content.durationSeconds;
      if (typeof duration !== 'number' || !Number.isFinite(duration) || duration <= 0) problems.push('content.durationSeconds must be a number above 0');
      return problems;
    }
  }
}

/**
 * The content as it is recorded: only the fields of its kind, so that nothing
 * a client slipped in beside them reaches the log.
 */
export function contentOf(kind: ResourceKind, content: ResourceContent): ResourceContent {
  const c = content as PageContent & FileContent & UrlContent & VideoContent;
  switch (kind) {
    case 'page':
      return { body: c.body };
    case 'file':
      return { fileRef: c.fileRef, mimeType: c.mimeType.toLowerCase(), sizeBytes: c.sizeBytes };
    case 'url':
      return { url: c.url };
    case 'video':
      return { url: c.url, durationSeconds: c.durationSeconds };
  }
}
