// The student kit: built by `export-student`, searched for answers and hidden cases, then `check` run from it.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { parse as parseYaml } from 'yaml';
import { ROOT, dlgrade } from './cli.js';

const ID = 'style-transfer';
const EXAMPLES = path.join(ROOT, 'examples', ID);

interface ManifestCases {
  questions: { id: string; cases: { id: string; visibility: string }[] }[];
}

let kit: string;
let files: string[];
const manifest = parseYaml(await readFile(path.join(ROOT, 'assignments', ID, 'manifest.yaml'), 'utf8')) as ManifestCases;
const hidden = manifest.questions.flatMap((q) => q.cases.filter((c) => c.visibility === 'hidden').map((c) => ({ question: q.id, id: c.id })));
const publicIds = new Set(manifest.questions.flatMap((q) => q.cases.filter((c) => c.visibility === 'public').map((c) => c.id)));

async function walk(dir: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(path.join(dir, rel), { withFileTypes: true })) {
    const child = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.name === 'node_modules') continue;
    if (entry.isDirectory()) out.push(...(await walk(dir, child)));
    else out.push(child);
  }
  return out;
}

/** Runs the kit's own engine (as a student would: from the kit folder). */
const kitDlgrade = (args: string[]) => execa(process.execPath, [path.join(kit, 'bin', 'dlgrade.js'), ...args], { cwd: kit, reject: false, env: { NO_COLOR: '1' } });

