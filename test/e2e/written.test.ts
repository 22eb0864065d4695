// End to end on `written`: answers files graded in Node through the same CLI, result model and reports as code,
// with per-student variants, a malformed section that costs one question, and staff scores merged in.
import { mkdtemp, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Ajv } from 'ajv';
import { parse as parseYaml, stringify } from 'yaml';
import { readFileSync } from 'node:fs';
import { Result, type ResultT } from '../../graders/result/schema.js';
import { variantFor } from '../../reference/written/variant.js';
import { answersFromKey } from '../../reference/written/answers-from-key.js';
import { ROOT, dlgrade } from './cli.js';

const EXAMPLES = path.join(ROOT, 'examples', 'written');
const STAFF = path.join(EXAMPLES, 'staff-scores.csv');
const MANIFEST = parseYaml(readFileSync(path.join(ROOT, 'assignments', 'written', 'manifest.yaml'), 'utf8')) as { questions: { id: string; points: number; kind?: string }[] };
const sumPoints = (qs: { points: number }[]) => qs.reduce((s, q) => s + q.points, 0);
/** The manifest's total, and the automatic part a correct answers file gets before staff score anything. */
const TOTAL = sumPoints(MANIFEST.questions);
const BY_STAFF = sumPoints(MANIFEST.questions.filter((q) => q.kind === 'manual'));
const AUTO = TOTAL - BY_STAFF;

interface Expected {
  lose: string[];
  pending: string[];
  status: Record<string, string>;
}

async function readResults(out: string): Promise<Map<string, ResultT>> {
  const results = new Map<string, ResultT>();
  for (const file of await readdir(path.join(out, 'results'))) {
    results.set(file.replace(/\.json$/, ''), JSON.parse(await readFile(path.join(out, 'results', file), 'utf8')));
  }
  return results;
}

describe('dlgrade grade written examples (canonical values, staff scores)', () => {
  let out: string;
  let results: Map<string, ResultT>;
  const expected = new Map<string, Expected>();

  beforeAll(async () => {
    out = await mkdtemp(path.join(os.tmpdir(), 'dlgrade-e2e-written-'));
    const run = await dlgrade(['grade', 'written', EXAMPLES, '--out', out, '--no-progress', '--variant-id', 'canonical', '--staff-scores', STAFF]);
    expect(run.stderr).not.toMatch(/internal error/);
    expect(run.exitCode).toBe(0);
    results = await readResults(out);
    for (const entry of await readdir(EXAMPLES, { withFileTypes: true })) {
      if (entry.isDirectory()) expected.set(entry.name, JSON.parse(await readFile(path.join(EXAMPLES, entry.name, 'expected.json'), 'utf8')));
    }
  });

  it('grades every example into results that match the versioned JSON Schema', () => {
    expect([...results.keys()].sort()).toEqual([...expected.keys()].sort());
    const validate = new Ajv({ strict: false }).compile(Result);
    for (const [student, result] of results) {
      expect(validate(result), `${student}: ${JSON.stringify(validate.errors)}`).toBe(true);
      expect(result.fixtures).toMatchObject({ backend: 'none', files: { variants: 'canonical' } });
    }
  });

  it('each example loses exactly the autograded questions its expected.json names', () => {
    for (const [student, result] of results) {
      const manual = new Set(expected.get(student)!.pending);
      const lost = result.questions.filter((q) => !manual.has(q.id) && q.points < q.maxPoints).map((q) => q.id);
      expect(lost, student).toEqual(expected.get(student)!.lose);
    }
  });

  it('merges the staff scores: scored where the CSV has a row, pending elsewhere', () => {
    const correct = results.get('correct')!;
    // staff-scores.csv: full marks on every staff question of the correct example but min_norm_proof's 1.5 of 2.
    expect(correct.score).toEqual({ points: TOTAL - 0.5, maxPoints: TOTAL, pendingPoints: 0 });
    expect(correct.questions.find((q) => q.id === 'paper_review')).toMatchObject({ points: 3, status: 'passed', comment: 'good question at the end' });
    expect(correct.questions.find((q) => q.id === 'min_norm_proof')).toMatchObject({ points: 1.5, status: 'partial', comment: 'the limit is not shown to interpolate' });
    const malformed = results.get('malformed')!;
    expect(malformed.questions.find((q) => q.id === 'xor_proof')).toMatchObject({ points: 1, status: 'partial' });
    expect(malformed.questions.find((q) => q.id === 'min_norm_proof')).toMatchObject({ points: 0, status: 'pending' });
    expect(results.get('vgg-no-biases')!.score.pendingPoints).toBe(BY_STAFF);
  });

  it('the malformed section costs backprop only and names the file, line and path', () => {
    const backprop = results.get('malformed')!.questions.find((q) => q.id === 'backprop')!;
    expect(backprop.points).toBe(0);
    expect(backprop.cases[0].error?.message).toMatch(/malformed\/answers\.yaml:\d+: backprop\.gradients\.w3: expected a number, got "abc" \(string\)$/);
  });

  it('writes the gradebook with one column per question', async () => {
    const csv = await readFile(path.join(out, 'grades.csv'), 'utf8');
    expect(csv).toMatch(/^student,total,conv_as_matrix,perceptron,xor,relu_net,backprop,vgg11,cnn_table,xor_proof,min_norm_proof/);
    expect(csv).toMatch(new RegExp(`\ncorrect,${TOTAL - 0.5},3,2,2,3,6,4,4,2,1\\.5,3\n`));
  });

  it('writes a report that names the recognised mistake', async () => {
    const report = await readFile(path.join(out, 'vgg-no-biases', 'report.md'), 'utf8');
    expect(report).toMatch(/without the biases/);
  });
});

