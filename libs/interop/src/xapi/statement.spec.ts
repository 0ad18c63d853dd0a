import { canonicalFormat, acceptedLanguages, statementIds } from './formats';
import { activityIdsOf, ifiOf, normalized, sameStatement, validateStatement, type JsonObject } from './statement';
import { toStatement } from './to-xapi';

const valid: JsonObject = {
  id: 'fd41c918-b88b-4b20-a0a5-a4c32391aaa0',
  actor: { objectType: 'Agent', name: 'Ann', mbox: 'mailto:ann@example.com' },
  verb: { id: 'http://adlnet.gov/expapi/verbs/completed', display: { 'en-US': 'completed' } },
  object: { objectType: 'Activity', id: 'http://example.com/activities/1', definition: { name: { 'en-US': 'One' }, type: 'http://adlnet.gov/expapi/activities/lesson' } },
  result: { score: { scaled: 0.8, raw: 8, min: 0, max: 10 }, success: true, completion: true, response: 'yes', duration: 'PT1H2M3.5S' },
  context: { registration: 'ec531277-b57b-4c15-8d91-d292c5b2b8f7', contextActivities: { parent: [{ id: 'http://example.com/course' }] }, platform: 'Tool', language: 'th-TH' },
  timestamp: '2024-05-01T08:00:00+07:00',
};

