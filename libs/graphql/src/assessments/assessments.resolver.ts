/**
 * Quizzes, attempts, assignments and offline tests over GraphQL: the same
 * command and query calls as the REST controllers (quizzes.controller.ts,
 * assignments.controller.ts), nothing more. GetQuizQuery leaves the right
 * answers out for learners; GetAttemptQuery records AttemptReviewed for a
 * submitted attempt; as over REST.
 */
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { Args, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { CurrentActor, type Actor } from '@learnstream/access';
import {
  ChangeQuizCommand,
  CreateAssignmentCommand,
  CreateOfflineTestCommand,
  CreateQuizCommand,
  GetAssignmentQuery,
  GetAttemptQuery,
  GetQuizQuery,
  GradeSubmissionCommand,
  ListAttemptsQuery,
  ListSubmissionsQuery,
  RecordOfflineResultCommand,
  SaveAnswersCommand,
  StartAttemptCommand,
  SubmitAssignmentCommand,
  SubmitAttemptCommand,
  type QuestionResult,
} from '@learnstream/assessments';
import { nullable, UuidArg } from '../courses/uuid-arg';
import {
  AssignmentObject,
  AttemptObject,
  AttemptSummaryObject,
  CreateAssignmentInput,
  CreateOfflineTestInput,
  CreateQuizInput,
  GradedWorkObject,
  GradeInput,
  OfflineResultObject,
  OfflineTestObject,
  QuestionInput,
  QuestionResultObject,
  QuizObject,
  SaveAnswersInput,
  SavedAnswersObject,
  StartedAttemptObject,
  SubmissionObject,
  SubmitAssignmentInput,
  SubmittedAttemptObject,
  SubmittedWorkObject,
} from './assessments.types';

@Resolver()
export class AssessmentsResolver {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  // ------------------------------------------------------------ quizzes and attempts

  @Query(() => QuizObject, { ...nullable, description: 'whole for the course staff; for learners, without the right answers' })
  quiz(@CurrentActor() actor: Actor, @UuidArg('id') id: string) {
    return this.queries.execute(new GetQuizQuery(actor, id));
  }

  @Query(() => [AttemptSummaryObject], { ...nullable, description: "all of them for the course staff, the caller's own for a learner" })
  async attempts(@CurrentActor() actor: Actor, @UuidArg('quizId') quizId: string) {
    return (await this.queries.execute(new ListAttemptsQuery(actor, quizId))).attempts;
  }

  @Query(() => AttemptObject, { ...nullable, description: 'once submitted, a review with the right answers and results (recorded as AttemptReviewed)' })
  attempt(@CurrentActor() actor: Actor, @UuidArg('id') id: string) {
    return this.queries.execute(new GetAttemptQuery(actor, id));
  }

  @Mutation(() => QuizObject, { ...nullable, description: 'editing teachers; the quiz is placed in the course as an activity' })
  createQuiz(@CurrentActor() actor: Actor, @UuidArg('courseId') courseId: string, @Args('input') input: CreateQuizInput) {
    return this.commands.execute(new CreateQuizCommand(actor, courseId, input));
  }

  @Mutation(() => QuizObject, { ...nullable, description: 'the quiz with the question added (its questionId made when not given); refused once the quiz has an attempt' })
  addQuestion(@CurrentActor() actor: Actor, @UuidArg('quizId') quizId: string, @Args('input') input: QuestionInput) {
    return this.commands.execute(new ChangeQuizCommand(actor, quizId, { type: 'AddQuestion', question: input.question }));
  }

  @Mutation(() => StartedAttemptObject, { ...nullable, description: "an enrolled learner starts an attempt; an overdue one of theirs is closed first" })
  startAttempt(@CurrentActor() actor: Actor, @UuidArg('quizId') quizId: string) {
    return this.commands.execute(new StartAttemptCommand(actor, quizId));
  }

  @Mutation(() => SavedAnswersObject, { ...nullable, description: "each answer replaces the question's saved one (encrypted in the log)" })
  saveAnswers(@CurrentActor() actor: Actor, @UuidArg('attemptId') attemptId: string, @Args('input') input: SaveAnswersInput) {
    return this.commands.execute(new SaveAnswersCommand(actor, attemptId, input.answers));
  }

  @Mutation(() => SubmittedAttemptObject, { ...nullable, description: 'submits and grades the attempt' })
  submitAttempt(@CurrentActor() actor: Actor, @UuidArg('attemptId') attemptId: string) {
    return this.commands.execute(new SubmitAttemptCommand(actor, attemptId));
  }

  // ------------------------------------------------------------ assignments

  @Query(() => AssignmentObject, { ...nullable, description: 'for the course staff and its learners' })
  assignment(@CurrentActor() actor: Actor, @UuidArg('id') id: string) {
    return this.queries.execute(new GetAssignmentQuery(actor, id));
  }

  @Query(() => [SubmissionObject], { ...nullable, description: "every learner's submission and grade (course staff)" })
  async submissions(@CurrentActor() actor: Actor, @UuidArg('assignmentId') assignmentId: string) {
    return (await this.queries.execute(new ListSubmissionsQuery(actor, assignmentId))).submissions;
  }

  @Mutation(() => AssignmentObject, { ...nullable, description: 'editing teachers; the assignment is placed in the course as an activity' })
  createAssignment(@CurrentActor() actor: Actor, @UuidArg('courseId') courseId: string, @Args('input') input: CreateAssignmentInput) {
    return this.commands.execute(new CreateAssignmentCommand(actor, courseId, input));
  }

  @Mutation(() => SubmittedWorkObject, { ...nullable, description: "the caller's submission (it replaces their previous one); late after dueAt, refused after cutoffAt" })
  submitAssignment(@CurrentActor() actor: Actor, @UuidArg('assignmentId') assignmentId: string, @Args('input') input: SubmitAssignmentInput) {
    return this.commands.execute(new SubmitAssignmentCommand(actor, assignmentId, input));
  }

  @Mutation(() => GradedWorkObject, { ...nullable, description: "the course's teachers grade a learner's work (feedback is encrypted in the log)" })
  gradeSubmission(@CurrentActor() actor: Actor, @UuidArg('assignmentId') assignmentId: string, @UuidArg('learnerId') learnerId: string, @Args('input') input: GradeInput) {
    return this.commands.execute(new GradeSubmissionCommand(actor, assignmentId, learnerId, input));
  }

  // ------------------------------------------------------------ offline tests

  @Mutation(() => OfflineTestObject, { ...nullable, description: 'editing teachers; placed in the course as an activity' })
  createOfflineTest(@CurrentActor() actor: Actor, @UuidArg('courseId') courseId: string, @Args('input') input: CreateOfflineTestInput) {
    return this.commands.execute(new CreateOfflineTestCommand(actor, courseId, input));
  }

  @Mutation(() => OfflineResultObject, { ...nullable, description: "the learner's result (replacing any earlier one, named as previousGrade)" })
  recordOfflineResult(@CurrentActor() actor: Actor, @UuidArg('offlineTestId') offlineTestId: string, @UuidArg('learnerId') learnerId: string, @Args('input') input: GradeInput) {
    return this.commands.execute(new RecordOfflineResultCommand(actor, offlineTestId, learnerId, input));
  }
}

/** A question's result says `correct: true | false | 'partial'`: GraphQL gives it as two booleans. */
@Resolver(() => QuestionResultObject)
export class QuestionResultResolver {
  @ResolveField(() => Boolean, { description: 'wholly right' })
  correct(@Parent() result: QuestionResult): boolean {
    return result.correct === true;
  }

  @ResolveField(() => Boolean, { description: 'partly right (multiple_choice_multi)' })
  partial(@Parent() result: QuestionResult): boolean {
    return result.correct === 'partial';
  }
}
