import { VERIFIED_TOKENS_MAX, VerifiedTokens } from './verified-tokens';

const claims = (exp: number, extra: Record<string, unknown> = {}) => ({ sub: 'u1', sid: 's1', exp, iat: exp - 900, ...extra });

describe('verified access tokens', () => {
  it('gives a remembered token\'s claims (sub, sid, act) until the second of its exp, then says expired, as jsonwebtoken does', () => {
    let now = 1_000_000_000;
    const tokens = new VerifiedTokens(() => now);
    tokens.remember('t1', claims(1_000_001, { act: 'admin' }));
    expect(tokens.lookup('t1')).toEqual({ claims: { sub: 'u1', sid: 's1', act: 'admin' } });
    now = 1_000_000_999; // 999 ms before exp
    expect(tokens.lookup('t1')).toEqual({ claims: { sub: 'u1', sid: 's1', act: 'admin' } });
    now = 1_000_001_000; // floor(now / 1000) === exp: jsonwebtoken's TokenExpiredError
    expect(tokens.lookup('t1')).toBe('expired');
    // Forgotten once expired: passport-jwt answers for it again.
    expect(tokens.lookup('t1')).toBeUndefined();
  });

  it('knows only the exact token it was given', () => {
    const tokens = new VerifiedTokens(() => 0);
    tokens.remember('header.payload.signature', claims(10));
    expect(tokens.lookup('header.payload.signaturf')).toBeUndefined();
    expect(tokens.lookup('header.payload.signature')).toEqual({ claims: { sub: 'u1', sid: 's1' } });
  });

  it('keeps no token without a finite exp, nor one with nbf', () => {
    const tokens = new VerifiedTokens(() => 0);
    tokens.remember('no-exp', { sub: 'u1', sid: 's1' });
    tokens.remember('nan-exp', claims(Number.NaN));
    tokens.remember('nbf', claims(10, { nbf: 0 }));
    expect(tokens.size).toBe(0);
  });

  it('holds at most VERIFIED_TOKENS_MAX tokens, dropping the oldest first', () => {
    const tokens = new VerifiedTokens(() => 0);
    for (let i = 0; i <= VERIFIED_TOKENS_MAX; i++) tokens.remember(`t${i}`, claims(10));
    expect(tokens.size).toBe(VERIFIED_TOKENS_MAX);
    expect(tokens.lookup('t0')).toBeUndefined();
    expect(tokens.lookup(`t${VERIFIED_TOKENS_MAX}`)).toEqual({ claims: { sub: 'u1', sid: 's1' } });
  });
});
