// Property: one student id, one verdict (DESIGN.md invariant 8). For random student ids, `dlgrade check
// --student-id X` on a folder and `dlgrade grade` of the same folder named X (the roster says X is a student id) give
// the same per-question points and the same case verdicts on the public cases, for every assignment.
//
// The ids come from a seeded generator; the seed is in the test's name, and DLGRADE_TEST_SEED=<seed> draws the same
// ids again. Each assignment is graded in one batch (every id's folder) and each folder checked once.
import { cp, mkdir, mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pLimit from 'p-limit';
import { stringify } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng, type Rng } from '../../graders/answer-key/rng.js';
import type { ResultT } from '../../graders/result/schema.js';
import { scoreParts, scoreQuestion } from '../../graders/score/score.js';
import { answersFromKey } from '../../reference/written/answers-from-key.js';
import { variantFor } from '../../reference/written/variant.js';
import { ROOT, dlgrade } from './cli.js';

const SEED = Number(process.env.DLGRADE_TEST_SEED ?? Math.floor(Math.random() * 2 ** 31));

/** A student id as courses write them: a letter or two and digits, sometimes with a dash. */
function randomId(rng: Rng, taken: Set<string>): string {
  for (;;) {
    const letters = 'abcdefghjkmnpqrstuvwxyz';
    const prefix = Array.from({ length: 1 + rng.int(0, 2) }, () => letters[rng.int(0, letters.length)]).join('');
    const id = `${prefix}${rng.uniform() < 0.3 ? '-' : ''}${rng.int(1000, 10_000_000)}`;
    if (!taken.has(id)) {
      taken.add(id);
      return id;
    }
  }
}

interface Submission {
  assignment: string;
  id: string;
  /** What was copied under the id: an example folder, or answers made for the id. */
  from: string;
}

/** The assignments that ship examples: every assignment of the repository but the hostile set. */
async function assignmentsWithExamples(): Promise<string[]> {
  const ids: string[] = [];
  for (const entry of await readdir(path.join(ROOT, 'assignments'), { withFileTypes: true })) {
    const examples = await readdir(path.join(ROOT, 'examples', entry.name)).catch(() => []);
    if (entry.isDirectory() && examples.includes('correct')) ids.push(entry.name);
  }
  return ids.sort();
}

/** The public part of a graded question: its points over the public cases only, and those cases' verdicts. */
function publicView(q: ResultT['questions'][number]) {
  const cases = q.cases.filter((c) => c.visibility === 'public');
  // A question in parts scores each part on its share (the parts' maximum points are their shares).
  const parts = q.parts?.map((p) => ({ id: p.id, share: p.maxPoints }));
  const points = q.status === 'pending' ? q.points : parts ? scoreParts(q.maxPoints, parts, cases).points : scoreQuestion(q.maxPoints, cases).points;
  return { points, cases: cases.map((c) => `${c.id}: ${c.status}`) };
}

describe(`check --student-id X and grade of a folder X agree on the public cases (DLGRADE_TEST_SEED=${SEED})`, () => {
  const submissions: Submission[] = [];
  const checked = new Map<string, ResultT>();
  const graded = new Map<string, ResultT>();
  const key = (s: Submission) => `${s.assignment}/${s.id}`;

  beforeAll(async () => {
    const rng = createRng('one-verdict', SEED);
    const work = await mkdtemp(path.join(os.tmpdir(), 'dlgrade-e2e-one-verdict-'));
    const taken = new Set<string>();
    for (const assignment of await assignmentsWithExamples()) {
      const examples = (await readdir(path.join(ROOT, 'examples', assignment), { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();
      const wrong = examples.filter((e) => e !== 'correct');
      // A correct example, and a wrong one picked at random; for the answers assignment also answers made for the id.
      const picks = ['correct', ...(wrong.length ? [wrong[rng.int(0, wrong.length)]] : [])];
      for (const from of picks) {
        const id = randomId(rng, taken);
        await cp(path.join(ROOT, 'examples', assignment, from), path.join(work, assignment, id), { recursive: true });
        submissions.push({ assignment, id, from });
      }
      if (assignment === 'written') {
        const id = randomId(rng, taken);
        await mkdir(path.join(work, assignment, id), { recursive: true });
        await writeFile(path.join(work, assignment, id, 'answers.yaml'), stringify(answersFromKey(variantFor(id))));
        submissions.push({ assignment, id, from: 'answers for its own variant' });
      }
    }
    // The class list a course would pass: grade then knows every folder name is a student id.
    const roster = path.join(work, 'roster.csv');
    await writeFile(roster, ['Student,ID,SIS User ID,SIS Login ID,Section', ...[...taken].map((id, i) => `Student ${i},${i + 1},${id},${id},A`)].join('\n') + '\n');

    const limit = pLimit(2);
    const assignments = [...new Set(submissions.map((s) => s.assignment))];
    await Promise.all([
      ...assignments.map((assignment) =>
        limit(async () => {
          const out = path.join(work, `out-${assignment}`);
          const run = await dlgrade(['grade', assignment, path.join(work, assignment), '--out', out, '--roster', roster, '--jobs', '1', '--no-progress'], { timeoutMs: 300_000 });
          expect(run.exitCode, `grade ${assignment}: ${run.stderr}`).toBe(0);
          for (const s of submissions.filter((x) => x.assignment === assignment)) {
            graded.set(key(s), JSON.parse(await readFile(path.join(out, 'results', `${s.id}.json`), 'utf8')));
          }
        }),
      ),
      ...submissions.map((s) =>
        limit(async () => {
          const run = await dlgrade(['check', s.assignment, '--submission', path.join(work, s.assignment, s.id), '--student-id', s.id, '--json'], { timeoutMs: 300_000 });
          expect(run.exitCode, `check ${key(s)}: ${run.stderr}`).toBe(0);
          checked.set(key(s), JSON.parse(String(run.stdout)));
        }),
      ),
    ]);
  }, 900_000);

  it('every assignment was checked and graded under random ids', async () => {
    expect(new Set(submissions.map((s) => s.assignment))).toEqual(new Set(await assignmentsWithExamples()));
    expect(checked.size).toBe(submissions.length);
    expect(graded.size).toBe(submissions.length);
  });

  it('per question: the same points and the same verdict on every public case', () => {
    for (const s of submissions) {
      const check = checked.get(key(s))!;
      const grade = graded.get(key(s))!;
      expect(check.student, key(s)).toBe(s.id);
      expect(grade.student, key(s)).toBe(s.id);
      const fromCheck = Object.fromEntries(check.questions.map((q) => [q.id, publicView(q)]));
      const fromGrade = Object.fromEntries(grade.questions.map((q) => [q.id, publicView(q)]));
      expect(fromGrade, `seed ${SEED}: ${key(s)} (${s.from})`).toEqual(fromCheck);
      // check runs the public cases only, so its own points are the public points.
      for (const q of check.questions) expect(q.points, `${key(s)} ${q.id}`).toBe(fromCheck[q.id].points);
    }
  });
});
