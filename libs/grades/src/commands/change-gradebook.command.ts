/**
 * Every change to a course's gradebook, one flow: the policy (course.edit for
 * its set-up, structure and release; course.teach, non-editing teachers
 * included, for grades and overrides) → load the gradebook stream → decide →
 * append with the loaded revision, decided again on a concurrent change.
 *
 * Around the decider: new ids are made here; an activity item must name an
 * activity of this course (ACTIVITY_NOT_FOUND), and takes the activity's
 * title and maximum unless given; grades and overrides need the learner
 * enrolled now (the decider's NOT_ENROLLED).
 *
 * Activity grades are not recorded here: the grades projection keeps each
 * activity's results and the read side adds them (activity-results.ts), so
 * the gradebook's RecordGrade with source 'activity' is not used.
 */
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { AccessPolicy, type Actor } from '@learnstream/access';
import { Clock } from '@learnstream/domain';
import type {
  AddCategory,
  AddGradeItem,
  ClearOverride,
  GradebookCommand,
  HideGrades,
  OverrideGrade,
  ReleaseGrades,
  RemoveCategory,
  RemoveGradeItem,
  SetUpGradebook,
  UpdateCategory,
  UpdateGradebookSettings,
  UpdateGradeItem,
} from '../gradebook.commands';
import { gradebook } from '../gradebook';
import { gradebookStreamId, type GradeSource } from '../gradebook.events';
import { GradesRepository } from '../grades.repository';
import { gradebookViewOf, type GradebookView } from '../views';

type Change<C> = C extends unknown ? Omit<C, 'courseId' | 'now' | 'by'> : never;

export type GradebookChange =
  | Change<SetUpGradebook>
  | Change<UpdateGradebookSettings>
  | (Omit<Change<AddCategory>, 'categoryId'> & { categoryId?: string })
  | Change<UpdateCategory>
  | Change<RemoveCategory>
  | (Omit<Change<AddGradeItem>, 'itemId' | 'name' | 'maxGrade' | 'categoryId' | 'weight'> & {
      itemId?: string;
      /** Default: the activity's title (required for a manual item). */
      name?: string;
      /** Default: the activity's maximum grade (required for a manual item). */
      maxGrade?: number;
      categoryId?: string | null;
      /** Default 1. */
      weight?: number;
    })
  | Change<UpdateGradeItem>
  | Change<RemoveGradeItem>
  | { type: 'RecordManualGrade'; itemId: string; learnerId: string; grade: number }
  | Omit<Change<OverrideGrade>, 'enrolled'>
  | Change<ClearOverride>
  | Change<ReleaseGrades>
  | Change<HideGrades>;

export interface GradebookChangeResult extends GradebookView {
  /** The id of the category or item the change added. */
  createdId?: string;
  changed: boolean;
}

export class ChangeGradebookCommand extends Command<GradebookChangeResult> {
  constructor(
    readonly actor: Actor,
    readonly courseId: string,
    readonly change: GradebookChange,
  ) {
    super();
  }
}

const TEACHING: readonly GradebookChange['type'][] = ['RecordManualGrade', 'OverrideGrade', 'ClearOverride'];

@CommandHandler(ChangeGradebookCommand)
export class ChangeGradebookHandler implements ICommandHandler<ChangeGradebookCommand> {
  constructor(
    private readonly clock: Clock,
    private readonly policy: AccessPolicy,
    private readonly repo: GradesRepository,
  ) {}

  async execute({ actor, courseId, change }: ChangeGradebookCommand): Promise<GradebookChangeResult> {
    await this.policy.require(actor, { action: TEACHING.includes(change.type) ? 'course.teach' : 'course.edit', courseId });
    const course = await this.repo.course(courseId);
    const command = await this.toCommand(actor, courseId, change);
    const { state, events } = await this.repo.decideAndAppend(
      { streamId: gradebookStreamId(courseId), initial: gradebook.initialState, evolve: gradebook.evolve },
      actor,
      course.schoolId,
      (s) => gradebook.decide(command, s),
    );
    const createdId = command.type === 'AddCategory' ? command.categoryId : command.type === 'AddGradeItem' ? command.itemId : undefined;
    return { ...gradebookViewOf(courseId, state), ...(createdId && { createdId }), changed: events.length > 0 };
  }

  private async toCommand(actor: Actor, courseId: string, change: GradebookChange): Promise<GradebookCommand> {
    const base = { courseId, now: this.clock.nowIso(), by: actor.userId };
    switch (change.type) {
      case 'AddCategory':
        return { ...change, ...base, categoryId: change.categoryId ?? randomUUID() };
      case 'AddGradeItem': {
        const source: GradeSource = change.source;
        const activity = source?.kind === 'manual' || !source ? null : await this.repo.gradedActivity(courseId, source.kind, source.id);
        return {
          ...change,
          ...base,
          itemId: change.itemId ?? randomUUID(),
          name: change.name ?? activity?.title ?? '',
          maxGrade: change.maxGrade ?? activity?.maxGrade ?? Number.NaN,
          categoryId: change.categoryId ?? null,
          weight: change.weight ?? 1,
        };
      }
      case 'RecordManualGrade': {
        const enrolled = await this.policy.isEnrolled(courseId, change.learnerId, { evenIfLeftSchool: true });
        return { type: 'RecordGrade', courseId, itemId: change.itemId, learnerId: change.learnerId, grade: change.grade, source: 'manual', by: actor.userId, now: base.now, enrolled };
      }
      case 'OverrideGrade':
        return { ...change, ...base, enrolled: await this.policy.isEnrolled(courseId, change.learnerId, { evenIfLeftSchool: true }) };
      default:
        return { ...change, ...base } as GradebookCommand;
    }
  }
}
