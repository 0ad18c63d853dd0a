/** Where each affiliation lives in the log: `<category>-<uuid>` streams. */
import { uuidV5 } from '@learnstream/domain';

/** Namespace of parent-link ids: changing it would move every parent-link stream. */
export const PARENT_LINK_NAMESPACE = 'b27e34f2-02ae-46eb-9ba4-e4ae47a73295';

/** A school, its classes: `school-<schoolId>`. */
export const schoolStream = (schoolId: string) => `school-${schoolId}`;

/** A person: account events (identity), memberships and the parental consents given for them. */
export const userStream = (userId: string) => `user-${userId}`;

/** One link per (parent, child) pair, whatever happens to it: a deterministic id. */
export const parentLinkId = (parentId: string, childId: string) => uuidV5(`${parentId.toLowerCase()}:${childId.toLowerCase()}`, PARENT_LINK_NAMESPACE);

export const parentLinkStream = (linkId: string) => `parent_link-${linkId}`;

/** An account asked to join a school: `transfer-<transferId>`. */
export const transferStream = (transferId: string) => `transfer-${transferId}`;
