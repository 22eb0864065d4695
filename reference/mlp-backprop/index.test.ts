import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createRng } from '../../graders/answer-key/rng.js';
import { selectBackend } from '../../graders/answer-key/backend.js';
import type { Arrays } from '../../graders/answer-key/types.js';
import { sizeOf, toNumbers } from '../../graders/npz/ndarray.js';
import { mlpBackpropReference } from './index.js';

interface ManifestQuestion {
  id: string;
  points: number;
  inputs: Record<string, string>;
  outputs: Record<string, unknown>;
  mistakes?: { id: string }[];
  cases: { id: string; visibility: string; args?: Record<string, unknown> }[];
}

const here = path.dirname(fileURLToPath(import.meta.url));
const parsed = parse(readFileSync(path.join(here, '..', '..', 'assignments', 'mlp-backprop', 'manifest.yaml'), 'utf8')) as {
  questions: (ManifestQuestion & { kind?: string })[];
};
// The key answers the autograded questions; the manual ones (the training-curve plot, observations) are staff's.
const manifest = { questions: parsed.questions.filter((q) => q.kind !== 'manual') };

const POINTS: Record<string, number> = {
  linear_forward: 1,
  linear_backward: 2,
  relu: 1,
  cross_entropy_forward: 1,
  cross_entropy_backward: 2,
  sgd_step: 1,
  accuracy: 1,
  mlp_end_to_end: 2,
};

/** True when the two output sets differ somewhere: a shape, a NaN, or a value by more than the grader's tolerance. */
function differs(a: Arrays, b: Arrays): boolean {
  return Object.keys(a).some((k) => {
    if (a[k].shape.join() !== b[k].shape.join()) return true;
    const x = toNumbers(a[k]);
    const y = toNumbers(b[k]);
    return x.some((v, i) => !(Math.abs(v - y[i]) <= 1e-5 + 1e-4 * Math.abs(y[i])));
  });
}

describe('the mlp-backprop answer key and its manifest', () => {
  beforeAll(async () => {
    await selectBackend('cpu');
  });

  it('registers exactly the eight questions of assignments.md §2, with their points', () => {
    expect(Object.keys(mlpBackpropReference.questions).sort()).toEqual(Object.keys(POINTS).sort());
    expect(Object.fromEntries(manifest.questions.map((q) => [q.id, q.points]))).toEqual(POINTS);
  });

  it('has public and hidden cases for every question', () => {
    for (const q of manifest.questions) {
      expect(q.cases.some((c) => c.visibility === 'public'), q.id).toBe(true);
      expect(q.cases.some((c) => c.visibility === 'hidden'), q.id).toBe(true);
    }
  });

  it.each(manifest.questions.map((q) => [q.id, q] as const))('%s: every case generates the declared inputs and finite outputs', async (_id, q) => {
    const ref = mlpBackpropReference.questions[q.id];
    for (const c of q.cases) {
      const inputs = ref.generate(c.args ?? {}, createRng('index-test', q.id, c.id));
      for (const [name, kind] of Object.entries(q.inputs)) {
        const present = kind === 'tensor_list' ? `${name}.0` in inputs : name in inputs;
        expect(present, `${q.id}/${c.id}: input ${name}`).toBe(true);
      }
      const outputs = await ref.solve(inputs);
      expect(Object.keys(outputs).sort(), `${q.id}/${c.id}`).toEqual(Object.keys(q.outputs).sort());
      for (const [name, out] of Object.entries(outputs)) {
        expect(sizeOf(out.shape)).toBe(out.data.length);
        expect(toNumbers(out).every(Number.isFinite), `${q.id}/${c.id}: ${name} is finite`).toBe(true);
      }
    }
  });

  it('generates the same inputs from the same seed', () => {
    for (const q of manifest.questions) {
      const ref = mlpBackpropReference.questions[q.id];
      const c = q.cases[q.cases.length - 1];
      const a = ref.generate(c.args ?? {}, createRng('same-seed', q.id));
      const b = ref.generate(c.args ?? {}, createRng('same-seed', q.id));
      for (const k of Object.keys(a)) expect(toNumbers(a[k]), `${q.id}: ${k}`).toEqual(toNumbers(b[k]));
    }
  });

  it.each(manifest.questions.flatMap((q) => (q.mistakes ?? []).map((m) => [q.id, m.id, q] as const)))(
    '%s: the mistake %s is implemented and differs from the answer on at least one hidden or public case',
    async (qid, mistakeId, q) => {
      const ref = mlpBackpropReference.questions[qid];
      const wrong = ref.mistakes?.[mistakeId];
      expect(wrong, `${qid} implements ${mistakeId}`).toBeDefined();
      let distinguished = 0;
      for (const c of q.cases) {
        const inputs = ref.generate(c.args ?? {}, createRng('index-test', qid, c.id));
        if (differs(await wrong!(inputs), await ref.solve(inputs))) distinguished++;
      }
      expect(distinguished).toBeGreaterThan(0);
    },
  );
});
