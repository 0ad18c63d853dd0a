/**
 * A school admin fits the at-risk model on the school's own history (docs/early-warning.md, "A school's own
 * model"): its finished (archived) courses, each learner's outcome as the log recorded it by the archive, and
 * the snapshots of each course as of `days` after its first enrolment, read as the class report reads them
 * (same facts, same features). Every course is held out in turn: the penalty and both thresholds (with the
 * precision and recall they had) come from the held-out scores, the weights from the fit on every course.
 * Recorded as EarlyWarningModelTrained; the school's class reports score with it from then on.
 *
 * Outcome of a learner of a finished course: withdrew (unenrolled before the archive) → at risk; still
 * enrolled: passed when the gradebook's course total passed, else (no total) when the course was completed;
 * otherwise failed → at risk. Learners who objected to profiling and restricted learners are left out.
 */
import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { AccessPolicy, TenantDb, type Actor } from '@learnstream/access';
import { readSchoolCourses } from '@learnstream/courses';
import { Clock, DomainError } from '@learnstream/domain';
import { DAY_MS, historyProblem, trainOnHistory, type TrainingCourse } from '@learnstream/early-warning';
import { computeCourseGrades, readCompletion, readGradebooks } from '@learnstream/grades';
import { ProgressRepository } from '../progress.repository';
import { readCourseFacts, snapshotOf } from '../queries/early-warning';
import { restrictedIds } from '../queries/read-models';
import { schoolModelView, type SchoolModelView } from '../queries/get-school-model.query';

export const DEFAULT_TRAINING_DAYS = [30, 60, 90];

export class TrainEarlyWarningCommand extends Command<SchoolModelView> {
  constructor(
    readonly actor: Actor,
    readonly schoolId: string,
    readonly days: readonly number[] = DEFAULT_TRAINING_DAYS,
  ) {
    super();
  }
}

@CommandHandler(TrainEarlyWarningCommand)
export class TrainEarlyWarningHandler implements ICommandHandler<TrainEarlyWarningCommand, SchoolModelView> {
  constructor(
    private readonly policy: AccessPolicy,
    private readonly db: TenantDb,
    private readonly repo: ProgressRepository,
    private readonly clock: Clock,
  ) {}

  async execute({ actor, schoolId, days }: TrainEarlyWarningCommand): Promise<SchoolModelView> {
    await this.policy.require(actor, { action: 'school.manage', schoolId });
    const history = await this.db.read(await this.policy.scopeOf(actor), async (db) => {
      const finished = (await readSchoolCourses(db, schoolId)).filter((c) => c.archivedAt !== null);
      const restricted = await restrictedIds(db);
      const courses: { courseId: string; title: string; snapshots: { day: number; facts: Awaited<ReturnType<typeof readCourseFacts>> }[]; outcomes: Map<string, boolean> }[] = [];
      for (const course of finished) {
        const archivedAt = course.archivedAt!;
        const final = await readCourseFacts(db, course.courseId, archivedAt);
        const learners = [...final.enrolments.values()].filter((e) => !restricted.has(e.learnerId));
        if (!learners.length) continue;
        const book = (await readGradebooks(db, [course.courseId], null)).get(course.courseId);
        const completion = (await readCompletion(db, [course.courseId], null, archivedAt)).learners.get(course.courseId);
        const outcomes = new Map(
          learners.map((e) => {
            if (e.status === 'unenrolled') return [e.learnerId, true];
            const passed = book ? computeCourseGrades(book, e.learnerId).total.passed : null;
            return [e.learnerId, passed === null ? !completion?.get(e.learnerId)?.courseCompletedAt : !passed];
          }),
        );
        const start = Math.min(...learners.map((e) => Date.parse(e.enrolledAt)));
        const snapshots = [];
        for (const day of days) {
          const asOf = start + day * DAY_MS;
          if (asOf > archivedAt.getTime()) continue;
          snapshots.push({ day, facts: await readCourseFacts(db, course.courseId, new Date(asOf)) });
        }
        courses.push({ courseId: course.courseId, title: course.title, snapshots, outcomes });
      }
      return courses;
    });
    const objecting = await this.repo.objectingToProfiling([...new Set(history.flatMap((c) => [...c.outcomes.keys()]))]);
    const training: TrainingCourse[] = history.flatMap((c) =>
      c.snapshots.map(({ day, facts }) => {
        // Judged as the class report judges: active then, not objecting (restricted learners have no outcome).
        const judged = [...facts.enrolments.values()].filter((e) => e.status === 'active' && c.outcomes.has(e.learnerId) && !objecting.has(e.learnerId)).map((e) => e.learnerId);
        return { group: c.courseId, name: c.title, day, snapshot: snapshotOf(c.courseId, facts, judged), outcomes: new Map(judged.map((id) => [id, c.outcomes.get(id)!])) };
      }),
    );
    const usable = training.filter((t) => t.outcomes.size > 0);
    const problem = historyProblem(usable);
    if (problem) throw new DomainError('rule', 'NOT_ENOUGH_HISTORY', `the school's finished (archived) courses cannot be trained on: ${problem}`);
    const courseCount = new Set(usable.map((t) => t.group)).size;
    const learners = new Set(usable.flatMap((t) => [...t.outcomes.keys()].map((id) => `${t.group}|${id}`))).size;
    const { model } = trainOnHistory(usable, { trainedOn: `school ${schoolId}: ${courseCount} finished courses, ${learners} learners (days ${days.join(', ')} after each course's first enrolment)` });
    const at = this.clock.nowIso();
    await this.repo.modelTrained(actor, { schoolId, model, courses: courseCount, learners, at });
    return schoolModelView(schoolId, { source: 'school', model, trained: { at, by: actor.userId, courses: courseCount, learners } });
  }
}
