import { describe, expect, it } from '@jest/globals';
import { systemClock, TestClock } from './clock';

describe('Clock', () => {
  it('the system clock reads the wall clock', () => {
    const before = Date.now();
    const now = systemClock.now().getTime();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });

  it('a test clock set to a time stands still there and moves only when advanced', () => {
    const at = '2026-03-01T08:00:00.000Z';
    const clock = new TestClock(at);
    expect(clock.nowIso()).toBe(at);
    expect(clock.nowIso()).toBe(at);
    clock.advance(90_000);
    expect(clock.nowIso()).toBe(new Date(Date.parse(at) + 90_000).toISOString());
    expect(clock.today()).toBe(at.slice(0, 10));
    clock.advance(-Date.parse(at) + Date.parse('2026-03-02T00:00:00.000Z') - 90_000);
    expect(clock.today()).toBe('2026-03-02');
  });

  it('a test clock not set follows the wall clock, shifted by what it was advanced', () => {
    const clock = new TestClock().advance(3_600_000);
    const before = Date.now();
    const now = clock.now().getTime();
    expect(now - 3_600_000).toBeGreaterThanOrEqual(before);
    expect(now - 3_600_000).toBeLessThanOrEqual(Date.now());
  });

  it('refuses a time that is not one', () => {
    expect(() => new TestClock('not a time')).toThrow(TypeError);
  });
});
