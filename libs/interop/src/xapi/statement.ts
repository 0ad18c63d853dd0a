/**
 * xAPI 1.0.3 statements: validation (Data, part two of the specification),
 * the agent's inverse functional identifier, and the comparison an LRS makes
 * when a statement arrives under an id it already holds. Pure.
 *
 * Validation refuses (400) what the specification says an LRS MUST reject:
 * properties it does not define (outside extensions), null values, a missing
 * or repeated inverse functional identifier, a verb or activity id that is not
 * an absolute IRI, a malformed UUID, timestamp, duration, language tag or
 * score, a voiding statement whose object is not a StatementRef, a
 * SubStatement inside a SubStatement, revision/platform on a non-Activity
 * object, a version other than 1.0.x.
 */
import { version as uuidVersion } from 'uuid';
import { isRealDay, isUuid as isAnyUuid } from '@learnstream/domain';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export const VOIDED_VERB = 'http://adlnet.gov/expapi/verbs/voided';
export const XAPI_VERSION = '1.0.3';

const IRI = /^[a-z][a-z0-9+.-]*:[^\s<>"{}|\\^`]+$/i;
const IRL = /^[a-z][a-z0-9+.-]*:\/\/[^\s<>"{}|\\^`]+$/i;
const MAILTO = /^mailto:[^\s@]+@[^\s@]+$/i;
const SHA1 = /^[0-9a-f]{40}$/i;
const LANGUAGE_TAG = /^(([A-Za-z]{2,3}(-[A-Za-z]{3}){0,3})|[A-Za-z]{4,8})(-[A-Za-z]{4})?(-([A-Za-z]{2}|\d{3}))?(-([A-Za-z\d]{5,8}|\d[A-Za-z\d]{3}))*(-[0-9A-WY-Za-wy-z](-[A-Za-z\d]{2,8})+)*(-x(-[A-Za-z\d]{1,8})+)?$|^x(-[A-Za-z\d]{1,8})+$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}(:?\d{2})?)?$/;
// ISO 8601 durations: weeks stand alone (PnW), else years to seconds (P4W1D is not one).
const DURATION = /^P(?:\d+(\.\d+)?W|(?=\d|T\d)(\d+(\.\d+)?Y)?(\d+(\.\d+)?M)?(\d+(\.\d+)?D)?(T(?=\d)(\d+(\.\d+)?H)?(\d+(\.\d+)?M)?(\d+(\.\d+)?S)?)?)$/;
const INTERACTION_TYPES = ['true-false', 'choice', 'fill-in', 'long-fill-in', 'matching', 'performance', 'sequencing', 'likert', 'numeric', 'other'];

/** A UUID of versions 1 to 8 (the nil and max UUIDs are not statement ids). */
export const isUuid = (v: unknown): v is string => isAnyUuid(v) && uuidVersion(v) >= 1 && uuidVersion(v) <= 8;
export const isIri = (v: unknown): v is string => typeof v === 'string' && IRI.test(v);

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

class Problems {
  readonly list: string[] = [];
  /** The rules of this version of the specification (2.0.0 adds contextAgents and contextGroups, version 2.0.x). */
  constructor(readonly version: '1.0.3' | '2.0.0' = '1.0.3') {}
  add(path: string, message: string): void {
    if (this.list.length < 50) this.list.push(`${path} ${message}`);
  }
}

function keys(p: Problems, path: string, value: JsonObject, allowed: string[]): void {
  for (const [k, v] of Object.entries(value)) {
    if (!allowed.includes(k)) p.add(`${path}.${k}`, 'is not a property the specification defines');
    else if (v === null) p.add(`${path}.${k}`, 'must not be null');
  }
}

function object(p: Problems, path: string, value: unknown): value is JsonObject {
  if (!isObject(value)) {
    p.add(path, 'must be an object');
    return false;
  }
  return true;
}

function string(p: Problems, path: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'string') p.add(path, 'must be a string');
}

