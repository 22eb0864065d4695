// `dlgrade ci` end to end: exit codes, JUnit read back by a JUnit parser, the GitHub step summary and annotations, tamper resistance.
import { cp, mkdir, mkdtemp, readFile, readdir, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse, type TestCase, type TestSuites } from 'junit2json';
import { parse as parseYaml } from 'yaml';
import { execa } from 'execa';
import { ROOT, dlgrade } from './cli.js';

const EXAMPLES = path.join(ROOT, 'examples', 'style-transfer');
let tmp: string;

/** GitHub Actions' variables for one run (GITHUB_WORKSPACE is the repository checkout). */
function actionsEnv(summary: string, workspace: string): Record<string, string> {
  return { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary, GITHUB_WORKSPACE: workspace };
}

async function junit(file: string): Promise<{ suites: TestSuites; cases: TestCase[] }> {
  const suites = (await parse(await readFile(file, 'utf8'))) as TestSuites;
  return { suites, cases: (suites.testsuite ?? []).flatMap((s) => s.testcase ?? []) };
}

/** The public cases of the style-transfer manifest, as classname/name pairs JUnit should list. */
const PUBLIC_CASES = [
  'content_loss/small', 'content_loss/squeezenet-layer3', 'content_loss/course',
  'gram_matrix/small', 'gram_matrix/squeezenet-layer4', 'gram_matrix/course',
  'style_loss/squeezenet', 'style_loss/course',
  'tv_loss/small', 'tv_loss/image-192', 'tv_loss/course',
];

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'dlgrade-ci-'));
});

