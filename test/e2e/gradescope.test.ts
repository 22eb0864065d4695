// Gradescope end to end: autograder.zip run in an emulated /autograder layout, results.json checked against
// Gradescope's format with Ajv; and `grade` on a Gradescope "export submissions" folder.
import { cp, mkdir, mkdtemp, readFile, readdir, stat, symlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { Ajv } from 'ajv';
import { parse as parseCsv } from 'csv-parse/sync';
import { ROOT, dlgrade } from './cli.js';
import { unzipLikeGradescope } from './served.js';
import { GradescopeResultsSchema, type GradescopeResultsT } from '../../graders/export/gradescope-schema.js';

const ID = 'style-transfer';
const EXAMPLES = path.join(ROOT, 'examples', ID);
const PYTHON = process.env.DLGRADE_PYTHON ?? '/usr/bin/python3';
const validate = new Ajv({ allErrors: true, strict: false }).compile<GradescopeResultsT>(GradescopeResultsSchema);

let tmp: string;
let zip: string;

const unzipInto = (zipFile: string, dir: string) => unzipLikeGradescope(PYTHON, zipFile, dir);

/** An /autograder folder under a temporary root, with the bundle unpacked and set up, and one submission. */
async function autograderRoot(name: string, submission: (dir: string) => Promise<void>): Promise<string> {
  const root = path.join(tmp, name);
  await mkdir(path.join(root, 'source'), { recursive: true });
  await unzipInto(zip, path.join(root, 'source'));
  // What setup.sh's `npm ci --omit=dev` installs, without the network.
  await symlink(path.join(ROOT, 'node_modules'), path.join(root, 'source', 'dlgrade', 'node_modules'), 'dir');
  await mkdir(path.join(root, 'submission'));
  await submission(path.join(root, 'submission'));
  return root;
}

const env = (root: string) => ({ AUTOGRADER_ROOT: root, DLGRADE_PYTHON: PYTHON });

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'dlgrade-gradescope-'));
  zip = path.join(tmp, 'autograder.zip');
  const run = await dlgrade(['export-gradescope', ID, '--out', zip]);
  expect(run.exitCode, run.stderr).toBe(0);
});

