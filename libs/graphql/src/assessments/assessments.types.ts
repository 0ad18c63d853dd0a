/**
 * GraphQL shapes of quizzes, attempts, assignments and offline tests. Object
 * types implement the views the queries and commands answer with; input
 * types extend the REST DTOs (validation written once).
 *
 * A question is an interface with one type per kind. The fields that give the
 * answer away are null where the view leaves them out (a learner's quiz before
 * they submit, an attempt in progress), exactly as REST omits them. They have
 * a name per kind (correctChoice, correctChoices, correct, accepted, answer)
 * so that a client may select them side by side without aliases.
 * Questions are written as JSON: GraphQL has no input unions, and the
 * decider checks a question's shape by kind (QUESTION_INVALID) as for REST.
 */
import type { Type } from '@nestjs/common';
import { Field, Float, ID, InputType, Int, InterfaceType, ObjectType, registerEnumType } from '@nestjs/graphql';
import {
  AnswerDto,
  CreateAssignmentDto,
  CreateOfflineTestDto,
  CreateQuizDto,
  GRADING_METHODS,
  GradeDto,
  QUESTION_KINDS,
  QuestionDto,
  SaveAnswersDto,
  SUBMISSION_TYPES,
  SubmitAssignmentDto,
} from '@learnstream/assessments';
import type {
  AssignmentView,
  AttemptSummary,
  AttemptView,
  Choice,
  GradedWork,
  GradingMethod,
  OfflineResultView,
  OfflineTestView,
  Question,
  QuestionKind,
  QuestionResult,
  QuizView,
  StartedAttempt,
  SubmissionType,
  SubmissionView,
  SubmittedAttempt,
  SubmittedWork,
} from '@learnstream/assessments';
import { JSONScalar } from '../courses/json.scalar';

const asEnum = <T extends string>(values: readonly T[]) => Object.fromEntries(values.map((v) => [v, v])) as Record<T, T>;

export const QuestionKindEnum = asEnum<QuestionKind>(QUESTION_KINDS);
export const GradingMethodEnum = asEnum<GradingMethod>(GRADING_METHODS);
export const SubmissionTypeEnum = asEnum<SubmissionType>(SUBMISSION_TYPES);
export const AttemptStatusEnum = asEnum(['in_progress', 'submitted'] as const);
export const SubmissionStatusEnum = asEnum(['submitted', 'graded', 'reopened'] as const);
registerEnumType(QuestionKindEnum, { name: 'QuestionKind' });
registerEnumType(GradingMethodEnum, { name: 'GradingMethod', description: "which attempt makes the learner's grade" });
registerEnumType(SubmissionTypeEnum, { name: 'SubmissionType', description: 'online text or files' });
registerEnumType(AttemptStatusEnum, { name: 'AttemptStatus' });
registerEnumType(SubmissionStatusEnum, { name: 'SubmissionStatus' });

// ---------------------------------------------------------------- questions

/** A question as the view holds it: whole (staff, a submitted attempt) or without its answer (a learner before submitting). */
type AnyQuestion = Partial<Question> & Pick<Question, 'questionId' | 'kind' | 'text' | 'points' | 'skills'>;

@ObjectType('Choice')
export class ChoiceObject implements Choice {
  @Field({ description: 'the token an answer names (a, b, …)' }) id!: string;
  @Field() text!: string;
}

@InterfaceType('Question', {
  description: 'a quiz question; the answer fields of each kind are null for a learner who has not submitted',
  resolveType: (q: AnyQuestion) => QUESTION_TYPES[q.kind],
})
export abstract class QuestionObject {
  @Field(() => ID) questionId!: string;
  @Field(() => QuestionKindEnum) kind!: QuestionKind;
  @Field() text!: string;
  @Field(() => Float) points!: number;
  @Field(() => [String], { description: 'skill tags (lower-case slugs)' }) skills!: string[];
}

const hidden = 'null until the learner has submitted (always shown to the course staff)';

@ObjectType('MultipleChoiceSingleQuestion', { implements: () => [QuestionObject], description: 'answer: the id of one choice' })
export class MultipleChoiceSingleQuestionObject extends QuestionObject {
  @Field(() => [ChoiceObject]) choices!: ChoiceObject[];
  @Field(() => String, { name: 'correctChoice', nullable: true, description: `the right choice; ${hidden}` }) correct?: string;
}

@ObjectType('MultipleChoiceMultiQuestion', { implements: () => [QuestionObject], description: 'answer: the ids of the chosen choices (partial credit)' })
export class MultipleChoiceMultiQuestionObject extends QuestionObject {
  @Field(() => [ChoiceObject]) choices!: ChoiceObject[];
  @Field(() => [String], { name: 'correctChoices', nullable: true, description: `the right choices; ${hidden}` }) correct?: string[];
}