function iri(p: Problems, path: string, value: unknown, required = true): void {
  if (value === undefined && !required) return;
  if (!isIri(value)) p.add(path, 'must be an absolute IRI');
}

function languageMap(p: Problems, path: string, value: unknown): void {
  if (value === undefined) return;
  if (!object(p, path, value)) return;
  for (const [tag, text] of Object.entries(value)) {
    if (!LANGUAGE_TAG.test(tag)) p.add(`${path}`, `has "${tag}", which is not an RFC 5646 language tag`);
    if (typeof text !== 'string') p.add(`${path}.${tag}`, 'must be a string');
  }
}

function extensions(p: Problems, path: string, value: unknown): void {
  if (value === undefined) return;
  if (!object(p, path, value)) return;
  for (const k of Object.keys(value)) if (!isIri(k)) p.add(path, `has key "${k}", which is not an IRI`);
}

/** Number of inverse functional identifiers present, after checking each. */
function ifis(p: Problems, path: string, v: JsonObject): number {
  let n = 0;
  if (v.mbox !== undefined) {
    n++;
    if (typeof v.mbox !== 'string' || !MAILTO.test(v.mbox)) p.add(`${path}.mbox`, 'must be a mailto: IRI');
  }
  if (v.mbox_sha1sum !== undefined) {
    n++;
    if (typeof v.mbox_sha1sum !== 'string' || !SHA1.test(v.mbox_sha1sum)) p.add(`${path}.mbox_sha1sum`, 'must be a SHA-1 hex digest');
  }
  if (v.openid !== undefined) {
    n++;
    if (!isIri(v.openid)) p.add(`${path}.openid`, 'must be a URI');
  }
  if (v.account !== undefined) {
    n++;
    if (object(p, `${path}.account`, v.account)) {
      keys(p, `${path}.account`, v.account, ['homePage', 'name']);
      if (typeof v.account.homePage !== 'string' || !IRL.test(v.account.homePage)) p.add(`${path}.account.homePage`, 'must be an IRL');
      if (typeof v.account.name !== 'string' || !v.account.name) p.add(`${path}.account.name`, 'must be a non-empty string');
    }
  }
  return n;
}

const IFI_KEYS = ['mbox', 'mbox_sha1sum', 'openid', 'account'];

function agent(p: Problems, path: string, value: unknown, objectTypeRequired = false): void {
  if (!object(p, path, value)) return;
  keys(p, path, value, ['objectType', 'name', ...IFI_KEYS]);
  if (objectTypeRequired ? value.objectType !== 'Agent' : value.objectType !== undefined && value.objectType !== 'Agent') p.add(`${path}.objectType`, 'must be "Agent"');
  string(p, `${path}.name`, value.name);
  const n = ifis(p, path, value);
  if (n !== 1) p.add(path, `must have exactly one inverse functional identifier (mbox, mbox_sha1sum, openid or account), not ${n}`);
}

function group(p: Problems, path: string, value: unknown): void {
  if (!object(p, path, value)) return;
  keys(p, path, value, ['objectType', 'name', 'member', ...IFI_KEYS]);
  if (value.objectType !== 'Group') p.add(`${path}.objectType`, 'must be "Group"');
  string(p, `${path}.name`, value.name);
  const n = ifis(p, path, value);
  if (n > 1) p.add(path, 'must have at most one inverse functional identifier');
  if (value.member !== undefined) {
    if (!Array.isArray(value.member)) p.add(`${path}.member`, 'must be an array of Agents');
    else value.member.forEach((m, i) => agent(p, `${path}.member[${i}]`, m));
  } else if (n === 0) p.add(`${path}.member`, 'is required in an anonymous Group');
}

function agentOrGroup(p: Problems, path: string, value: unknown): void {
  if (isObject(value) && value.objectType === 'Group') group(p, path, value);
  else agent(p, path, value);
}

