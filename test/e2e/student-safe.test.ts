// Invariant 10 for the files a student is sent: for every bundled assignment (every folder of assignments/), its
// starter, solution and examples are graded, and each student's report.html, report.md and Gradescope results.json
// is searched for every hidden case id, hidden case description and hidden fixture path and hash. The staff report
// is searched too, and must name them: the search can fail.
import { cp, mkdir, mkdtemp, readdir, readFile } from 'node:fs/promises';
import { existsSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { ROOT, dlgrade } from './cli.js';
import { mentions } from '../../graders/reporters/view-model.js';

const ASSIGNMENTS = readdirSync(path.join(ROOT, 'assignments'), { withFileTypes: true })
  .filter((e) => e.isDirectory() && existsSync(path.join(ROOT, 'assignments', e.name, 'manifest.yaml')))
  .map((e) => e.name)
  .sort();
const STUDENT_FILES = ['report.html', 'report.md', 'results.json'];

interface CaseSpec {
  id: string;
  visibility: 'public' | 'hidden';
  description?: string;
  source?: { file: string };
}
interface Secrets {
  ids: string[];
  texts: string[];
}

/** What a student must never see of an assignment: hidden ids (not also public ones), descriptions, fixture paths and hashes. */
async function secretsOf(id: string): Promise<Secrets> {
  const dir = path.join(ROOT, 'assignments', id);
  const manifest = parseYaml(await readFile(path.join(dir, 'manifest.yaml'), 'utf8')) as { questions: { id: string; cases?: CaseSpec[] }[] };
  const cases = manifest.questions.flatMap((q) => (q.cases ?? []).map((c) => ({ ...c, question: q.id })));
  const publicIds = new Set(cases.filter((c) => c.visibility === 'public').map((c) => c.id));
  const hidden = cases.filter((c) => c.visibility === 'hidden');
  const texts = new Set<string>();
  for (const c of hidden) {
    if (c.description) texts.add(c.description);
    texts.add(`hidden/${c.question}/${c.id}.npz`);
    if (c.source) texts.add(c.source.file);
  }
  const lockFile = path.join(ROOT, 'fixtures', id, 'fixtures.lock.json');
  if (existsSync(lockFile)) {
    const lock = JSON.parse(await readFile(lockFile, 'utf8')) as { files?: Record<string, string> };
    for (const [file, sha256] of Object.entries(lock.files ?? {})) {
      if (!file.startsWith('hidden/')) continue;
      texts.add(sha256);
      // Reports print hashes shortened to 12 characters.
      texts.add(sha256.slice(0, 12));
    }
  }
  // An id that is a word of the report's own wording ("hidden case 1 of 2") names nothing and cannot be searched for.
  const wording = new Set(['hidden', 'case', 'of']);
  return { ids: [...new Set(hidden.map((c) => c.id).filter((c) => !publicIds.has(c) && !wording.has(c)))], texts: [...texts] };
}

/** The starter, the solution and every example of the assignment, each as a submission folder. */
async function submissionsOf(id: string, into: string): Promise<string[]> {
  const dir = path.join(ROOT, 'assignments', id);
  const manifest = parseYaml(await readFile(path.join(dir, 'manifest.yaml'), 'utf8')) as { starter?: string; solution?: string };
  const sources = new Map<string, string>();
  if (manifest.starter) sources.set(path.resolve(dir, manifest.starter), 'starter');
  if (manifest.solution) sources.set(path.resolve(dir, manifest.solution), 'solution');
  const examples = path.join(ROOT, 'examples', id);
  if (existsSync(examples)) {
    for (const e of await readdir(examples, { withFileTypes: true })) if (e.isDirectory() && !sources.has(path.join(examples, e.name))) sources.set(path.join(examples, e.name), e.name);
  }
  await mkdir(into, { recursive: true });
  for (const [from, name] of sources) await cp(from, path.join(into, name), { recursive: true });
  return [...sources.values()];
}

/** Where a text names a secret, as "secret (file)". */
function leaks(text: string, file: string, secrets: Secrets): string[] {
  return [...secrets.ids.filter((id) => mentions(text, id)), ...secrets.texts.filter((t) => text.includes(t))].map((s) => `${s} (${file})`);
}

/** Per assignment: its output folder, the students graded, the secrets. Graded side by side: one waits on a hang while another computes. */
const graded = new Map<string, { out: string; students: string[]; secrets: Secrets }>();

beforeAll(async () => {
  await Promise.all(
    ASSIGNMENTS.map(async (assignment) => {
      const tmp = await mkdtemp(path.join(os.tmpdir(), `dlgrade-safe-${assignment}-`));
      const students = await submissionsOf(assignment, path.join(tmp, 'subs'));
      const out = path.join(tmp, 'out');
      const run = await dlgrade(['grade', assignment, path.join(tmp, 'subs'), '--out', out, '--jobs', '1', '--no-progress'], { timeoutMs: 400_000 });
      expect(run.exitCode, `${assignment}: ${run.stderr}`).toBe(0);
      graded.set(assignment, { out, students, secrets: await secretsOf(assignment) });
    }),
  );
}, 420_000);

describe.each(ASSIGNMENTS)('what a student of %s is sent', (assignment) => {
  it('names no hidden case, description, fixture path or hash in report.html, report.md or results.json', async () => {
    const { out, students, secrets } = graded.get(assignment)!;
    expect(students.length).toBeGreaterThanOrEqual(2);
    const found: string[] = [];
    for (const student of students) {
      for (const file of STUDENT_FILES) {
        const rel = path.join(student, file);
        found.push(...leaks(await readFile(path.join(out, rel), 'utf8'), rel, secrets));
      }
    }
    expect(found).toEqual([]);
  });

  it('keeps the hidden cases in the staff report, where the search finds them', async () => {
    const { out, students, secrets } = graded.get(assignment)!;
    if (secrets.ids.length === 0) return;
    let named = 0;
    for (const student of students) named += leaks(await readFile(path.join(out, student, 'staff-report.html'), 'utf8'), student, secrets).length;
    expect(named).toBeGreaterThan(0);
    // The student's copy still reports the hidden cases, by number.
    const md = await readFile(path.join(out, students[0], 'report.md'), 'utf8');
    expect(md).toMatch(/hidden case 1 of \d+/);
  });
});
