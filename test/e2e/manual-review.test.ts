// Manual questions end to end: mlp-backprop's plot (curve.png) and observations (observations.md) graded by staff,
// once through a hand-written staff CSV and once through `dlgrade review` driven in Chromium; totals and reports agree.
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { ROOT, dlgrade } from './cli.js';
import { startReview } from './served.js';
import type { ResultT } from '../../graders/result/schema.js';
import type { ClassSummary } from '../../graders/reporters/class-files.js';

const ID = 'mlp-backprop';
const CHROMIUM = process.env.DLGRADE_CHROMIUM ?? '/usr/bin/chromium';
const ARTIFACTS = path.join(ROOT, 'test-artifacts');

/** What staff decide, written by hand in the CSV path and clicked in the review page. */
const HAND_CSV = [
  'student_id,question,item,points,comment',
  'ada,training_curve,both-losses,,',
  'ada,training_curve,labelled,,',
  'ada,training_curve,,,clear plot',
  'ada,observations,overfitting,,',
  'ada,observations,,,say what early stopping changes',
  'bob,training_curve,both-losses,,',
  'bob,training_curve,not-own-run,,',
  'bob,training_curve,,,',
  'bob,observations,,,nothing handed in',
  '',
].join('\n');
// ada: 0.5 + 0.5 and 0.5; bob: 0.5 - 1 → 0, and 0.
const EXPECTED = { ada: { training_curve: 1, observations: 0.5, total: 12.5 }, bob: { training_curve: 0, observations: 0, total: 11 } };

let tmp: string;
let subs: string;
let browser: Browser;

const readResult = async (out: string, student: string) => JSON.parse(await readFile(path.join(out, 'results', `${student}.json`), 'utf8')) as ResultT;
const grades = async (out: string) => Object.fromEntries((parseCsv(await readFile(path.join(out, 'grades.csv')), { columns: true }) as Record<string, string>[]).map((g) => [g.student, g]));