describe('per-student variants through the CLI', () => {
  let submissions: string;

  beforeAll(async () => {
    submissions = await mkdtemp(path.join(os.tmpdir(), 'dlgrade-e2e-written-variants-'));
    // s-101 answers with their own values; s-102 copied s-101's file; s-103 left the id out and used the handout's numbers.
    const own = answersFromKey(variantFor('s-101'));
    for (const [student, answers] of [['s-101', own], ['s-102', own], ['s-103', answersFromKey(variantFor(undefined))]] as const) {
      await mkdir(path.join(submissions, student));
      await writeFile(path.join(submissions, student, 'answers.yaml'), stringify(answers));
    }
  });

  it('dlgrade variant prints a student\'s values, the same as the grader uses', async () => {
    const run = await dlgrade(['variant', 'written', '--student-id', ' S-101 ']);
    expect(run.exitCode).toBe(0);
    const v = variantFor('s-101');
    expect(run.stdout).toContain('Values of student "s-101" for written:');
    expect(run.stdout).toContain(`backprop        x = [${v.backprop.x.join(', ')}]`);
    const json = await dlgrade(['variant', 'written', '--student-id', 's-101', '--json']);
    expect(JSON.parse(String(json.stdout))).toEqual(v);
    const canonical = await dlgrade(['variant', 'written']);
    expect(canonical.stdout).toContain('relu_net        points x = 2, -1, 1');
  });

  it('grade keys variants on the roster id: only the student whose values were used gets full marks', async () => {
    const out = await mkdtemp(path.join(os.tmpdir(), 'dlgrade-e2e-written-out-'));
    const roster = path.join(out, '..', `${path.basename(out)}-roster.csv`);
    await writeFile(roster, 'Student,ID,SIS User ID,SIS Login ID,Section\nAda,1,,s-101,A\nBo,2,,s-102,A\nCy,3,,s-103,A\n');
    const run = await dlgrade(['grade', 'written', submissions, '--out', out, '--no-progress', '--roster', roster]);
    expect(run.exitCode).toBe(0);
    const results = await readResults(out);
    expect(results.get('s-101')!.score).toEqual({ points: AUTO, maxPoints: TOTAL, pendingPoints: BY_STAFF });
    for (const student of ['s-102', 's-103']) {
      const lost = results.get(student)!.questions.filter((q) => q.status !== 'pending' && q.points < q.maxPoints).map((q) => q.id);
      expect(lost, student).toEqual(['conv_as_matrix', 'relu_net', 'backprop']);
    }
    expect(results.get('s-102')!.notices[0]).toBe('the answers file says student_id "s-101", but the values of "s-102" were graded');
  });

  it('check takes the id from the answers file, and --student-id overrides it', async () => {
    const own = await dlgrade(['check', 'written', '--submission', path.join(submissions, 's-102'), '--json']);
    expect(own.exitCode).toBe(0);
    expect(JSON.parse(String(own.stdout)).score.points).toBe(AUTO);
    const other = await dlgrade(['check', 'written', '--submission', path.join(submissions, 's-102'), '--student-id', 's-102']);
    expect(other.stdout).toMatch(new RegExp(`Total: \\d+(\\.\\d+)?/${TOTAL}`));
    expect(other.stdout).toContain('the answers file says student_id "s-101", but the values of "s-102" were graded');
  });
});