/** Lines of a source file distinctive enough that finding one in the kit means the file leaked. */
function distinctiveLines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length >= 40 && !/^(import|export \{|\/\/|\/\*|\*|#|"""|from |return [\w.]+;?$)/.test(l));
}

beforeAll(async () => {
  kit = path.join(await mkdtemp(path.join(os.tmpdir(), 'dlgrade-kit-')), 'kit');
  const run = await dlgrade(['export-student', ID, '--out', kit]);
  expect(run.exitCode, run.stderr).toBe(0);
  expect(run.stdout).toMatch(new RegExp(`${hidden.length} hidden cases? left out`));
  files = await walk(kit);
  // What `npm ci --omit=dev` would install, without the network.
  await symlink(path.join(ROOT, 'node_modules'), path.join(kit, 'node_modules'), 'dir');
});

describe('the student kit', () => {
  it('has the starter, the public fixtures, a lock of exactly those files and a manifest of the public cases', async () => {
    expect(files).toContain(`assignments/${ID}/starter/style_modules.py`);
    expect(files).toContain('README.md');
    expect(files).toContain('bin/dlgrade.js');
    const kitManifest = parseYaml(await readFile(path.join(kit, 'assignments', ID, 'manifest.yaml'), 'utf8')) as ManifestCases & { solution?: string };
    expect(kitManifest.solution).toBeUndefined();
    expect(kitManifest.questions.flatMap((q) => q.cases.map((c) => c.visibility))).toEqual(expect.arrayContaining(['public']));
    expect(kitManifest.questions.flatMap((q) => q.cases).every((c) => c.visibility === 'public')).toBe(true);
    const lock = JSON.parse(await readFile(path.join(kit, 'fixtures', ID, 'fixtures.lock.json'), 'utf8')) as { files: Record<string, string> };
    for (const [rel, sha] of Object.entries(lock.files)) {
      const bytes = await readFile(path.join(kit, 'fixtures', ID, rel));
      expect(createHash('sha256').update(bytes).digest('hex'), rel).toBe(sha);
    }
    const fixtureFiles = files.filter((f) => f.startsWith(`fixtures/${ID}/`) && f.endsWith('.npz'));
    expect(fixtureFiles.length).toBeGreaterThan(0);
    expect(fixtureFiles.every((f) => f.startsWith(`fixtures/${ID}/public/`))).toBe(true);
  });

  it('holds no reference code: no reference path at all, and no line of the key or the solution appears', async () => {
    expect(files.filter((f) => f.split('/').includes('reference'))).toEqual([]);
    expect(files.some((f) => f.endsWith('.ts'))).toBe(false);

    const secrets = new Map<string, string>();
    const referenceSources = (await walk(path.join(ROOT, 'reference'))).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
    for (const f of referenceSources) for (const line of distinctiveLines(await readFile(path.join(ROOT, 'reference', f), 'utf8'))) secrets.set(line, `reference/${f}`);
    const starter = new Set(distinctiveLines(await readFile(path.join(ROOT, 'assignments', ID, 'starter', 'style_modules.py'), 'utf8')));
    for (const line of distinctiveLines(await readFile(path.join(EXAMPLES, 'correct', 'style_modules.py'), 'utf8'))) {
      if (!starter.has(line)) secrets.set(line, 'the solution');
    }
    // A line the engine's own sources share with the key (a call like truthTable('xor')) says nothing about a leak.
    for (const dir of ['graders', 'scripts']) {
      for (const f of (await walk(path.join(ROOT, dir))).filter((x) => x.endsWith('.ts'))) {
        for (const line of distinctiveLines(await readFile(path.join(ROOT, dir, f), 'utf8'))) secrets.delete(line);
      }
    }
    // An import line names a module, not an answer (the engine's scaffolds write the same ones).
    for (const line of [...secrets.keys()]) if (/^(\}\s*)?from\s|^import\s|\sfrom\s+'[^']+';?$/.test(line)) secrets.delete(line);
    expect(secrets.size).toBeGreaterThan(20);
    for (const f of files) {
      const text = (await readFile(path.join(kit, f))).toString('latin1');
      for (const [line, from] of secrets) expect(text.includes(line), `${f} contains a line of ${from}: ${line}`).toBe(false);
    }
  });

  it('holds no hidden case: no hidden fixture file, no hidden case id, no hidden fixture bytes', async () => {
    expect(hidden.length).toBeGreaterThan(0);
    expect(files.some((f) => f.includes('/hidden/'))).toBe(false);
    const repoLock = JSON.parse(await readFile(path.join(ROOT, 'fixtures', ID, 'fixtures.lock.json'), 'utf8')) as { files: Record<string, string> };
    const hiddenHashes = new Set(Object.entries(repoLock.files).filter(([rel]) => rel.startsWith('hidden/')).map(([, sha]) => sha));
    const dataFiles = files.filter((f) => /^(assignments|fixtures)\//.test(f) || ['README.md', 'dlgrade-kit.json'].includes(f));
    for (const f of files) {
      const bytes = await readFile(path.join(kit, f));
      const text = bytes.toString('latin1');
      expect(hiddenHashes.has(createHash('sha256').update(bytes).digest('hex')), `${f} is a hidden fixture`).toBe(false);
      for (const h of hidden) {
        expect(text.includes(`${h.question}/${h.id}`) || text.includes(`${h.id}.npz`), `${f} names the hidden case ${h.question}/${h.id}`).toBe(false);
        // Ids that only hidden cases use must not appear at all in the assignment's data.
        if (!publicIds.has(h.id) && dataFiles.includes(f)) expect(new RegExp(`\\b${h.id}\\b`).test(text), `${f} mentions the hidden case id ${h.id}`).toBe(false);
      }
    }
  });

  it('runs check from the kit: full public marks for the correct example, the same verdicts as the full install for a wrong one', async () => {
    const [correct, kitWrong, installWrong] = await Promise.all([
      kitDlgrade(['check', ID, '--submission', path.join(EXAMPLES, 'correct'), '--json']),
      kitDlgrade(['check', ID, '--submission', path.join(EXAMPLES, 'gram-not-normalized'), '--json']),
      dlgrade(['check', ID, '--submission', path.join(EXAMPLES, 'gram-not-normalized'), '--json']),
    ]);
    for (const run of [correct, kitWrong, installWrong]) expect(run.exitCode, run.stderr).toBe(0);
    const full = JSON.parse(correct.stdout);
    expect(full.score).toMatchObject({ points: 4, maxPoints: 4 });
    expect(full.questions.flatMap((q: { cases: { id: string; visibility: string }[] }) => q.cases.map((c) => c.visibility))).not.toContain('hidden');
    const verdicts = (stdout: string) =>
      (JSON.parse(stdout) as { questions: { id: string; points: number; status: string; cases: { id: string; status: string }[] }[] }).questions.map((q) => ({
        id: q.id,
        points: q.points,
        status: q.status,
        cases: q.cases.map((c) => `${c.id}:${c.status}`),
      }));
    expect(verdicts(kitWrong.stdout)).toEqual(verdicts(installWrong.stdout));
    expect(JSON.parse(kitWrong.stdout).score.points).toBe(2);
  });

  it('says plainly that the answer key is not in the kit when an instructor command needs it', async () => {
    const run = await kitDlgrade(['fixtures', ID]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('no answer key for "style-transfer": the answer keys are not part of this copy of dlgrade (a student kit never holds them)');
  });
});