@ObjectType('TrueFalseQuestion', { implements: () => [QuestionObject], description: 'answer: true or false' })
export class TrueFalseQuestionObject extends QuestionObject {
  @Field(() => Boolean, { nullable: true, description: `the right answer; ${hidden}` }) correct?: boolean;
}

@ObjectType('ShortAnswerQuestion', { implements: () => [QuestionObject], description: 'answer: a text, compared after trimming and collapsing spaces' })
export class ShortAnswerQuestionObject extends QuestionObject {
  @Field(() => [String], { nullable: true, description: `the accepted answers; ${hidden}` }) accepted?: string[];
  @Field(() => Boolean, { nullable: true, description: hidden }) caseSensitive?: boolean;
}

@ObjectType('NumericQuestion', { implements: () => [QuestionObject], description: 'answer: a number, right within ± tolerance' })
export class NumericQuestionObject extends QuestionObject {
  @Field(() => Float, { nullable: true, description: `the right number; ${hidden}` }) answer?: number;
  @Field(() => Float, { nullable: true, description: hidden }) tolerance?: number;
}

const QUESTION_TYPES: Record<QuestionKind, Type> = {
  multiple_choice_single: MultipleChoiceSingleQuestionObject,
  multiple_choice_multi: MultipleChoiceMultiQuestionObject,
  true_false: TrueFalseQuestionObject,
  short_answer: ShortAnswerQuestionObject,
  numeric: NumericQuestionObject,
};

// ---------------------------------------------------------------- quizzes and attempts

@ObjectType('Quiz', { description: 'whole for the course staff; for learners, without the right answers' })
export class QuizObject implements QuizView {
  @Field(() => ID) quizId!: string;
  @Field(() => ID) courseId!: string;
  @Field() title!: string;
  @Field(() => String, { nullable: true, description: 'first instant an attempt can start; null: open at once' }) opensAt!: string | null;
  @Field(() => String, { nullable: true, description: 'no attempt starts after it; attempts in progress end at it' }) closesAt!: string | null;
  @Field(() => Int, { nullable: true }) timeLimitSeconds!: number | null;
  @Field(() => Int, { description: '0 = unlimited' }) attemptsAllowed!: number;
  @Field(() => GradingMethodEnum) gradingMethod!: GradingMethod;
  @Field(() => Float) maxGrade!: number;
  @Field(() => Float, { nullable: true }) passGrade!: number | null;
  @Field(() => [QuestionObject]) questions!: AnyQuestion[];
}

@ObjectType('QuestionResult', { description: "one question's result in a graded attempt" })
export class QuestionResultObject implements Omit<QuestionResult, 'correct'> {
  @Field(() => ID) questionId!: string;
  @Field(() => Float) score!: number;
  @Field(() => Float) points!: number;
  @Field(() => [String]) skills!: string[];
  // `correct` (true only when wholly right) and `partial` are resolved from the view's `true | false | 'partial'` (QuestionResultResolver).
}

@ObjectType('AttemptSummary', { description: 'an attempt without its answers' })
export class AttemptSummaryObject implements AttemptSummary {
  @Field(() => ID) attemptId!: string;
  @Field(() => ID) learnerId!: string;
  @Field(() => Int) attemptNumber!: number;
  @Field(() => AttemptStatusEnum) status!: 'in_progress' | 'submitted';
  @Field() startedAt!: string;
  @Field(() => String, { nullable: true }) deadline!: string | null;
  @Field(() => String, { nullable: true }) submittedAt!: string | null;
  @Field(() => Boolean, { nullable: true, description: 'true: submitted by the system at its deadline' }) automatic!: boolean | null;
  @Field(() => Float, { nullable: true }) grade!: number | null;
  @Field(() => Float, { nullable: true }) maxGrade!: number | null;
  @Field(() => Boolean, { nullable: true }) passed!: boolean | null;
}

@ObjectType('Attempt', { description: 'an attempt; once submitted, a review with the right answers and results (reading it records AttemptReviewed)' })
export class AttemptObject implements Omit<AttemptView, 'results'> {
  @Field(() => ID) attemptId!: string;
  @Field(() => ID) quizId!: string;
  @Field(() => ID) courseId!: string;
  @Field(() => ID) learnerId!: string;
  @Field(() => Int) attemptNumber!: number;
  @Field(() => AttemptStatusEnum) status!: 'in_progress' | 'submitted';
  @Field() startedAt!: string;
  @Field(() => String, { nullable: true }) deadline!: string | null;
  @Field(() => String, { nullable: true }) submittedAt!: string | null;
  @Field(() => Boolean, { nullable: true }) automatic!: boolean | null;
  @Field(() => Int, { nullable: true }) durationSeconds!: number | null;
  @Field(() => [QuestionObject]) questions!: AnyQuestion[];
  @Field(() => JSONScalar, { description: 'the saved answer by question id' }) answers!: Record<string, unknown>;
  @Field(() => [QuestionResultObject], { nullable: true, description: 'per question, once graded' }) results!: QuestionResult[] | null;
  @Field(() => Float, { nullable: true }) totalScore!: number | null;
  @Field(() => Float, { nullable: true }) totalPoints!: number | null;
  @Field(() => Float, { nullable: true }) grade!: number | null;
  @Field(() => Float, { nullable: true }) maxGrade!: number | null;
  @Field(() => Boolean, { nullable: true }) passed!: boolean | null;
}

