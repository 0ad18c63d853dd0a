/**
 * The fast path: a planned term written straight into the event log, for
 * benchmarks (a million events in minutes). Events are decided by the
 * features' own pure deciders (so they are the events the commands would
 * append, valid and registered), sealed by the EventLog (profiles, answers,
 * IPs and user agents encrypted per person) and appended with appendBatch,
 * many streams per call, several calls in flight. No HTTP, no command
 * handlers, no read-your-writes waits: projections catch up afterwards.
 *
 * What the slow path has and this one leaves out: gradebooks and completion
 * rules (grades come from quiz attempts), assignments, logins.
 * Usernames are claimed in the username index with one shared password hash,
 * so every account can sign in with the demo password.
 */
import { envelopeFor } from '@learnstream/access';
import { decideJoinSchool, decideParentLink, decideSchool, evolveSchool, initialMembershipState, parentLinkId, parentLinkStream, schoolStream, toNewEvents as affiliationEvents, userStream, type SchoolState } from '@learnstream/affiliations';
import { attemptDecider, quizAttemptsStreamId, quizDecider, quizGradingOf, quizSnapshotOf, quizStreamId, toNewEvents as assessmentEvents, type AssessmentEvent, type Question, type QuizState } from '@learnstream/assessments';
import { courseEnvelopeFieldsOf, courseStreamId, decideCourse, enrolmentDecider, enrolmentStreamId, evolveCourse, initialCourseState, type CourseCommand, type CourseEvent, type CourseState } from '@learnstream/courses';
import type { DomainEvent } from '@learnstream/domain';
import { activityStream, type EnvelopeInput, type EventLog, type ExpectedRevision, type NewEvent } from '@learnstream/event-store';
import { completeProfile, sealAccountEvent } from '@learnstream/identity';
import { personal } from '@learnstream/personal-data';
import { USER_AGENTS } from './names';
import { Prng } from './prng';
import { answerOf, type CoursePlan, type PersonPlan, type TermPlan } from './term';

export interface FastWriteOptions {
  /** Total events to reach: activity fills what the term's structure leaves. */
  targetEvents: number;
  /** Events per appendBatch call (at most 25 streams each), and calls in flight. */
  eventsPerCall?: number;
  concurrency?: number;
  /** Claims a username for an account (the identity feature's username index). */
  claimUsername?: (username: string, userId: string) => Promise<void>;
  /** The argon2 hash every account gets (of the demo password). */
  passwordHash: string;
  onProgress?: (written: number) => void;
}

export interface FastWriteResult {
  events: number;
  byPhase: Record<string, number>;
  seconds: number;
}

type Actor = { userId: string; realActorId: null; request: null };
const actor = (userId: string): Actor => ({ userId, realActorId: null, request: null });
const DAY = 86_400_000;

/** Collects appends and writes them in large appendBatch calls, a few at a time. */
class Sink {
  private requests: { streamId: string; events: NewEvent[]; expectedRevision: ExpectedRevision }[] = [];
  private size = 0;
  private inFlight = new Set<Promise<void>>();
  written = 0;

  constructor(
    private readonly log: EventLog,
    private readonly perCall: number,
    private readonly concurrency: number,
    private readonly onProgress?: (n: number) => void,
  ) {}

  async add(streamId: string, events: NewEvent[]): Promise<void> {
    if (!events.length) return;
    this.requests.push({ streamId, events, expectedRevision: 'any' });
    this.size += events.length;
    // Small calls, many in flight: the EventLog seals one call's streams one after another, and the
    // group commit under it (AppendBatcher) joins the calls in flight into large transactions anyway.
    if (this.size >= this.perCall || this.requests.length >= 25) await this.flush();
  }

  async flush(): Promise<void> {
    if (!this.requests.length) return;
    const requests = this.requests;
    const n = this.size;
    this.requests = [];
    this.size = 0;
    while (this.inFlight.size >= this.concurrency) await Promise.race(this.inFlight);
    const call: Promise<void> = this.log.appendBatch(requests).then(() => {
      this.written += n;
      this.onProgress?.(this.written);
    });
    const tracked = call.finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }

  async drain(): Promise<void> {
    await this.flush();
    await Promise.all(this.inFlight);
  }
}

