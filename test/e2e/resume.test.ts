// An interrupted batch: killed with SIGKILL, or stopped with SIGINT, part way through; run again, it finishes
// without grading a finished submission twice, and without a lost or duplicated row.
import { chmod, cp, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResultT } from '../../graders/result/schema.js';
import { probeBwrap } from '../../graders/runners/bwrap-sandbox.js';
import { BIN, ROOT, dlgrade } from './cli.js';
import { leftoverProcesses } from './processes.js';

const EXAMPLES = path.join(ROOT, 'examples', 'style-transfer');
/** Six students; none hangs or crashes, so every finished result is kept (a crash would be graded again). */
const CLASS: [string, string][] = [
  ['s1', 'correct'],
  ['s2', 'content-no-weight'],
  ['s3', 'gram-not-normalized'],
  ['s4', 'tv-abs'],
  ['s5', 'correct'],
  ['s6', 'does-not-import'],
];
const probe = await probeBwrap(process.env.DLGRADE_PYTHON ?? '/usr/bin/python3');

/** Files in the batch's cache: each is a submission that finished. */
async function finishedCount(out: string): Promise<number> {
  let n = 0;
  for (const shard of await readdir(path.join(out, '.dlgrade-cache')).catch(() => [] as string[])) {
    n += (await readdir(path.join(out, '.dlgrade-cache', shard)).catch(() => [] as string[])).filter((f) => f.endsWith('.json')).length;
  }
  return n;
}

async function readResults(out: string): Promise<Map<string, ResultT>> {
  const results = new Map<string, ResultT>();
  for (const file of await readdir(path.join(out, 'results')).catch(() => [] as string[])) {
    if (file.endsWith('.json')) results.set(file.slice(0, -5), JSON.parse(await readFile(path.join(out, 'results', file), 'utf8')) as ResultT);
  }
  return results;
}

/** Starts `dlgrade grade` on the class and sends `signal` once `after` submissions have finished. */
async function interruptedRun(work: string, out: string, signal: NodeJS.Signals, after: number) {
  const child: ResultPromise = execa(process.execPath, [BIN, 'grade', 'style-transfer', path.join(work, 'submissions'), '--out', out, '--jobs', '1', '--no-progress'], {
    cwd: ROOT,
    env: { NO_COLOR: '1', TMPDIR: path.join(work, 'tmp') },
    reject: false,
    timeout: 300_000,
  });
  const deadline = Date.now() + 240_000;
  while ((await finishedCount(out)) < after && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 25));
  child.kill(signal);
  const result = await child;
  return { result, finished: await finishedCount(out) };
}

async function makeClass(): Promise<string> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'dlgrade-resume-'));
  await chmod(work, 0o755);
  await mkdir(path.join(work, 'tmp'));
  for (const [student, example] of CLASS) await cp(path.join(EXAMPLES, example), path.join(work, 'submissions', student), { recursive: true });
  return work;
}

function csvStudents(csv: string): string[] {
  return csv.trim().split('\n').slice(1).map((row) => row.split(',')[0]);
}

