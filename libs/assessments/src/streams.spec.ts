import { isStreamId } from '@learnstream/event-store';
import { assignmentStreamId, assignmentSubmissionStreamId, offlineTestStreamId, quizAttemptsStreamId, quizStreamId } from './streams';

const quizId = '11111111-1111-4111-8111-111111111111';
const learnerId = '44444444-4444-4444-8444-444444444444';
const otherLearner = '77777777-7777-4777-8777-777777777777';

describe('stream ids', () => {
  it('are <category>-<uuid>, as the event log requires', () => {
    for (const id of [
      quizStreamId(quizId),
      quizAttemptsStreamId(quizId, learnerId),
      assignmentStreamId(quizId),
      assignmentSubmissionStreamId(quizId, learnerId),
      offlineTestStreamId(quizId),
    ]) {
      expect(isStreamId(id)).toBe(true);
    }
  });

  it('give one stream per quiz and learner, whatever the case of the ids', () => {
    expect(quizAttemptsStreamId(quizId, learnerId)).toBe(quizAttemptsStreamId(quizId.toUpperCase(), learnerId.toUpperCase()));
    expect(quizAttemptsStreamId(quizId, learnerId)).not.toBe(quizAttemptsStreamId(quizId, otherLearner));
    expect(quizAttemptsStreamId(quizId, learnerId)).not.toBe(quizAttemptsStreamId(learnerId, quizId));
  });

  it('never change (the namespace is fixed): existing streams must be found again', () => {
    expect(quizAttemptsStreamId(quizId, learnerId)).toBe('quiz_attempts-9a3c6a35-23c5-5d7f-9551-a8506c2af762');
  });
});
