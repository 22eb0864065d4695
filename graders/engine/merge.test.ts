import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ResultT } from '../result/schema.js';
import { mergeShards, readShardFile, type LoadedShard } from './merge.js';
import { SHARD_FORMAT, SHARD_FORMAT_VERSION, type ShardFile } from './shard.js';

const assignment = { id: 'style-transfer', version: '1.0.0', manifestSha256: 'm'.repeat(64) };
const result = (student: string): ResultT => ({ schemaVersion: 1, student, assignment: { ...assignment, title: 'T' } }) as unknown as ResultT;

function shard(index: number, total: number, students: string[], change: Partial<ShardFile> = {}): LoadedShard {
  return {
    file: `s${index}/shard-${index}-of-${total}.json`,
    shard: {
      format: SHARD_FORMAT,
      version: SHARD_FORMAT_VERSION,
      shard: { index, total },
      complete: true,
      assignment,
      engine: '0.1.0',
      mode: 'grade',
      fixtures: { referenceVersion: '1', backend: 'cpu', seed: 1, lockSha256: 'f'.repeat(64) },
      questions: [],
      students,
      results: students.map(result),
      ...change,
    },
  };
}

describe('mergeShards', () => {
  it('combines every shard into one list sorted by student', () => {
    const merged = mergeShards([shard(2, 2, ['b', 'd']), shard(1, 2, ['a', 'c', 'e'])]);
    expect(merged.map((r) => r.student)).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it.each<[string, LoadedShard[], RegExp]>([
    ['another assignment', [shard(1, 2, ['a']), shard(2, 2, ['b'], { assignment: { ...assignment, id: 'mlp-backprop' } })], /different assignments: "style-transfer" in .*, "mlp-backprop" in/],
    ['another assignment version', [shard(1, 2, ['a']), shard(2, 2, ['b'], { assignment: { ...assignment, version: '1.1.0' } })], /different versions of style-transfer: version 1\.0\.0 .* version 1\.1\.0/],
    ['an edited manifest', [shard(1, 2, ['a']), shard(2, 2, ['b'], { assignment: { ...assignment, manifestSha256: 'x'.repeat(64) } })], /different versions of style-transfer/],
    ['another dlgrade', [shard(1, 2, ['a']), shard(2, 2, ['b'], { engine: '0.2.0' })], /different dlgrade versions: 0\.1\.0 in .*, 0\.2\.0 in/],
    ['other fixtures', [shard(1, 2, ['a']), shard(2, 2, ['b'], { fixtures: { referenceVersion: '1', backend: 'cpu', seed: 2, lockSha256: 'f'.repeat(64) } })], /different fixtures/],
    ['another shard count', [shard(1, 2, ['a']), shard(2, 3, ['b'])], /different shard counts: 2 shards .*, 3 shards/],
    ['a missing shard', [shard(1, 3, ['a']), shard(3, 3, ['c'])], /shard 2\/3 is missing \(given: 1\/3, 3\/3\)/],
    ['a shard given twice', [shard(1, 2, ['a']), shard(1, 2, ['a']), shard(2, 2, ['b'])], /shard 1\/2 was given twice/],
    ['an interrupted shard', [shard(1, 2, ['a', 'c'], { complete: false, results: [result('a')] }), shard(2, 2, ['b'])], /interrupted with 1 of 2 submissions graded; run its "dlgrade grade --shard 1\/2" again/],
    ['a student in two shards', [shard(1, 2, ['a']), shard(2, 2, ['a'])], /student a is in both/],
  ])('refuses %s with a message that says so', (_case, shards, message) => {
    expect(() => mergeShards(shards)).toThrow(message);
  });
});

describe('readShardFile', () => {
  const write = async (data: unknown) => {
    const file = path.join(await mkdtemp(path.join(os.tmpdir(), 'dlgrade-shard-')), 'shard-1-of-1.json');
    await writeFile(file, JSON.stringify(data));
    return file;
  };

  it('refuses a shard file of a newer format, naming both versions', async () => {
    const file = await write({ ...shard(1, 1, ['a']).shard, version: SHARD_FORMAT_VERSION + 1, engine: '9.0.0' });
    await expect(readShardFile(file)).rejects.toThrow(new RegExp(`newer dlgrade \\(shard format ${SHARD_FORMAT_VERSION + 1}, graded by dlgrade 9\\.0\\.0\\); this dlgrade .* reads shard format ${SHARD_FORMAT_VERSION} and older`));
  });

  it('refuses results of a newer schema', async () => {
    const file = await write({ ...shard(1, 1, ['a']).shard, results: [{ ...result('a'), schemaVersion: 99 }] });
    await expect(readShardFile(file)).rejects.toThrow(/newer format \(result schema 99/);
  });

  it('refuses a file that is not a shard file', async () => {
    await expect(readShardFile(await write({ students: [] }))).rejects.toThrow(/is not a dlgrade shard file/);
  });
});
