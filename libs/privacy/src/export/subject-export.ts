/**
 * Access and portability: everything held about one person, as a JSON
 * document (export.schema.ts) or as xAPI statements (xapi.ts).
 *
 * Read models give the current picture (profile, affiliations, enrolments,
 * attempts and answers, submissions and feedback, grades, completion,
 * consents, privacy requests, who read their data). The log gives the
 * history: every event that involves them, found through the subject_events
 * index (as actor, real actor, related user, or subject of a sealed value),
 * read stream by stream and decrypted through the EventLog.
 *
 * Only the person's own personal data is decrypted: a value sealed with
 * someone else's key (the teacher's IP on the grading event, another
 * learner's answer) is withheld, and its path listed.
 */
import { Inject, Injectable } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { EventLog, type RecordedEvent } from '@learnstream/event-store';
import { Clock } from '@learnstream/domain';
import type { DataSource } from 'typeorm';
import { CONSENT_DEFAULTS } from '../privacy-subject';
import { CONSENT_PURPOSES } from '../privacy.events';
import { EXPORT_SCHEMA_ID } from './export.schema';
import { withRedactions } from '../mentions';

export interface ExportedEvent {
  eventId: string;
  type: string;
  occurredAt: string;
  action: string;
  crud: string;
  object: { type: string; id: string } | null;
  courseId: string | null;
  schoolId: string | null;
  actorId: string | null;
  realActorId: string | null;
  relatedUserId: string | null;
  you: string[];
  ip: string | null;
  userAgent: string | null;
  origin: string;
  data: Record<string, unknown>;
  withheld: string[];
  /** Paths of secrets left out (password and key hashes): never exported. */
  secrets: string[];
  erased: string[];
}

export interface PersonalDataExport {
  schema: string;
  schemaVersion: 1;
  generatedAt: string;
  subject: { userId: string };
  profile: Record<string, unknown> | null;
  affiliations: { memberships: Record<string, unknown>[]; parentLinks: Record<string, unknown>[] };
  enrolments: Record<string, unknown>[];
  assessments: { attempts: Record<string, unknown>[]; submissions: Record<string, unknown>[]; offlineResults: Record<string, unknown>[] };
  grades: {
    activityResults: Record<string, unknown>[];
    gradebook: Record<string, unknown>[];
    courseOverrides: Record<string, unknown>[];
    activityCompletions: Record<string, unknown>[];
    courseCompletions: Record<string, unknown>[];
  };
  consents: Record<string, { holds: boolean; default: boolean; at: string | null; by: string | null; onBehalf: boolean }>;
  privacy: { flags: Record<string, unknown> | null; requests: Record<string, unknown>[]; accessLog: Record<string, unknown>[] };
  activityLog: ExportedEvent[];
}

const iso = (v: unknown) => (v ? new Date(v as string).toISOString() : null);
const SEALED_KEYS = '$pd';

/**
 * Fields that hold a secret, whoever's: a password hash (AccountCreated,
 * PasswordChanged), an enrolment key's hash (course settings), a token or
 * client secret's hash. An export is a copy handed out: it never carries one
 * (an argon2 hash can be attacked offline). Their paths are listed in `secrets`.
 */
const SECRET_FIELDS = new Set(['passwordHash', 'password', 'keyHash', 'enrolmentKey', 'tokenHash', 'refreshTokenHash', 'secretHash', 'secret', 'clientSecret']);
/** A value that is a password hash whatever its field is called. */
const SECRET_VALUE = /^(\$(argon2(id|i|d)?|2[aby]|scrypt|pbkdf2)[$-]|scrypt\$)/;

/** A copy of `node` without secrets (SECRET_FIELDS, hash-looking strings): their paths go to `removed`. */
export function withoutSecrets(node: unknown, path: string, removed: string[]): unknown {
  if (typeof node === 'string') {
    if (!SECRET_VALUE.test(node)) return node;
    removed.push(path || '$');
    return null;
  }
  if (Array.isArray(node)) return node.map((v, i) => withoutSecrets(v, `${path}[${i}]`, removed));
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node as Record<string, unknown>).map(([k, v]) => {
      const at = path ? `${path}.${k}` : k;
      if (SECRET_FIELDS.has(k) && v !== null && v !== undefined) {
        removed.push(at);
        return [k, null];
      }
      return [k, withoutSecrets(v, at, removed)];
    }),
  );
}