describe('grade written examples as the README and make demo run it (no options)', () => {
  it('gives each example the verdict its expected.json names: the correct answers get full marks on what is autograded', async () => {
    const out = await mkdtemp(path.join(os.tmpdir(), 'dlgrade-e2e-written-demo-'));
    const run = await dlgrade(['grade', 'written', EXAMPLES, '--out', out, '--no-progress']);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^correct +${AUTO}/${TOTAL}`, 'm'));
    expect(run.stderr).toMatch(/no known student id .*Pass --roster/);
    for (const [student, result] of await readResults(out)) {
      const expected = JSON.parse(await readFile(path.join(EXAMPLES, student, 'expected.json'), 'utf8')) as Expected;
      const lost = result.questions.filter((q) => q.status !== 'pending' && q.points < q.maxPoints).map((q) => q.id);
      expect(lost, student).toEqual(expected.lose);
    }
  });
});

describe('dlgrade check written', () => {
  it('shows the correct example at full marks with the proofs pending', async () => {
    const run = await dlgrade(['check', 'written', '--submission', path.join(EXAMPLES, 'correct')]);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(/backprop\s+PASS\s+6\/6/);
    expect(run.stdout).toMatch(/xor_proof\s+PENDING\s+0\/2/);
    expect(run.stdout).toContain(`Total: ${AUTO}/${TOTAL} (some questions pending staff grading)`);
  });

  it('tells the student what to fix, cell by cell', async () => {
    const run = await dlgrade(['check', 'written', '--submission', path.join(EXAMPLES, 'and-fails-one-row')]);
    expect(run.stdout).toMatch(/perceptron\s+PARTIAL\s+1\/2/);
    expect(run.stdout).toContain('✗ and: at x = (1, 1) w·x + b = -0.5 so f = 0, but AND = 1');
  });

  it('grades a file that is not YAML as zero with the line, without crashing', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'dlgrade-e2e-written-bad-'));
    await writeFile(path.join(dir, 'answers.yaml'), 'relu_net:\n  h: [15, 1.5\nbackprop: 1\n');
    const run = await dlgrade(['check', 'written', '--submission', dir]);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain(`Total: 0/${TOTAL}`);
    expect(run.stdout).toMatch(/answers\.yaml: not valid YAML at line 3, column 1/);
  });
});

describe('dlgrade ci written', () => {
  it('passes the gate on the correct example (pending proofs do not count) and fails it on the malformed one', async () => {
    const pass = await dlgrade(['ci', 'written', '--submission', path.join(EXAMPLES, 'correct')]);
    expect(pass.exitCode).toBe(0);
    expect(pass.stdout).toContain('gate: passed');
    const fail = await dlgrade(['ci', 'written', '--submission', path.join(EXAMPLES, 'malformed')]);
    expect(fail.exitCode).toBe(1);
  });
});

describe('dlgrade validate written', () => {
  it('checks the format, the key across variants, the solution and the starter', async () => {
    const run = await dlgrade(['validate', 'written']);
    expect(run.exitCode).toBe(0);
    expect(String(run.stdout).split('\n').map((l) => l.split(':')[0])).toEqual([
      'ok    manifest',
      'ok    answers format',
      'ok    answer key across variants',
      'ok    solution scores full marks',
      'ok    starter scores zero with clear messages',
    ]);
  });

  it('fixtures explains that an answers assignment has none', async () => {
    const run = await dlgrade(['fixtures', 'written']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('fixtures: written is graded from an answers file against its key in Node: it has no fixtures');
  });
});

describe('errors a person can make', () => {
  it('a staff scores CSV with points above the maximum stops the batch before grading, naming the line', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'dlgrade-e2e-written-csv-'));
    const csv = path.join(dir, 'scores.csv');
    await writeFile(csv, 'student_id,question,points,comment\ncorrect,xor_proof,2,\ncorrect,min_norm_proof,3,too generous\n');
    const run = await dlgrade(['grade', 'written', EXAMPLES, '--out', path.join(dir, 'out'), '--no-progress', '--staff-scores', csv]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toBe(`dlgrade: ${csv}: line 3: points: 3 is above the maximum of 2 for min_norm_proof`);
  });

  it('an unknown variant source is a usage error', async () => {
    const run = await dlgrade(['grade', 'written', EXAMPLES, '--out', os.tmpdir(), '--variant-id', 'roster']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('--variant-id must be one of submission, file, canonical, got "roster"');
  });

  it('dlgrade variant of an assignment without variants says so', async () => {
    const run = await dlgrade(['variant', 'style-transfer', '--student-id', 's1']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('variant: style-transfer runs code: it has no per-student values');
  });
});