describe('xAPI statements', () => {
  it('accepts a complete valid statement, and the simplest one', () => {
    expect(validateStatement(valid)).toEqual([]);
    expect(validateStatement({ actor: { mbox: 'mailto:x@example.com' }, verb: { id: 'http://v.example/x' }, object: { id: 'urn:x:1' } })).toEqual([]);
    expect(validateStatement({ actor: { objectType: 'Group', member: [{ openid: 'http://id.example/a' }] }, verb: { id: 'http://v.example/x' }, object: { objectType: 'StatementRef', id: valid.id } })).toEqual([]);
  });

  it.each([
    ['no actor', { actor: undefined }, 'statement.actor is required'],
    ['two identifiers', { actor: { mbox: 'mailto:a@b.c', openid: 'http://o.example' } }, 'exactly one inverse functional identifier'],
    ['an mbox without mailto:', { actor: { mbox: 'a@b.c' } }, 'mailto:'],
    ['a verb id that is not an IRI', { verb: { id: 'completed' } }, 'statement.verb.id must be an absolute IRI'],
    ['an activity id that is not an IRI', { object: { id: 'not an iri' } }, 'statement.object.id must be an absolute IRI'],
    ['an unknown property', { foo: 1 }, 'statement.foo is not a property'],
    ['a null value', { result: null }, 'statement.result must not be null'],
    ['a bad id', { id: '1234' }, 'statement.id must be a UUID'],
    ['a bad timestamp', { timestamp: 'yesterday' }, 'statement.timestamp must be an ISO 8601 timestamp'],
    ['an offset of -00:00', { timestamp: '2024-05-01T08:00:00-00:00' }, 'must not use the offset -00:00'],
    ['a scaled score above 1', { result: { score: { scaled: 1.5 } } }, 'scaled must be from -1 to 1'],
    ['a raw score above max', { result: { score: { raw: 11, max: 10 } } }, 'raw must be from min to max'],
    ['a bad duration', { result: { duration: '1 hour' } }, 'ISO 8601 duration'],
    ['a bad language tag', { verb: { id: 'http://v.example/x', display: { 'not a tag': 'x' } } }, 'RFC 5646'],
    ['revision on an Agent object', { object: { objectType: 'Agent', mbox: 'mailto:a@b.c' }, context: { revision: '1' } }, 'only for a statement whose object is an Activity'],
    ['a voiding statement about an activity', { verb: { id: 'http://adlnet.gov/expapi/verbs/voided' } }, 'of a voiding statement must be a StatementRef'],
    ['a SubStatement in a SubStatement', { object: { objectType: 'SubStatement', actor: { mbox: 'mailto:a@b.c' }, verb: { id: 'http://v.example/x' }, object: { objectType: 'SubStatement' } } }, 'must not hold another SubStatement'],
    ['version 2.0', { version: '2.0.0' }, 'must be 1.0.x'],
    ['an anonymous group without members', { actor: { objectType: 'Group' } }, 'is required in an anonymous Group'],
    ['weeks with days in a duration', { result: { duration: 'P4W1D' } }, 'ISO 8601 duration'],
    ['a correctResponsesPattern without interactionType', { object: { id: 'http://example.com/q1', definition: { correctResponsesPattern: ['true'] } } }, 'correctResponsesPattern needs an interactionType'],
    ['an identified group as authority', { authority: { objectType: 'Group', mbox: 'mailto:g@example.com', member: [{ mbox: 'mailto:a@b.c' }, { mbox: 'mailto:d@e.f' }] } }, 'must be anonymous'],
    ['an authority group of one', { authority: { objectType: 'Group', member: [{ mbox: 'mailto:a@b.c' }] } }, 'exactly two Agents'],
    ['an authority group of three', { authority: { objectType: 'Group', member: [{ mbox: 'mailto:a@b.c' }, { mbox: 'mailto:d@e.f' }, { mbox: 'mailto:g@h.i' }] } }, 'exactly two Agents'],
  ])('refuses %s', (_, change, message) => {
    const statement = { ...valid, ...change } as Record<string, unknown>;
    for (const [k, v] of Object.entries(change)) if (v === undefined) delete statement[k];
    expect(validateStatement(statement).join('\n')).toContain(message);
  });

  it('compares statements as the specification says: LRS-assigned fields, display, definitions, member order and case do not count', () => {
    const same = { ...valid, stored: '2024-05-02T00:00:00Z', authority: { mbox: 'mailto:lrs@x.y' }, version: '1.0.0', verb: { id: (valid.verb as JsonObject).id }, timestamp: '2024-05-01T01:00:00Z', id: (valid.id as string).toUpperCase() };
    expect(sameStatement(valid, same)).toBe(true);
    expect(sameStatement(valid, { ...valid, result: { success: false } })).toBe(false);
    const g = (members: string[]) => ({ ...valid, actor: { objectType: 'Group', member: members.map((m) => ({ mbox: `mailto:${m}` })) } });
    expect(sameStatement(g(['a@x.y', 'b@x.y']), g(['B@x.y', 'a@x.y']))).toBe(true);
  });

  it('names agents by their identifier, and lists the activities a statement names', () => {
    expect(ifiOf({ mbox: 'mailto:Ann@Example.com', name: 'Ann' })).toBe('mbox:mailto:ann@example.com');
    expect(ifiOf({ account: { homePage: 'https://x.y', name: 'u1' } })).toBe('account:https://x.y|u1');
    expect(ifiOf({ objectType: 'Group', member: [] })).toBeNull();
    expect(activityIdsOf(valid)).toEqual({ activityId: 'http://example.com/activities/1', all: ['http://example.com/activities/1', 'http://example.com/course'] });
  });

  it('turns a Learnstream event into a valid statement', () => {
    const statement = toStatement('https://ls.example', {
      eventId: '6f1e2f5c-9a4b-4c3d-8e7f-1a2b3c4d5e6f', eventType: 'ResourceViewed', occurredAt: '2024-05-01T01:00:00.000Z', action: 'viewed', crud: 'r', origin: 'web',
      courseId: '0b8b6f4e-1c2d-4e3f-9a8b-7c6d5e4f3a2b', objectType: 'resource', objectId: '1d2c3b4a-5e6f-4a8b-9c0d-e1f2a3b4c5d6', actorId: '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b', realActorId: null, relatedUserId: null,
    });
    expect(validateStatement(statement)).toEqual([]);
    expect(statement).toMatchObject({
      actor: { account: { homePage: 'https://ls.example', name: '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b' } },
      verb: { id: 'http://id.tincanapi.com/verb/viewed' },
      object: { id: 'https://ls.example/courses/0b8b6f4e-1c2d-4e3f-9a8b-7c6d5e4f3a2b/resources/1d2c3b4a-5e6f-4a8b-9c0d-e1f2a3b4c5d6' },
      context: { contextActivities: { parent: [{ id: 'https://ls.example/courses/0b8b6f4e-1c2d-4e3f-9a8b-7c6d5e4f3a2b' }] } },
    });
  });
});