/** A copy of `node` with every value sealed under someone else's key replaced by null; their paths go to `withheld`. */
function withholdOthers(node: unknown, subjectId: string, path: string, withheld: string[]): unknown {
  if (Array.isArray(node)) return node.map((v, i) => withholdOthers(v, subjectId, `${path}[${i}]`, withheld));
  if (node === null || typeof node !== 'object') return node;
  const o = node as Record<string, unknown>;
  if (Object.hasOwn(o, SEALED_KEYS)) {
    if (typeof o.s === 'string' && o.s.toLowerCase() === subjectId) return o;
    withheld.push(path || '$');
    return null;
  }
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, withholdOthers(v, subjectId, path ? `${path}.${k}` : k, withheld)]));
}

/** The parts of a stored gradebook state (`gradebooks.state`, see the grades feature's state-json) the export reads. */
interface StoredGradebook {
  items?: { itemId: string; name: string }[];
  learners?: { learnerId: string; grades: [string, number][]; overrides: [string, number][]; courseOverride?: number | null }[];
}

@Injectable()
export class SubjectExporter {
  constructor(
    private readonly clock: Clock,
    private readonly log: EventLog,
    @Inject(getDataSourceToken()) private readonly db: DataSource,
  ) {}

  async build(userId: string, now: Date = this.clock.now()): Promise<PersonalDataExport> {
    const q = <Row = Record<string, unknown>>(sql: string, params: unknown[] = [userId]) => this.db.query(sql, params) as Promise<Row[]>;
    const [account] = await q(
      `SELECT user_id, username, display_name, given_name, family_name, email, phone, to_char(date_of_birth, 'YYYY-MM-DD') AS date_of_birth, gender, national_id,
              country, interests, platform_roles, status, created_at, last_login_at, parental_consent_at
         FROM accounts WHERE user_id = $1`,
    );
    const memberships = await q(
      `SELECT m.school_id, s.name AS school_name, m.role, m.class_id, c.name AS class_name, m.grade_level, m.started_at, m.ended_at
         FROM school_memberships m LEFT JOIN schools s USING (school_id) LEFT JOIN school_classes c ON c.class_id = m.class_id
        WHERE m.user_id = $1 ORDER BY m.started_at`,
    );
    const links = await q(`SELECT link_id, parent_id, child_id, status, requested_at, decided_at FROM parent_links WHERE parent_id = $1 OR child_id = $1 ORDER BY requested_at`);
    const enrolments = await q(
      `SELECT e.course_id, c.code, c.title, e.status, e.method, e.enrolled_at, e.unenrolled_at
         FROM course_enrolments e LEFT JOIN courses c USING (course_id) WHERE e.learner_id = $1 ORDER BY e.enrolled_at`,
    );
    const attempts = await q(
      `SELECT a.*, z.title AS quiz_title FROM quiz_attempts a LEFT JOIN quizzes z USING (quiz_id) WHERE a.learner_id = $1 ORDER BY a.started_at`,
    );
    const submissions = await q(
      `SELECT s.*, a.title AS assignment_title FROM assignment_submissions s LEFT JOIN assignments a USING (assignment_id) WHERE s.learner_id = $1 ORDER BY s.submitted_at NULLS LAST`,
    );
    const offline = await q(`SELECT r.*, t.title FROM offline_results r LEFT JOIN offline_tests t USING (offline_test_id) WHERE r.learner_id = $1 ORDER BY r.recorded_at`);
    const results = await q(`SELECT activity_id, course_id, kind, grade, max_grade, passed, graded_at FROM activity_results WHERE learner_id = $1 ORDER BY graded_at`);
    const activityCompletions = await q(`SELECT course_id, activity_id, rule, completed_at FROM activity_completions WHERE learner_id = $1 ORDER BY completed_at`);
    const courseCompletions = await q(`SELECT course_id, completed_at FROM course_completions WHERE learner_id = $1 ORDER BY completed_at`);
    const gradebooks = await q<{ course_id: string; state: StoredGradebook }>(
      `SELECT course_id, state FROM gradebooks WHERE state->'learners' @> jsonb_build_array(jsonb_build_object('learnerId', $1::text))`,
    );
    const [flags] = await q(`SELECT * FROM subject_flags WHERE user_id = $1`);
    const requests = await q(`SELECT request_id, type, status, filed_as, filed_at, due_at, decided_at, completed_at, outcome, details, decision_reason FROM privacy_requests WHERE subject_id = $1 ORDER BY filed_at`);
    const accessLog = await q(`SELECT reader_id, real_reader_id, what, purpose, course_id, occurred_at FROM personal_data_access_log WHERE subject_id = $1 ORDER BY occurred_at`);

    const gradebook: Record<string, unknown>[] = [];
    const courseOverrides: Record<string, unknown>[] = [];
    for (const { course_id, state } of gradebooks) {
      const items = new Map<string, string>((state.items ?? []).map((i) => [i.itemId, i.name]));
      const mine = (state.learners ?? []).find((l) => l.learnerId === userId);
      if (!mine) continue;
      const recorded = new Map<string, number>(mine.grades);
      const overridden = new Map<string, number>(mine.overrides);
      for (const itemId of new Set([...recorded.keys(), ...overridden.keys()])) {
        gradebook.push({ courseId: course_id, itemId, itemName: items.get(itemId) ?? null, recorded: recorded.get(itemId) ?? null, overridden: overridden.get(itemId) ?? null });
      }
      if (mine.courseOverride !== null && mine.courseOverride !== undefined) courseOverrides.push({ courseId: course_id, percentage: mine.courseOverride });
    }

    const consents: PersonalDataExport['consents'] = {};
    const recorded = (flags?.consents ?? {}) as Record<string, { given: boolean; at: string; by: string; onBehalf: boolean }>;
    for (const purpose of CONSENT_PURPOSES) {
      const c = recorded[purpose];
      const holds = purpose === 'profiling' ? !(flags?.profiling_objected ?? false) : (c?.given ?? CONSENT_DEFAULTS[purpose]);
      consents[purpose] = { holds, default: CONSENT_DEFAULTS[purpose], at: c?.at ?? null, by: c?.by ?? null, onBehalf: c?.onBehalf ?? false };
    }

    return {
      schema: EXPORT_SCHEMA_ID,
      schemaVersion: 1,
      generatedAt: now.toISOString(),
      subject: { userId },
      profile: account
        ? {
            userId: account.user_id, username: account.username, displayName: account.display_name, givenName: account.given_name, familyName: account.family_name,
            email: account.email, phone: account.phone, dateOfBirth: account.date_of_birth, gender: account.gender, nationalId: account.national_id,
            country: account.country, interests: account.interests, platformRoles: account.platform_roles, status: account.status,
            createdAt: iso(account.created_at), lastLoginAt: iso(account.last_login_at), parentalConsentSince: iso(account.parental_consent_at),
          }
        : null,
      affiliations: {
        memberships: memberships.map((m) => ({
          schoolId: m.school_id, schoolName: m.school_name, role: m.role, classId: m.class_id, className: m.class_name, gradeLevel: m.grade_level,
          startedAt: iso(m.started_at), endedAt: iso(m.ended_at),
        })),
        parentLinks: links.map((l) => ({
          linkId: l.link_id, as: l.parent_id === userId ? 'parent' : 'child', otherUserId: l.parent_id === userId ? l.child_id : l.parent_id,
          status: l.status, requestedAt: iso(l.requested_at), decidedAt: iso(l.decided_at),
        })),
      },
      enrolments: enrolments.map((e) => ({ courseId: e.course_id, courseCode: e.code, courseTitle: e.title, status: e.status, method: e.method, enrolledAt: iso(e.enrolled_at), unenrolledAt: iso(e.unenrolled_at) })),
      assessments: {
        attempts: attempts.map((a) => ({
          attemptId: a.attempt_id, quizId: a.quiz_id, quizTitle: a.quiz_title, courseId: a.course_id, attemptNumber: a.attempt_number, status: a.status,
          startedAt: iso(a.started_at), submittedAt: iso(a.submitted_at), answers: a.answers, results: a.results, grade: a.grade, maxGrade: a.max_grade, passed: a.passed,
        })),
        submissions: submissions.map((s) => ({
          assignmentId: s.assignment_id, assignmentTitle: s.assignment_title, courseId: s.course_id, status: s.status, text: s.text, fileRefs: s.file_refs,
          submittedAt: iso(s.submitted_at), grade: s.grade, feedback: s.feedback, gradedBy: s.graded_by, gradedAt: iso(s.graded_at),
        })),
        offlineResults: offline.map((r) => ({ offlineTestId: r.offline_test_id, title: r.title, courseId: r.course_id, grade: r.grade, maxGrade: r.max_grade, feedback: r.feedback, recordedAt: iso(r.recorded_at) })),
      },
      grades: {
        activityResults: results.map((r) => ({ activityId: r.activity_id, courseId: r.course_id, kind: r.kind, grade: r.grade, maxGrade: r.max_grade, passed: r.passed, gradedAt: iso(r.graded_at) })),
        gradebook,
        courseOverrides,
        activityCompletions: activityCompletions.map((c) => ({ courseId: c.course_id, activityId: c.activity_id, rule: c.rule, completedAt: iso(c.completed_at) })),
        courseCompletions: courseCompletions.map((c) => ({ courseId: c.course_id, completedAt: iso(c.completed_at) })),
      },
      consents,
      privacy: {
        flags: flags
          ? {
              restricted: flags.restricted, restrictionReasons: flags.restriction_reasons, analyticsExcluded: flags.analytics_excluded, profilingObjected: flags.profiling_objected,
              legalHold: flags.legal_hold_id ? { since: iso(flags.legal_hold_since), until: iso(flags.legal_hold_until), reason: flags.legal_hold_reason } : null,
              cancelledAt: iso(flags.cancelled_at), shredAfter: iso(flags.shred_after),
            }
          : null,
        requests: requests.map((r) => ({
          requestId: r.request_id, type: r.type, status: r.status, filedAs: r.filed_as, filedAt: iso(r.filed_at), dueAt: iso(r.due_at), decidedAt: iso(r.decided_at),
          completedAt: iso(r.completed_at), outcome: r.outcome, details: r.details, decisionReason: r.decision_reason,
        })),
        accessLog: accessLog.map((a) => ({ readerId: a.reader_id, realReaderId: a.real_reader_id, what: a.what, purpose: a.purpose, courseId: a.course_id, occurredAt: iso(a.occurred_at) })),
      },
      activityLog: await this.events(userId),
    };
  }