function activity(p: Problems, path: string, value: unknown): void {
  if (!object(p, path, value)) return;
  keys(p, path, value, ['objectType', 'id', 'definition']);
  if (value.objectType !== undefined && value.objectType !== 'Activity') p.add(`${path}.objectType`, 'must be "Activity"');
  iri(p, `${path}.id`, value.id);
  const d = value.definition;
  if (d === undefined) return;
  const dp = `${path}.definition`;
  if (!object(p, dp, d)) return;
  keys(p, dp, d, ['name', 'description', 'type', 'moreInfo', 'extensions', 'interactionType', 'correctResponsesPattern', 'choices', 'scale', 'source', 'target', 'steps']);
  languageMap(p, `${dp}.name`, d.name);
  languageMap(p, `${dp}.description`, d.description);
  iri(p, `${dp}.type`, d.type, false);
  if (d.moreInfo !== undefined && (typeof d.moreInfo !== 'string' || !IRL.test(d.moreInfo))) p.add(`${dp}.moreInfo`, 'must be an IRL');
  extensions(p, `${dp}.extensions`, d.extensions);
  if (d.interactionType !== undefined && !INTERACTION_TYPES.includes(d.interactionType as string)) p.add(`${dp}.interactionType`, `must be one of ${INTERACTION_TYPES.join(', ')}`);
  if (d.correctResponsesPattern !== undefined && (!Array.isArray(d.correctResponsesPattern) || d.correctResponsesPattern.some((x) => typeof x !== 'string'))) {
    p.add(`${dp}.correctResponsesPattern`, 'must be an array of strings');
  }
  if (d.correctResponsesPattern !== undefined && d.interactionType === undefined) p.add(`${dp}.correctResponsesPattern`, 'needs an interactionType');
  for (const list of ['choices', 'scale', 'source', 'target', 'steps'] as const) {
    const components = d[list];
    if (components === undefined) continue;
    if (d.interactionType === undefined) p.add(`${dp}.${list}`, 'needs an interactionType');
    if (!Array.isArray(components)) {
      p.add(`${dp}.${list}`, 'must be an array');
      continue;
    }
    components.forEach((c, i) => {
      if (!object(p, `${dp}.${list}[${i}]`, c)) return;
      keys(p, `${dp}.${list}[${i}]`, c, ['id', 'description']);
      if (typeof c.id !== 'string' || !c.id) p.add(`${dp}.${list}[${i}].id`, 'must be a non-empty string');
      languageMap(p, `${dp}.${list}[${i}].description`, c.description);
    });
  }
}

function statementRef(p: Problems, path: string, value: unknown): void {
  if (!object(p, path, value)) return;
  keys(p, path, value, ['objectType', 'id']);
  if (value.objectType !== 'StatementRef') p.add(`${path}.objectType`, 'must be "StatementRef"');
  if (!isUuid(value.id)) p.add(`${path}.id`, 'must be a UUID');
}

function result(p: Problems, path: string, value: unknown): void {
  if (value === undefined) return;
  if (!object(p, path, value)) return;
  keys(p, path, value, ['score', 'success', 'completion', 'response', 'duration', 'extensions']);
  if (value.success !== undefined && typeof value.success !== 'boolean') p.add(`${path}.success`, 'must be a boolean');
  if (value.completion !== undefined && typeof value.completion !== 'boolean') p.add(`${path}.completion`, 'must be a boolean');
  string(p, `${path}.response`, value.response);
  if (value.duration !== undefined && (typeof value.duration !== 'string' || !DURATION.test(value.duration))) p.add(`${path}.duration`, 'must be an ISO 8601 duration');
  extensions(p, `${path}.extensions`, value.extensions);
  const s = value.score;
  if (s === undefined) return;
  if (!object(p, `${path}.score`, s)) return;
  keys(p, `${path}.score`, s, ['scaled', 'raw', 'min', 'max']);
  for (const k of ['scaled', 'raw', 'min', 'max'] as const) if (s[k] !== undefined && (typeof s[k] !== 'number' || !Number.isFinite(s[k]))) p.add(`${path}.score.${k}`, 'must be a number');
  const num = (v: Json | undefined) => (typeof v === 'number' ? v : undefined);
  const [scaled, raw, min, max] = [num(s.scaled), num(s.raw), num(s.min), num(s.max)];
  if (scaled !== undefined && (scaled < -1 || scaled > 1)) p.add(`${path}.score.scaled`, 'must be from -1 to 1');
  if (min !== undefined && max !== undefined && min >= max) p.add(`${path}.score`, 'min must be below max');
  if (raw !== undefined && ((min !== undefined && raw < min) || (max !== undefined && raw > max))) p.add(`${path}.score.raw`, 'must be from min to max');
}