describe.skipIf(!probe.ok)('dlgrade grade killed with SIGKILL mid-batch', () => {
  let work: string;
  let out: string;
  let killed: Awaited<ReturnType<typeof interruptedRun>>;
  let before: Map<string, ResultT>;
  let rerun: Awaited<ReturnType<typeof dlgrade>>;
  let after: Map<string, ResultT>;

  beforeAll(async () => {
    work = await makeClass();
    out = path.join(work, 'out');
    killed = await interruptedRun(work, out, 'SIGKILL', 2);
    before = await readResults(out);
    // Whatever the killed batch was running dies with it (bubblewrap's --die-with-parent); give it a moment.
    await new Promise((r) => setTimeout(r, 1000));
    rerun = await dlgrade(['grade', 'style-transfer', path.join(work, 'submissions'), '--out', out, '--jobs', '1', '--no-progress'], { env: { TMPDIR: path.join(work, 'tmp') } });
    after = await readResults(out);
  }, 600_000);

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('was killed part way through', () => {
    expect(killed.result.signal).toBe('SIGKILL');
    expect(killed.finished).toBeGreaterThanOrEqual(2);
    expect(killed.finished).toBeLessThan(CLASS.length);
  });

  it('left no process behind', async () => {
    expect(await leftoverProcesses({ cmdline: [work] })).toEqual([]);
  });

  it('the second run grades only what was not finished and reuses the rest', () => {
    expect(rerun.exitCode, String(rerun.stderr)).toBe(0);
    expect(String(rerun.stdout)).toContain(`(${CLASS.length - killed.finished} graded, ${killed.finished} unchanged since the last run)`);
  });

  it('finished results are kept as they were, not graded again', () => {
    for (const [student, result] of before) {
      if (!after.has(student)) continue;
      // A result written before the kill either stays, or was rewritten from the cache: the same grading.
      expect(after.get(student)!.startedAt, student).toBe(result.startedAt);
    }
  });

  it('ends with exactly one result and one row per student, none lost and none twice', async () => {
    expect([...after.keys()].sort()).toEqual(CLASS.map(([s]) => s));
    const csv = await readFile(path.join(out, 'grades.csv'), 'utf8');
    expect(csvStudents(csv).sort()).toEqual(CLASS.map(([s]) => s));
    const summary = JSON.parse(await readFile(path.join(out, 'summary.json'), 'utf8')) as { students: number };
    expect(summary.students).toBe(CLASS.length);
    // No half-written file anywhere: every result parses (readResults did), and no temporary file is left.
    const leftovers = (await readdir(path.join(out, 'results'))).filter((f) => f.endsWith('.tmp'));
    expect(leftovers).toEqual([]);
  });

  it('gives every student the score of an uninterrupted run', async () => {
    for (const [student, example] of CLASS) {
      const expected = JSON.parse(await readFile(path.join(EXAMPLES, example, 'expected.json'), 'utf8')) as { lose: string[] };
      const lost = after.get(student)!.questions.filter((q) => q.points < q.maxPoints).map((q) => q.id);
      expect(lost.sort(), student).toEqual([...expected.lose].sort());
    }
  });
});

describe.skipIf(!probe.ok)('dlgrade grade stopped with SIGINT', () => {
  let work: string;
  let out: string;
  let stopped: Awaited<ReturnType<typeof interruptedRun>>;
  let kept: Map<string, ResultT>;
  let keptCsv: string;
  let rerun: Awaited<ReturnType<typeof dlgrade>>;

  beforeAll(async () => {
    work = await makeClass();
    out = path.join(work, 'out');
    stopped = await interruptedRun(work, out, 'SIGINT', 1);
    kept = await readResults(out);
    keptCsv = await readFile(path.join(out, 'grades.csv'), 'utf8');
    rerun = await dlgrade(['grade', 'style-transfer', path.join(work, 'submissions'), '--out', out, '--jobs', '1', '--no-progress'], { env: { TMPDIR: path.join(work, 'tmp') } });
  }, 600_000);

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('stops cleanly after the submission in progress, says so, and exits with 130', () => {
    expect(stopped.result.exitCode, String(stopped.result.stderr)).toBe(130);
    expect(String(stopped.result.stderr)).toMatch(/stopping after the submissions in progress/);
    expect(String(stopped.result.stdout)).toMatch(/interrupted, run again to finish/);
    expect(String(stopped.result.stderr)).not.toMatch(/internal error/);
  });

  it('keeps what is done: its results, and a grades.csv of exactly those students', async () => {
    expect(kept.size).toBeGreaterThanOrEqual(1);
    expect(kept.size).toBeLessThan(CLASS.length);
    expect(csvStudents(keptCsv).sort()).toEqual([...kept.keys()].sort());
  });

  it('left no process and no job folder behind', async () => {
    expect(await leftoverProcesses({ cmdline: [work] })).toEqual([]);
    expect(await readdir(path.join(work, 'tmp'))).toEqual([]);
  });

  it('a second run finishes the batch, reusing what was done', async () => {
    expect(rerun.exitCode, String(rerun.stderr)).toBe(0);
    expect(String(rerun.stdout)).toContain(`(${CLASS.length - kept.size} graded, ${kept.size} unchanged since the last run)`);
    const csv = await readFile(path.join(out, 'grades.csv'), 'utf8');
    expect(csvStudents(csv).sort()).toEqual(CLASS.map(([s]) => s));
  });
});
