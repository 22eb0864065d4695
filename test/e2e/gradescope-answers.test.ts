// Gradescope end to end for an answers assignment (written): the bundle ships written's compiled key and no other,
// run_autograder takes the student id from submission_metadata.json and grades with that student's own values.
import { mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { Ajv } from 'ajv';
import { parse as parseYaml, stringify } from 'yaml';
import { ROOT, dlgrade } from './cli.js';
import { unzipLikeGradescope } from './served.js';
import { GradescopeResultsSchema, type GradescopeResultsT } from '../../graders/export/gradescope-schema.js';
import { answersFromKey } from '../../reference/written/answers-from-key.js';
import { variantFor } from '../../reference/written/variant.js';

const ID = 'written';
const PYTHON = process.env.DLGRADE_PYTHON ?? '/usr/bin/python3';
const MANIFEST = parseYaml(readFileSync(path.join(ROOT, 'assignments', ID, 'manifest.yaml'), 'utf8')) as { questions: { id: string; points: number; kind?: string }[] };
/** What a full answers file earns before staff score anything. */
const AUTOMATIC = MANIFEST.questions.filter((q) => q.kind !== 'manual').reduce((s, q) => s + q.points, 0);
const validate = new Ajv({ allErrors: true, strict: false }).compile<GradescopeResultsT>(GradescopeResultsSchema);

let tmp: string;
let zip: string;

const unzipInto = (zipFile: string, dir: string) => unzipLikeGradescope(PYTHON, zipFile, dir);

/** Runs the bundle on one answers file, as Gradescope would, with `metadata` as submission_metadata.json. */
async function runAutograder(name: string, answers: Record<string, unknown>, metadata?: unknown) {
  const root = path.join(tmp, name);
  await mkdir(path.join(root, 'source'), { recursive: true });
  await unzipInto(zip, path.join(root, 'source'));
  // What setup.sh's `npm ci --omit=dev` installs, without the network.
  await symlink(path.join(ROOT, 'node_modules'), path.join(root, 'source', 'dlgrade', 'node_modules'), 'dir');
  await mkdir(path.join(root, 'submission'));
  await writeFile(path.join(root, 'submission', 'answers.yaml'), stringify(answers));
  if (metadata !== undefined) await writeFile(path.join(root, 'submission_metadata.json'), JSON.stringify(metadata));
  const env = { AUTOGRADER_ROOT: root, PATH: process.env.PATH ?? '' };
  const setup = await execa('bash', [path.join(root, 'source', 'setup.sh')], { cwd: root, env, reject: false });
  const run = await execa('bash', [path.join(root, 'source', 'run_autograder')], { cwd: root, env, reject: false });
  const results = run.exitCode === 0 ? (JSON.parse(await readFile(path.join(root, 'results', 'results.json'), 'utf8')) as GradescopeResultsT) : undefined;
  return { setup, run, results };
}

/** Gradescope's metadata for one student (the fields run_autograder reads, and a few it ignores). */
const metadataFor = (user: Record<string, string>) => ({ id: 1, created_at: '2026-03-01T10:00:00-05:00', assignment: { id: 2, title: 'Written questions' }, users: [{ id: 3, name: 'A Student', ...user }] });

/** Autograded questions that lost points (pending staff questions excluded). */
const lost = (results: GradescopeResultsT) => [...new Set(results.tests!.filter((t) => t.max_score! > 0 && (t.score ?? 0) < t.max_score!).map((t) => /\(([a-z0-9_]+)\) — /.exec(t.name!)![1]))].filter((q) => MANIFEST.questions.find((m) => m.id === q)?.kind !== 'manual');

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'dlgrade-gradescope-answers-'));
  zip = path.join(tmp, 'autograder.zip');
  const run = await dlgrade(['export-gradescope', ID, '--out', zip]);
  expect(run.exitCode, run.stderr).toBe(0);
  expect(run.stdout).toContain("the answer key of written (read by the harness only: no student code runs)");
});

afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe.concurrent('export-gradescope for an answers assignment', () => {
  it('ships the written key and the registry, no other key, no fixtures, no TypeScript', async () => {
    const root = path.join(tmp, 'listing');
    await unzipInto(zip, root);
    expect((await readdir(path.join(root, 'dlgrade', 'dist', 'reference'))).sort()).toEqual(['index.js', 'written']);
    const files = await readdir(path.join(root, 'dlgrade'), { recursive: true });
    expect(files.filter((f) => f.endsWith('.ts') || f.endsWith('.test.js'))).toEqual([]);
    expect(existsSync(path.join(root, 'dlgrade', 'fixtures'))).toBe(false);
    expect(existsSync(path.join(root, 'dlgrade', 'assignments', ID, 'manifest.yaml'))).toBe(true);
  });

  it('grades a correct answers file with the values of the student Gradescope names (sid): full automatic marks', async () => {
    const { setup, run, results } = await runAutograder('sid', answersFromKey(variantFor('s-101')), metadataFor({ sid: 's-101', email: 'ada@example.edu' }));
    expect(setup.exitCode, setup.stderr).toBe(0);
    expect(setup.stdout).not.toMatch(/PyTorch|torch/);
    expect(run.exitCode, run.stderr + run.stdout).toBe(0);
    expect(validate(results), JSON.stringify(validate.errors)).toBe(true);
    expect(results!.score).toBe(AUTOMATIC);
    expect(lost(results!)).toEqual([]);
    // The file's student_id and Gradescope's agree, so nothing is said about values.
    expect(results!.output).not.toMatch(/were graded|handout's values/);
  });

  it('falls back to the e-mail without an sid, and another student\'s answers lose the variant questions', async () => {
    const { run, results } = await runAutograder('email', answersFromKey(variantFor('s-101')), metadataFor({ email: 'bo@example.edu' }));
    expect(run.exitCode, run.stderr + run.stdout).toBe(0);
    expect(results!.output).toContain('the answers file says student_id "s-101", but the values of "bo@example.edu" were graded');
    expect(lost(results!).sort()).toEqual(['backprop', 'conv_as_matrix', 'relu_net']);
  });

  it('without submission_metadata.json grades with the handout\'s values and says so', async () => {
    const { run, results } = await runAutograder('no-metadata', answersFromKey(variantFor(undefined)));
    expect(run.exitCode, run.stderr + run.stdout).toBe(0);
    expect(run.stderr).toContain('no usable student id in submission_metadata.json');
    expect(results!.score).toBe(AUTOMATIC);
    expect(results!.output).toMatch(/graded with the handout's values/);
  });
});

describe('a wrong answers file through the bundle', () => {
  it('loses exactly the questions the and-fails-one-row example names (it has no student id: the handout\'s values)', async () => {
    const example = path.join(ROOT, 'examples', ID, 'and-fails-one-row');
    const answers = parseYaml(await readFile(path.join(example, 'answers.yaml'), 'utf8')) as Record<string, unknown>;
    const expected = JSON.parse(await readFile(path.join(example, 'expected.json'), 'utf8')) as { lose: string[] };
    const { run, results } = await runAutograder('wrong', answers);
    expect(run.exitCode, run.stderr + run.stdout).toBe(0);
    expect(lost(results!)).toEqual(expected.lose);
    expect(results!.score).toBeLessThan(AUTOMATIC);
  });
});
