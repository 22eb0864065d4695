import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DlgradeError } from '../errors.js';
import { checkStaffScores, loadStaffScores, parseStaffScores, unmatchedStaffScores, type StaffQuestionInfo } from './staff-scores.js';

const QUESTIONS: StaffQuestionInfo[] = [
  { id: 'relu_net', maxPoints: 3, manual: false },
  { id: 'xor_proof', maxPoints: 2, manual: true },
  { id: 'min_norm_proof', maxPoints: 2, manual: true },
  {
    id: 'review',
    maxPoints: 3,
    manual: true,
    rubric: [
      { id: 'summary', points: 2, text: 'summarises the contribution' },
      { id: 'critique', points: 1, text: 'one concrete weakness' },
      { id: 'late', points: -1, text: 'handed in late' },
    ],
  },
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
      { studentId: 's1', question: 'xor_proof', item: '', points: 2, comment: 'clear, complete', line: 2 },
      { studentId: 'S2', question: 'min_norm_proof', item: '', points: 1.5, comment: '', line: 4 },
    ]);
    expect(parseStaffScores('question,points,student_id\nxor_proof,1,s1\n', 'scores.csv')[0]).toMatchObject({ studentId: 's1', comment: '' });
  });

  it('reads the rubric form: an item row may leave points empty (the item\'s own), a question row without points marks it graded', () => {
    const text = 'student_id,question,item,points,comment\ns1,review,summary,,\ns1,review,late,-1,two days\ns1,review,,,"good, short"\n';
    expect(parseStaffScores(text, 'scores.csv')).toEqual([
      { studentId: 's1', question: 'review', item: 'summary', comment: '', line: 2 },
      { studentId: 's1', question: 'review', item: 'late', points: -1, comment: 'two days', line: 3 },
      { studentId: 's1', question: 'review', item: '', comment: 'good, short', line: 4 },
    ]);
  });

  it('reads an empty file as no scores', () => {
    expect(parseStaffScores('', 'scores.csv')).toEqual([]);
  });

  it.each([
    ['student_id,question,points\ns1,xor_proof,abc\n', 'scores.csv: line 2: points: expected a number, got "abc" (string)'],
    ['student_id,question,points\ns1,xor_proof,\n', 'scores.csv: line 2: points: expected a number, got "" (string)'],
    ['student_id,question,points\ns1,xor_proof,-1\n', 'scores.csv: line 2: points: expected a number >= 0, got -1'],
    ['student_id,question,points\n,xor_proof,1\n', 'scores.csv: line 2: student_id is empty'],
    ['student_id,question\ns1,xor_proof\n', 'scores.csv: line 1: the header must name the columns student_id,question,item,points,comment (item and comment optional); missing points, got student_id,question'],
    ['student_id,question,item,points\ns1,review,summary,x\n', 'scores.csv: line 2: points: expected a number, got "x" (string)'],
    ['student_id,question,item,points\ns1,review,,-1\n', 'scores.csv: line 2: points: expected a number >= 0, got -1'],
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
    ['s1,xor_prof,1,\n', 'scores.csv: line 2: unknown question "xor_prof"; staff-graded questions: xor_proof, min_norm_proof, review'],
    ['s1,relu_net,1,\n', 'scores.csv: line 2: question "relu_net" is autograded; staff scores are for xor_proof, min_norm_proof, review'],
    ['s1,xor_proof,1,\nS1,xor_proof,2,\n', 'scores.csv: line 3: a second score for S1 / xor_proof (the first is on line 2)'],
  ])('rejects %j', (rows, message) => {
    expect(error(() => checkStaffScores(scores(rows), QUESTIONS, 'scores.csv')).message).toBe(message);
  });

  const itemScores = (rows: string) => parseStaffScores(`student_id,question,item,points,comment\n${rows}`, 'scores.csv');
  it.each([
    ['s1,review,summry,2,\n', 'scores.csv: line 2: unknown rubric item "summry" of review; its items: summary, critique, late'],
    ['s1,xor_proof,clarity,1,\n', 'scores.csv: line 2: xor_proof has no rubric; leave item empty and give the question\'s points'],
    ['s1,review,summary,3,\n', 'scores.csv: line 2: points: item summary of review gives 0..2, got 3'],
    ['s1,review,late,1,\n', 'scores.csv: line 2: points: item late of review gives -1..0, got 1'],
    ['s1,review,summary,,\ns1,review,summary,1,\n', 'scores.csv: line 3: a second row for item summary of s1 / review (the first is on line 2)'],
    ['s1,review,,2,\ns1,review,critique,,\n', 'scores.csv: line 3: s1 / review has both points for the whole question (line 2) and rubric items (line 3); give one or the other'],
  ])('rejects rubric rows %j', (rows, message) => {
    expect(error(() => checkStaffScores(itemScores(rows), QUESTIONS, 'scores.csv')).message).toBe(message);
  });

  it('accepts scores within the maximum', () => {
    expect(() => checkStaffScores(scores('s1,xor_proof,2,\ns1,min_norm_proof,0,\ns2,xor_proof,1,ok\n'), QUESTIONS, 'scores.csv')).not.toThrow();
    expect(() => checkStaffScores(itemScores('s1,review,summary,1.5,\ns1,review,late,,\ns1,review,,,fine\ns2,review,,2,\n'), QUESTIONS, 'scores.csv')).not.toThrow();
  });

  it('accepts an unrecognised answers section marked read (0 points, a comment) only when asked to, and says where its points belong', () => {
    const options = { unrecognisedSections: true };
    expect(() => checkStaffScores(scores('s1,xor_prof,0,credited under xor_proof\n'), QUESTIONS, 'scores.csv', options)).not.toThrow();
    expect(() => checkStaffScores(itemScores('s1,remarks,,,read\n'), QUESTIONS, 'scores.csv', options)).not.toThrow();
    expect(error(() => checkStaffScores(scores('s1,xor_prof,1,\n'), QUESTIONS, 'scores.csv', options)).message).toBe(
      'scores.csv: line 2: points: 1 is above the maximum of 0 for xor_prof ("xor_prof" is not a question of the assignment, so it can only be marked read with 0 points and a comment; give the points to the question it answers)',
    );
    expect(error(() => checkStaffScores(itemScores('s1,xor_prof,clarity,,\n'), QUESTIONS, 'scores.csv', options)).message).toBe(
      "scores.csv: line 2: xor_prof has no rubric; leave item empty and give the question's points",
    );
    expect(error(() => checkStaffScores(scores('s1,relu_net,1,\n'), QUESTIONS, 'scores.csv', options)).message).toMatch(/"relu_net" is autograded/);
  });

  it('finds scores whose student has no submission', () => {
    expect(unmatchedStaffScores(scores('s1,xor_proof,1,\ns2,xor_proof,1,\n'), [' S1']).map((s) => s.studentId)).toEqual(['s2']);
  });
});

