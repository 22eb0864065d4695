import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { createContext } from '../../graders/engine/context.js';
import { gradeSubmission, type GradingContext } from '../../graders/engine/grade-submission.js';
import { Result } from '../../graders/result/schema.js';
import { Ajv } from 'ajv';
import { applyAnswersOptions } from '../../graders/answers/grade-submission.js';
import { attachStaffScores, unmatchedStaffScoreWarnings } from '../../graders/manual/manual-questions.js';
import { variantFor } from './variant.js';
import { answerKeys } from '../index.js';
import { answersFromKey } from './answers-from-key.js';

const root = path.resolve(import.meta.dirname, '../..');
const example = (name: string) => path.join(root, 'examples/written', name);
const validateResult = new Ajv({ strict: false }).compile(Result);

/** The manifest's total and the part staff grade, so adding a question changes no expectation here. */
function pointsOf(ctx: GradingContext): { total: number; byStaff: number } {
  const sum = (qs: { points: number }[]) => qs.reduce((s, q) => s + q.points, 0);
  return { total: sum(ctx.assignment.manifest.questions), byStaff: sum(ctx.assignment.manifest.questions.filter((q) => q.kind === 'manual')) };
}

async function submission(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'dlgrade-written-'));
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
  return dir;
}

describe('answers submissions through the engine', () => {
  it('check grades the correct example with the canonical values into a valid Result', async () => {
    const ctx = await createContext('written', { mode: 'check', keys: answerKeys });
    const result = await gradeSubmission(ctx, { student: 'correct', dir: example('correct') });
    expect(validateResult(result), JSON.stringify(validateResult.errors)).toBe(true);
    const { total, byStaff } = pointsOf(ctx);
    expect(result.score).toEqual({ points: total - byStaff, maxPoints: total, pendingPoints: byStaff });
    expect(result.fixtures).toMatchObject({ backend: 'none', files: {} });
    expect(result.notices).toHaveLength(1);
    expect(result.notices[0]).toMatch(/^These are the handout's values: no student id was given\. The instructor grades with your own values — see them with "dlgrade variant written --student-id YOUR_ID"/);
    const vgg = result.questions.find((q) => q.id === 'vgg11')!;
    expect(vgg.cases).toHaveLength(34);
    expect(vgg.cases[0]).toMatchObject({ id: 'layers.conv1.output_shape', status: 'pass', weight: 1 });
  });

  it('grade never takes a folder name for a student id: without a roster or LMS id the correct example keeps full marks, and says why', async () => {
    const ctx = await createContext('written', { mode: 'grade', keys: answerKeys });
    const result = await gradeSubmission(ctx, { student: 'correct', dir: example('correct') });
    expect(result.score.points).toBe(24);
    expect(result.notices).toEqual(['no known student id for "correct" (not on the roster, no LMS id) and none in the answers file: graded with the handout\'s values, not the student\'s own']);
  });

  it('grade uses the name when the roster or the LMS says it is a student id, so canonical answers lose the variant questions', async () => {
    const lost = (r: { questions: { id: string; points: number; maxPoints: number; status: string }[] }) => r.questions.filter((q) => q.points < q.maxPoints && q.status !== 'pending').map((q) => q.id);
    const ctx = await createContext('written', { mode: 'grade', keys: answerKeys });
    ctx.answers = { rosterIds: new Set(['correct']) };
    const onRoster = await gradeSubmission(ctx, { student: 'correct', dir: example('correct') });
    expect(lost(onRoster)).toEqual(['conv_as_matrix', 'relu_net', 'backprop']);
    expect(onRoster.notices).toEqual([]);
    const fromLms = await gradeSubmission({ ...ctx, answers: {} }, { student: 'correct', dir: example('correct'), knownId: true });
    expect(lost(fromLms)).toEqual(['conv_as_matrix', 'relu_net', 'backprop']);
  });

  it('a student who used their own values gets full marks in grade, and a notice when the file names someone else', async () => {
    const ctx = await createContext('written', { mode: 'grade', keys: answerKeys });
    ctx.answers = { rosterIds: new Set(['s-0042', 's-0043']) };
    const answers = answersFromKey(variantFor('s-0042'));
    const dir = await submission({ 'answers.yaml': stringify({ ...answers, student_id: 'S-0042' }) });
    const result = await gradeSubmission(ctx, { student: 's-0042', dir });
    expect(result.score.points).toBe(24);
    const other = await gradeSubmission(ctx, { student: 's-0043', dir });
    expect(other.notices[0]).toBe('the answers file says student_id "S-0042", but the values of "s-0043" were graded');
    // Without a roster the file's id is used, and the notice says there was no known id.
    const noRoster = await gradeSubmission({ ...ctx, answers: {} }, { student: 's-0043', dir });
    expect(noRoster.score.points).toBe(24);
    expect(noRoster.notices.at(-1)).toMatch(/^no known student id for "s-0043" .*graded with the answers file's student_id, the values of student "s-0042"/);
  });

  it('check takes the id from the file, or from --student-id', async () => {
    const ctx = await createContext('written', { mode: 'check', keys: answerKeys });
    const dir = await submission({ 'answers.json': JSON.stringify(answersFromKey(variantFor('alice'))) });
    expect((await gradeSubmission(ctx, { student: 'x', dir })).score.points).toBe(24);
    await applyAnswersOptions(ctx, { studentId: 'bob' });
    const asBob = await gradeSubmission(ctx, { student: 'x', dir });
    expect(asBob.score.points).toBeLessThan(24);
    expect(asBob.notices).toContain('the answers file says student_id "alice", but the values of "bob" were graded');
  });

  it('a submission without an answers file fails every question with the reason, and is still a Result', async () => {
    const ctx = await createContext('written', { mode: 'grade', keys: answerKeys });
    const dir = await submission({ 'notes.txt': 'hello' });
    const result = await gradeSubmission(ctx, { student: 's1', dir });
    expect(validateResult(result)).toBe(true);
    expect(result.score.points).toBe(0);
    expect(result.notices[0]).toMatch(/no answers file: expected one of answers\.yaml, answers\.yml, answers\.json$/);
    const [manual, graded] = [result.questions.filter((q) => q.manual), result.questions.filter((q) => !q.manual)];
    expect(graded.every((q) => q.status === 'failed' && q.cases[0].error?.message === result.notices[0])).toBe(true);
    // Proofs stay with staff (one may have been handed in on paper); staff see that the file was missing.
    expect(manual.map((q) => [q.id, q.status, q.manual!.material[0].problem])).toEqual([
      ['xor_proof', 'pending', 'no answers file (answers.yaml, answers.yml, answers.json)'],
      ['min_norm_proof', 'pending', 'no answers file (answers.yaml, answers.yml, answers.json)'],
      ['paper_review', 'pending', 'not handed in: review.md is not in the submission'],
    ]);
  });

  it('a file that is not YAML names the line in every question', async () => {
    const ctx = await createContext('written', { mode: 'check', keys: answerKeys });
    const dir = await submission({ 'answers.yaml': 'relu_net:\n  h: [1, 2\nbackprop: {}\n' });
    const result = await gradeSubmission(ctx, { student: 's1', dir });
    expect(result.questions[0].cases[0].error?.message).toMatch(/answers\.yaml: not valid YAML at line 3, column 1/);
  });

  it('--staff-scores merges scores, records the file in the lock, and warns about unknown students', async () => {
    const ctx = await createContext('written', { mode: 'grade', keys: answerKeys });
    await applyAnswersOptions(ctx, { variantId: 'canonical' });
    await attachStaffScores(ctx, example('staff-scores.csv'));
    expect(Object.keys(ctx.lock.files)).toEqual(['variants', 'staff-scores/staff-scores.csv']);
    const result = await gradeSubmission(ctx, { student: 'correct', dir: example('correct') });
    // The CSV gives the correct example full marks on every staff question but 0.5 on min_norm_proof.
    expect(result.score).toEqual({ points: pointsOf(ctx).total - 0.5, maxPoints: pointsOf(ctx).total, pendingPoints: 0 });
    const proof = result.questions.find((q) => q.id === 'min_norm_proof')!;
    expect(proof).toMatchObject({ status: 'partial', points: 1.5, comment: 'the limit is not shown to interpolate' });
    expect(unmatchedStaffScoreWarnings(ctx, ['correct'])).toEqual([
      `${example('staff-scores.csv')}: line 8: no submission for student "malformed"; the score for xor_proof was not used`,
    ]);
  });

  it('answers options are refused for a code assignment', async () => {
    const ctx = { assignment: { manifest: { id: 'style-transfer', runner: 'python' } } } as unknown as GradingContext;
    await expect(applyAnswersOptions(ctx, { studentId: 's1', variantId: 'file' })).rejects.toThrow(
      '--student-id, --variant-id: only for answers assignments (runner: answers); style-transfer runs code',
    );
    await expect(applyAnswersOptions(ctx, {})).resolves.toBeUndefined();
  });

  it('a bad variant source and a score above the maximum are refused, naming the flag or the line', async () => {
    const ctx = await createContext('written', { mode: 'grade', keys: answerKeys });
    await expect(applyAnswersOptions(ctx, { variantId: 'roster' })).rejects.toThrow('--variant-id must be one of submission, file, canonical, got "roster"');
    const dir = await mkdtemp(path.join(os.tmpdir(), 'dlgrade-scores-'));
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'scores.csv'), 'student_id,question,points\ns1,xor_proof,5\n');
    await expect(attachStaffScores(ctx, path.join(dir, 'scores.csv'))).rejects.toThrow('scores.csv: line 2: points: 5 is above the maximum of 2 for xor_proof');
  });
});
