/**
 * `learnstream import oulad DIR --school ID --as USER_ID [--start 2013-10-01]`:
 * a history in the layout of the Open University Learning Analytics Dataset
 * (libs/early-warning/src/oulad.ts reads it) written into a school through the
 * features' own deciders and the EventLog (validated, sealed, with the
 * inline read models in the same transaction), every event at its historic
 * time (the envelope's occurredAt and the data's at: the time the dataset
 * gives, mapped to instants by oulad.ts):
 *
 *   a student          an account (AccountCreated + SchoolJoined as a learner),
 *                      opened by the integration account `--as`
 *   a presentation     a course (code `AAA-2013J`) created 400 days before day 0
 *   an assessment      an assignment (TMA, CMA, Exam), due at the end of its day,
 *                      max grade 100, pass grade 40 (the OU's pass mark)
 *   a registration     an enrolment at its day, an unregistration an unenrolment
 *   a result           a submission at its day (a file reference: the dataset has no
 *                      work, only that it was handed in), graded then (no grade for '?');
 *                      before the enrolment it is recorded at the enrolment
 *                      (a banked result), after the unenrolment it is refused
 *                      by the product and counted in `refused`
 *
 * Ids are derived from the dataset's (uuidV5), so running it twice writes
 * nothing the second time (`already`). Appends go in batches of streams
 * through appendBatch, a few in flight.
 */
import { envelopeFor } from '@learnstream/access';
import { decideJoinSchool, evolveSchool, initialMembershipState, schoolStream, toNewEvents as affiliationEvents, userStream, type SchoolState } from '@learnstream/affiliations';
import { assignmentDecider, assignmentSnapshotOf, assignmentStreamId, assignmentSubmissionStreamId, submissionDecider, toNewEvents as assessmentEvents, type AssessmentEvent } from '@learnstream/assessments';
import { courseEnvelopeFieldsOf, courseStreamId, decideCourse, enrolmentDecider, enrolmentStreamId, initialCourseState, type CourseEvent, type EnrolmentEvent } from '@learnstream/courses';
import { uuidV5, type DomainEvent } from '@learnstream/domain';
import { assessmentTitle, endOfDay, enrolmentTimes, readOulad, resultTime, DAY_MS } from '@learnstream/early-warning';
import type { EventLog, ExpectedRevision, NewEvent } from '@learnstream/event-store';
import { completeProfile, sealAccountEvent } from '@learnstream/identity';

export const OULAD_NAMESPACE = '6f1c0b52-4f4e-4d8e-9d1a-0a4f0ad5e018';
export const ouladStudentId = (id: string) => uuidV5(`oulad-student:${id}`, OULAD_NAMESPACE);
export const ouladCourseId = (module: string, presentation: string) => uuidV5(`oulad-course:${module}:${presentation}`, OULAD_NAMESPACE);
export const ouladAssessmentId = (id: string) => uuidV5(`oulad-assessment:${id}`, OULAD_NAMESPACE);
export const OULAD_PASS_GRADE = 40;
/** A course is created this long before its day 0 (the earliest registration in the dataset is day −322). */
const COURSE_LEAD_DAYS = 400;

export interface OuladImportOptions {
  dir: string;
  schoolId: string;
  /** The integration account (a school admin of the school): opens the accounts, owns the courses, grades. */
  by: string;
  start?: string;
  /** The password hash every imported account gets (accounts nobody signs in to: a hash of a random secret). */
  passwordHash: string;
  /** false: the learners are ids only, no accounts (what the early-warning eval needs; opening accounts is the slow part). */
  accounts?: boolean;
  onProgress?: (line: string) => void;
}

export interface OuladImportSummary {
  presentations: number;
  accounts: number;
  courses: number;
  assignments: number;
  enrolments: number;
  unenrolments: number;
  submissions: number;
  grades: number;
  /** Results after the learner had left the course. */
  refused: number;
  /** Streams that already held what this run would write (a second run). */
  already: number;
  events: number;
  seconds: number;
  courseIds: { module: string; presentation: string; courseId: string; startAt: string }[];
}

const iso = (ms: number) => new Date(ms).toISOString();
type Actor = { userId: string; realActorId: null; request: null };
const actor = (userId: string): Actor => ({ userId, realActorId: null, request: null });
const at = (events: NewEvent[], ms: number): NewEvent[] => events.map((e) => ({ ...e, envelope: { ...e.envelope, occurredAt: iso(ms), origin: 'import' } }));

export class OuladImporter {
  private pending: { streamId: string; events: NewEvent[]; expectedRevision: ExpectedRevision }[] = [];
  private pendingEvents = 0;
  private inFlight = new Set<Promise<void>>();
  private written = 0;
  private already = 0;