export async function writeTermEvents(log: EventLog, plan: TermPlan, options: FastWriteOptions): Promise<FastWriteResult> {
  const started = Date.now();
  const rng = new Prng(plan.spec.seed ^ 0x5eed);
  const sink = new Sink(log, options.eventsPerCall ?? 500, options.concurrency ?? 32, options.onProgress);
  const t0 = Date.parse(plan.spec.start);
  const at = (ms: number) => new Date(ms).toISOString();
  const byPhase: Record<string, number> = {};
  const phase = async (name: string, work: () => Promise<void>) => {
    const before = sink.written;
    await work();
    await sink.drain();
    byPhase[name] = sink.written - before;
  };
  /** The envelope with a time in the term (importers and generators give occurredAt). */
  const withTime = (events: NewEvent[], when: number): NewEvent[] => events.map((e) => ({ ...e, id: rng.uuid(), envelope: { ...e.envelope, occurredAt: at(when) } }));

  // 1. Schools.
  const schoolStates: (SchoolState | null)[] = [];
  await phase('schools', async () => {
    for (const school of plan.schools) {
      const events = decideSchool({ type: 'CreateSchool', schoolId: school.schoolId, name: school.name, code: school.code, country: 'TH', by: null, at: at(t0 - 14 * DAY) }, null);
      schoolStates.push(events.reduce((s, e) => evolveSchool(s, e), null as SchoolState | null));
      await sink.add(schoolStream(school.schoolId), withTime(affiliationEvents(null, events), t0 - 14 * DAY));
    }
  });

  // 2. Accounts: every account with its first membership, in one append to the user stream, as OpenAccount does.
  const account = async (p: PersonPlan, openedBy: string | null, when: number) => {
    const created: DomainEvent = {
      type: 'AccountCreated',
      data: {
        userId: p.userId,
        origin: p.role === 'parent' ? 'self' : 'staff',
        username: p.username,
        profile: completeProfile({ displayName: p.displayName, givenName: p.givenName, familyName: p.familyName, email: p.email, dateOfBirth: p.dateOfBirth, country: 'TH' }),
        passwordHash: options.passwordHash,
        mustChangePassword: false,
        platformRoles: [],
        openedBy,
        consent: p.role === 'learner' ? { obtainedFrom: 'parent', recordedBy: openedBy } : null,
        minor: p.role === 'learner',
        at: at(when),
      },
    };
    const schoolId = p.role === 'parent' ? null : plan.schools[p.schoolIndex].schoolId;
    const events: NewEvent[] = [
      {
        type: created.type,
        data: sealAccountEvent(p.userId, created).data as Record<string, unknown>,
        envelope: envelopeFor(openedBy ? actor(openedBy) : null, { action: 'created', crud: 'c', object: { type: 'user', id: p.userId }, relatedUserId: p.userId, schoolId }),
      },
    ];
    if (p.role !== 'parent') {
      const joined = decideJoinSchool(
        { type: 'JoinSchool', membershipId: rng.uuid(), userId: p.userId, schoolId: schoolId!, role: p.role, classId: null, gradeLevel: p.gradeLevel, by: openedBy, at: at(when) },
        initialMembershipState(),
        schoolStates[p.schoolIndex],
      );
      events.push(...affiliationEvents(openedBy ? actor(openedBy) : null, joined));
    }
    await options.claimUsername?.(p.username, p.userId);
    await sink.add(userStream(p.userId), withTime(events, when));
  };
  await phase('accounts', async () => {
    for (const school of plan.schools) {
      await account(school.admin, null, t0 - 13 * DAY);
      for (const p of [...school.teachers, ...school.learners]) await account(p, school.admin.userId, t0 - 12 * DAY + rng.int(0, 5) * DAY);
      for (const { parent, children } of school.parents) {
        await account(parent, null, t0 - 6 * DAY);
        for (const child of children) {
          const linkId = parentLinkId(parent.userId, child.userId);
          const events = decideParentLink({ type: 'RequestParentLink', linkId, parentId: parent.userId, childId: child.userId, requestedBy: school.admin.userId, confirmed: true, at: at(t0 - 5 * DAY) }, null);
          await sink.add(parentLinkStream(linkId), withTime(affiliationEvents(actor(school.admin.userId), events, school.schoolId), t0 - 5 * DAY));
        }
      }
    }
  });

  // 3. Courses: created by their teacher, with sections, resources and their quizzes as activities.
  await phase('courses', async () => {
    for (const course of plan.courses) {
      const schoolId = plan.schools[course.schoolIndex].schoolId;
      const by = course.teacher.userId;
      const now = at(t0 - 7 * DAY);
      const commands: CourseCommand[] = [
        { type: 'CreateCourse', courseId: course.courseId, by, now, schoolId, title: course.title, code: course.code, subject: course.subject, gradeLevel: course.gradeLevel, summary: null, selfEnrolment: { enabled: false, keyHash: null } },
        { type: 'AssignTeacher', courseId: course.courseId, by, now, userId: by, role: 'teacher' },
        ...course.sections.flatMap((section): CourseCommand[] => [
          { type: 'AddSection', courseId: course.courseId, by, now, sectionId: section.sectionId, title: section.title },
          ...section.resources.map(
            (r): CourseCommand =>
              ({
                type: 'AddResource', courseId: course.courseId, by, now, resourceId: r.resourceId, sectionId: section.sectionId, title: r.title, visible: true,
                ...(r.kind === 'video'
                  ? { kind: 'video', content: { url: `https://video.example/${r.resourceId}`, durationSeconds: r.durationSeconds } }
                  : r.kind === 'page'
                    ? { kind: 'page', content: { body: `<p>${r.title}</p>` } }
                    : { kind: 'file', content: { fileRef: `files/${r.resourceId}`, mimeType: 'application/pdf', sizeBytes: 250_000 } }),
              }) as CourseCommand,
          ),
        ]),
        ...course.quizzes.map((q, k): CourseCommand => ({ type: 'AddActivity', courseId: course.courseId, by, now, activityId: q.quizId, kind: 'quiz', sectionId: course.sections[k % course.sections.length].sectionId })),
      ];
      const events: CourseEvent[] = [];
      let state: CourseState = initialCourseState();
      for (const command of commands) {
        const decided = decideCourse(command, state);
        state = decided.reduce(evolveCourse, state);
        events.push(...decided);
      }
      await sink.add(courseStreamId(course.courseId), withTime(events.map((e) => ({ type: e.type, data: e.data as unknown as Record<string, unknown>, envelope: envelopeFor(actor(by), courseEnvelopeFieldsOf(e, schoolId)) })), t0 - 7 * DAY));
    }
  });

  // 4. Enrolments, by the course's teacher.
  await phase('enrolments', async () => {
    for (const course of plan.courses) {
      const schoolId = plan.schools[course.schoolIndex].schoolId;
      for (const learner of course.learners) {
        const when = t0 - 3 * DAY + rng.int(0, 2 * 3600) * 1000;
        const events = enrolmentDecider.decide(
          { type: 'EnrolLearner', courseId: course.courseId, learnerId: learner.userId, by: course.teacher.userId, method: 'manual', now: at(when), course: { archived: false, selfEnrolment: { enabled: false }, enrolmentPeriod: {} } },
          enrolmentDecider.initialState(),
        );
        await sink.add(enrolmentStreamId(course.courseId, learner.userId), withTime(events.map((e) => ({ type: e.type, data: e.data as unknown as Record<string, unknown>, envelope: envelopeFor(actor(course.teacher.userId), courseEnvelopeFieldsOf(e, schoolId)) })), when));
      }
    }
  });

  // 5. Quizzes, then every learner's attempt (most learners, once or twice), graded by the decider.
  const quizStates = new Map<string, QuizState>();
  await phase('quizzes', async () => {
    for (const course of plan.courses) {
      const schoolId = plan.schools[course.schoolIndex].schoolId;
      for (const quiz of course.quizzes) {
        const when = t0 + quiz.week * 7 * DAY - 2 * DAY;
        const now = at(when);
        let state = quizDecider.initialState();
        const events = [];
        const commands = [
          { type: 'CreateQuiz' as const, quizId: quiz.quizId, courseId: course.courseId, title: quiz.title, attemptsAllowed: 2, gradingMethod: 'highest' as const, maxGrade: quiz.maxGrade, passGrade: quiz.passGrade, now, by: course.teacher.userId },
          ...quiz.questions.map((q) => ({ type: 'AddQuestion' as const, quizId: quiz.quizId, question: q as unknown as Question, hasAttempts: false, now, by: course.teacher.userId })),
        ];
        for (const command of commands) {
          const decided = quizDecider.decide(command, state);
          state = decided.reduce(quizDecider.evolve, state);
          events.push(...decided);
        }
        quizStates.set(quiz.quizId, state);
        await sink.add(quizStreamId(quiz.quizId), withTime(assessmentEvents(actor(course.teacher.userId), events, schoolId), when));
      }
    }
  });
  await phase('attempts', async () => {
    for (const course of plan.courses) {
      const schoolId = plan.schools[course.schoolIndex].schoolId;
      for (const quiz of course.quizzes) {
        const quizState = quizStates.get(quiz.quizId)!;
        for (const learner of course.learners) {
          if (!rng.chance(0.85)) continue;
          const tries = rng.chance(0.2) ? 2 : 1;
          let state = attemptDecider.initialState();
          const events: NewEvent[] = [];
          let when = t0 + quiz.week * 7 * DAY + rng.int(0, 6 * 24 * 3600) * 1000;
          for (let k = 0; k < tries; k++) {
            const attemptId = rng.uuid();
            const steps = [
              { type: 'StartAttempt' as const, attemptId, quizId: quiz.quizId, courseId: course.courseId, learnerId: learner.userId, now: at(when), quiz: quizSnapshotOf(quizState), enrolled: true },
              { type: 'SaveAnswers' as const, attemptId, answers: quiz.questions.map((q) => ({ questionId: q.questionId, answer: answerOf(q, rng.chance(learner.ability + 0.1 * k)) })), now: at(when + 300_000) },
              { type: 'SubmitAttempt' as const, attemptId, now: at(when + 600_000), ...quizGradingOf(quizState) },
            ];
            for (const [i, command] of steps.entries()) {
              const decided = attemptDecider.decide(command, state);
              state = decided.reduce(attemptDecider.evolve, state);
              // Answers are personal data: sealed under the learner's key, as the SaveAnswers handler does.
              const sealed = decided.map((e) => (e.type === 'AnswersSaved' ? ({ ...e, data: { ...e.data, answers: e.data.answers.map((a) => ({ ...a, answer: personal(learner.userId, a.answer) })) } } as AssessmentEvent) : e));
              events.push(...withTime(assessmentEvents(actor(learner.userId), sealed, schoolId), when + i * 300_000));
            }
            when += DAY;
          }
          await sink.add(quizAttemptsStreamId(quiz.quizId, learner.userId), events);
        }
      }
    }
  });

  // 6. Activity: views, video progress, page time and downloads over the weeks, until the target is reached.
  await phase('activity', async () => {
    const remaining = Math.max(0, options.targetEvents - sink.written);
    const enrolled = plan.courses.flatMap((course) => course.learners.map((learner) => ({ course, learner })));
    const weight = enrolled.reduce((n, e) => n + e.learner.diligence, 0);
    for (const { course, learner } of enrolled) {
      const n = Math.round((remaining * learner.diligence) / weight);
      const events = activityOf(rng, course, learner, plan.schools[course.schoolIndex].schoolId, n, t0, plan.spec.weeks);
      for (let i = 0; i < events.length; i += 200) await sink.add(activityStream(learner.userId), events.slice(i, i + 200));
    }
  });
  await sink.drain();
  return { events: sink.written, byPhase, seconds: (Date.now() - started) / 1000 };
}