function contextActivities(p: Problems, path: string, value: unknown): void {
  if (value === undefined) return;
  if (!object(p, path, value)) return;
  keys(p, path, value, ['parent', 'grouping', 'category', 'other']);
  for (const [k, v] of Object.entries(value)) {
    if (Array.isArray(v)) v.forEach((a, i) => activity(p, `${path}.${k}[${i}]`, a));
    else activity(p, `${path}.${k}`, v);
  }
}

/** 2.0.0: contextAgents / contextGroups, non-empty arrays of { objectType, agent | group, relevantTypes? (non-empty IRIs) }. */
function contextAgents(p: Problems, path: string, value: unknown, objectType: 'contextAgent' | 'contextGroup', key: 'agent' | 'group'): void {
  if (value === undefined || p.version !== '2.0.0') return;
  if (!Array.isArray(value) || value.length === 0) return p.add(path, `must be a non-empty array of ${objectType} objects`);
  value.forEach((item, i) => {
    const ip = `${path}[${i}]`;
    if (!object(p, ip, item)) return;
    keys(p, ip, item, ['objectType', key, 'relevantTypes']);
    if (item.objectType !== objectType) p.add(`${ip}.objectType`, `must be "${objectType}"`);
    if (key === 'agent') agent(p, `${ip}.agent`, item.agent);
    else group(p, `${ip}.group`, item.group);
    if (item.relevantTypes !== undefined) {
      if (!Array.isArray(item.relevantTypes) || item.relevantTypes.length === 0) p.add(`${ip}.relevantTypes`, 'must be a non-empty array of IRIs');
      else item.relevantTypes.forEach((t, j) => iri(p, `${ip}.relevantTypes[${j}]`, t));
    }
  });
}

function context(p: Problems, path: string, value: unknown, objectIsActivity: boolean): void {
  if (value === undefined) return;
  if (!object(p, path, value)) return;
  keys(p, path, value, ['registration', 'instructor', 'team', 'contextActivities', 'revision', 'platform', 'language', 'statement', 'extensions', ...(p.version === '2.0.0' ? ['contextAgents', 'contextGroups'] : [])]);
  contextAgents(p, `${path}.contextAgents`, value.contextAgents, 'contextAgent', 'agent');
  contextAgents(p, `${path}.contextGroups`, value.contextGroups, 'contextGroup', 'group');
  if (value.registration !== undefined && !isUuid(value.registration)) p.add(`${path}.registration`, 'must be a UUID');
  if (value.instructor !== undefined) agentOrGroup(p, `${path}.instructor`, value.instructor);
  if (value.team !== undefined) group(p, `${path}.team`, value.team);
  contextActivities(p, `${path}.contextActivities`, value.contextActivities);
  string(p, `${path}.revision`, value.revision);
  string(p, `${path}.platform`, value.platform);
  if (!objectIsActivity && (value.revision !== undefined || value.platform !== undefined)) p.add(path, 'revision and platform are only for a statement whose object is an Activity');
  if (value.language !== undefined && (typeof value.language !== 'string' || !LANGUAGE_TAG.test(value.language))) p.add(`${path}.language`, 'must be an RFC 5646 language tag');
  if (value.statement !== undefined) statementRef(p, `${path}.statement`, value.statement);
  extensions(p, `${path}.extensions`, value.extensions);
}

