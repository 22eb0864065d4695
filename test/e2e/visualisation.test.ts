// End to end on visualisation: a model as an input (built in the sandbox from the assignment's TinyNet, fresh per
// case), maps compared against their own scale, fooling images and class visualisations graded by properties the
// harness measures in TensorFlow.js. One batch grades every example: the correct one scores 10/10, each wrong one
// loses exactly the questions its expected.json names and is recognised as its mistake.
import { mkdir, mkdtemp, readFile, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { chromium } from 'playwright-core';
import type { CaseResultT, ResultT } from '../../graders/result/schema.js';
import { ROOT, gradeExamples } from './cli.js';

const CHROMIUM = process.env.DLGRADE_CHROMIUM ?? '/usr/bin/chromium';

interface Expected {
  lose: string[];
  mistake: string | null;
  /** A sentence the lost question's cases must carry, when no named mistake applies. */
  message?: string;
}

describe('dlgrade grade visualisation examples', () => {
  let out: string;
  const results = new Map<string, ResultT>();
  const expected = new Map<string, Expected>();
  const caseOf = (student: string, question: string, id: string): CaseResultT =>
    results.get(student)!.questions.find((q) => q.id === question)!.cases.find((c) => c.id === id)!;

  beforeAll(async () => {
    out = await mkdtemp(path.join(os.tmpdir(), 'dlgrade-e2e-vis-'));
    const graded = await gradeExamples<Expected>('visualisation', out, { timeoutMs: 420_000 });
    expect(graded.run.stderr).not.toMatch(/internal error/);
    expect(graded.run.exitCode).toBe(0);
    for (const [k, v] of graded.results) results.set(k, v);
    for (const [k, v] of graded.expected) expected.set(k, v);
  }, 450_000);

  it('grades every example', () => {
    expect([...results.keys()].sort()).toEqual([...expected.keys()].sort());
    expect(expected.size).toBeGreaterThanOrEqual(15);
  });

  it('the correct example scores every automatic point on public and hidden cases', () => {
    const correct = results.get('correct')!;
    const notPassed = correct.questions.flatMap((q) => q.cases.filter((c) => c.status !== 'pass' && c.status !== 'pending').map((c) => `${q.id}/${c.id}: ${c.status} ${c.error?.message ?? ''}`));
    expect(notPassed).toEqual([]);
    expect(correct.score.points).toBe(10);
    expect(correct.questions.filter((q) => q.maxPoints > 0 && q.status !== 'pending').every((q) => q.cases.some((c) => c.visibility === 'hidden'))).toBe(true);
  });

  it('each wrong example loses exactly the questions its expected.json names', () => {
    for (const [student, result] of results) {
      const lost = result.questions.filter((q) => q.status !== 'pending' && q.points < q.maxPoints).map((q) => q.id);
      expect(lost.sort(), student).toEqual([...expected.get(student)!.lose].sort());
    }
  });

  it('a wrong example is recognised as its mistake, and its report says so', async () => {
    for (const [student, result] of results) {
      const { lose, mistake, message } = expected.get(student)!;
      if (!lose.length) continue;
      const q = result.questions.find((x) => x.id === lose[0])!;
      const md = await readFile(path.join(out, student, 'report.md'), 'utf8');
      if (mistake) {
        const named = q.cases.flatMap((c) => c.mistakes);
        expect(named.map((m) => m.id), `${student}: ${q.id}`).toContain(mistake);
        expect(md, student).toContain(named.find((m) => m.id === mistake)!.message.slice(0, 40));
      }
      if (message) expect(q.cases.map((c) => c.error?.message ?? '').join('\n'), student).toContain(message);
    }
  });

  it('a property failure gets its own sentence, measured by the harness', () => {
    const run = caseOf('classvis-descends', 'class_visualisation_run', 'public');
    expect(run.status).toBe('fail');
    const summary = run.outputs[0].summary;
    expect(summary).toMatch(/the model classifies your image as \d \(\w+\), not \d \(\w+\)/);
    expect(summary).toMatch(/the score of class \d \(\w+\) rose by -[\d.]+ .* less than the [\d.]+ required/);
  });

  it('a submission that changes the model is told so, and the next call gets a fresh model', () => {
    const fooled = caseOf('fooling-trains-the-model', 'fooling_image', 'public');
    expect(fooled.status).toBe('error');
    expect(fooled.error!.message).toMatch(/changed the parameters of model \(features\.0\.weight\)/);
    // The questions graded after it, in the same process, still see the shipped weights.
    expect(caseOf('fooling-trains-the-model', 'class_visualisation_run', 'public').status).toBe('pass');
    expect(caseOf('fooling-trains-the-model', 'class_visualisation', 'public').status).toBe('pass');
  });

  it('Grad-CAM that is upsampled fails only grad_cam: guided Grad-CAM resizes 32×32 to itself', () => {
    expect(caseOf('gradcam-upsampled', 'grad_cam', 'public').outputs[0].diagnostics.failure).toBe('shape');
    expect(caseOf('gradcam-upsampled', 'guided_grad_cam', 'public').status).toBe('pass');
  });

  it('reports show pictures: the input, your map and the expected one; the Markdown report links the PNG files', async () => {
    const cam = caseOf('gradcam-no-relu', 'grad_cam', 'public');
    expect(cam.pictures!.map((p) => p.label)).toEqual(['input', 'yours', 'expected']);
    // Hidden cases never carry pictures (they would show hidden inputs); passing map cases need none.
    expect(caseOf('gradcam-no-relu', 'grad_cam', 'hidden-batch').pictures).toBeUndefined();
    expect(caseOf('correct', 'grad_cam', 'public').pictures).toBeUndefined();
    expect(caseOf('correct', 'fooling_image', 'public').pictures!.map((p) => p.label)).toEqual(['original', 'yours', expect.stringMatching(/^difference/)]);
    const md = await readFile(path.join(out, 'gradcam-no-relu', 'report.md'), 'utf8');
    expect(md).toContain('![yours](pictures/grad_cam/public-2.png)');
    const png = await readFile(path.join(out, 'gradcam-no-relu', 'pictures', 'grad_cam', 'public-2.png'));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
  });

  it('the HTML report shows its pictures in Chromium (screenshot in test-artifacts/)', async () => {
    const context = await chromium.launchPersistentContext(await mkdtemp(path.join(os.tmpdir(), 'dlgrade-chromium-')), {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1000, height: 900 },
    });
    try {
      const page = await context.newPage();
      await page.goto(pathToFileURL(path.join(out, 'gradcam-no-relu', 'report.html')).href);
      const images = page.locator('figure img');
      expect(await images.count()).toBeGreaterThanOrEqual(3);
      // Every picture decoded and laid out at its size (a broken data URI has naturalWidth 0).
      const widths = await page.locator('figure img').evaluateAll((els) => els.map((e) => (e as HTMLImageElement).naturalWidth));
      expect(widths.every((w) => w >= 32)).toBe(true);
      await mkdir(path.join(ROOT, 'test-artifacts'), { recursive: true });
      const shot = path.join(ROOT, 'test-artifacts', 'visualisation-report.png');
      await page.locator('#q-grad_cam').scrollIntoViewIfNeeded();
      await page.screenshot({ path: shot });
      expect((await stat(shot)).size).toBeGreaterThan(10_000);
    } finally {
      await context.close();
    }
  });
});
