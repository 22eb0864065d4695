// End to end on the first assignment: the README's main job, check, fixtures, validate, and errors for people.
import { mkdtemp, readFile, readdir, writeFile, mkdir, cp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Ajv } from 'ajv';
import { Result } from '../../graders/result/schema.js';
import type { ResultT } from '../../graders/result/schema.js';
import { BIN, ROOT, dlgrade } from './cli.js';

const EXAMPLES = path.join(ROOT, 'examples', 'style-transfer');

/** An interpreter that notes each time it is started, then is the real one; and how many times it was. */
async function countingPython() {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'dlgrade-python-'));
  const python = path.join(dir, 'python3');
  await writeFile(python, `#!/bin/sh\necho started >> ${path.join(dir, 'starts')}\nexec /usr/bin/python3 "$@"\n`, { mode: 0o755 });
  return { python, starts: async () => (await readFile(path.join(dir, 'starts'), 'utf8').catch(() => '')).split('\n').filter(Boolean).length };
}

describe('dlgrade grade style-transfer examples', () => {
  let out: string;
  let stdout: string;
  const results = new Map<string, ResultT>();

  beforeAll(async () => {
    out = await mkdtemp(path.join(os.tmpdir(), 'dlgrade-e2e-'));
    const run = await dlgrade(['grade', 'style-transfer', EXAMPLES, '--out', out, '--jobs', '2', '--no-progress']);
    expect(run.stderr).not.toMatch(/internal error/);
    expect(run.exitCode).toBe(0);
    stdout = String(run.stdout);
    for (const file of await readdir(path.join(out, 'results'))) {
      results.set(file.replace(/\.json$/, ''), JSON.parse(await readFile(path.join(out, 'results', file), 'utf8')));
    }
  });

  it('grades every example and says where the reports are', async () => {
    const examples = (await readdir(EXAMPLES, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
    expect([...results.keys()].sort()).toEqual(examples.sort());
    expect(stdout).toMatch(/report\.html/);
    expect(stdout).toMatch(/grades\.csv/);
  });

  it('each example loses exactly the questions its expected.json names', async () => {
    for (const [student, result] of results) {
      const expected = JSON.parse(await readFile(path.join(EXAMPLES, student, 'expected.json'), 'utf8')) as { lose: string[] };
      const lost = result.questions.filter((q) => q.points < q.maxPoints).map((q) => q.id);
      expect(lost.sort(), student).toEqual([...expected.lose].sort());
    }
    expect(results.get('correct')!.score).toEqual({ points: 4, maxPoints: 4, pendingPoints: 0 });
  });

  it('writes results that match the versioned JSON Schema', () => {
    const validate = new Ajv({ strict: false }).compile(Result);
    for (const [student, result] of results) {
      expect(validate(result), `${student}: ${JSON.stringify(validate.errors)}`).toBe(true);
      expect(result.fixtures.backend).toMatch(/wasm|cpu|tensorflow/);
      expect(Object.keys(result.fixtures.files).length).toBeGreaterThan(0);
      expect(result.engine.runtime.torch).toMatch(/^1\./);
    }
  });

  it('names the mistake in the reports of the wrong examples', async () => {
    const report = (student: string, ext: string) => readFile(path.join(out, student, `report.${ext}`), 'utf8');
    expect(await report('gram-not-normalized', 'md')).toMatch(/too large by exactly H\*W\*C/);
    expect(await report('tv-abs', 'html')).toMatch(/sums absolute differences/);
    expect(await report('content-no-weight', 'md')).toMatch(/without the content weight/);
    expect(await report('does-not-import', 'md')).toMatch(/No module named 'torchvision'/);
    expect(await report('hangs-in-tv', 'md')).toMatch(/did not finish within 5 s/);
    const html = await report('correct', 'html');
    expect(html).toMatch(/<!doctype html>/i);
    expect(html).toContain('4 / 4');
  });

  it('only the hanging question is lost, and the later questions still run', () => {
    const hangs = results.get('hangs-in-tv')!;
    expect(hangs.questions.find((q) => q.id === 'tv_loss')!.cases[0].status).toBe('timeout');
    expect(hangs.score.points).toBe(3);
  });

  it('writes Gradescope results with hidden tests visible after publishing', async () => {
    const gs = JSON.parse(await readFile(path.join(out, 'tv-abs', 'results.json'), 'utf8'));
    expect(gs.score).toBe(3);
    // Hidden cases are visible after publication only, and unnamed: "hidden case 1 of 2".
    const hidden = gs.tests.filter((t: { visibility: string }) => t.visibility === 'after_published');
    expect(hidden.length).toBeGreaterThan(0);
    expect(hidden.every((t: { name: string }) => / — hidden case \d+ of \d+$/.test(t.name) && !t.name.includes('height-one'))).toBe(true);
    expect(gs.tests.every((t: Record<string, unknown>) => ['name', 'number', 'score', 'max_score', 'status', 'output', 'visibility'].every((k) => k in t))).toBe(true);
  });

  it('writes grades.csv and summary.json for the class', async () => {
    const csv = (await readFile(path.join(out, 'grades.csv'), 'utf8')).trim().split('\n');
    expect(csv[0]).toBe('student,total,content_loss,gram_matrix,style_loss,tv_loss');
    expect(csv).toContain('correct,4,1,1,1,1');
    const summary = JSON.parse(await readFile(path.join(out, 'summary.json'), 'utf8'));
    expect(summary.students).toBe(results.size);
    expect(summary.questions.map((q: { id: string }) => q.id)).toEqual(['content_loss', 'gram_matrix', 'style_loss', 'tv_loss']);
    expect(summary.distribution.reduce((s: number, b: { count: number }) => s + b.count, 0)).toBe(results.size);
  });

  it('a second run reuses the finished results instead of grading again', async () => {
    const again = await dlgrade(['grade', 'style-transfer', EXAMPLES, '--out', out, '--jobs', '2', '--no-progress']);
    expect(again.exitCode).toBe(0);
    expect(String(again.stdout)).toMatch(/0 graded, 6 unchanged/);
  });
});

describe('dlgrade grade run inside the class folder', () => {
  it('writes dlgrade-out/ there, and the next run does not take it for a student', async () => {
    const classDir = await mkdtemp(path.join(os.tmpdir(), 'dlgrade-class-'));
    await cp(path.join(EXAMPLES, 'correct'), path.join(classDir, 'jane'), { recursive: true });
    const first = await dlgrade(['grade', 'style-transfer', '.', '--jobs', '1', '--no-progress'], { cwd: classDir });
    expect(first.exitCode, String(first.stderr)).toBe(0);
    const second = await dlgrade(['grade', 'style-transfer', '.', '--jobs', '1', '--no-progress'], { cwd: classDir });
    expect(second.exitCode).toBe(0);
    expect(String(second.stdout)).not.toMatch(/^(skipped )?dlgrade-out\b/m);
    expect(String(second.stdout)).toMatch(/0 graded, 1 unchanged/);
    expect((await readFile(path.join(classDir, 'dlgrade-out', 'grades.csv'), 'utf8')).split('\n').filter(Boolean)).toHaveLength(2);
  });
});

describe('dlgrade grade and its output folder', () => {
  it('refuses an output folder it cannot make, naming it, before any Python starts', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'dlgrade-out-file-'));
    await writeFile(path.join(dir, 'grades'), 'a file where the output folder should go\n');
    const { python, starts } = await countingPython();
    const run = await dlgrade(['grade', 'style-transfer', EXAMPLES, '--out', path.join(dir, 'grades', 'hw1'), '--python', python, '--no-progress']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/^dlgrade: --out .*grades\/hw1: .*grades is a file, not a folder$/);
    expect(await starts()).toBe(0);
  });
});