function timestamp(p: Problems, path: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'string' || !TIMESTAMP.test(value) || !isRealDay(value) || Number.isNaN(Date.parse(value))) p.add(path, 'must be an ISO 8601 timestamp');
  else if (/-00(:?00)?$/.test(value)) p.add(path, 'must not use the offset -00:00');
}

function attachments(p: Problems, path: string, value: unknown): void {
  if (value === undefined) return;
  if (!Array.isArray(value)) return p.add(path, 'must be an array');
  value.forEach((a, i) => {
    const ap = `${path}[${i}]`;
    if (!object(p, ap, a)) return;
    keys(p, ap, a, ['usageType', 'display', 'description', 'contentType', 'length', 'sha2', 'fileUrl']);
    iri(p, `${ap}.usageType`, a.usageType);
    if (a.display === undefined) p.add(`${ap}.display`, 'is required');
    languageMap(p, `${ap}.display`, a.display);
    languageMap(p, `${ap}.description`, a.description);
    if (typeof a.contentType !== 'string') p.add(`${ap}.contentType`, 'must be a string');
    if (!Number.isInteger(a.length) || (a.length as number) < 0) p.add(`${ap}.length`, 'must be a whole number');
    if (typeof a.sha2 !== 'string') p.add(`${ap}.sha2`, 'must be a string');
    // Its content is at fileUrl, or in a part of a multipart/mixed request (attachments.ts checks which).
    if (a.fileUrl !== undefined && (typeof a.fileUrl !== 'string' || !IRL.test(a.fileUrl))) p.add(`${ap}.fileUrl`, 'must be an IRL');
    if (typeof a.sha2 === 'string' && !/^[0-9a-f]{64}([0-9a-f]{32}){0,2}$/i.test(a.sha2)) p.add(`${ap}.sha2`, 'must be a SHA-2 hex digest');
  });
}

function statementObject(p: Problems, path: string, value: unknown, inSubStatement: boolean): void {
  if (!isObject(value)) return p.add(path, 'must be an object');
  switch (value.objectType ?? 'Activity') {
    case 'Activity':
      return activity(p, path, value);
    case 'Agent':
      return agent(p, path, value, true);
    case 'Group':
      return group(p, path, value);
    case 'StatementRef':
      return statementRef(p, path, value);
    case 'SubStatement':
      if (inSubStatement) return p.add(path, 'a SubStatement must not hold another SubStatement');
      return subStatement(p, path, value);
    default:
      p.add(`${path}.objectType`, 'must be Activity, Agent, Group, StatementRef or SubStatement');
  }
}

function verb(p: Problems, path: string, value: unknown): void {
  if (!object(p, path, value)) return;
  keys(p, path, value, ['id', 'display']);
  iri(p, `${path}.id`, value.id);
  languageMap(p, `${path}.display`, value.display);
}

function subStatement(p: Problems, path: string, value: JsonObject): void {
  keys(p, path, value, ['objectType', 'actor', 'verb', 'object', 'result', 'context', 'timestamp', 'attachments']);
  core(p, path, value, true);
}

function core(p: Problems, path: string, s: JsonObject, inSubStatement: boolean): void {
  if (s.actor === undefined) p.add(`${path}.actor`, 'is required');
  else agentOrGroup(p, `${path}.actor`, s.actor);
  if (s.verb === undefined) p.add(`${path}.verb`, 'is required');
  else verb(p, `${path}.verb`, s.verb);
  if (s.object === undefined) p.add(`${path}.object`, 'is required');
  else statementObject(p, `${path}.object`, s.object, inSubStatement);
  result(p, `${path}.result`, s.result);
  const objectType = isObject(s.object) ? (s.object.objectType ?? 'Activity') : 'Activity';
  context(p, `${path}.context`, s.context, objectType === 'Activity');
  timestamp(p, `${path}.timestamp`, s.timestamp);
  attachments(p, `${path}.attachments`, s.attachments);
  if (isObject(s.verb) && s.verb.id === VOIDED_VERB && !inSubStatement && objectType !== 'StatementRef') p.add(`${path}.object`, 'of a voiding statement must be a StatementRef');
}

