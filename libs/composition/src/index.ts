/**
 * What the processes run: every event type the log accepts, every read model,
 * and the HTTP feature modules. The api, the projector and the CLI take their
 * lists from here, so that the three never disagree.
 */
import type { EventTypeDefinition } from '@learnstream/event-store';
import { CourseLogProjection, type Projection } from '@learnstream/projections';

export const EVENT_TYPES: EventTypeDefinition[] = [];

export function readModels(): { projections: Projection[]; entities: Function[] } {
  return {
    projections: [new CourseLogProjection()],
    entities: [],
  };
}

/** Nest modules with the REST and GraphQL endpoints of each feature (api only). */
export const FEATURE_MODULES: Function[] = [];