describe('dlgrade check', () => {
  it('prints a table and the total for the correct example, public tests only', async () => {
    const run = await dlgrade(['check', 'style-transfer', '--submission', path.join(EXAMPLES, 'correct')]);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(/content_loss\s+PASS\s+1\/1/);
    expect(run.stdout).toMatch(/Total: 4\/4/);
  });

  it('gives JSON with only public cases, filtered by question', async () => {
    const run = await dlgrade(['check', 'style-transfer', '-s', path.join(EXAMPLES, 'tv-abs'), '--question', 'tv_loss', '--json']);
    const result = JSON.parse(String(run.stdout)) as ResultT;
    expect(result.questions.map((q) => q.id)).toEqual(['tv_loss']);
    expect(result.questions[0].cases.every((c) => c.visibility === 'public')).toBe(true);
    expect(result.questions[0].cases[0].mistakes[0].id).toBe('abs-instead-of-square');
  });

  it('says which question is unknown', async () => {
    const run = await dlgrade(['check', 'style-transfer', '--question', 'gram']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/has no question "gram"/);
  });

  it('says which assignment is unknown and lists the known ones, without starting Python for it', async () => {
    const { python, starts } = await countingPython();
    const run = await dlgrade(['check', 'style-transfr', '--python', python]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/no assignment "style-transfr" \(known: .*style-transfer/);
    expect(await starts()).toBe(0);
  });

  it('refuses a file that is no kind of submission (exit 2), naming what it takes, without starting Python', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'dlgrade-notes-'));
    await writeFile(path.join(dir, 'notes.txt'), 'my answers are in the other folder\n');
    const { python, starts } = await countingPython();
    const run = await dlgrade(['check', 'style-transfer', '-s', path.join(dir, 'notes.txt'), '--python', python]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/notes\.txt is not a submission for style-transfer: give the folder that holds your style_modules\.py, a \.zip of it, or one file \(\.py, \.ipynb/);
    expect(await starts()).toBe(0);
  });

  it('refuses an empty submission folder with a sentence (exit 2) instead of a table of missing files, without starting Python', async () => {
    const empty = await mkdtemp(path.join(os.tmpdir(), 'dlgrade-empty-'));
    const { python, starts } = await countingPython();
    const run = await dlgrade(['check', 'style-transfer', '-s', empty, '--python', python]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/is empty: style-transfer needs style_modules\.py in it/);
    expect(await starts()).toBe(0);
  });
});

