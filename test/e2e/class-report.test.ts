// The class report in a real browser (Debian's Chromium via playwright-core), at desktop and phone widths: the numbers
// it shows are summary.json's, the student matrix sorts, filters and exports what it shows as CSV, it prints, loads
// nothing from the network, fits a phone, and links to the students' staff reports. Also the Canvas gradebook.
import { copyFile, cp, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { parse as parseCsv } from 'csv-parse/sync';
import { ROOT, dlgrade } from './cli.js';
import type { ClassSummary } from '../../graders/reporters/class-files.js';
import type { ResultT } from '../../graders/result/schema.js';

const ID = 'style-transfer';
const EXAMPLES = path.join(ROOT, 'examples', ID);
const STUDENTS = ['correct', 'does-not-import', 'gram-not-normalized', 'tv-abs'];
const CHROMIUM = process.env.DLGRADE_CHROMIUM ?? '/usr/bin/chromium';
const ARTIFACTS = path.join(ROOT, 'test-artifacts');

let tmp: string;
let out: string;
let summary: ClassSummary;
let grades: Record<string, string>[];
let results: Map<string, ResultT>;
let context: BrowserContext;
/** The report at desktop width, and at a phone's. */
let page: Page;
let phone: Page;
const offline: string[] = [];
const pageErrors: string[] = [];

beforeAll(async () => {
  expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: run scripts/install-deps.sh (Debian's chromium)`).toBe(true);
  tmp = await mkdtemp(path.join(os.tmpdir(), 'dlgrade-class-'));
  const subs = path.join(tmp, 'submissions');
  for (const s of STUDENTS) await cp(path.join(EXAMPLES, s), path.join(subs, s), { recursive: true });
  // A Canvas-style roster: one student without a submission, and tv-abs missing from it.
  await writeFile(
    path.join(tmp, 'roster.csv'),
    [
      'Student,ID,SIS User ID,SIS Login ID,Section',
      '    Points Possible,,,,',
      '"Lovelace, Ada",101,1815,correct,L01',
      '"Hopper, Grace",102,1906,gram-not-normalized,L01',
      '"Turing, Alan",103,1912,does-not-import,L02',
      '"Curie, Marie",105,1867,mcurie,L02',
      '',
    ].join('\n'),
  );
  out = path.join(tmp, 'out');
  const [run, browserContext] = await Promise.all([
    dlgrade(['grade', ID, subs, '--out', out, '--jobs', '2', '--no-progress', '--roster', path.join(tmp, 'roster.csv'), '--gradebook-column', 'Style transfer (4242)']),
    chromium.launchPersistentContext(await mkdtemp(path.join(os.tmpdir(), 'dlgrade-chromium-')), {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1280, height: 900 },
      acceptDownloads: true,
    }),
  ]);
  context = browserContext;
  expect(run.exitCode, run.stderr).toBe(0);
  expect(run.stderr).toMatch(/gradebook: 1 student\(s\) on the roster have no submission \(empty score\): Curie, Marie/);
  expect(run.stderr).toMatch(/gradebook: 1 graded student\(s\) are not on the roster .*: tv-abs/);
  summary = JSON.parse(await readFile(path.join(out, 'summary.json'), 'utf8')) as ClassSummary;
  grades = parseCsv(await readFile(path.join(out, 'grades.csv')), { columns: true }) as Record<string, string>[];
  results = new Map(await Promise.all(STUDENTS.map(async (s) => [s, JSON.parse(await readFile(path.join(out, 'results', `${s}.json`), 'utf8')) as ResultT] as const)));
  // Self-contained: any request that is not for a local file is recorded and refused.
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('file:') || url.startsWith('blob:')) return route.continue();
    offline.push(url);
    return route.abort();
  });
  const open = async (viewport: { width: number; height: number }) => {
    const p = await context.newPage();
    p.on('pageerror', (e) => pageErrors.push(e.message));
    await p.setViewportSize(viewport);
    await p.goto(pathToFileURL(path.join(out, 'index.html')).href);
    return p;
  };
  page = await open({ width: 1280, height: 900 });
  phone = await open({ width: 390, height: 844 });
  await mkdir(ARTIFACTS, { recursive: true });
});