@ObjectType('StartedAttempt')
export class StartedAttemptObject implements StartedAttempt {
  @Field(() => ID) attemptId!: string;
  @Field(() => ID) quizId!: string;
  @Field(() => Int) attemptNumber!: number;
  @Field(() => String, { nullable: true, description: 'when it ends (time limit or the quiz closing)' }) deadline!: string | null;
  @Field(() => [ID], { description: "the learner's overdue attempts closed first (submitted with what was saved)" }) closedOverdue!: string[];
}

@ObjectType('SavedAnswers')
export class SavedAnswersObject {
  @Field(() => ID) attemptId!: string;
  @Field(() => [ID], { description: 'the questions whose answer was saved' }) saved!: string[];
}

@ObjectType('SubmittedAttempt', { description: 'the grade of the submitted attempt' })
export class SubmittedAttemptObject implements SubmittedAttempt {
  @Field(() => ID) attemptId!: string;
  @Field(() => Int) attemptNumber!: number;
  @Field({ description: 'true: the deadline had passed, and what was saved was submitted' }) automatic!: boolean;
  @Field(() => Float) totalScore!: number;
  @Field(() => Float) totalPoints!: number;
  @Field(() => Float) grade!: number;
  @Field(() => Float) maxGrade!: number;
  @Field(() => Boolean, { nullable: true, description: 'null when the quiz has no pass grade' }) passed!: boolean | null;
}

// ---------------------------------------------------------------- assignments and offline tests

@ObjectType('Assignment')
export class AssignmentObject implements AssignmentView {
  @Field(() => ID) assignmentId!: string;
  @Field(() => ID) courseId!: string;
  @Field() title!: string;
  @Field(() => String, { nullable: true }) instructions!: string | null;
  @Field(() => [SubmissionTypeEnum]) submissionTypes!: SubmissionType[];
  @Field(() => String, { nullable: true, description: 'submissions after it are late' }) dueAt!: string | null;
  @Field(() => String, { nullable: true, description: 'no submission after it' }) cutoffAt!: string | null;
  @Field(() => Float) maxGrade!: number;
  @Field(() => Float, { nullable: true }) passGrade!: number | null;
}

@ObjectType('Submission', { description: "a learner's submission, grade and feedback" })
export class SubmissionObject implements SubmissionView {
  @Field(() => ID) assignmentId!: string;
  @Field(() => ID) courseId!: string;
  @Field(() => ID) learnerId!: string;
  @Field(() => SubmissionStatusEnum) status!: 'submitted' | 'graded' | 'reopened';
  @Field(() => Int) submissionNumber!: number;
  @Field(() => String, { nullable: true }) text!: string | null;
  @Field(() => [ID]) fileRefs!: string[];
  @Field(() => Boolean, { nullable: true }) late!: boolean | null;
  @Field(() => Int, { nullable: true }) lateBySeconds!: number | null;
  @Field(() => String, { nullable: true }) submittedAt!: string | null;
  @Field(() => Float, { nullable: true }) grade!: number | null;
  @Field(() => Float, { nullable: true }) maxGrade!: number | null;
  @Field(() => Boolean, { nullable: true }) passed!: boolean | null;
  @Field(() => String, { nullable: true }) feedback!: string | null;
  @Field(() => ID, { nullable: true }) gradedBy!: string | null;
  @Field(() => String, { nullable: true }) gradedAt!: string | null;
}

@ObjectType('SubmittedWork', { description: "the caller's submission (it replaces their previous one)" })
export class SubmittedWorkObject implements SubmittedWork {
  @Field(() => ID) assignmentId!: string;
  @Field(() => ID) learnerId!: string;
  @Field(() => Int) submissionNumber!: number;
  @Field() late!: boolean;
  @Field(() => Int, { description: '0 when in time' }) lateBySeconds!: number;
  @Field() submittedAt!: string;
}

@ObjectType('GradedWork', { description: 'the grade; a later one replaces it and names the one it replaced' })
export class GradedWorkObject implements GradedWork {
  @Field(() => ID) assignmentId!: string;
  @Field(() => ID) learnerId!: string;
  @Field(() => Float) grade!: number;
  @Field(() => Float) maxGrade!: number;
  @Field(() => Boolean, { nullable: true }) passed!: boolean | null;
  @Field(() => Float, { nullable: true }) previousGrade!: number | null;
  @Field({ description: 'false: graded without a submission' }) hasSubmission!: boolean;
}

