import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseManifest } from '../manifest/load-manifest.js';
import type { GradingContext } from '../engine/grade-submission.js';
import type { QuestionResultT, ResultT } from '../result/schema.js';
import { Ajv } from 'ajv';
import { Result } from '../result/schema.js';
import { completeManualQuestions } from './manual-questions.js';
import { parseStaffScores } from './staff-scores.js';

const MANIFEST = `
schema: 1
id: plots
title: Plots
version: "1"
runner: python
files: [train.py]
seed: 1
questions:
  - id: accuracy
    title: Accuracy
    points: 1
    inputs: { x: tensor }
    steps: [{ call: train.accuracy, args: [$x], as: out }]
    outputs: { out: $out }
    cases: [{ id: small, visibility: public }]
  - id: curve
    title: Training curve
    points: 2
    kind: manual
    submit: { file: curve.png }
    rubric:
      - { id: axes, points: 1, text: labelled axes }
      - { id: both, points: 1, text: train and validation loss }
      - { id: no-legend, points: -0.5, text: no legend }
  - id: review
    title: Paper review
    points: 3
    kind: manual
    submit: { file: review.md }
  - id: insights
    title: Insights
    points: 2
    kind: manual
`;

/** A real 1×1 PNG: signature, IHDR, IDAT, IEND (CRCs are not checked by anything here, but kept right). */
function tinyPng(): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (b: Buffer) => (b.reduce((c, x) => crcTable[(c ^ x) & 0xff] ^ (c >>> 8), 0xffffffff) ^ 0xffffffff) >>> 0;
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const ihdr = Buffer.from([0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]);
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.from([0, 255, 0, 0]))), chunk('IEND', Buffer.alloc(0))]);
}

const autograded: QuestionResultT = { id: 'accuracy', title: 'Accuracy', points: 1, maxPoints: 1, status: 'passed', cases: [] };

function baseResult(): ResultT {
  return {
    schemaVersion: 1,
    student: 'ada',
    mode: 'grade',
    assignment: { id: 'plots', title: 'Plots', version: '1', manifestSha256: 'x' },
    submission: { path: 'ada', sha256: 'x' },
    engine: { dlgrade: '0', node: process.versions.node, runtime: {}, sandbox: 'none' },
    fixtures: { referenceVersion: '0', backend: 'cpu', seed: 1, files: {} },
    startedAt: new Date(0).toISOString(),
    durationMs: 0,
    score: { points: 1, maxPoints: 1, pendingPoints: 0 },
    questions: [autograded],
    notices: [],
  };
}

async function submission(files: Record<string, string | Buffer>): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'dlgrade-manual-'));
  for (const [name, content] of Object.entries(files)) await writeFile(path.join(dir, name), content);
  return dir;
}

const notebook = JSON.stringify({
  nbformat: 4,
  nbformat_minor: 5,
  metadata: {},
  cells: [
    { cell_type: 'code', metadata: {}, source: ['print(1)'], outputs: [], execution_count: 1 },
    { cell_type: 'markdown', metadata: { tags: ['insights'] }, source: ['Saliency shows **where**\n', 'the score is sensitive.'] },
    { cell_type: 'code', metadata: { tags: ['insights', 'other'] }, source: 'plot()', execution_count: 2, outputs: [{ output_type: 'display_data', metadata: {}, data: { 'text/plain': ['<Figure>'], 'image/png': tinyPng().toString('base64') } }] },
  ],
});