/** An authority is an Agent, or (OAuth: the application and the user) an anonymous Group of exactly two Agents. */
function authority(p: Problems, path: string, value: unknown): void {
  agentOrGroup(p, path, value);
  if (!isObject(value) || value.objectType !== 'Group') return;
  if (ifiOf(value) !== null) p.add(path, 'as a Group must be anonymous (an OAuth consumer and user)');
  if (!Array.isArray(value.member) || value.member.length !== 2) p.add(`${path}.member`, 'of an authority Group must be exactly two Agents');
}

/** Problems with a statement as received, as readable sentences; empty when it is valid. */
export function validateStatement(value: unknown, path = 'statement', version: '1.0.3' | '2.0.0' = '1.0.3'): string[] {
  const p = new Problems(version);
  if (!isObject(value)) return [`${path} must be a JSON object`];
  keys(p, path, value, ['id', 'actor', 'verb', 'object', 'result', 'context', 'timestamp', 'stored', 'authority', 'version', 'attachments']);
  if (value.id !== undefined && !isUuid(value.id)) p.add(`${path}.id`, 'must be a UUID');
  core(p, path, value, false);
  timestamp(p, `${path}.stored`, value.stored);
  if (value.authority !== undefined) authority(p, `${path}.authority`, value.authority);
  const versions = version === '2.0.0' ? /^(1\.0|2\.0)(\.\d+)?$/ : /^1\.0(\.\d+)?$/;
  if (value.version !== undefined && (typeof value.version !== 'string' || !versions.test(value.version))) p.add(`${path}.version`, version === '2.0.0' ? 'must be 1.0.x or 2.0.x' : 'must be 1.0.x');
  return p.list;
}

/** The canonical form of an agent's (or identified group's) inverse functional identifier, or null (anonymous group). */
export function ifiOf(agent: unknown): string | null {
  if (!isObject(agent)) return null;
  if (typeof agent.mbox === 'string') return `mbox:${agent.mbox.toLowerCase()}`;
  if (typeof agent.mbox_sha1sum === 'string') return `mbox_sha1sum:${agent.mbox_sha1sum.toLowerCase()}`;
  if (typeof agent.openid === 'string') return `openid:${agent.openid}`;
  if (isObject(agent.account) && typeof agent.account.homePage === 'string' && typeof agent.account.name === 'string') return `account:${agent.account.homePage}|${agent.account.name}`;
  return null;
}

/** The activity ids a statement names: its object's (if an Activity), and its context's. */
export function activityIdsOf(s: JsonObject): { activityId: string | null; all: string[] } {
  const object = s.object as JsonObject;
  const activityId = (object.objectType ?? 'Activity') === 'Activity' ? (object.id as string) : null;
  const all = activityId ? [activityId] : [];
  const ctx = isObject(s.context) ? s.context.contextActivities : undefined;
  if (isObject(ctx)) {
    for (const v of Object.values(ctx)) for (const a of Array.isArray(v) ? v : [v]) if (isObject(a) && typeof a.id === 'string') all.push(a.id);
  }
  return { activityId, all: [...new Set(all)] };
}

