// The reference against PyTorch on the shipped model: the full-marks example (examples/visualisation/correct) runs on
// every graded case, public and hidden, with TinyNet built from assignments/visualisation/tinynet.py and the fixture's
// weights, the way the grader calls it. Its maps must match the TensorFlow.js reference at a fraction of the grading
// tolerance, and its fooling images and class visualisations must have the properties the manifest grades.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../graders/answer-key/backend.js';
import type { Arrays } from '../../graders/answer-key/types.js';
import { FixtureStore } from '../../graders/fixtures/load-case.js';
import { caseFixturePath } from '../../graders/fixtures/paths.js';
import { loadAssignment } from '../../graders/manifest/load-manifest.js';
import type { PropertyT } from '../../graders/manifest/schema.js';
import { checkProperties } from '../../graders/models/properties.js';
import { float32, toNumbers, type NdArray } from '../../graders/npz/ndarray.js';
import { HAS_TORCH, runTorch } from '../cnn-architectures/torch-helper.js';
import { changeFrom, scaledError } from './float64-oracle.js';
import { visualisationReference as reference } from './index.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const CORRECT = path.resolve(HERE, '../../examples/visualisation/correct');

const assignment = await loadAssignment('visualisation');
const store = new FixtureStore(assignment);

interface TorchJob {
  label: string;
  file: string;
  call: string;
  /** Each argument: an input's name and how Python receives it (a tensor, an int, a float, or the model). */
  args: { name: string; kind: string }[];
}

interface TorchOutput {
  label: string;
  shape: number[];
  values: number[];
}

// Builds each argument as the grader does (a fresh TinyNet in eval() mode, frozen, per call) and calls the example.
const RUN_EXAMPLE = `
import json, sys
import numpy as np, torch
torch.set_num_threads(1)
sys.path.insert(0, ${JSON.stringify(assignment.dir)})
sys.path.insert(0, ${JSON.stringify(CORRECT)})
from tinynet import load_weights
import visualizers
results = []
for job in json.load(sys.stdin):
    with np.load(job["file"]) as stored:
        def argument(a):
            if a["kind"] == "model":
                return load_weights(job["file"])
            value = np.array(stored["in." + a["name"]])
            if a["kind"] == "int":
                return int(value)
            if a["kind"] == "float":
                return float(value)
            return torch.from_numpy(value)
        args = [argument(a) for a in job["args"]]
    out = getattr(visualizers, job["call"])(*args).detach().double()
    results.append({"label": job["label"], "shape": list(out.shape), "values": out.flatten().tolist()})
print(json.dumps(results))
`;

const questions = assignment.manifest.questions.filter((q) => q.steps?.length);
const jobs: TorchJob[] = questions.flatMap((q) =>
  (q.cases ?? []).map((c) => {
    const step = q.steps![0];
    return {
      label: `${q.id}/${c.id}`,
      file: caseFixturePath(assignment, q.id, c),
      call: step.call.split('.').pop()!,
      args: (step.args as string[]).map((a) => ({ name: a.slice(1), kind: String(q.inputs?.[a.slice(1)]) })),
    };
  }),
);

/** The case's inputs and the example's output from PyTorch, by label. */
const cases = new Map<string, { inputs: Arrays; torch: NdArray; question: (typeof questions)[number] }>();

/** The graded cases of one question (at least two: public and hidden). */
function casesOf(id: string) {
  const found = [...cases].filter(([label]) => label.startsWith(`${id}/`)).map(([label, c]) => ({ label, ...c }));
  expect(found.length, id).toBeGreaterThanOrEqual(2);
  return found;
}

describe.skipIf(!HAS_TORCH)('the TensorFlow.js reference agrees with PyTorch running the full-marks example on the shipped TinyNet', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
    const outputs = runTorch<TorchOutput[]>(RUN_EXAMPLE, jobs, { timeoutMs: 300_000 });
    for (const out of outputs) {
      const [questionId, caseId] = out.label.split('/');
      const question = questions.find((q) => q.id === questionId)!;
      const { inputs } = await store.load(question, question.cases!.find((c) => c.id === caseId)!);
      cases.set(out.label, { inputs, torch: float32(out.values, out.shape), question });
    }
  }, 360_000);

  it('ran every graded case', () => {
    expect([...cases.keys()].sort()).toEqual(jobs.map((j) => j.label).sort());
    expect(cases.size).toBeGreaterThanOrEqual(18);
  });

  // PyTorch and TensorFlow.js, both in float32, differ by at most 1.1e-6 of a map's largest value (measured); the grading
  // tolerance is 1e-4.
  it.each(['saliency', 'guided_backprop', 'grad_cam', 'guided_grad_cam', 'integrated_gradients'])('%s: every case within 1e-5 of the scale', async (id) => {
    for (const { label, inputs, torch } of casesOf(id)) {
      const [output] = Object.values(await reference.questions[id].solve(inputs));
      expect(torch.shape, label).toEqual(output.shape);
      expect(scaledError(toNumbers(torch), toNumbers(output)), label).toBeLessThan(1e-5);
    }
  });

  // A step is compared by the change it makes (after − img), which the image would hide; both sides round img + step
  // to float32, which blurs the change by up to 1.1e-5 of itself on the strong-L2 case (measured).
  it('class_visualisation: every step within 5e-5 of the step', async () => {
    for (const { label, inputs, torch } of casesOf('class_visualisation')) {
      const output = (await reference.questions.class_visualisation.solve(inputs)).img;
      expect(scaledError(changeFrom(toNumbers(inputs.img), toNumbers(torch)), changeFrom(toNumbers(inputs.img), toNumbers(output))), label).toBeLessThan(5e-5);
    }
  });

  it.each(['fooling_image', 'class_visualisation_run'])('%s: the example passes the graded properties and follows the reference', async (id) => {
    for (const { label, inputs, torch, question } of casesOf(id)) {
      const [spec] = Object.values(question.outputs!) as { properties: PropertyT[] }[];
      const outcome = await checkProperties(torch, spec.properties, inputs, assignment.manifest.model, 'model');
      expect(outcome.failures, label).toEqual([]);
      // Both ascents take the same path: measured within 8e-7 of the total change.
      const start = toNumbers(id === 'fooling_image' ? inputs.X : inputs.init_img);
      const [output] = Object.values(await reference.questions[id].solve(inputs));
      expect(scaledError(changeFrom(start, toNumbers(torch)), changeFrom(start, toNumbers(output))), label).toBeLessThan(1e-4);
    }
  });
});
