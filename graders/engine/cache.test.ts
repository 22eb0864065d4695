import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FixtureLock } from '../fixtures/lock.js';
import type { ResultT } from '../result/schema.js';
import { ResultCache, cacheKey, fixturesFingerprint, type CacheKeyParts } from './cache.js';

const parts: CacheKeyParts = {
  student: 'ada',
  submissionSha256: 'a'.repeat(64),
  manifestSha256: 'b'.repeat(64),
  fixturesSha256: 'c'.repeat(64),
  engine: '0.1.0',
  mode: 'grade',
  questions: [],
};

describe('cacheKey', () => {
  it.each<[string, Partial<CacheKeyParts>]>([
    ['the submission', { submissionSha256: 'd'.repeat(64) }],
    ['the assignment', { manifestSha256: 'd'.repeat(64) }],
    ['the fixtures', { fixturesSha256: 'd'.repeat(64) }],
    ['the engine version', { engine: '0.2.0' }],
    ['the student', { student: 'bob' }],
    ['the mode', { mode: 'ci' }],
    ['the questions', { questions: ['tv_loss'] }],
  ])('changes when %s changes', (_what, change) => {
    expect(cacheKey({ ...parts, ...change })).not.toBe(cacheKey(parts));
  });

  it('does not depend on the order of the questions', () => {
    expect(cacheKey({ ...parts, questions: ['a', 'b'] })).toBe(cacheKey({ ...parts, questions: ['b', 'a'] }));
  });
});

describe('fixturesFingerprint', () => {
  const lock: FixtureLock = { assignment: 'x', referenceVersion: '1', seed: 1, backend: 'cpu', files: { 'a.npz': '1', 'b.npz': '2' } };
  it('ignores key order and sees every file hash', () => {
    const reordered: FixtureLock = { files: { 'b.npz': '2', 'a.npz': '1' }, backend: 'cpu', seed: 1, referenceVersion: '1', assignment: 'x' };
    expect(fixturesFingerprint(reordered)).toBe(fixturesFingerprint(lock));
    expect(fixturesFingerprint({ ...lock, files: { ...lock.files, 'b.npz': '3' } })).not.toBe(fixturesFingerprint(lock));
  });
});

describe('ResultCache', () => {
  const result = { schemaVersion: 1, student: 'ada', score: { points: 3 } } as unknown as ResultT;

  it('returns what was put under the same key, and nothing under another', async () => {
    const cache = new ResultCache(await mkdtemp(path.join(os.tmpdir(), 'dlgrade-cache-')));
    const key = cacheKey(parts);
    expect(await cache.get(key, 'ada')).toBeUndefined();
    await cache.put(key, result);
    expect(await cache.get(key, 'ada')).toEqual(result);
    expect(await cache.get(cacheKey({ ...parts, engine: '9' }), 'ada')).toBeUndefined();
    expect(await cache.get(key, 'bob')).toBeUndefined();
  });

  it('treats a damaged entry as a miss', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'dlgrade-cache-'));
    const cache = new ResultCache(dir);
    const key = cacheKey(parts);
    await cache.put(key, result);
    const [sub] = await readdir(dir);
    await writeFile(path.join(dir, sub, `${key}.json`), '{"key": "');
    expect(await cache.get(key, 'ada')).toBeUndefined();
  });
});
