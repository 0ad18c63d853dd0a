/**
 * Commands decide on the state they read and append with that state's
 * revision as the expected revision. When another command got in first the
 * append fails with CONCURRENCY_CONFLICT; the command is then decided again on
 * the new state, a few times, before the conflict is reported (409).
 */
import { WrongExpectedRevisionError } from '@learnstream/event-store';

export async function retryOnConflict<T>(attempt: () => Promise<T>, attempts = 5): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof WrongExpectedRevisionError) || i >= attempts) throw error;
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 10 * i)));
    }
  }
}