// Each test has its own files, so they run concurrently: most of their time is spent waiting for Python to start.
describe.concurrent('dlgrade ci', () => {
  it('passes the correct example: exit 0, one JUnit testcase per public case, a green step summary, no annotation', async () => {
    const summary = path.join(tmp, 'summary-correct.md');
    const xml = path.join(tmp, 'correct.xml');
    const run = await dlgrade(['ci', 'style-transfer', '--submission', path.join(EXAMPLES, 'correct'), '--junit', xml], { env: actionsEnv(summary, ROOT) });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/gate: passed — all 4 question\(s\) pass/);
    expect(run.stdout).not.toMatch(/^::error/m);
    const { suites, cases } = await junit(xml);
    expect(cases.map((c) => `${c.classname!.replace('style-transfer.', '')}/${c.name}`).sort()).toEqual([...PUBLIC_CASES].sort());
    expect(suites.tests).toBe(PUBLIC_CASES.length);
    expect(suites.failures).toBe(0);
    expect(suites.errors).toBe(0);
    expect(cases.every((c) => !c.failure && !c.error)).toBe(true);
    const md = await readFile(summary, 'utf8');
    expect(md).toMatch(/✅ dlgrade: Neural style transfer — gate passed/);
    expect(md).toMatch(/\*\*Score: 4 \/ 4\*\*/);
  });

  it('fails a submission whose code raises: exit 1, JUnit errors with the diagnosis, an annotation on the raising line, decoy tests in the repository ignored', async () => {
    // A student repository: a correct style_modules.py except tv_loss, which raises on a known line; plus a decoy
    // manifest, lock and fixtures that would make every question pass if ci read them.
    const repo = path.join(tmp, 'repo');
    const sub = path.join(repo, 'hw');
    await mkdir(sub, { recursive: true });
    const correct = await readFile(path.join(EXAMPLES, 'correct', 'style_modules.py'), 'utf8');
    const lines = correct.split('\n');
    const at = lines.findIndex((l) => /class TotalVariationLoss/.test(l));
    const forward = lines.findIndex((l, i) => i > at && /def forward/.test(l));
    const indent = lines[forward + 1].match(/^\s*/)![0];
    lines.splice(forward + 1, 0, `${indent}raise ValueError("tv is not done yet")`);
    await writeFile(path.join(sub, 'style_modules.py'), lines.join('\n'));
    const raisingLine = forward + 2;
    await mkdir(path.join(sub, 'assignments', 'style-transfer'), { recursive: true });
    await writeFile(path.join(sub, 'assignments', 'style-transfer', 'manifest.yaml'), 'schema: 1\nid: style-transfer\n# decoy\n');
    await mkdir(path.join(sub, 'fixtures', 'style-transfer'), { recursive: true });
    await writeFile(path.join(sub, 'fixtures', 'style-transfer', 'fixtures.lock.json'), '{"files": {}}');

    const summary = path.join(tmp, 'summary-raises.md');
    const xml = path.join(tmp, 'raises.xml');
    const run = await dlgrade(['ci', 'style-transfer', '--submission', 'hw', '--junit', xml], { cwd: repo, env: actionsEnv(summary, repo) });
    expect(run.exitCode, run.stderr).toBe(1);
    expect(run.stdout).toMatch(/gate: FAILED — 1 of 4 question\(s\) do not pass: tv_loss/);

    const annotation = run.stdout.split('\n').filter((l) => l.startsWith('::error '));
    expect(annotation).toHaveLength(1);
    expect(annotation[0]).toContain(`::error file=hw/style_modules.py,line=${raisingLine},title=dlgrade%3A tv_loss::`);
    expect(annotation[0]).toMatch(/ValueError: tv is not done yet/);

    const { suites, cases } = await junit(xml);
    expect(suites.errors).toBe(3);
    expect(suites.failures).toBe(0);
    const tv = cases.filter((c) => c.classname === 'style-transfer.tv_loss');
    expect(tv.map((c) => c.name)).toEqual(['small', 'image-192', 'course']);
    for (const c of tv) {
      expect(c.error?.[0]?.type).toBe('ValueError');
      expect(c.error?.[0]?.message).toMatch(/raised: ValueError: tv is not done yet/);
      expect(c.error?.[0]?.inner).toContain(`at style_modules.py:${raisingLine}: raise ValueError("tv is not done yet")`);
    }
    const md = await readFile(summary, 'utf8');
    expect(md).toMatch(/❌ dlgrade: Neural style transfer — gate failed/);
    expect(md).toMatch(/Total-variation loss.*FAIL/);
  });

  it('applies --require to the named questions and reports wrong values as JUnit failures with the known mistake', async () => {
    const xml = path.join(tmp, 'gram.xml');
    const sub = path.join(EXAMPLES, 'gram-not-normalized');
    const gated = await dlgrade(['ci', 'style-transfer', '-s', sub, '--require', 'content_loss,tv_loss', '--junit', xml], { env: { GITHUB_ACTIONS: '' } });
    expect(gated.exitCode, gated.stderr).toBe(0);
    expect(gated.stdout).toMatch(/gate: passed — the required question\(s\) pass: content_loss, tv_loss/);
    expect(gated.stdout).not.toMatch(/^::/m);
    const { suites, cases } = await junit(xml);
    expect(suites.failures).toBe(5);
    const gram = cases.find((c) => c.classname === 'style-transfer.gram_matrix' && c.name === 'small')!;
    expect(gram.failure?.[0]?.message).toMatch(/Gram matrix is too large by exactly H\*W\*C/);
    expect(gram.failure?.[0]?.inner).toMatch(/gram: wrong values \(rel_error/);
  });

  it('fails --min-score when the public points fall short', async () => {
    const run = await dlgrade(['ci', 'style-transfer', '-s', path.join(EXAMPLES, 'gram-not-normalized'), '--min-score', '0.75'], { env: { GITHUB_ACTIONS: '' } });
    expect(run.exitCode, run.stderr).toBe(1);
    expect(run.stdout).toMatch(/gate: FAILED — 2\/4 public points \(50%\) < the required 75%/);
  });
});

