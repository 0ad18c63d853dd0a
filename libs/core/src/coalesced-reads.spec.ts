import { coalescedReads } from './coalesced-reads';

/** A read that records what it was asked and when, answering each key with its upper case after `release()`. */
function recorder() {
  const reads: { keys: string[]; sentAt: number }[] = [];
  const pending: (() => void)[] = [];
  let clock = 0;
  const read = coalescedReads<string>((keys) => {
    reads.push({ keys, sentAt: ++clock });
    return new Promise((resolve, reject) => {
      pending.push(() => (keys.includes('bad') ? reject(new Error(`refused ${keys.join(',')}`)) : resolve(new Map(keys.filter((k) => k !== 'none').map((k) => [k, k.toUpperCase()])))));
    });
  });
  const release = async () => {
    while (!pending.length) await new Promise((r) => setImmediate(r));
    pending.shift()!();
  };
  return { read, reads, release, tick: () => ++clock };
}

describe('coalescedReads', () => {
  it('reads the keys asked in the same turn together, each once', async () => {
    const r = recorder();
    const answers = Promise.all([r.read(['a', 'b']), r.read(['b']), r.read(['c'])]);
    await r.release();
    const [ab, b, c] = await answers;
    expect(r.reads.map((x) => x.keys)).toEqual([['a', 'b', 'c']]);
    expect(ab.get('a')).toBe('A');
    expect(b.get('b')).toBe('B');
    expect(c.get('c')).toBe('C');
  });

  it('asks what is asked during a read in the next read, sent after the call', async () => {
    const r = recorder();
    const first = r.read(['a']);
    while (r.reads.length === 0) await new Promise((x) => setImmediate(x));
    const calledAt = r.tick();
    const second = r.read(['a']);
    const third = r.read(['d']);
    await r.release();
    expect((await first).get('a')).toBe('A');
    await r.release();
    expect((await second).get('a')).toBe('A');
    expect((await third).get('d')).toBe('D');
    expect(r.reads.map((x) => x.keys)).toEqual([['a'], ['a', 'd']]);
    // The read that answers the later calls was sent after they were made (it sees what committed before them).
    expect(r.reads[1].sentAt).toBeGreaterThan(calledAt);
  });

  it('leaves out what was not found', async () => {
    const r = recorder();
    const answer = r.read(['none', 'e']);
    await r.release();
    expect([...(await answer).keys()]).toEqual(['e']);
  });

  it('a joint read that fails is made again caller by caller: only the caller of a bad key fails', async () => {
    const r = recorder();
    const good = r.read(['a']);
    const bad = r.read(['bad']);
    const settled = Promise.allSettled([good, bad]);
    await r.release();
    await r.release();
    await r.release();
    const [g, b] = await settled;
    expect(g).toEqual({ status: 'fulfilled', value: new Map([['a', 'A']]) });
    expect(b.status).toBe('rejected');
    expect(r.reads.map((x) => x.keys)).toEqual([['a', 'bad'], ['a'], ['bad']]);
  });

  it('a lone caller whose read fails gets its error, and the next call reads again', async () => {
    const r = recorder();
    const bad = r.read(['bad']);
    const caught = bad.catch((e: Error) => e.message);
    await r.release();
    expect(await caught).toBe('refused bad');
    const next = r.read(['f']);
    await r.release();
    expect((await next).get('f')).toBe('F');
  });
});
