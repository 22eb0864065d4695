// The class report in a real browser (Debian's Chromium via playwright-core): the numbers it shows are summary.json's,
// it loads nothing from the network, fits a phone, and links to the students' reports. Also the Canvas gradebook.
import { cp, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { parse as parseCsv } from 'csv-parse/sync';
import { ROOT, dlgrade } from './cli.js';
import type { ClassSummary } from '../../graders/reporters/class-files.js';

const ID = 'style-transfer';
const EXAMPLES = path.join(ROOT, 'examples', ID);
const STUDENTS = ['correct', 'does-not-import', 'gram-not-normalized', 'tv-abs'];
const CHROMIUM = process.env.DLGRADE_CHROMIUM ?? '/usr/bin/chromium';
const ARTIFACTS = path.join(ROOT, 'test-artifacts');

let tmp: string;
let out: string;
let summary: ClassSummary;
let context: BrowserContext;
let page: Page;
const offline: string[] = [];

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
      viewport: { width: 390, height: 844 },
    }),
  ]);
  context = browserContext;
  expect(run.exitCode, run.stderr).toBe(0);
  expect(run.stderr).toMatch(/gradebook: 1 student\(s\) on the roster have no submission \(empty score\): Curie, Marie/);
  expect(run.stderr).toMatch(/gradebook: 1 graded student\(s\) are not on the roster .*: tv-abs/);
  summary = JSON.parse(await readFile(path.join(out, 'summary.json'), 'utf8')) as ClassSummary;
  // Self-contained: any request that is not for a local file is recorded and refused.
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('file:')) return route.continue();
    offline.push(url);
    return route.abort();
  });
  page = await context.newPage();
  await page.goto(pathToFileURL(path.join(out, 'index.html')).href);
});

afterAll(async () => {
  await context?.close();
});

const text = async (selector: string) => (await page.locator(selector).first().textContent())?.trim() ?? '';
const num = (s: string) => Number(s.replace(/[^\d.]/g, ''));

describe('the class report (index.html)', () => {
  it("shows summary.json's numbers: students, mean, median, and per question the mean, pass rate and most common diagnosis", async () => {
    expect(summary.students).toBe(STUDENTS.length);
    expect(num(await text('[data-testid=students]'))).toBe(summary.students);
    expect(num(await text('[data-testid=mean]'))).toBeCloseTo(summary.mean, 2);
    expect(num(await text('[data-testid=median]'))).toBeCloseTo(summary.median, 2);
    for (const q of summary.questions) {
      const row = page.locator(`tr[data-question="${q.id}"]`);
      expect(num((await row.locator('[data-field=mean]').textContent()) ?? '')).toBeCloseTo(q.mean, 2);
      expect(((await row.locator('[data-field=pass-rate]').textContent()) ?? '').trim()).toBe(`${Math.round(q.passRate * 100)}%`);
      if (q.commonDiagnosis) {
        expect(((await row.locator('[data-field=diagnosis]').textContent()) ?? '').trim()).toBe(q.commonDiagnosis.text);
        expect(num((await row.locator('[data-field=diagnosis-count]').textContent()) ?? '')).toBe(q.commonDiagnosis.count);
      }
    }
    expect(summary.questions.some((q) => q.commonDiagnosis)).toBe(true);
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
    const grades = parseCsv(await readFile(path.join(out, 'grades.csv')), { columns: true }) as Record<string, string>[];
    const rows = page.locator('[data-testid=students-table] tbody tr');
    expect(await rows.count()).toBe(grades.length);
    for (const g of grades) {
      const shown = await page.locator(`tr[data-student="${g.student}"] [data-field=points]`).textContent();
      expect(num(shown ?? '')).toBeCloseTo(Number(g.total), 2);
    }
    expect(await text('[data-testid=backend]')).toBe(summary.backend);
    expect(await page.locator('[data-testid=fixtures] li').count()).toBe(Object.keys(summary.fixtures).length);
  });

  it('is readable on a phone and loads nothing from the network', async () => {
    expect(await page.locator('meta[name=viewport]').count()).toBe(1);
    const { scrollWidth, innerWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }));
    expect(scrollWidth).toBeLessThanOrEqual(innerWidth);
    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'class-report.png'), fullPage: true });
    expect(offline).toEqual([]);
  });

  it("follows a student's link to their report, which links back", async () => {
    const student = 'gram-not-normalized';
    const result = JSON.parse(await readFile(path.join(out, 'results', `${student}.json`), 'utf8')) as { score: { points: number; maxPoints: number } };
    await page.locator(`tr[data-student="${student}"] a`).click();
    await page.waitForURL(/gram-not-normalized\/report\.html$/);
    const score = await text('[data-testid=score]');
    expect(num(score.split('/')[0])).toBeCloseTo(result.score.points, 2);
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