@ObjectType('OfflineTest', { description: 'a test sat outside the platform, whose results teachers record' })
export class OfflineTestObject implements OfflineTestView {
  @Field(() => ID) offlineTestId!: string;
  @Field(() => ID) courseId!: string;
  @Field() title!: string;
  @Field(() => Float) maxGrade!: number;
  @Field(() => Float, { nullable: true }) passGrade!: number | null;
  @Field({ description: 'YYYY-MM-DD' }) takenOn!: string;
}

@ObjectType('OfflineResult')
export class OfflineResultObject implements OfflineResultView {
  @Field(() => ID) offlineTestId!: string;
  @Field(() => ID) learnerId!: string;
  @Field(() => Float) grade!: number;
  @Field(() => Float) maxGrade!: number;
  @Field(() => Boolean, { nullable: true }) passed!: boolean | null;
  @Field(() => Float, { nullable: true, description: 'the result it replaced' }) previousGrade!: number | null;
}

// ---------------------------------------------------------------- inputs

const QUESTION_DOC =
  '{ questionId?, kind, text, points, skills: [slug], then by kind: choices + correct (multiple_choice_*), correct (true_false), accepted + caseSensitive (short_answer), answer + tolerance (numeric) }';

@InputType()
export class CreateQuizInput extends CreateQuizDto {
  @Field() override title!: string;
  @Field({ nullable: true, description: 'ISO-8601' }) override opensAt?: string;
  @Field({ nullable: true, description: 'ISO-8601; no attempt starts after it' }) override closesAt?: string;
  @Field(() => Int, { nullable: true }) override timeLimitSeconds?: number;
  @Field(() => Int, { description: '0 = unlimited' }) override attemptsAllowed!: number;
  @Field(() => GradingMethodEnum) override gradingMethod!: GradingMethod;
  @Field(() => Float) override maxGrade!: number;
  @Field(() => Float, { nullable: true }) override passGrade?: number;
  @Field(() => ID, { nullable: true, description: 'the course section it goes to; default: the first section' }) override sectionId?: string;
  @Field(() => [JSONScalar], { nullable: true, description: `the questions, each ${QUESTION_DOC}` }) override questions?: Question[];
}

@InputType()
export class QuestionInput extends QuestionDto {
  @Field(() => JSONScalar, { description: QUESTION_DOC }) override question!: Question;
}

@InputType()
export class AnswerInput extends AnswerDto {
  @Field(() => ID) override questionId!: string;
  @Field(() => JSONScalar, { nullable: true, description: 'a choice id, a list of choice ids, true/false, a text or a number; null clears it' }) override answer?: unknown;
}

@InputType()
export class SaveAnswersInput extends SaveAnswersDto {
  @Field(() => [AnswerInput]) override answers!: AnswerInput[];
}

@InputType()
export class CreateAssignmentInput extends CreateAssignmentDto {
  @Field() override title!: string;
  @Field({ nullable: true }) override instructions?: string;
  @Field(() => [SubmissionTypeEnum]) override submissionTypes!: SubmissionType[];
  @Field({ nullable: true, description: 'ISO-8601; submissions after it are late' }) override dueAt?: string;
  @Field({ nullable: true, description: 'ISO-8601; no submission after it' }) override cutoffAt?: string;
  @Field(() => Float) override maxGrade!: number;
  @Field(() => Float, { nullable: true }) override passGrade?: number;
  @Field(() => ID, { nullable: true, description: 'the course section it goes to; default: the first section' }) override sectionId?: string;
}

@InputType()
export class SubmitAssignmentInput extends SubmitAssignmentDto {
  @Field({ nullable: true, description: 'online text (personal data: encrypted in the log)' }) override text?: string;
  @Field(() => [ID], { nullable: true, description: 'ids of files already stored' }) override fileRefs?: string[];
}

@InputType()
export class GradeInput extends GradeDto {
  @Field(() => Float, { description: 'from 0 to the maximum grade' }) override grade!: number;
  @Field({ nullable: true, description: 'about the learner (personal data: encrypted in the log)' }) override feedback?: string;
}

@InputType()
export class CreateOfflineTestInput extends CreateOfflineTestDto {
  @Field() override title!: string;
  @Field(() => Float) override maxGrade!: number;
  @Field(() => Float, { nullable: true }) override passGrade?: number;
  @Field({ description: 'the day it was sat, YYYY-MM-DD' }) override takenOn!: string;
  @Field(() => ID, { nullable: true, description: 'the course section it goes to; default: the first section' }) override sectionId?: string;
}