/** `n` client-side actions of one learner in one course, at plausible times (school hours and evenings, weekdays mostly). */
function activityOf(rng: Prng, course: CoursePlan, learner: PersonPlan, schoolId: string, n: number, t0: number, weeks: number): NewEvent[] {
  const ip = `10.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
  const userAgent = rng.pick(USER_AGENTS);
  const resources = course.sections.flatMap((s) => s.resources.map((r) => ({ ...r, sectionId: s.sectionId })));
  const events: NewEvent[] = [];
  for (let i = 0; i < n; i++) {
    const day = rng.int(0, weeks * 7 - 1);
    const weekend = day % 7 >= 5;
    if (weekend && rng.chance(0.6)) {
      i--;
      continue;
    }
    const when = t0 + day * DAY + (rng.chance(0.7) ? rng.int(8 * 3600, 16 * 3600) : rng.int(18 * 3600, 22 * 3600)) * 1000 + rng.int(0, 999);
    const r = rng.pick(resources);
    const base = { courseId: course.courseId, userId: learner.userId };
    const roll = rng.next();
    let type: string;
    let data: Record<string, unknown>;
    let action: string;
    let object = { type: 'resource', id: r.resourceId };
    if (roll < 0.25) {
      [type, data, action, object] = ['CourseViewed', base, 'viewed', { type: 'course', id: course.courseId }];
    } else if (roll < 0.5) {
      [type, data, action] = ['ResourceViewed', { ...base, sectionId: r.sectionId, resourceId: r.resourceId }, 'viewed'];
    } else if (r.kind === 'video') {
      [type, data, action] = ['VideoProgressed', { ...base, resourceId: r.resourceId, positionSeconds: rng.int(0, r.durationSeconds), durationSeconds: r.durationSeconds }, 'progressed'];
    } else if (r.kind === 'page') {
      [type, data, action] = ['PageTimeRecorded', { ...base, resourceId: r.resourceId, seconds: rng.int(5, 900) }, 'spent_time'];
    } else {
      [type, data, action] = ['FileDownloaded', { ...base, resourceId: r.resourceId }, 'downloaded'];
    }
    const envelope: EnvelopeInput = {
      occurredAt: new Date(when).toISOString(),
      actorId: learner.userId, realActorId: null, courseId: course.courseId, schoolId, action, crud: 'r', object, relatedUserId: null,
      ip, userAgent, origin: 'web', correlationId: rng.uuid(), causationId: null,
    };
    events.push({ id: rng.uuid(), type, data, envelope });
  }
  return events;
}