describe('manual questions of a code assignment', () => {
  const manifest = parseManifest(MANIFEST, 'manifest.yaml');
  const ctx = (scores?: string) =>
    ({ assignment: { manifest }, mode: 'grade', lock: { files: {} }, ...(scores ? { staffScores: { file: 'scores.csv', scores: parseStaffScores(scores, 'scores.csv') } } : {}) }) as unknown as GradingContext;
  const validate = new Ajv({ strict: false }).compile(Result);

  it('are pending until scored, with what was handed in, and count nothing in the total', async () => {
    const dir = await submission({ 'curve.png': tinyPng(), 'analysis.ipynb': notebook });
    const result = await completeManualQuestions(ctx(), { student: 'ada', dir }, manifest.questions, baseResult());
    expect(validate(result), JSON.stringify(validate.errors)).toBe(true);
    expect(result.questions.map((q) => [q.id, q.status, q.points])).toEqual([
      ['accuracy', 'passed', 1],
      ['curve', 'pending', 0],
      ['review', 'pending', 0],
      ['insights', 'pending', 0],
    ]);
    expect(result.score).toEqual({ points: 1, maxPoints: 8, pendingPoints: 7 });
    const [curve, review, insights] = result.questions.slice(1).map((q) => q.manual!);
    expect(curve.material[0]).toMatchObject({ kind: 'file', source: 'curve.png', mediaType: 'image/png', data: tinyPng().toString('base64'), bytes: tinyPng().length });
    expect(curve.rubric.map((m) => [m.id, m.awarded])).toEqual([['axes', undefined], ['both', undefined], ['no-legend', undefined]]);
    expect(review.material[0]).toMatchObject({ kind: 'file', source: 'review.md', problem: 'not handed in: review.md is not in the submission' });
    expect(result.questions[2].cases[0].details).toEqual(['graded by staff', 'review.md: not handed in: review.md is not in the submission']);
    // Without `submit`, a code assignment's manual question reads the notebook cells tagged with its id.
    expect(insights.material.map((m) => [m.kind, m.source, m.mediaType])).toEqual([
      ['cell', 'analysis.ipynb: cell 2 (tag insights)', 'text/markdown'],
      ['cell', 'analysis.ipynb: cell 3 (tag insights)', 'text/x-python'],
      ['cell', 'analysis.ipynb: cell 3 (tag insights), figure', 'image/png'],
    ]);
    expect(insights.material[0].text).toBe('Saliency shows **where**\nthe score is sensitive.');
    expect(insights.material[1].text).toBe('plot()\n--- output ---\n<Figure>');
  });

  it('are scored from rubric items and whole-question rows; the totals then count them', async () => {
    const dir = await submission({ 'curve.png': tinyPng(), 'review.md': '# Review\nThe paper claims…' });
    const scores = 'student_id,question,item,points,comment\nADA,curve,axes,,\nada,curve,no-legend,,\nada,curve,,,"readable"\nada,review,,2.5,short\nbob,review,,3,\n';
    const result = await completeManualQuestions(ctx(scores), { student: 'ada', dir }, manifest.questions, baseResult());
    expect(validate(result)).toBe(true);
    expect(result.questions.map((q) => [q.id, q.status, q.points])).toEqual([
      ['accuracy', 'passed', 1],
      ['curve', 'partial', 0.5],
      ['review', 'partial', 2.5],
      ['insights', 'pending', 0],
    ]);
    expect(result.score).toEqual({ points: 4, maxPoints: 8, pendingPoints: 2 });
    const curve = result.questions[1];
    expect(curve.comment).toBe('readable');
    expect(curve.manual!.scored).toBe(true);
    expect(curve.cases[0].details).toEqual(['+1 labelled axes', '-0.5 no legend']);
    expect(result.questions[2].manual!.material[0]).toMatchObject({ mediaType: 'text/markdown', text: '# Review\nThe paper claims…' });
  });

  it('a symlink or a folder in place of the file is shown as a problem, never followed', async () => {
    const dir = await submission({});
    const { symlink, mkdir } = await import('node:fs/promises');
    await symlink('/etc/passwd', path.join(dir, 'review.md'));
    await mkdir(path.join(dir, 'curve.png'));
    const result = await completeManualQuestions(ctx(), { student: 'ada', dir }, manifest.questions, baseResult());
    expect(result.questions[1].manual!.material[0].problem).toBe('curve.png is not a plain file');
    expect(result.questions[2].manual!.material[0].problem).toBe('review.md is a symbolic link; expected a plain file');
  });
});