describe('statements as the LRS keeps and returns them', () => {
  it('accepts a duration in weeks alone, and an OAuth authority (an anonymous group of two)', () => {
    expect(validateStatement({ ...valid, result: { duration: 'P4W' } })).toEqual([]);
    expect(validateStatement({ ...valid, authority: { objectType: 'Group', member: [{ account: { homePage: 'http://a.example', name: 'app' } }, { mbox: 'mailto:u@example.com' }] } })).toEqual([]);
  });

  it('keeps a single context activity as a list of one, in the statement and its SubStatement', () => {
    const parent = { id: 'http://example.com/course' };
    const s = normalized({ ...valid, context: { contextActivities: { parent } }, object: { objectType: 'SubStatement', actor: valid.actor, verb: valid.verb, object: { id: 'http://example.com/a' }, context: { contextActivities: { other: parent, grouping: [parent] } } } });
    expect(s.context).toEqual({ contextActivities: { parent: [parent] } });
    expect((s.object as JsonObject).context).toEqual({ contextActivities: { other: [parent], grouping: [parent] } });
  });

  it('gives format=ids agents by identifier, activities by id, in a SubStatement too', () => {
    const group = { objectType: 'Group', name: 'Team', mbox: 'mailto:team@example.com', member: [{ name: 'A', mbox: 'mailto:a@example.com' }] };
    const sub = { objectType: 'SubStatement', actor: group, verb: valid.verb, object: valid.object };
    const ids = statementIds({ ...valid, object: sub });
    expect(ids.actor).toEqual({ objectType: 'Agent', mbox: 'mailto:ann@example.com' });
    expect(ids.verb).toEqual({ id: (valid.verb as JsonObject).id });
    expect(ids.object).toMatchObject({ actor: { objectType: 'Group', mbox: 'mailto:team@example.com' }, object: { id: 'http://example.com/activities/1' } });
    expect(Object.keys((ids.object as JsonObject).object as JsonObject)).toEqual(['id']);
    expect(statementIds({ ...valid, actor: { objectType: 'Group', name: 'Anon', member: [{ name: 'B', openid: 'http://id.example/b' }] } }).actor).toEqual({ objectType: 'Group', member: [{ openid: 'http://id.example/b' }] });
  });

  it('gives format=canonical one language per map, the one Accept-Language prefers', () => {
    expect(acceptedLanguages('fr;q=0.5, en-GB, de;q=0')).toEqual(['en-gb', 'fr']);
    const verb = { id: 'http://v.example/x', display: { 'en-US': 'did', 'en-GB': 'did (GB)', fr: 'fit' } };
    const object = { id: 'http://example.com/a', definition: { name: { 'en-US': 'A', fr: 'Un' }, extensions: { 'http://e.example/x': { name: { a: 1, b: 2 } } } } };
    const out = canonicalFormat({ ...valid, verb, object }, acceptedLanguages('en-GB, fr;q=0.5')) as JsonObject;
    expect(out.verb).toEqual({ id: verb.id, display: { 'en-GB': 'did (GB)' } });
    expect((out.object as JsonObject).definition).toEqual({ name: { fr: 'Un' }, extensions: object.definition.extensions });
    expect(out.actor).toEqual(valid.actor);
    expect(((canonicalFormat({ verb }, []) as JsonObject).verb as JsonObject).display).toEqual({ 'en-US': 'did' });
  });
});
