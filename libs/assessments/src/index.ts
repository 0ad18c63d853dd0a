/**
 * Assessments: quizzes and their attempts, assignments and their submissions,
 * offline tests. Pure business rules (deciders), their event contracts, the
 * event type definitions for the registry, and the stream names.
 */
export * from './headless';

// The feature over HTTP and its read models.
export { AssessmentsModule } from './assessments.module';
export { envelopeFieldsOf, toNewEvents, type AssessmentEvent } from './new-events';
// The commands and queries the HTTP controllers send (GraphQL sends the same), their results and request bodies.
export { ChangeQuizCommand, type QuizChange } from './commands/change-quiz.command';
export { CreateAssignmentCommand, type CreateAssignmentInput } from './commands/create-assignment.command';
export { CreateQuizCommand, type CreateQuizInput } from './commands/create-quiz.command';
export { GradeSubmissionCommand, type GradedWork } from './commands/grade-submission.command';
export { CreateOfflineTestCommand, RecordOfflineResultCommand, type CreateOfflineTestInput } from './commands/offline-test.command';
export { SaveAnswersCommand } from './commands/save-answers.command';
export { StartAttemptCommand, type StartedAttempt } from './commands/start-attempt.command';
export { SubmitAssignmentCommand, type SubmittedWork } from './commands/submit-assignment.command';
export { SubmitAttemptCommand, type SubmittedAttempt } from './commands/submit-attempt.command';
export { GetAssignmentQuery, ListSubmissionsQuery } from './queries/assignments.query';
export { GetAttemptQuery, ListAttemptsQuery, type AttemptSummary } from './queries/attempts.query';
export { GetQuizQuery } from './queries/get-quiz.query';
export type { AssignmentView, AttemptView, LearnerQuestion, OfflineResultView, OfflineTestView, QuizView, SubmissionView } from './views';
export { AnswerDto, CreateAssignmentDto, CreateOfflineTestDto, CreateQuizDto, GradeDto, QuestionDto, SaveAnswersDto, SubmitAssignmentDto } from './http/dto';
// The quizzes and attempts read models as other features (the reports) read them.
export { countAttempts, quizzesRead, readAssessmentTitles, readQuizzes, type QuizRecord } from './queries/read-models';
