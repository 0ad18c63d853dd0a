/**
 * Tests sat outside the platform: an editing teacher creates one (placed in
 * the course as an activity), a teacher of the course records or corrects a
 * learner's result, with optional feedback sealed under the learner's id.
 * All results live in the test's one stream: two teachers recording at once
 * are decided one after the other.
 */
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { AccessPolicy, HistoricTime, originOf, type Actor } from '@learnstream/access';
import { personal } from '@learnstream/personal-data';
import { AssessmentsRepository } from '../assessments.repository';
import { CoursePlacement } from '../course-placement';
import { offlineTestDecider, type CreateOfflineTest } from '../offline-test';
import type { OfflineResultRecorded } from '../offline-test.events';
import { offlineTestStreamId } from '../streams';
import { existingOfflineTestFromRows, Grading } from './grading-context';
import type { OfflineResultView, OfflineTestView } from '../views';

export type CreateOfflineTestInput = Omit<CreateOfflineTest, 'type' | 'offlineTestId' | 'courseId' | 'now' | 'by'> & { sectionId?: string; occurredAt?: string; idNumber?: string };

export class CreateOfflineTestCommand extends Command<OfflineTestView> {
  constructor(
    readonly actor: Actor,
    readonly courseId: string,
    readonly input: CreateOfflineTestInput,
  ) {
    super();
  }
}

export class RecordOfflineResultCommand extends Command<OfflineResultView> {
  constructor(
    readonly actor: Actor,
    readonly offlineTestId: string,
    readonly learnerId: string,
    readonly input: { grade: number; feedback?: string | null; occurredAt?: string },
  ) {
    super();
  }
}

@CommandHandler(CreateOfflineTestCommand)
export class CreateOfflineTestHandler implements ICommandHandler<CreateOfflineTestCommand> {
  constructor(
    private readonly policy: AccessPolicy,
    private readonly repo: AssessmentsRepository,
    private readonly placement: CoursePlacement,
    private readonly time: HistoricTime,
  ) {}

  async execute({ actor, courseId, input }: CreateOfflineTestCommand): Promise<OfflineTestView> {
    await this.policy.require(actor, { action: 'course.edit', courseId });
    const course = await this.repo.course(courseId);
    const { sectionId, occurredAt, idNumber, ...fields } = input;
    const time = await this.time.forCourse(actor, courseId, occurredAt);
    const offlineTestId = randomUUID();
    const command: CreateOfflineTest = { type: 'CreateOfflineTest', ...fields, offlineTestId, courseId, now: time.at, by: actor.userId };
    const events = offlineTestDecider.decide(command, offlineTestDecider.initialState());
    const [created] = events;
    const section = await this.placement.sectionFor(courseId, sectionId);
    await this.placement.place(actor, courseId, offlineTestId, 'offline', section, this.repo.newStream(offlineTestStreamId(offlineTestId), events, actor, course.schoolId, originOf(time)), idNumber);
    if (created.type !== 'OfflineTestCreated') throw new Error('unexpected event');
    const { title, maxGrade, passGrade, takenOn } = created.data;
    return { offlineTestId, courseId, title, maxGrade, passGrade, takenOn };
  }
}

@CommandHandler(RecordOfflineResultCommand)
export class RecordOfflineResultHandler implements ICommandHandler<RecordOfflineResultCommand> {
  constructor(
    private readonly grading: Grading,
    private readonly repo: AssessmentsRepository,
  ) {}

  async execute({ actor, offlineTestId, learnerId, input }: RecordOfflineResultCommand): Promise<OfflineResultView> {
    // The test and this learner's result from the inline read models, never the
    // test's whole stream (every result ever recorded: a cost growing with each one).
    const load = () => existingOfflineTestFromRows(this.repo, offlineTestId, [learnerId]);
    const { state: test } = await load();
    const { schoolId, origin, at, enrolled } = await this.grading.one(actor, test.courseId, { learnerId, occurredAt: input.occurredAt });
    const feedback = input.feedback == null ? undefined : personal(learnerId, input.feedback);
    const { events } = await this.repo.decideAndAppend({
      streamId: offlineTestStreamId(offlineTestId),
      decider: offlineTestDecider,
      load,
      actor,
      schoolId,
      origin,
      decide: (s) => offlineTestDecider.decide({ type: 'RecordOfflineResult', offlineTestId, learnerId, grade: input.grade, feedback, by: actor.userId, now: at, enrolled }, s),
    });
    const recorded = events.find((e): e is OfflineResultRecorded => e.type === 'OfflineResultRecorded')!;
    const { grade, maxGrade, passed, previousGrade } = recorded.data;
    return { offlineTestId, learnerId, grade, maxGrade, passed, previousGrade };
  }
}
