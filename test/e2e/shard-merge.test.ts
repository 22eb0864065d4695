// Sharding end to end: two shards graded separately and merged give the same class outputs as one run.
import { cp, mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, dlgrade } from './cli.js';

const EXAMPLES = path.join(ROOT, 'examples', 'style-transfer');
// Every example but the one that hangs for its 5 s timeout: the point here is the merge, not the timeout.
const STUDENTS = ['content-no-weight', 'correct', 'does-not-import', 'gram-not-normalized', 'tv-abs'];

describe('dlgrade grade --shard and dlgrade merge', () => {
  let work: string;
  let single: string;
  let merged: string;
  const shardDirs: string[] = [];

  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'dlgrade-shard-'));
    const submissions = path.join(work, 'submissions');
    for (const s of STUDENTS) await cp(path.join(EXAMPLES, s), path.join(submissions, s), { recursive: true });
    single = path.join(work, 'single');
    merged = path.join(work, 'merged');
    const runs = await Promise.all([
      dlgrade(['grade', 'style-transfer', submissions, '--out', single, '--jobs', '1', '--no-progress']),
      ...[1, 2].map((k) => {
        shardDirs.push(path.join(work, `shard-${k}`));
        return dlgrade(['grade', 'style-transfer', submissions, '--out', shardDirs[k - 1], '--jobs', '1', '--no-progress', '--shard', `${k}/2`]);
      }),
    ]);
    for (const run of runs) expect(run.exitCode, String(run.stderr)).toBe(0);
    const merge = await dlgrade(['merge', ...shardDirs, '--out', merged]);
    expect(merge.exitCode, String(merge.stderr)).toBe(0);
    expect(String(merge.stdout)).toMatch(/merged 2 shards of style-transfer 1\.0\.0: 5 submissions/);
  });

  it('each shard grades a disjoint part of the class and writes its versioned shard file', async () => {
    const graded = await Promise.all(shardDirs.map(async (d) => (await readdir(path.join(d, 'results'))).sort()));
    expect(graded[0].length + graded[1].length).toBe(STUDENTS.length);
    expect(graded[0].filter((f) => graded[1].includes(f))).toEqual([]);
    const file = JSON.parse(await readFile(path.join(shardDirs[0], 'shard-1-of-2.json'), 'utf8'));
    expect(file).toMatchObject({ format: 'dlgrade-shard', version: 1, shard: { index: 1, total: 2 }, complete: true, assignment: { id: 'style-transfer' } });
  });

  it('2 shards merged give byte-identical grades.csv and summary.json to a single run', async () => {
    for (const name of ['grades.csv', 'summary.json']) {
      expect(await readFile(path.join(merged, name), 'utf8'), name).toBe(await readFile(path.join(single, name), 'utf8'));
    }
  });

  it('the merge writes every student report a single run writes', async () => {
    for (const s of STUDENTS) {
      for (const f of ['report.html', 'report.md', 'results.json']) await readFile(path.join(merged, s, f));
    }
    const strip = (text: string) => {
      const r = JSON.parse(text);
      delete r.durationMs;
      delete r.startedAt;
      for (const q of r.questions) for (const c of q.cases) delete c.durationMs;
      return r;
    };
    const a = strip(await readFile(path.join(merged, 'results', 'correct.json'), 'utf8'));
    const b = strip(await readFile(path.join(single, 'results', 'correct.json'), 'utf8'));
    expect(a).toEqual(b);
  });

  it('refuses a shard of another assignment, naming both', async () => {
    const other = path.join(work, 'other');
    await cp(shardDirs[1], other, { recursive: true });
    const file = path.join(other, 'shard-2-of-2.json');
    const data = JSON.parse(await readFile(file, 'utf8'));
    data.assignment.id = 'mlp-backprop';
    await writeFile(file, JSON.stringify(data));
    const run = await dlgrade(['merge', shardDirs[0], other, '--out', path.join(work, 'refused')]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/cannot merge: the shards were graded with different assignments: "style-transfer" in .*, "mlp-backprop" in/);
  });

  it('refuses a shard written by a newer dlgrade', async () => {
    const newer = path.join(work, 'newer');
    await cp(shardDirs[1], newer, { recursive: true });
    const file = path.join(newer, 'shard-2-of-2.json');
    const data = JSON.parse(await readFile(file, 'utf8'));
    data.version = 2;
    await writeFile(file, JSON.stringify(data));
    const run = await dlgrade(['merge', shardDirs[0], newer, '--out', path.join(work, 'refused')]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/was written by a newer dlgrade \(shard format 2.*upgrade dlgrade where you merge/);
  });

  it('refuses a merge with a shard missing', async () => {
    const run = await dlgrade(['merge', shardDirs[0], '--out', path.join(work, 'refused')]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/shard 2\/2 is missing/);
  });

  it('a re-run takes every result from the cache; --force grades again', async () => {
    const again = await dlgrade(['grade', 'style-transfer', path.join(work, 'submissions'), '--out', shardDirs[0], '--shard', '1/2', '--no-progress']);
    expect(String(again.stdout)).toMatch(/0 graded, 3 unchanged/);
    const forced = await dlgrade(['grade', 'style-transfer', path.join(work, 'submissions'), '--out', shardDirs[0], '--shard', '1/2', '--no-progress', '--force']);
    expect(String(forced.stdout)).toMatch(/3 graded, 0 unchanged/);
  });
});
