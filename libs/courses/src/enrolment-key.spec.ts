import { enrolmentKeyMatches, hashEnrolmentKey } from './enrolment-key';

describe('enrolment keys', () => {
  it('keeps a salted hash that matches the key and nothing else', async () => {
    const hash = await hashEnrolmentKey('open sesame');
    expect(hash).toMatch(/^scrypt\$[\w-]+\$[\w-]+$/);
    expect(hash).not.toContain('open sesame');
    expect(await hashEnrolmentKey('open sesame')).not.toBe(hash);
    expect(await enrolmentKeyMatches('open sesame', hash)).toBe(true);
    expect(await enrolmentKeyMatches('open sesame ', hash)).toBe(false);
    expect(await enrolmentKeyMatches('', hash)).toBe(false);
  });

  it('matches nothing against a hash it cannot read', async () => {
    expect(await enrolmentKeyMatches('k', 'plain-text-key')).toBe(false);
    expect(await enrolmentKeyMatches('k', 'scrypt$$')).toBe(false);
  });
});