// Each test unpacks its own /autograder root, so they run concurrently.
describe.concurrent('export-gradescope', () => {
  it('puts setup.sh and an executable run_autograder at the root, every case, and no answer key', async () => {
    const root = path.join(tmp, 'listing');
    await unzipInto(zip, root);
    const top = await readdir(root);
    expect(top.sort()).toEqual(['dlgrade', 'run_autograder', 'setup.sh']);
    expect((await stat(path.join(root, 'run_autograder'))).mode & 0o111).not.toBe(0);
    expect((await readFile(path.join(root, 'run_autograder'), 'utf8')).startsWith('#!/usr/bin/env bash')).toBe(true);
    const hiddenLock = JSON.parse(await readFile(path.join(root, 'dlgrade', 'fixtures', ID, 'fixtures.lock.json'), 'utf8')) as { files: Record<string, string> };
    expect(Object.keys(hiddenLock.files).some((f) => f.startsWith('hidden/'))).toBe(true);
    // A code assignment is graded from its fixtures: the bundle needs no key, so it ships none.
    expect(existsSync(path.join(root, 'dlgrade', 'dist', 'reference'))).toBe(false);
  });

  it('grades /autograder/submission into /autograder/results/results.json in Gradescope\'s format', async () => {
    const root = await autograderRoot('partial', (dir) => cp(path.join(EXAMPLES, 'gram-not-normalized'), dir, { recursive: true }));
    const setup = await execa('bash', [path.join(root, 'source', 'setup.sh')], { cwd: root, env: env(root), reject: false });
    expect(setup.exitCode, setup.stderr).toBe(0);
    expect(setup.stdout).toMatch(/setup: dlgrade .* for style-transfer is ready/);
    // Gradescope copies run_autograder to /autograder and executes it there.
    await cp(path.join(root, 'source', 'run_autograder'), path.join(root, 'run_autograder'));
    const run = await execa(path.join(root, 'run_autograder'), [], { cwd: root, env: env(root), reject: false });
    expect(run.exitCode, run.stderr + run.stdout).toBe(0);

    const results = JSON.parse(await readFile(path.join(root, 'results', 'results.json'), 'utf8')) as GradescopeResultsT;
    expect(validate(results), JSON.stringify(validate.errors)).toBe(true);
    const tests = results.tests!;
    const manifestCases = 4 + 6 + 4 + 5; // every case of the four questions, public and hidden
    expect(tests).toHaveLength(manifestCases);
    expect(tests.filter((t) => t.visibility === 'after_published').length).toBe(8);
    const sum = tests.reduce((s, t) => s + (t.score ?? 0), 0);
    // Test shares are in hundredths (largest remainder per question); the total is the exact score.
    expect(Math.abs(results.score - sum)).toBeLessThanOrEqual(0.01 * 4 + 1e-9);
    expect(results.score).toBeGreaterThan(0);
    expect(results.score).toBeLessThan(4);
    const gram = tests.find((t) => t.name?.includes('(gram_matrix)') && t.status === 'failed')!;
    expect(gram.output).toMatch(/Gram matrix is too large by exactly H\\?\*W\\?\*C/);
  });

  it('finds the submission one folder down (a zipped folder) and gives full marks to the correct example', async () => {
    const root = await autograderRoot('nested', (dir) => cp(path.join(EXAMPLES, 'correct'), path.join(dir, 'my-homework'), { recursive: true }));
    const run = await execa('bash', [path.join(root, 'source', 'run_autograder')], { cwd: root, env: env(root), reject: false });
    expect(run.exitCode, run.stderr + run.stdout).toBe(0);
    const results = JSON.parse(await readFile(path.join(root, 'results', 'results.json'), 'utf8')) as GradescopeResultsT;
    expect(validate(results), JSON.stringify(validate.errors)).toBe(true);
    expect(results.score).toBe(4);
    expect(results.tests!.every((t) => t.status === 'passed')).toBe(true);
  });
});

describe('grade on a Gradescope "export submissions" folder', () => {
  it('grades each submission once per student named in submission_metadata.yml', async () => {
    const exported = path.join(tmp, 'assignment_123_export');
    await cp(path.join(EXAMPLES, 'correct'), path.join(exported, 'submission_9001'), { recursive: true });
    await cp(path.join(EXAMPLES, 'tv-abs'), path.join(exported, 'submission_9002'), { recursive: true });
    await writeFile(
      path.join(exported, 'submission_metadata.yml'),
      `submission_9001:
  :submitters:
  - :name: Ada Lovelace
    :sid: 's1815'
    :email: ada@example.edu
  :created_at: 2024-03-01 10:00:00.000000000 -08:00
  :score: 0.0
submission_9002:
  :submitters:
  - :name: Grace Hopper
    :sid: 's1906'
    :email: grace@example.edu
  - :name: Alan Turing
    :email: alan@example.edu
  :created_at: 2024-03-01 11:00:00.000000000 -08:00
`,
    );
    const out = path.join(tmp, 'export-out');
    const run = await dlgrade(['grade', ID, exported, '--out', out, '--jobs', '2', '--no-progress']);
    expect(run.exitCode, run.stderr).toBe(0);
    const grades = parseCsv(await readFile(path.join(out, 'grades.csv')), { columns: true }) as Record<string, string>[];
    expect(grades.map((g) => [g.student, Number(g.total)])).toEqual([
      ['alan@example.edu', 3],
      ['s1815', 4],
      ['s1906', 3],
    ]);
    const result = JSON.parse(await readFile(path.join(out, 'results', 's1906.json'), 'utf8'));
    expect(path.basename(result.submission.path)).toBe('submission_9002');
  });
});