  constructor(private readonly log: EventLog) {}

  async run(options: OuladImportOptions): Promise<OuladImportSummary> {
    const started = Date.now();
    const say = options.onProgress ?? (() => undefined);
    const presentations = readOulad(options.dir, options.start);
    const school = await this.schoolState(options.schoolId);
    const summary: OuladImportSummary = {
      presentations: presentations.length, accounts: 0, courses: 0, assignments: 0, enrolments: 0, unenrolments: 0, submissions: 0, grades: 0, refused: 0, already: 0, events: 0, seconds: 0, courseIds: [],
    };
    const by = options.by;

    // Accounts: one per student of the dataset, opened when their first course was created.
    const firstSeen = new Map<string, number>();
    for (const p of presentations) for (const s of p.students) firstSeen.set(s.id, Math.min(firstSeen.get(s.id) ?? Infinity, p.startAt - COURSE_LEAD_DAYS * DAY_MS));
    for (const [id, when] of options.accounts === false ? [] : firstSeen) {
      const userId = ouladStudentId(id);
      const created: DomainEvent = {
        type: 'AccountCreated',
        data: {
          userId,
          origin: 'staff',
          username: `oulad-${id}`,
          profile: completeProfile({ displayName: `Student ${id}` }),
          passwordHash: options.passwordHash,
          mustChangePassword: true,
          platformRoles: [],
          openedBy: by,
          consent: null,
          minor: false,
          at: iso(when),
        },
      };
      const joined = decideJoinSchool(
        { type: 'JoinSchool', membershipId: uuidV5(`oulad-membership:${id}`, OULAD_NAMESPACE), userId, schoolId: options.schoolId, role: 'learner', classId: null, gradeLevel: null, by, at: iso(when) },
        initialMembershipState(),
        school,
      );
      const events: NewEvent[] = [
        { type: created.type, data: sealAccountEvent(userId, created).data as Record<string, unknown>, envelope: envelopeFor(actor(by), { action: 'created', crud: 'c', object: { type: 'user', id: userId }, relatedUserId: userId, schoolId: options.schoolId }) },
        ...affiliationEvents(actor(by), joined),
      ];
      await this.add(userStream(userId), at(events, when));
      summary.accounts += 1;
    }
    await this.drain();
    say(`accounts: ${summary.accounts} (${((Date.now() - started) / 1000).toFixed(1)} s)`);

    for (const p of presentations) {
      const courseId = ouladCourseId(p.module, p.presentation);
      summary.courseIds.push({ module: p.module, presentation: p.presentation, courseId, startAt: iso(p.startAt) });
      const created = p.startAt - COURSE_LEAD_DAYS * DAY_MS;
      const decided: CourseEvent[] = decideCourse(
        { type: 'CreateCourse', courseId, by, now: iso(created), schoolId: options.schoolId, title: `${p.module} ${p.presentation}`, code: `${p.module}-${p.presentation}`, subject: p.module, gradeLevel: null, summary: `OULAD module ${p.module}, presentation ${p.presentation} (${p.lengthDays} days from ${iso(p.startAt).slice(0, 10)})`, selfEnrolment: { enabled: false, keyHash: null } },
        initialCourseState(),
      );
      await this.add(courseStreamId(courseId), at(decided.map((e) => ({ type: e.type, data: e.data as unknown as Record<string, unknown>, envelope: envelopeFor(actor(by), courseEnvelopeFieldsOf(e, options.schoolId)) })), created));
      summary.courses += 1;

      const snapshots = new Map<string, ReturnType<typeof assignmentSnapshotOf>>();
      for (const a of p.assessments) {
        const assignmentId = ouladAssessmentId(a.id);
        const events = assignmentDecider.decide(
          { type: 'CreateAssignment', assignmentId, courseId, title: assessmentTitle(a), submissionTypes: ['file'], ...(a.day !== null && { dueAt: iso(endOfDay(p.startAt, a.day)) }), maxGrade: 100, passGrade: OULAD_PASS_GRADE, now: iso(created), by },
          assignmentDecider.initialState(),
        );
        snapshots.set(a.id, assignmentSnapshotOf(events.reduce(assignmentDecider.evolve, assignmentDecider.initialState())));
        await this.add(assignmentStreamId(assignmentId), at(assessmentEvents(actor(by), events, options.schoolId), created));
        summary.assignments += 1;
      }

      const courseSnapshot = { archived: false, selfEnrolment: { enabled: false }, enrolmentPeriod: {} };
      const students = new Map(p.students.map((s) => [s.id, s]));
      for (const s of p.students) {
        const learnerId = ouladStudentId(s.id);
        const { enrolledAt, unenrolledAt } = enrolmentTimes(p, s);
        let state = enrolmentDecider.initialState();
        const enrolled = enrolmentDecider.decide({ type: 'EnrolLearner', courseId, learnerId, by, method: 'manual', now: iso(enrolledAt), course: courseSnapshot }, state);
        state = enrolled.reduce(enrolmentDecider.evolve, state);
        const toNew = (events: (CourseEvent | EnrolmentEvent)[], when: number) => at(events.map((e) => ({ type: e.type, data: e.data as unknown as Record<string, unknown>, envelope: envelopeFor(actor(by), courseEnvelopeFieldsOf(e, options.schoolId)) })), when);
        const events = toNew(enrolled, enrolledAt);
        summary.enrolments += 1;
        if (unenrolledAt !== null) {
          events.push(...toNew(enrolmentDecider.decide({ type: 'UnenrolLearner', courseId, learnerId, by, now: iso(unenrolledAt) }, state), unenrolledAt));
          summary.unenrolments += 1;
        }
        await this.add(enrolmentStreamId(courseId, learnerId), events);
      }

      for (const r of p.results) {
        const s = students.get(r.studentId);
        const when = s ? resultTime(p, s, r.day) : null;
        if (when === null) {
          summary.refused += 1;
          continue;
        }
        const learnerId = ouladStudentId(r.studentId);
        const assignmentId = ouladAssessmentId(r.assessmentId);
        const assignment = snapshots.get(r.assessmentId)!;
        let state = submissionDecider.initialState();
        const submitted = submissionDecider.decide({ type: 'SubmitAssignment', assignmentId, learnerId, fileRefs: [uuidV5(`oulad-work:${r.assessmentId}:${r.studentId}`, OULAD_NAMESPACE)], now: iso(when), assignment, enrolled: true }, state);
        state = submitted.reduce(submissionDecider.evolve, state);
        // The learner's own work (recorded by the integration: origin import), then the integration's grade.
        const events = at(assessmentEvents(actor(learnerId), submitted, options.schoolId), when);
        summary.submissions += 1;
        if (r.score !== null) {
          const graded = submissionDecider.decide({ type: 'GradeSubmission', assignmentId, learnerId, courseId, grade: r.score, by, now: iso(when), enrolled: true, maxGrade: 100, passGrade: OULAD_PASS_GRADE }, state);
          events.push(...at(assessmentEvents(actor(by), graded as AssessmentEvent[], options.schoolId), when));
          summary.grades += 1;
        }
        await this.add(assignmentSubmissionStreamId(assignmentId, learnerId), events);
      }
      await this.drain();
      say(`${p.module} ${p.presentation}: ${p.students.length} learners, ${p.assessments.length} assessments, ${p.results.length} results (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    }
    await this.drain();
    return { ...summary, already: this.already, events: this.written, seconds: (Date.now() - started) / 1000 };
  }

  private async schoolState(schoolId: string): Promise<SchoolState> {
    let state: SchoolState | null = null;
    for await (const event of this.log.readStream(schoolStream(schoolId))) state = evolveSchool(state, event);
    if (!state) throw new Error(`no school ${schoolId}`);
    return state;
  }

  /** Queues a new stream's events (expected: no stream yet); a full batch goes out, a few batches in flight. */
  private async add(streamId: string, events: NewEvent[]): Promise<void> {
    this.pending.push({ streamId, events, expectedRevision: 'no_stream' });
    this.pendingEvents += events.length;
    if (this.pendingEvents >= 4000 || this.pending.length >= 1000) await this.flush();
  }

  private async flush(): Promise<void> {
    if (!this.pending.length) return;
    const batch = this.pending;
    const n = this.pendingEvents;
    this.pending = [];
    this.pendingEvents = 0;
    while (this.inFlight.size >= 6) await Promise.race(this.inFlight);
    const call = this.append(batch, n);
    const tracked = call.finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }

  /** One batch, atomically; when a stream of it is already there (a second run), the batch goes stream by stream and skips those. */
  private async append(batch: { streamId: string; events: NewEvent[]; expectedRevision: ExpectedRevision }[], n: number): Promise<void> {
    try {
      await this.log.appendBatch(batch);
      this.written += n;
    } catch (error) {
      if ((error as { code?: string }).code !== 'CONCURRENCY_CONFLICT') throw error;
      for (const request of batch) {
        try {
          await this.log.append(request.streamId, request.events, { expectedRevision: 'no_stream' });
          this.written += request.events.length;
        } catch (e) {
          if ((e as { code?: string }).code !== 'CONCURRENCY_CONFLICT') throw e;
          this.already += 1;
        }
      }
    }
  }

  private async drain(): Promise<void> {
    await this.flush();
    await Promise.all(this.inFlight);
  }
}
