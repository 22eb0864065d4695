import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DlgradeError } from '../../graders/errors.js';
import { checkStaffScores, loadStaffScores, mergeStaffScores, parseStaffScores, unmatchedStaffScores, type StaffQuestionInfo } from '../../graders/answers/staff-scores.js';
import { gradeAnswers } from '../../graders/answers/grade-answers.js';
import { WRITTEN_DEFAULT_QUESTIONS, writtenKey } from './index.js';
import { parseAnswers } from '../../graders/answers/load-answers.js';
import { variantFor } from './variant.js';

const QUESTIONS: StaffQuestionInfo[] = [
  { id: 'relu_net', maxPoints: 3, manual: false },
  { id: 'xor_proof', maxPoints: 2, manual: true },
  { id: 'min_norm_proof', maxPoints: 2, manual: true },
];

function error(fn: () => unknown): DlgradeError {
  try {
    fn();
  } catch (e) {
    return e as DlgradeError;
  }
  throw new Error('expected an error');
}

describe('parseStaffScores', () => {
  it('reads rows with their line numbers; quoted commas and blank lines are fine; comment is optional', () => {
    const text = 'student_id,question,points,comment\ns1,xor_proof,2,"clear, complete"\n\nS2 ,min_norm_proof,1.5,\n';
    expect(parseStaffScores(text, 'scores.csv')).toEqual([
      { studentId: 's1', question: 'xor_proof', points: 2, comment: 'clear, complete', line: 2 },
      { studentId: 'S2', question: 'min_norm_proof', points: 1.5, comment: '', line: 4 },
    ]);
    expect(parseStaffScores('question,points,student_id\nxor_proof,1,s1\n', 'scores.csv')[0]).toMatchObject({ studentId: 's1', comment: '' });
  });

  it('reads an empty file as no scores', () => {
    expect(parseStaffScores('', 'scores.csv')).toEqual([]);
  });

  it.each([
    ['student_id,question,points\ns1,xor_proof,abc\n', 'scores.csv: line 2: points: expected a number, got "abc" (string)'],
    ['student_id,question,points\ns1,xor_proof,\n', 'scores.csv: line 2: points: expected a number, got "" (string)'],
    ['student_id,question,points\ns1,xor_proof,-1\n', 'scores.csv: line 2: points: expected a number >= 0, got -1'],
    ['student_id,question,points\n,xor_proof,1\n', 'scores.csv: line 2: student_id is empty'],
    ['student_id,question\ns1,xor_proof\n', 'scores.csv: line 1: the header must name the columns student_id,question,points,comment (comment optional); missing points, got student_id,question'],
    ['student_id,question,points,comment\ns1,xor_proof,2,a,b\n', 'scores.csv: line 2: not valid CSV: columns length is 4, got 5'],
    ['student_id,question,points,comment\ns1,xor_proof,2,"unclosed\n', 'scores.csv: line 2: not valid CSV: Quote Not Closed: the parsing is finished with an opening quote'],
  ])('names the file and the line: %j', (text, message) => {
    const e = error(() => parseStaffScores(text, 'scores.csv'));
    expect(e.code).toBe('STAFF_SCORES_INVALID');
    expect(e.message).toBe(message);
  });

  it('loads a file and names it when it cannot be read', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'dlgrade-scores-'));
    const file = path.join(dir, 'scores.csv');
    await writeFile(file, 'student_id,question,points\ns1,xor_proof,2\n');
    expect(await loadStaffScores(file)).toHaveLength(1);
    await expect(loadStaffScores(path.join(dir, 'nope.csv'))).rejects.toThrow(/nope\.csv: cannot read the staff scores file/);
  });
});

describe('checkStaffScores', () => {
  const scores = (rows: string) => parseStaffScores(`student_id,question,points,comment\n${rows}`, 'scores.csv');

  it.each([
    ['s1,xor_proof,2.5,\n', 'scores.csv: line 2: points: 2.5 is above the maximum of 2 for xor_proof'],
    ['s1,xor_prof,1,\n', 'scores.csv: line 2: unknown question "xor_prof"; staff-graded questions: xor_proof, min_norm_proof'],
    ['s1,relu_net,1,\n', 'scores.csv: line 2: question "relu_net" is autograded; staff scores are for xor_proof, min_norm_proof'],
    ['s1,xor_proof,1,\nS1,xor_proof,2,\n', 'scores.csv: line 3: a second score for S1 / xor_proof (the first is on line 2)'],
  ])('rejects %j', (rows, message) => {
    expect(error(() => checkStaffScores(scores(rows), QUESTIONS, 'scores.csv')).message).toBe(message);
  });

  it('accepts scores within the maximum', () => {
    expect(() => checkStaffScores(scores('s1,xor_proof,2,\ns1,min_norm_proof,0,\ns2,xor_proof,1,ok\n'), QUESTIONS, 'scores.csv')).not.toThrow();
  });
});

describe('mergeStaffScores', () => {
  const grades = gradeAnswers(writtenKey, parseAnswers(writtenKey, 'xor_proof: "a proof"\n', 'answers.yaml'), variantFor(undefined), { questions: WRITTEN_DEFAULT_QUESTIONS });
  const scores = parseStaffScores('student_id,question,points,comment\ns1,xor_proof,1.5,"step 3 unclear"\ns2,min_norm_proof,2,\n', 'scores.csv');

  it('turns a pending question with a score into scored, keeps the others pending', () => {
    const merged = mergeStaffScores(grades, scores, ' S1');
    const xor = merged.find((g) => g.id === 'xor_proof')!;
    expect(xor).toMatchObject({ status: 'scored', points: 1.5, maxPoints: 2, comment: 'step 3 unclear', messages: ['scored by staff'] });
    expect(merged.find((g) => g.id === 'min_norm_proof')!.status).toBe('pending');
    expect(merged.filter((g) => g.kind !== 'manual')).toEqual(grades.filter((g) => g.kind !== 'manual'));
  });

  it('is pure: the input grades are unchanged', () => {
    mergeStaffScores(grades, scores, 's1');
    expect(grades.find((g) => g.id === 'xor_proof')!.status).toBe('pending');
  });

  it('refuses points above the maximum, naming the line', () => {
    const over = parseStaffScores('student_id,question,points\ns1,xor_proof,3\n', 'scores.csv');
    expect(() => mergeStaffScores(grades, over, 's1', 'scores.csv')).toThrow('scores.csv: line 2: points: 3 is above the maximum of 2 for xor_proof');
  });

  it('finds scores whose student has no submission', () => {
    expect(unmatchedStaffScores(scores, ['S1']).map((s) => s.studentId)).toEqual(['s2']);
  });
});
