import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../graders/answer-key/backend.js';
import { compareArrays, type Tolerance } from '../../graders/compare/compare.js';
import { sizeOf, toNumbers } from '../../graders/npz/ndarray.js';
import { optimisersReference } from './index.js';
import { casesOf, manifest, question } from './manifest-cases.js';

const POINTS = { sgd_momentum: 1, rmsprop: 1, adam: 1, min_norm: 1, gradient_descent: 1, loss_after_step: 1, optimal_lr: 1, hypergradient: 1 };

/** The questions the key grades; the staff-read ones (kind: manual) are worth 0 points and have no cases. */
const autograded = manifest.questions.filter((q) => q.kind !== 'manual');

function toleranceOf(id: string): Tolerance {
  const c = question(id).compare ?? {};
  return { mode: (c.mode ?? 'rel_error') as Tolerance['mode'], rtol: c.rtol ?? 1e-4, atol: c.atol ?? 0 };
}

describe('the optimisers answer key and its manifest', () => {
  beforeAll(async () => {
    await selectBackend('cpu');
  });

  it('registers exactly the eight questions of assignments.md §6, one point each', () => {
    expect(Object.keys(optimisersReference.questions).sort()).toEqual(Object.keys(POINTS).sort());
    expect(Object.fromEntries(autograded.map((q) => [q.id, q.points]))).toEqual(POINTS);
    // §6 is 8 points: what staff read adds nothing to the total.
    expect(manifest.questions.filter((q) => q.kind === 'manual').map((q) => q.points)).toEqual([0, 0, 0]);
  });

  it('has public and hidden cases for every question', () => {
    for (const q of autograded) {
      expect(q.cases.some((c) => c.visibility === 'public'), q.id).toBe(true);
      expect(q.cases.some((c) => c.visibility === 'hidden'), q.id).toBe(true);
    }
  });

  it.each(autograded.map((q) => q.id))('%s: every case generates its float64 inputs and finite outputs', async (id) => {
    const q = question(id);
    for (const c of casesOf(id)) {
      for (const [name, kind] of Object.entries(q.inputs)) {
        expect(name in c.inputs, `${id}/${c.id}: input ${name}`).toBe(true);
        if (kind === 'tensor') expect(c.inputs[name].dtype, `${id}/${c.id}: ${name}`).toBe('float64');
      }
      const outputs = await optimisersReference.questions[id].solve(c.inputs);
      expect(Object.keys(outputs).sort(), `${id}/${c.id}`).toEqual(Object.keys(q.outputs).sort());
      for (const [name, out] of Object.entries(outputs)) {
        expect(sizeOf(out.shape)).toBe(out.data.length);
        expect(toNumbers(out).every(Number.isFinite), `${id}/${c.id}: ${name} is finite`).toBe(true);
      }
    }
  });

  it.each(manifest.questions.flatMap((q) => (q.mistakes ?? []).filter((m) => !m.patterns).map((m) => [q.id, m.id] as const)))(
    '%s: the mistake %s fails the grader on a public case and is told apart from the other mistakes',
    async (id, mistakeId) => {
      const ref = optimisersReference.questions[id];
      const tol = toleranceOf(id);
      const others = (question(id).mistakes ?? []).filter((m) => m.id !== mistakeId && !m.patterns);
      let publicFailures = 0;
      for (const c of casesOf(id)) {
        const right = await ref.solve(c.inputs);
        const wrong = await ref.mistakes![mistakeId](c.inputs);
        const fails = Object.keys(right).some((k) => !compareArrays(wrong[k], right[k], tol).pass);
        if (!fails) continue;
        if (question(id).cases.find((x) => x.id === c.id)!.visibility === 'public') publicFailures++;
        // Where it fails, the grader names this mistake and no other.
        for (const k of Object.keys(right)) {
          const known = Object.fromEntries(await Promise.all(others.map(async (m) => [m.id, (await ref.mistakes![m.id](c.inputs))[k]] as const)));
          const d = compareArrays(wrong[k], right[k], tol, { ...known, [mistakeId]: wrong[k] });
          if (!d.pass) expect(d.patterns, `${id}/${c.id}: ${k}`).toEqual([{ kind: 'mistake', id: mistakeId }]);
        }
      }
      expect(publicFailures, `${mistakeId} shows on a public case`).toBeGreaterThan(0);
    },
  );
});