beforeAll(async () => {
  expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: run scripts/install-deps.sh (Debian's chromium)`).toBe(true);
  tmp = await mkdtemp(path.join(os.tmpdir(), 'dlgrade-manual-'));
  subs = path.join(tmp, 'submissions');
  const correct = path.join(ROOT, 'examples', ID, 'correct');
  // ada hands in the plot and the observations; bob only the plot.
  await cp(correct, path.join(subs, 'ada'), { recursive: true });
  await cp(correct, path.join(subs, 'bob'), { recursive: true });
  await rm(path.join(subs, 'bob', 'observations.md'));
  await mkdir(ARTIFACTS, { recursive: true });
  const [run, launched] = await Promise.all([
    dlgrade(['grade', ID, subs, '--out', path.join(tmp, 'pending'), '--jobs', '2', '--no-progress']),
    chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'] }),
  ]);
  browser = launched;
  expect(run.exitCode, run.stderr).toBe(0);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('manual questions of a code assignment', () => {
  it('are pending before staff score them: not counted, listed as pending, material kept', async () => {
    const out = path.join(tmp, 'pending');
    const ada = await readResult(out, 'ada');
    expect(ada.score).toEqual({ points: 11, maxPoints: 13, pendingPoints: 2 });
    const curve = ada.questions.find((q) => q.id === 'training_curve')!;
    expect(curve.status).toBe('pending');
    expect(curve.manual!.material[0]).toMatchObject({ kind: 'file', source: 'curve.png', mediaType: 'image/png' });
    expect(Buffer.from(curve.manual!.material[0].data!, 'base64').equals(await readFile(path.join(subs, 'ada', 'curve.png')))).toBe(true);
    const bob = await readResult(out, 'bob');
    expect(bob.questions.find((q) => q.id === 'observations')!.manual!.material[0].problem).toBe('not handed in: observations.md is not in the submission');
    const rows = await grades(out);
    expect(rows.ada).toMatchObject({ total: '11', training_curve: '', observations: '' });
    const summary = JSON.parse(await readFile(path.join(out, 'summary.json'), 'utf8')) as ClassSummary;
    expect(summary.questions.find((q) => q.id === 'training_curve')).toMatchObject({ pending: 2 });
    const classHtml = await readFile(path.join(out, 'index.html'), 'utf8');
    expect(classHtml).toMatch(/data-testid="pending">4</);
    const report = await readFile(path.join(out, 'ada', 'report.html'), 'utf8');
    expect(report).toContain('data:image/png;base64,');
    expect(report).toContain('Graded by staff: not scored yet.');
  });

  it('are scored from a hand-written staff CSV with rubric items', async () => {
    const out = path.join(tmp, 'csv');
    await writeFile(path.join(tmp, 'hand.csv'), HAND_CSV);
    const run = await dlgrade(['grade', ID, subs, '--out', out, '--jobs', '2', '--no-progress', '--staff-scores', path.join(tmp, 'hand.csv')]);
    expect(run.exitCode, run.stderr).toBe(0);
    for (const student of ['ada', 'bob'] as const) {
      const result = await readResult(out, student);
      expect(result.score, student).toEqual({ points: EXPECTED[student].total, maxPoints: 13, pendingPoints: 0 });
      for (const q of ['training_curve', 'observations'] as const) expect(result.questions.find((x) => x.id === q)!.points, `${student} ${q}`).toBe(EXPECTED[student][q]);
    }
    const ada = await readResult(out, 'ada');
    expect(ada.questions.find((q) => q.id === 'training_curve')!.comment).toBe('clear plot');
    expect((await grades(out)).ada).toMatchObject({ total: '12.5', training_curve: '1', observations: '0.5' });
    const md = await readFile(path.join(out, 'ada', 'report.md'), 'utf8');
    expect(md).toContain('- [x] axes labelled, a legend (+0.5)');
    expect(md).toContain('- [ ] proposes one change and what it should do to the curves (+0.5)');
  });

  it('are scored the same through the review page driven in Chromium, which writes the same CSV', async () => {
    const out = path.join(tmp, 'pending');
    const scores = path.join(tmp, 'review.csv');
    const review = await startReview(ID, out, scores);
    const { url } = review;
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      const offline: string[] = [];
      page.on('request', (r) => {
        if (!r.url().startsWith(url) && !r.url().startsWith('data:')) offline.push(r.url());
      });
      await page.goto(url);
      await expect.poll(() => page.getByTestId('student').textContent()).toBe('ada');
      // The plot is shown as an image, the observations as text.
      const img = page.locator('section[data-question="training_curve"] img');
      await expect.poll(() => img.evaluate((e) => (e as HTMLImageElement).naturalWidth)).toBeGreaterThan(100);
      await expect.poll(() => page.locator('section[data-question="observations"] pre').textContent()).toContain('overfits');
      // ada, with the keyboard: items 1 and 2 of the curve, a comment, then item 1 of the observations.
      await page.keyboard.press('1');
      await page.keyboard.press('2');
      await page.keyboard.press('c');
      await page.keyboard.type('clear plot');
      await page.keyboard.press('Escape');
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('1');
      await page.keyboard.press('c');
      await page.keyboard.type('say what early stopping changes');
      await page.keyboard.press('Escape');
      await page.screenshot({ path: path.join(ARTIFACTS, 'review-page.png'), fullPage: true });
      await page.keyboard.press('Enter');
      await expect.poll(() => page.getByTestId('student').textContent()).toBe('bob');
      await expect.poll(() => page.locator('section[data-question="observations"] .problem').textContent()).toContain('not handed in');
      // bob, with the mouse: the curve's first item and the deduction, and a comment on the missing observations.
      await page.locator('section[data-question="training_curve"] input[data-item="both-losses"]').check();
      await page.locator('section[data-question="training_curve"] input[data-item="not-own-run"]').check();
      await page.locator('section[data-question="observations"] textarea').fill('nothing handed in');
      await page.keyboard.press('Escape');
      await page.keyboard.press('Enter');
      await expect.poll(() => page.getByTestId('verdict-training_curve').textContent()).toBe('scored: 0 / 1');
      await page.screenshot({ path: path.join(ARTIFACTS, 'review-page-scored.png'), fullPage: true });
      expect(offline).toEqual([]);
      await page.close();
    } finally {
      await review.stop();
    }
    // The page wrote the hand-written CSV's rows (the order of the columns and rows is dlgrade's).
    const written = parseCsv(await readFile(scores), { columns: true }) as Record<string, string>[];
    const hand = parseCsv(HAND_CSV, { columns: true }) as Record<string, string>[];
    const key = (r: Record<string, string>) => [r.student_id, r.question, r.item, r.points, r.comment].join('|');
    expect(written.map(key).sort()).toEqual(hand.map(key).sort());

    const run = await dlgrade(['grade', ID, subs, '--out', out, '--jobs', '2', '--no-progress', '--staff-scores', scores]);
    expect(run.exitCode, run.stderr).toBe(0);
    const csvOut = path.join(tmp, 'csv');
    for (const student of ['ada', 'bob']) {
      const [viaPage, viaCsv] = [await readResult(out, student), await readResult(csvOut, student)];
      expect(viaPage.score).toEqual(viaCsv.score);
      expect(viaPage.questions.map((q) => [q.id, q.points, q.status, q.comment, q.manual?.rubric])).toEqual(viaCsv.questions.map((q) => [q.id, q.points, q.status, q.comment, q.manual?.rubric]));
    }
    expect(await readFile(path.join(out, 'grades.csv'), 'utf8')).toBe(await readFile(path.join(csvOut, 'grades.csv'), 'utf8'));
    const report = await browser.newPage({ viewport: { width: 900, height: 900 } });
    await report.goto(`file://${path.join(out, 'ada', 'report.html')}`);
    expect(await report.getByTestId('score').textContent()).toContain('12.5 / 13');
    await report.locator('[data-testid="manual-training_curve"]').scrollIntoViewIfNeeded();
    await report.screenshot({ path: path.join(ARTIFACTS, 'manual-report.png'), fullPage: true });
    await report.close();
  }, 300_000);
});