describe.concurrent('dlgrade ci: the harness could not run (exit 2)', () => {
  const correct = path.join(EXAMPLES, 'correct');
  it.each<[string, string[], Record<string, string>, RegExp]>([
    ['a missing interpreter', ['--python', '/nonexistent/python3'], {}, /Python interpreter \/nonexistent\/python3 does not exist/],
    ['an unknown question in --require', ['--require', 'content_loss,nope'], {}, /--require .*unknown: nope/],
    ['a min-score outside 0..1', ['--min-score', '80'], {}, /--min-score must be a fraction between 0 and 1/],
    ['both gates', ['--min-score', '0.5', '--require', 'all'], {}, /cannot be used with option|cannot be combined/],
    ['an unknown option', ['--frobnicate'], {}, /unknown option '--frobnicate'/],
    ['a JUnit file under a file', ['--junit', path.join(EXAMPLES, 'correct', 'style_modules.py', 'junit.xml')], {}, /--junit .*junit\.xml: .*style_modules\.py is a file, not a folder/],
  ])('%s', async (_name, args, env, message) => {
    const run = await dlgrade(['ci', 'style-transfer', '-s', correct, ...args], { env });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(message);
  });

  it('a broken manifest names the file and exits 2', async () => {
    const root = path.join(tmp, 'broken-assignments');
    await mkdir(path.join(root, 'style-transfer'), { recursive: true });
    await writeFile(path.join(root, 'style-transfer', 'manifest.yaml'), 'schema: 1\nid: style-transfer\nquestions: 3\n');
    const run = await dlgrade(['ci', 'style-transfer', '-s', correct], { env: { DLGRADE_ASSIGNMENTS: root } });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/style-transfer\/manifest\.yaml: .*is missing the required field "title"/);
  });

  it('refuses fixtures that live inside the submission (a student shipping their own expected outputs)', async () => {
    const sub = path.join(tmp, 'ships-fixtures');
    await cp(correct, sub, { recursive: true });
    await cp(path.join(ROOT, 'fixtures', 'style-transfer'), path.join(sub, 'fixtures', 'style-transfer'), { recursive: true });
    const run = await dlgrade(['ci', 'style-transfer', '-s', sub], { env: { DLGRADE_FIXTURES: path.join(sub, 'fixtures') } });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/never from the submission, but these lie inside the submission .*the fixtures folder/);
    expect(run.stdout).not.toMatch(/gate:/);
  });

  describe('from an instructor kit (the layout the workflow installs)', () => {
    let kit: string;
    beforeAll(async () => {
      kit = path.join(tmp, 'kit');
      const exported = await dlgrade(['export-student', 'style-transfer', '--out', kit]);
      expect(exported.exitCode, exported.stderr).toBe(0);
      await symlink(path.join(ROOT, 'node_modules'), path.join(kit, 'node_modules'), 'dir');
    });

    it('refuses to run when the kit itself is the submission (the repository carries its own tests)', async () => {
      const run = await execa(process.execPath, [path.join(kit, 'bin', 'dlgrade.js'), 'ci', 'style-transfer', '-s', kit], { cwd: kit, reject: false });
      expect(run.exitCode).toBe(2);
      expect(run.stderr).toMatch(/lie inside the submission .*the dlgrade installation/);
    });

    it('refuses a fixture whose bytes differ from fixtures.lock.json: an error, not a pass', async () => {
      const tampered = path.join(tmp, 'tampered-kit');
      await cp(kit, tampered, { recursive: true, verbatimSymlinks: true });
      const file = path.join(tampered, 'fixtures', 'style-transfer', 'public', 'tv_loss', 'small.npz');
      const bytes = await readFile(file);
      bytes[bytes.length - 30] ^= 0xff;
      await writeFile(file, bytes);
      // The kit's own engine, as the workflow runs it.
      const run = await execa(process.execPath, [path.join(tampered, 'bin', 'dlgrade.js'), 'ci', 'style-transfer', '-s', correct], { cwd: tampered, reject: false });
      expect(run.exitCode).toBe(2);
      expect(run.stderr).toMatch(/public\/tv_loss\/small\.npz does not match its sha256 in the lock/);
      expect(await readdir(tampered)).toContain('dlgrade-kit.json');
    });
  });
});

describe('the workflow for student repositories (examples/github-workflow.yml)', () => {
  it('runs dlgrade ci from a kit unpacked outside the checkout after checking its sha256, and keeps the JUnit file', async () => {
    const workflow = parseYaml(await readFile(path.join(ROOT, 'examples', 'github-workflow.yml'), 'utf8')) as {
      on: Record<string, unknown>;
      jobs: Record<string, { steps: { name?: string; run?: string; uses?: string; if?: string }[] }>;
    };
    expect(Object.keys(workflow.on)).toContain('pull_request');
    const steps = Object.values(workflow.jobs)[0].steps;
    const runs = steps.map((s) => s.run ?? '').join('\n');
    expect(runs).toMatch(/sha256sum --check/);
    expect(runs).toMatch(/tar -xzf "\$RUNNER_TEMP\/kit\.tar\.gz" -C "\$RUNNER_TEMP\/dlgrade"/);
    const ci = steps.find((s) => /bin\/dlgrade\.js" ci /.test(s.run ?? ''))!;
    expect(ci.run).toMatch(/^node "\$RUNNER_TEMP\/dlgrade\/bin\/dlgrade\.js" ci/);
    expect(ci.run).toMatch(/--junit /);
    expect(steps.some((s) => s.uses?.startsWith('actions/upload-artifact') && s.if === 'always()')).toBe(true);
  });
});
