// An answers file with sections the assignment does not know: check and ci say which and that staff will read them,
// grade keeps them as pending manual questions worth nothing, staff mark them read through the CSV or the review page.
import { appendFile, cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium } from 'playwright-core';
import { ROOT, dlgrade } from './cli.js';
import { startReview } from './served.js';
import type { ResultT } from '../../graders/result/schema.js';

const MANIFEST = parseYaml(readFileSync(path.join(ROOT, 'assignments', 'written', 'manifest.yaml'), 'utf8')) as { questions: { points: number; kind?: string }[] };
const TOTAL = MANIFEST.questions.reduce((s, q) => s + q.points, 0);
const BY_STAFF = MANIFEST.questions.filter((q) => q.kind === 'manual').reduce((s, q) => s + q.points, 0);
const CHROMIUM = process.env.DLGRADE_CHROMIUM ?? '/usr/bin/chromium';
const EXTRA = 'xor_prof: |\n  Suppose some w, b separate XOR; adding the two middle inequalities contradicts the last.\nremarks: The backprop question took me two hours.\n';

let tmp: string;
let subs: string;
const readResult = async (out: string, student: string) => JSON.parse(await readFile(path.join(out, 'results', `${student}.json`), 'utf8')) as ResultT;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'dlgrade-unrecognised-'));
  subs = path.join(tmp, 'submissions');
  // ada adds a misspelt proof section and a remark; bob hands in the plain correct answers.
  for (const student of ['ada', 'bob']) await cp(path.join(ROOT, 'examples', 'written', 'correct'), path.join(subs, student), { recursive: true });
  await appendFile(path.join(subs, 'ada', 'answers.yaml'), EXTRA);
});

afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('unrecognised sections of an answers file', () => {
  it('check names each one, suggests the section a typo meant, and shows it pending for staff', async () => {
    const run = await dlgrade(['check', 'written', '--submission', path.join(subs, 'ada')]);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/answers\.yaml:\d+: xor_prof: not a section of this assignment, so it is not graded automatically: it is kept and staff will read it \(did you mean xor_proof\?\)/);
    expect(run.stdout).toMatch(/answers\.yaml:\d+: remarks: not a section of this assignment, .* staff will read it; sections: conv_as_matrix,/);
    expect(run.stdout).toMatch(/^xor_prof\s+PENDING\s+0\/0\s/m);
    expect(run.stdout).toContain(`Total: ${TOTAL - BY_STAFF}/${TOTAL}`);
  });

  it('ci passes the same submission: an unrecognised section costs nothing', async () => {
    const run = await dlgrade(['ci', 'written', '--submission', path.join(subs, 'ada')]);
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain('xor_prof: not a section of this assignment');
  });

  it('grade keeps them as pending questions with their text, and the staff CSV marks them read', async () => {
    const pending = path.join(tmp, 'pending');
    const first = await dlgrade(['grade', 'written', subs, '--out', pending, '--no-progress', '--variant-id', 'canonical']);
    expect(first.exitCode, first.stderr).toBe(0);
    const ada = await readResult(pending, 'ada');
    expect(ada.score).toEqual({ points: TOTAL - BY_STAFF, maxPoints: TOTAL, pendingPoints: BY_STAFF });
    const typo = ada.questions.find((q) => q.id === 'xor_prof')!;
    expect(typo).toMatchObject({ title: 'Unrecognised section "xor_prof" (did you mean xor_proof?)', status: 'pending', points: 0, maxPoints: 0 });
    expect(typo.manual!.material).toEqual([{ kind: 'answer', source: 'answers.yaml: xor_prof', mediaType: 'text/markdown', text: expect.stringContaining('Suppose some w, b separate XOR') }]);
    expect((await readResult(pending, 'bob')).questions.map((q) => q.id)).not.toContain('xor_prof');
    expect(await readFile(path.join(pending, 'ada', 'report.html'), 'utf8')).toContain('The backprop question took me two hours.');

    // Staff read the misspelt proof, credit it under xor_proof and mark both extra sections read.
    const csv = path.join(tmp, 'staff.csv');
    await writeFile(csv, 'student_id,question,item,points,comment\nada,xor_prof,,0,credited under xor_proof\nada,remarks,,,thanks\nada,xor_proof,,2,handed in under xor_prof\nbob,remarks,,,none\n');
    const scored = path.join(tmp, 'scored');
    const second = await dlgrade(['grade', 'written', subs, '--out', scored, '--no-progress', '--variant-id', 'canonical', '--staff-scores', csv]);
    expect(second.exitCode, second.stderr).toBe(0);
    // bob wrote no such section: his row is not used, and staff are told.
    expect(second.stderr).toContain(`${csv}: line 5: "remarks" is neither a question of written nor a section bob handed in; the score was not used`);
    expect((await readResult(scored, 'bob')).questions.map((q) => q.id)).not.toContain('remarks');
    const graded = await readResult(scored, 'ada');
    expect(graded.score).toEqual({ points: TOTAL - BY_STAFF + 2, maxPoints: TOTAL, pendingPoints: BY_STAFF - 2 });
    expect(graded.questions.find((q) => q.id === 'xor_prof')).toMatchObject({ status: 'passed', points: 0, comment: 'credited under xor_proof' });
    expect(graded.questions.find((q) => q.id === 'remarks')).toMatchObject({ status: 'passed', comment: 'thanks' });

    await writeFile(csv, 'student_id,question,item,points,comment\nada,xor_prof,,2,\n');
    const refused = await dlgrade(['grade', 'written', subs, '--out', path.join(tmp, 'refused'), '--no-progress', '--staff-scores', csv]);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain('staff.csv: line 2: points: 2 is above the maximum of 0 for xor_prof ("xor_prof" is not a question of the assignment, so it can only be marked read with 0 points and a comment; give the points to the question it answers)');
  });

  it('the review page shows them only for the student who wrote them and saves them like any question', async () => {
    expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: run scripts/install-deps.sh (Debian's chromium)`).toBe(true);
    const out = path.join(tmp, 'pending');
    const scores = path.join(tmp, 'review.csv');
    const review = await startReview('written', out, scores);
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
    try {
      const { url } = review;
      const page = await browser.newPage();
      await page.goto(url);
      await expect.poll(() => page.getByTestId('student').textContent()).toBe('ada');
      await expect.poll(() => page.locator('section[data-question="xor_prof"] pre').textContent()).toContain('Suppose some w, b separate XOR');
      await page.locator('section[data-question="remarks"] textarea').fill('read');
      await page.locator('section[data-question="remarks"] button').click();
      await expect.poll(() => page.getByTestId('verdict-remarks').textContent()).toBe('scored: 0 / 0');
      await page.keyboard.press('j');
      await expect.poll(() => page.getByTestId('student').textContent()).toBe('bob');
      expect(await page.locator('section[data-question="xor_proof"]').count()).toBe(1);
      expect(await page.locator('section[data-question="xor_prof"], section[data-question="remarks"]').count()).toBe(0);
      await page.close();
    } finally {
      await browser.close();
      await review.stop();
    }
    expect(await readFile(scores, 'utf8')).toBe('student_id,question,item,points,comment\nada,remarks,,,read\n');
  }, 120_000);
});