describe('dlgrade list', () => {
  it('piped into a reader that stops after the first line (`| head -1`), exits as usual without a stack trace', async () => {
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, [BIN, 'list'], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});

describe('assignment authoring', () => {
  it('fixtures --check finds the committed fixtures byte-identical', async () => {
    const run = await dlgrade(['fixtures', 'style-transfer', '--check']);
    expect(run.stdout).toMatch(/byte-identical/);
    expect(run.exitCode).toBe(0);
  });

  it('validate passes every self-test', async () => {
    const run = await dlgrade(['validate', 'style-transfer']);
    expect(run.stdout).not.toMatch(/FAIL/);
    expect(run.stdout).toMatch(/solution scores full marks: 4\/4/);
    expect(run.stdout).toMatch(/starter scores zero/);
    expect(run.exitCode).toBe(0);
  });

  it('a malformed manifest gets a message naming the file and the path', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'dlgrade-assignments-'));
    await cp(path.join(ROOT, 'assignments', 'style-transfer'), path.join(root, 'style-transfer'), { recursive: true });
    const manifest = path.join(root, 'style-transfer', 'manifest.yaml');
    const text = await readFile(manifest, 'utf8');
    await writeFile(manifest, text.replace('rtol: 1.0e-4', 'rtol: -1'));
    const run = await dlgrade(['list'], { env: { DLGRADE_ASSIGNMENTS: root } });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/manifest\.yaml: defaults\.compare\.rtol must be a number >= 0, got -1 \(number\)/);
    await mkdir(path.join(root, 'style-transfer'), { recursive: true });
  });
});

describe('dlgrade grade with zipped submissions', () => {
  it('grades a zip of a folder and a zip of files, and a corrupt zip costs only that student', async () => {
    const { zipSync } = await import('fflate');
    const dir = await mkdtemp(path.join(os.tmpdir(), 'dlgrade-zips-'));
    const file = async (example: string) => new Uint8Array(await readFile(path.join(EXAMPLES, example, 'style_modules.py')));
    await writeFile(path.join(dir, 'alice.zip'), zipSync({ 'correct/style_modules.py': await file('correct') }));
    await writeFile(path.join(dir, 'bob.zip'), zipSync({ 'style_modules.py': await file('tv-abs') }));
    await writeFile(path.join(dir, 'carol.zip'), 'not a zip');
    await writeFile(path.join(dir, 'dave.zip'), zipSync({ '../escape.py': await file('correct') }));
    const out = path.join(dir, 'out');
    const run = await dlgrade(['grade', 'style-transfer', dir, '--out', out, '--no-progress']);
    expect(run.exitCode).toBe(0);
    const score = async (s: string) => (JSON.parse(await readFile(path.join(out, 'results', `${s}.json`), 'utf8')) as ResultT).score.points;
    expect(await score('alice')).toBe(4);
    expect(await score('bob')).toBe(3);
    expect(await score('carol')).toBe(0);
    expect(run.stdout).toMatch(/carol .*not a readable zip/);
    expect(run.stdout).toMatch(/dave .*points outside the submission/);
  });
});

describe('dlgrade grade --no-sandbox', () => {
  it('grades without bubblewrap only when asked, and records it in the result', async () => {
    const out = await mkdtemp(path.join(os.tmpdir(), 'dlgrade-nosandbox-'));
    const run = await dlgrade(['grade', 'style-transfer', EXAMPLES, '--out', out, '--no-sandbox', '--question', 'content_loss', '--no-progress']);
    expect(run.exitCode).toBe(0);
    const result = JSON.parse(await readFile(path.join(out, 'results', 'correct.json'), 'utf8')) as ResultT;
    expect(result.engine.sandbox).toBe('none');
    expect(result.score.points).toBe(1);
  });
});