afterAll(async () => {
  await context?.close();
});

const textOf = async (p: Page, selector: string) => (await p.locator(selector).first().textContent())?.trim() ?? '';
const text = (selector: string) => textOf(page, selector);
const num = (s: string) => Number(s.replace(/[^\d.]/g, ''));
const pct = (x: number) => `${Math.round(x * 100)}%`;
/** The student ids of the matrix rows that are shown, top to bottom. */
const shownStudents = (p: Page = page) => p.locator('[data-testid=students-table] tbody tr:visible').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-student')));
const verdictOf = (student: string, question: string) => {
  const q = results.get(student)!.questions.find((x) => x.id === question)!;
  return ({ passed: 'PASS', partial: 'PARTIAL', failed: 'FAIL', pending: 'PENDING' } as Record<string, string>)[q.status];
};
const total = (student: string) => Number(grades.find((g) => g.student === student)!.total);

describe('the class report (index.html)', () => {
  it("shows summary.json's numbers: students, mean, median, min, max, std, and per question the mean, pass rate, spread and most common diagnosis", async () => {
    expect(summary.students).toBe(STUDENTS.length);
    expect(num(await text('[data-testid=students]'))).toBe(summary.students);
    for (const key of ['mean', 'median', 'min', 'max', 'std'] as const) expect(num(await text(`[data-testid=${key}]`)), key).toBeCloseTo(summary[key], 2);
    for (const q of summary.questions) {
      const row = page.locator(`[data-testid=questions] tr[data-question="${q.id}"]`);
      expect(num((await row.locator('[data-field=mean]').textContent()) ?? '')).toBeCloseTo(q.mean, 2);
      expect(((await row.locator('[data-field=pass-rate]').textContent()) ?? '').trim()).toBe(pct(q.passRate));
      for (const key of ['min', 'max', 'std'] as const) expect(num((await row.locator(`[data-field=${key}]`).textContent()) ?? ''), `${q.id} ${key}`).toBeCloseTo(q[key], 2);
      if (q.commonDiagnosis) {
        expect(((await row.locator('[data-field=diagnosis]').textContent()) ?? '').trim()).toBe(q.commonDiagnosis.text);
        expect(num((await row.locator('[data-field=diagnosis-count]').textContent()) ?? '')).toBe(q.commonDiagnosis.count);
      }
    }
    expect(summary.questions.some((q) => q.commonDiagnosis)).toBe(true);
  });

  it('per question: a histogram of the scores, every diagnosis with its count, and each case’s failure rate, hidden cases included', async () => {
    for (const q of summary.questions) {
      const card = page.locator(`[data-testid=question-card][data-question="${q.id}"]`);
      const buckets = await card.locator('[data-testid=question-histogram] [data-testid=bucket]').evaluateAll((gs) => gs.map((g) => Number(g.getAttribute('data-count'))));
      expect(buckets).toEqual(q.distribution.map((d) => d.count));
      expect(buckets.reduce((s, c) => s + c, 0)).toBe(STUDENTS.length);
      const diagnoses = await card.locator('[data-testid=diagnoses] li').evaluateAll((lis) => lis.map((li) => ({ text: li.querySelector('[data-field=text]')!.textContent, count: Number(li.querySelector('[data-field=count]')!.textContent) })));
      expect(diagnoses).toEqual(q.diagnoses);
      const cases = await card.locator('[data-testid=cases] tbody tr').evaluateAll((trs) =>
        trs.map((tr) => ({ id: tr.getAttribute('data-case'), visibility: tr.getAttribute('data-visibility'), failed: Number(tr.querySelector('[data-field=failed]')!.textContent), students: Number(tr.querySelector('[data-field=students]')!.textContent), failRate: tr.querySelector('[data-field=fail-rate]')!.textContent })),
      );
      expect(cases).toEqual(q.cases.map((c) => ({ id: c.id, visibility: c.visibility, failed: c.failed, students: c.students, failRate: pct(c.failRate) })));
      // The figures themselves, from the results.
      for (const c of q.cases) {
        const ran = STUDENTS.map((s) => results.get(s)!.questions.find((x) => x.id === q.id)!.cases.find((x) => x.id === c.id)).filter((x) => x !== undefined);
        expect(c.failed, `${q.id}/${c.id}`).toBe(ran.filter((x) => x.status !== 'pass').length);
      }
    }
    const gram = summary.questions.find((q) => q.id === 'gram_matrix')!;
    expect(gram.cases.some((c) => c.visibility === 'hidden' && c.failed > 0)).toBe(true);
    expect(gram.diagnoses.map((d) => d.text)).toEqual(expect.arrayContaining(['does not import', expect.stringMatching(/too large by exactly H\*W\*C/)]));
  });

  it('draws a histogram whose bars count the students of summary.json', async () => {
    const buckets = page.locator('[data-testid=histogram] [data-testid=bucket]');
    expect(await buckets.count()).toBe(summary.distribution.length);
    for (let i = 0; i < summary.distribution.length; i++) {
      const bucket = buckets.nth(i);
      expect(Number(await bucket.getAttribute('data-count'))).toBe(summary.distribution[i].count);
      expect(num((await bucket.locator('[data-field=count]').textContent()) ?? '')).toBe(summary.distribution[i].count);
    }
    expect(summary.distribution.reduce((s, d) => s + d.count, 0)).toBe(STUDENTS.length);
  });

  it('lists every student with their total from grades.csv, and the fixtures and back end of summary.json', async () => {
    const rows = page.locator('[data-testid=students-table] tbody tr');
    expect(await rows.count()).toBe(grades.length);
    for (const g of grades) {
      const shown = await page.locator(`tr[data-student="${g.student}"] [data-field=points]`).textContent();
      expect(num(shown ?? '')).toBeCloseTo(Number(g.total), 2);
    }
    expect(await text('[data-testid=backend]')).toBe(summary.backend);
    expect(await page.locator('[data-testid=fixtures] li').count()).toBe(Object.keys(summary.fixtures).length);
  });

  it('sorts the students by any column, each way', async () => {
    const header = (label: string) => page.locator('[data-testid=students-table] thead th', { hasText: label }).locator('button');
    const byName = [...STUDENTS].sort();
    await header('points').click();
    const ascending = [...STUDENTS].sort((a, b) => total(a) - total(b) || (a < b ? -1 : 1));
    expect(await shownStudents()).toEqual(ascending);
    expect(await page.locator('th[data-sort=total]').getAttribute('aria-sort')).toBe('ascending');
    await header('points').click();
    expect((await shownStudents()).map(total)).toEqual(ascending.map(total).reverse());
    await header('tv_loss').click();
    const tv = (s: string) => results.get(s)!.questions.find((q) => q.id === 'tv_loss')!.points;
    const byTv = await shownStudents();
    expect(byTv.map((s) => tv(s!))).toEqual([...STUDENTS].map(tv).sort((a, b) => a - b));
    await header('student').click();
    expect(await shownStudents()).toEqual(byName);
    await header('student').click();
    expect(await shownStudents()).toEqual([...byName].reverse());
    await header('student').click();
  });

  it('filters by verdict and by diagnosis, and says how many are shown', async () => {
    const question = page.locator('[data-testid=filter-question]');
    const verdict = page.locator('[data-testid=filter-verdict]');
    const diagnosis = page.locator('[data-testid=filter-diagnosis]');
    await question.selectOption({ label: 'tv_loss' });
    await verdict.selectOption('FAIL');
    const failingTv = STUDENTS.filter((s) => verdictOf(s, 'tv_loss') === 'FAIL').sort();
    expect(failingTv.length).toBeGreaterThan(0);
    expect(await shownStudents()).toEqual(failingTv);
    expect(num(await text('[data-testid=shown]'))).toBe(failingTv.length);
    await question.selectOption('');
    const anyPass = STUDENTS.filter((s) => results.get(s)!.questions.some((q) => q.status === 'passed'));
    await verdict.selectOption('PASS');
    expect(await shownStudents()).toEqual(anyPass.sort());
    await verdict.selectOption('');
    // Every diagnosis of gram_matrix filters to the students whose failing cases show it.
    const gram = summary.questions.find((q) => q.id === 'gram_matrix')!;
    for (const [i, d] of gram.diagnoses.entries()) {
      await diagnosis.selectOption({ label: `${i + 1}. ${d.text} (${d.count})` });
      const shown = await shownStudents();
      expect(shown.length, d.text).toBe(d.count);
    }
    await diagnosis.selectOption({ label: `${gram.diagnoses.findIndex((d) => d.text === 'does not import') + 1}. does not import (1)` });
    expect(await shownStudents()).toEqual(['does-not-import']);
    await diagnosis.selectOption('');
    await page.locator('[data-testid=filter-student]').fill('not');
    expect(await shownStudents()).toEqual(['does-not-import', 'gram-not-normalized']);
    await page.locator('[data-testid=filter-student]').fill('');
    expect(await shownStudents()).toEqual([...STUDENTS].sort());
  });

  it('exports the rows shown, in the order shown, as CSV', async () => {
    await page.locator('[data-testid=students-table] thead th[data-sort=total] button').click();
    await page.locator('[data-testid=filter-verdict]').selectOption('FAIL');
    const shown = await shownStudents();
    expect(shown.length).toBeGreaterThan(0);
    expect(shown.length).toBeLessThan(STUDENTS.length);
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid=export-csv]').click()]);
    expect(download.suggestedFilename()).toBe(`${ID}-students.csv`);
    const csv = parseCsv(await readFile((await download.path())!), { columns: true }) as Record<string, string>[];
    await copyFile((await download.path())!, path.join(ARTIFACTS, 'class-report-export.csv'));
    expect(csv.map((r) => r.student)).toEqual(shown);
    for (const row of csv) {
      expect(Number(row.total)).toBeCloseTo(total(row.student), 4);
      for (const q of summary.questions) {
        expect(Number(row[q.id])).toBeCloseTo(results.get(row.student)!.questions.find((x) => x.id === q.id)!.points, 4);
        expect(row[`${q.id} verdict`]).toBe(verdictOf(row.student, q.id));
      }
    }
    await page.locator('[data-testid=filter-verdict]').selectOption('');
    await page.screenshot({ path: path.join(ARTIFACTS, 'class-report-desktop.png'), fullPage: true });
  });

  it('uses the whole width on a desktop and keeps the student column in view when the matrix scrolls', async () => {
    const wrap = page.locator('[data-testid=students-table]');
    const box = (await wrap.boundingBox())!;
    expect(box.width).toBeGreaterThan(1280 * 0.9);
    // On a phone the matrix scrolls sideways under a fixed first column.
    const scroller = phone.locator('.table-wrap', { has: phone.locator('[data-testid=students-table]') });
    const before = (await phone.locator('[data-testid=students-table] tbody tr td:first-child').first().boundingBox())!;
    await scroller.evaluate((el) => (el.scrollLeft = 400));
    expect(await scroller.evaluate((el) => el.scrollLeft)).toBeGreaterThan(0);
    const after = (await phone.locator('[data-testid=students-table] tbody tr td:first-child').first().boundingBox())!;
    expect(after.x).toBeCloseTo(before.x, 0);
    await scroller.evaluate((el) => (el.scrollLeft = 0));
  });

  it('is readable on a phone (no sideways page, no large blank gaps) and loads nothing from the network', async () => {
    expect(await phone.locator('meta[name=viewport]').count()).toBe(1);
    const { scrollWidth, innerWidth } = await phone.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }));
    expect(scrollWidth).toBeLessThanOrEqual(innerWidth);
    // Between one block of the page and the next there is never more than a few lines of nothing.
    const gaps = await phone.evaluate(() => {
      const boxes = [...document.body.children].filter((e) => e.tagName !== 'SCRIPT' && (e as HTMLElement).offsetParent !== null).map((e) => e.getBoundingClientRect());
      return boxes.slice(1).map((b, i) => b.top - boxes[i].bottom);
    });
    expect(Math.max(...gaps)).toBeLessThan(80);
    await phone.screenshot({ path: path.join(ARTIFACTS, 'class-report.png'), fullPage: true });
    await phone.screenshot({ path: path.join(ARTIFACTS, 'class-report-phone.png'), fullPage: true });
    expect(offline).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it('prints without the controls and without clipping the matrix', async () => {
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('[data-testid=filter-verdict]').isVisible()).toBe(false);
    expect(await page.locator('.table-wrap').first().evaluate((el) => getComputedStyle(el).overflowX)).toBe('visible');
    const pdf = await page.pdf({ format: 'A4', landscape: true });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    await writeFile(path.join(ARTIFACTS, 'class-report.pdf'), pdf);
    await page.emulateMedia({ media: 'screen' });
  });

  it("links each student to their staff report, which links back", async () => {
    const student = 'gram-not-normalized';
    const result = results.get(student)!;
    await page.locator(`tr[data-student="${student}"] a`).click();
    await page.waitForURL(/gram-not-normalized\/staff-report\.html$/);
    const score = await text('[data-testid=score]');
    expect(num(score.split('/')[0])).toBeCloseTo(result.score.points, 2);
    expect(await page.locator('[data-testid=staff-view]').count()).toBe(1);
    await page.screenshot({ path: path.join(ARTIFACTS, 'class-report-student.png'), fullPage: true });
    await page.locator('a[href="../index.html"]').click();
    await page.waitForURL(/out\/index\.html$/);
    expect(offline).toEqual([]);
  });
});