  /** Every event that involves the person (subject_events), in log order, decrypted as far as it is theirs. */
  async events(userId: string): Promise<ExportedEvent[]> {
    const index: { event_id: string; stream_id: string; involvement: string[] }[] = await this.db.query(
      'SELECT event_id, stream_id, involvement FROM subject_events WHERE user_id = $1 ORDER BY position_commit, position_prepare',
      [userId],
    );
    const involvement = new Map(index.map((r) => [r.event_id, r.involvement]));
    const records = new Map<string, RecordedEvent>();
    for (const streamId of new Set(index.map((r) => r.stream_id))) {
      for await (const record of this.log.store.readStream(streamId)) if (involvement.has(record.id)) records.set(record.id, record);
    }
    const ordered = index.map((r) => records.get(r.event_id)).filter((r): r is RecordedEvent => r !== undefined);
    const out: ExportedEvent[] = [];
    for (let i = 0; i < ordered.length; i += 500) {
      const page = ordered.slice(i, i + 500);
      const withheld = page.map(() => [] as string[]);
      const masked = page.map((r, k) => ({
        ...r,
        data: withholdOthers(r.data, userId, 'data', withheld[k]) as Record<string, unknown>,
        metadata: withholdOthers(r.metadata, userId, 'envelope', withheld[k]) as Record<string, unknown>,
      }));
      const decoded = await this.log.decode(masked);
      decoded.forEach((e, k) => {
        const env = e.envelope;
        const secrets: string[] = [];
        const data = withoutSecrets(e.data, 'data', secrets) as Record<string, unknown>;
        out.push({
          eventId: e.id,
          type: e.type,
          occurredAt: env.occurredAt,
          action: env.action,
          crud: env.crud,
          object: env.object,
          courseId: env.courseId,
          schoolId: env.schoolId,
          actorId: env.actorId,
          realActorId: env.realActorId,
          relatedUserId: env.relatedUserId,
          you: involvement.get(e.id) ?? [],
          ip: env.ip ?? null,
          userAgent: env.userAgent ?? null,
          origin: env.origin,
          data,
          withheld: withheld[k],
          secrets,
          erased: e.erased,
        });
      });
    }
    // Mentions of erased people in their free text, redacted by the DPO, read as the mask here too.
    return withRedactions(userId, out);
  }
}
