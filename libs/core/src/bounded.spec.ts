import { plainToInstance } from 'class-transformer';
import { IsOptional, validate } from 'class-validator';
import { NUMBER_BOUNDS } from '@learnstream/domain';
import { Bounded, IsId, idPipe } from './bounded';
import { ApiError } from './http-errors';

class Body {
  @IsOptional() @Bounded('weight') weight?: number;
  @IsOptional() @Bounded('count') attempts?: number;
  @IsOptional() @IsId() userId?: string;
  @IsOptional() @IsId({ each: true }) learnerIds?: string[];
}

const messages = async (input: Record<string, unknown>) =>
  (await validate(plainToInstance(Body, input), { forbidUnknownValues: true })).flatMap((e) => Object.values(e.constraints ?? {}));

const NIL = '00000000-0000-0000-0000-000000000000';
const MAX = 'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF';
const SOME = '6b2c0a40-9d1e-4a57-8d54-0f6f2f0b1c01';

describe('Bounded', () => {
  it.each([1e308, -1, Number.NaN, Infinity, NUMBER_BOUNDS.weight.max + 0.5, '5'])('refuses a weight of %p with one stable message', async (weight) => {
    expect(await messages({ weight })).toEqual([`weight must be a number from 0 to ${NUMBER_BOUNDS.weight.max}`]);
  });

  it('takes the bounds themselves and what lies between', async () => {
    for (const weight of [NUMBER_BOUNDS.weight.min, 2.5, NUMBER_BOUNDS.weight.max]) expect(await messages({ weight })).toEqual([]);
  });

  it('refuses a fraction where a whole number goes', async () => {
    expect(await messages({ attempts: 1.5 })).toEqual([`attempts must be a whole number from 0 to ${NUMBER_BOUNDS.count.max}`]);
    expect(await messages({ attempts: 3 })).toEqual([]);
  });
});

describe('IsId and idPipe', () => {
  it.each([NIL, MAX, MAX.toLowerCase(), 'not-a-uuid', '', 42])('refuse %p as an id', async (userId) => {
    expect(await messages({ userId })).toEqual(['userId must be a UUID']);
    expect(await messages({ learnerIds: [SOME, userId] })).toEqual(['each value in learnerIds must be a UUID']);
    expect(() => idPipe('courseId').transform(userId, { type: 'param' })).toThrow(ApiError);
  });

  it('takes a UUID of any version, upper or lower case', async () => {
    for (const id of [SOME, SOME.toUpperCase(), 'c0a8e7f2-1b3d-5e4f-9a0b-1c2d3e4f5a6b']) {
      expect(await messages({ userId: id, learnerIds: [id] })).toEqual([]);
      expect(idPipe('courseId').transform(id, { type: 'param' })).toBe(id);
    }
  });

  it('answers 400 VALIDATION_FAILED naming the argument', () => {
    try {
      idPipe('courseId').transform(NIL, { type: 'param' });
      throw new Error('accepted');
    } catch (error) {
      expect(error).toBeInstanceOf(ApiError);
      expect((error as ApiError).getStatus()).toBe(400);
      expect((error as ApiError).code).toBe('VALIDATION_FAILED');
      expect((error as ApiError).details).toEqual([{ field: 'courseId', message: 'must be a UUID' }]);
    }
  });
});
