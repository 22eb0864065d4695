// End to end on visualisation: a model as an input (built in the sandbox from the assignment's TinyNet, fresh per
// case), maps compared against their own scale, fooling images and class visualisations graded by properties the
// harness measures in TensorFlow.js. One batch grades every example: the correct one scores 10/10, each wrong one
// loses exactly the questions its expected.json names and is recognised as its mistake.
import { cp, mkdir, mkdtemp, readFile, stat, symlink } from 'node:fs/promises';
import { execa } from 'execa';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { chromium } from 'playwright-core';
import type { CaseResultT, ResultT } from '../../graders/result/schema.js';
import { ROOT, dlgrade, gradeExamples } from './cli.js';

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

describe('the visualisation student kit and Gradescope bundle', () => {
  const PYTHON = process.env.DLGRADE_PYTHON ?? '/usr/bin/python3';
  const EXAMPLES = path.join(ROOT, 'examples', 'visualisation');

  it('check from the kit gives the public verdicts: the model file ships, the answer key does not', async () => {
    const kit = path.join(await mkdtemp(path.join(os.tmpdir(), 'dlgrade-vis-kit-')), 'kit');
    expect((await dlgrade(['export-student', 'visualisation', '--out', kit])).exitCode).toBe(0);
    await symlink(path.join(ROOT, 'node_modules'), path.join(kit, 'node_modules'), 'dir');
    await expect(stat(path.join(kit, 'assignments', 'visualisation', 'tinynet.py'))).resolves.toBeTruthy();
    await expect(stat(path.join(kit, 'dist', 'reference', 'visualisation'))).rejects.toThrow();
    const run = (example: string) =>
      execa(process.execPath, [path.join(kit, 'bin', 'dlgrade.js'), 'check', 'visualisation', '--submission', path.join(EXAMPLES, example), '--json'], {
        cwd: kit,
        reject: false,
        env: { NO_COLOR: '1', DLGRADE_PYTHON: PYTHON },
      });
    const [correct, wrong] = await Promise.all([run('correct'), run('gradcam-no-relu')]);
    expect(correct.exitCode, correct.stderr).toBe(0);
    expect((JSON.parse(correct.stdout) as ResultT).score.points).toBe(10);
    const lost = JSON.parse(wrong.stdout) as ResultT;
    expect(lost.questions.filter((q) => q.status !== 'pending' && q.points < q.maxPoints).map((q) => q.id)).toEqual(['grad_cam', 'guided_grad_cam']);
    expect(lost.questions.flatMap((q) => q.cases.flatMap((c) => c.mistakes.map((m) => m.id)))).toContain('no-relu');
  }, 300_000);

  it('the Gradescope bundle grades the correct example: every automatic test passes', async () => {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'dlgrade-vis-gs-'));
    const zip = path.join(tmp, 'autograder.zip');
    expect((await dlgrade(['export-gradescope', 'visualisation', '--out', zip])).exitCode).toBe(0);
    const root = path.join(tmp, 'autograder');
    await mkdir(path.join(root, 'source'), { recursive: true });
    await execa(PYTHON, ['-c', 'import os, sys, zipfile\nwith zipfile.ZipFile(sys.argv[1]) as z:\n    for i in z.infolist():\n        t = z.extract(i, sys.argv[2])\n        m = (i.external_attr >> 16) & 0o777\n        if m: os.chmod(t, m)', zip, path.join(root, 'source')]);
    await symlink(path.join(ROOT, 'node_modules'), path.join(root, 'source', 'dlgrade', 'node_modules'), 'dir');
    await cp(path.join(EXAMPLES, 'correct'), path.join(root, 'submission'), { recursive: true });
    const run = await execa('bash', [path.join(root, 'source', 'run_autograder')], { cwd: root, env: { AUTOGRADER_ROOT: root, DLGRADE_PYTHON: PYTHON }, reject: false });
    expect(run.exitCode, run.stderr + run.stdout).toBe(0);
    const results = JSON.parse(await readFile(path.join(root, 'results', 'results.json'), 'utf8')) as { score: number; tests: { name: string; status: string }[] };
    expect(results.score).toBe(10);
    expect(results.tests.filter((t) => !/insights/.test(t.name)).every((t) => t.status === 'passed')).toBe(true);
  }, 300_000);
});
