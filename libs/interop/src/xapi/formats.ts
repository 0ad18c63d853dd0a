/**
 * The `format` parameter of GET /xapi/statements (Communication 2.1.3), in
 * the statement and in its SubStatement alike:
 *
 *   exact      as stored;
 *   ids        agents and groups by their identifier only (an anonymous
 *              group by its members' identifiers), activities by their id,
 *              verbs by their id;
 *   canonical  every language map (verb display, activity name and
 *              description, interaction components, attachment display)
 *              cut to the one language the Accept-Language header prefers
 *              (else its first entry).
 */
import type { Json, JsonObject } from './statement';

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const IFI_KEYS = ['mbox', 'mbox_sha1sum', 'openid', 'account'];

function agentIds(a: Json | undefined): Json | undefined {
  if (!isObject(a)) return a;
  const out: JsonObject = {};
  if (a.objectType !== undefined) out.objectType = a.objectType;
  const ifi = IFI_KEYS.find((k) => a[k] !== undefined);
  if (ifi) out[ifi] = a[ifi];
  else if (Array.isArray(a.member)) out.member = a.member.map((m) => agentIds(m) ?? null);
  return out;
}

const activityIds = (a: Json): Json => (isObject(a) && a.id !== undefined ? { id: a.id } : a);

function objectIds(o: Json | undefined): Json | undefined {
  if (!isObject(o)) return o;
  switch (o.objectType ?? 'Activity') {
    case 'Agent':
    case 'Group':
      return agentIds(o);
    case 'SubStatement':
      return statementIds(o);
    case 'Activity':
      return activityIds(o);
    default:
      return o;
  }
}

function contextIds(c: Json | undefined): Json | undefined {
  if (!isObject(c)) return c;
  const out: JsonObject = { ...c };
  if (c.instructor !== undefined) out.instructor = agentIds(c.instructor)!;
  if (c.team !== undefined) out.team = agentIds(c.team)!;
  if (isObject(c.contextActivities)) {
    out.contextActivities = Object.fromEntries(Object.entries(c.contextActivities).map(([k, v]) => [k, Array.isArray(v) ? v.map(activityIds) : activityIds(v)]));
  }
  return out;
}

export function statementIds(s: JsonObject): JsonObject {
  const out: JsonObject = { ...s };
  if (s.actor !== undefined) out.actor = agentIds(s.actor)!;
  if (isObject(s.verb)) out.verb = { id: s.verb.id };
  if (s.object !== undefined) out.object = objectIds(s.object)!;
  if (s.context !== undefined) out.context = contextIds(s.context)!;
  if (s.authority !== undefined) out.authority = agentIds(s.authority)!;
  return out;
}

/** The languages of an Accept-Language header, most wanted first (q=0 left out). */
export function acceptedLanguages(header: string | undefined): string[] {
  if (!header) return [];
  return header
    .split(',')
    .map((part, i) => {
      const [tag, ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)).find(Boolean);
      return { tag: tag.trim().toLowerCase(), q: q ? Number(q[1]) : 1, i };
    })
    .filter((l) => l.tag && l.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i)
    .map((l) => l.tag);
}

function pickLanguage(map: JsonObject, languages: string[]): JsonObject {
  const keys = Object.keys(map);
  if (keys.length <= 1) return map;
  for (const want of languages) {
    if (want === '*') break;
    const exact = keys.find((k) => k.toLowerCase() === want);
    if (exact) return { [exact]: map[exact] };
    const prefix = keys.find((k) => k.toLowerCase().startsWith(`${want}-`) || want.startsWith(`${k.toLowerCase()}-`));
    if (prefix) return { [prefix]: map[prefix] };
  }
  return { [keys[0]]: map[keys[0]] };
}

const LANGUAGE_MAPS = ['display', 'name', 'description'];

/** Every language map of a statement cut to one language; extensions are left as they are. */
export function canonicalFormat(value: Json, languages: string[]): Json {
  if (Array.isArray(value)) return value.map((v) => canonicalFormat(v, languages));
  if (!isObject(value)) return value;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === 'extensions') out[k] = v;
    else if (LANGUAGE_MAPS.includes(k) && isObject(v) && Object.values(v).every((x) => typeof x === 'string')) out[k] = pickLanguage(v, languages);
    else out[k] = canonicalFormat(v, languages);
  }
  return out;
}