/** Every agent a statement names other than its actor (object, instructor, team, group members), for `related_agents`. */
export function relatedAgentsOf(s: JsonObject): unknown[] {
  const found: unknown[] = [];
  const add = (a: unknown) => {
    if (!isObject(a)) return;
    found.push(a);
    if (Array.isArray(a.member)) a.member.forEach((m) => found.push(m));
  };
  if (isObject(s.actor) && Array.isArray(s.actor.member)) s.actor.member.forEach((m) => found.push(m));
  const object = s.object as JsonObject;
  if (object.objectType === 'Agent' || object.objectType === 'Group') add(object);
  if (object.objectType === 'SubStatement') {
    add(object.actor);
    const inner = object.object;
    if (isObject(inner) && (inner.objectType === 'Agent' || inner.objectType === 'Group')) add(inner);
  }
  if (isObject(s.context)) {
    add(s.context.instructor);
    add(s.context.team);
    for (const c of Array.isArray(s.context.contextAgents) ? s.context.contextAgents : []) if (isObject(c)) add(c.agent);
    for (const c of Array.isArray(s.context.contextGroups) ? s.context.contextGroups : []) if (isObject(c)) add(c.group);
  }
  return found;
}

/**
 * Whether two statements are the same statement (Data 2.3.1): what the LRS
 * may assign (id, authority, stored, version), the verb's display, activity
 * definitions, attachments, the order of a group's members, the serialization
 * of timestamps and the case of UUIDs and mailboxes do not count.
 */
export function sameStatement(a: JsonObject, b: JsonObject): boolean {
  return JSON.stringify(comparable(a)) === JSON.stringify(comparable(b));
}

function comparable(s: JsonObject): Json {
  const { id: _id, authority: _a, stored: _s, version: _v, attachments: _at, timestamp, ...rest } = s;
  return normal({ ...rest, ...(typeof timestamp === 'string' && { timestamp: new Date(timestamp).toISOString() }) }, '');
}

function normal(value: Json, key: string): Json {
  if (Array.isArray(value)) {
    const items = value.map((v) => normal(v, ''));
    return key === 'member' ? items.map((i) => JSON.stringify(i)).sort().map((i) => JSON.parse(i)) : items;
  }
  if (isObject(value)) {
    const out: JsonObject = {};
    for (const k of Object.keys(value).sort()) {
      if (k === 'definition' || (k === 'display' && key === 'verb')) continue;
      const v = value[k];
      if (v === null) continue;
      out[k] = normal(v, k);
    }
    return out;
  }
  if (typeof value === 'string') {
    if ((key === 'id' || key === 'registration') && isUuid(value)) return value.toLowerCase();
    if (key === 'mbox') return value.toLowerCase();
    // Durations compare to 0.01 s (9274.1.1 4.2.7): digits past the hundredths of the seconds are left out.
    if (key === 'duration') return value.replace(/(\d+\.\d{2})\d+S$/, '$1S');
  }
  return value;
}

/** Problems with an Agent (or, when groups are allowed, an identified Group) given as a parameter; empty when it is valid. */
export function agentProblems(value: unknown, path = 'agent', groups = true): string[] {
  const p = new Problems();
  if (groups && isObject(value) && value.objectType === 'Group') {
    group(p, path, value);
    if (ifiOf(value) === null) p.add(path, 'must be an identified Group');
  } else agent(p, path, value);
  return p.list;
}

/** A valid statement as the LRS keeps it: each context activity list an array, even when one object was sent (Data 2.4.6.2). */
export function normalized(s: JsonObject): JsonObject {
  const withLists = (context: Json | undefined): Json | undefined => {
    if (!isObject(context) || !isObject(context.contextActivities)) return context;
    const lists = Object.fromEntries(Object.entries(context.contextActivities).map(([k, v]) => [k, Array.isArray(v) ? v : [v]]));
    return { ...context, contextActivities: lists };
  };
  const out: JsonObject = { ...s };
  if (s.context !== undefined) out.context = withLists(s.context)!;
  if (isObject(s.object) && s.object.objectType === 'SubStatement' && s.object.context !== undefined) out.object = { ...s.object, context: withLists(s.object.context)! };
  return out;
}
