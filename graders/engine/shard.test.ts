import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DlgradeError } from '../errors.js';
import { parseShard, selectShard } from './shard.js';

const id = (s: string) => s;

describe('parseShard', () => {
  it.each([
    ['1/1', { index: 1, total: 1 }],
    ['2/4', { index: 2, total: 4 }],
    [' 3 / 3 ', { index: 3, total: 3 }],
  ])('reads %j', (text, shard) => {
    expect(parseShard(text)).toEqual(shard);
  });

  it.each(['0/2', '3/2', '1/0', '1', '1/2/3', 'a/b', '-1/2', '1.5/2', ''])('refuses %j with the expected form', (text) => {
    expect(() => parseShard(text)).toThrow(DlgradeError);
    expect(() => parseShard(text)).toThrow(/--shard must be K\/N with 1 <= K <= N .*JOB_COMPLETION_INDEX/);
  });
});

describe('selectShard', () => {
  it('deals the sorted items round-robin', () => {
    const students = ['e', 'a', 'd', 'c', 'b'];
    expect(selectShard(students, { index: 1, total: 2 }, id)).toEqual(['a', 'c', 'e']);
    expect(selectShard(students, { index: 2, total: 2 }, id)).toEqual(['b', 'd']);
  });

  it('sorts by code point, not by locale', () => {
    expect(selectShard(['b', 'B', 'a', 'A'], { index: 1, total: 1 }, id)).toEqual(['A', 'B', 'a', 'b']);
  });

  it('a shard beyond the number of items is empty', () => {
    expect(selectShard(['a'], { index: 2, total: 3 }, id)).toEqual([]);
  });

  it('every item lands in exactly one shard, shards differ in size by at most one, and input order does not matter', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string(), { maxLength: 60 }), fc.integer({ min: 1, max: 9 }), (items, total) => {
        const shards = Array.from({ length: total }, (_, i) => selectShard(items, { index: i + 1, total }, id));
        const reversed = Array.from({ length: total }, (_, i) => selectShard([...items].reverse(), { index: i + 1, total }, id));
        expect(reversed).toEqual(shards);
        expect(shards.flat().sort()).toEqual([...items].sort());
        const sizes = shards.map((s) => s.length);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      }),
    );
  });
});