describe('the gradebook (Canvas import CSV)', () => {
  it('keeps every roster row in order with its score, an empty score for no submission, and lists who is on one side only', async () => {
    const rows = parseCsv(await readFile(path.join(out, 'gradebook.csv'))) as string[][];
    expect(rows[0]).toEqual(['Student', 'ID', 'SIS User ID', 'SIS Login ID', 'Section', 'Style transfer (4242)']);
    expect(rows[1]).toEqual(['Points Possible', '', '', '', '', String(summary.maxPoints)]);
    const grades = Object.fromEntries((parseCsv(await readFile(path.join(out, 'grades.csv')), { columns: true }) as Record<string, string>[]).map((g) => [g.student, g.total]));
    expect(rows.slice(2)).toEqual([
      ['Lovelace, Ada', '101', '1815', 'correct', 'L01', grades.correct],
      ['Hopper, Grace', '102', '1906', 'gram-not-normalized', 'L01', grades['gram-not-normalized']],
      ['Turing, Alan', '103', '1912', 'does-not-import', 'L02', grades['does-not-import']],
      ['Curie, Marie', '105', '1867', 'mcurie', 'L02', ''],
    ]);
    const issues = parseCsv(await readFile(path.join(out, 'gradebook-issues.csv')), { columns: true }) as Record<string, string>[];
    expect(issues).toEqual([
      { issue: 'no submission', student: 'mcurie', name: 'Curie, Marie', points: '' },
      { issue: 'not on the roster', student: 'tv-abs', name: '', points: grades['tv-abs'] },
    ]);
  });
});
