// The gradient-ascent references (one class-visualisation step, the whole run, the fooling image) against float64
// loops, and the properties the fixture generators promise, measured in float64 on the graded cases.
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../graders/answer-key/backend.js';
import { createRng } from '../../graders/answer-key/rng.js';
import type { Arrays } from '../../graders/answer-key/types.js';
import { FixtureStore } from '../../graders/fixtures/load-case.js';
import { loadAssignment } from '../../graders/manifest/load-manifest.js';
import { checkProperties } from '../../graders/models/properties.js';
import { scalar, scalarValue, toNumbers } from '../../graders/npz/ndarray.js';
import { argmax, changeFrom, classVisRun64, classVisStep64, foolingImage64, scaledError, scores64, tensor64, tinyNet64 } from './float64-oracle.js';
import { visualisationReference as reference } from './index.js';
import { modelInputs, tinyNetWeights, weightsFromInputs } from './tinynet.js';

const assignment = await loadAssignment('visualisation');
const store = new FixtureStore(assignment);
const question = (id: string) => assignment.manifest.questions.find((q) => q.id === id)!;

/** Every case of a question, public and hidden, as the fixtures hold it. */
async function fixtureCases(id: string): Promise<{ label: string; inputs: Arrays }[]> {
  const q = question(id);
  return Promise.all((q.cases ?? []).map(async (c) => ({ label: `${id}/${c.id}`, inputs: (await store.load(q, c)).inputs })));
}

function modelOf(inputs: Arrays) {
  return tinyNet64(weightsFromInputs(inputs));
}

function standardDeviation(row: number[]): number {
  const mean = row.reduce((s, v) => s + v, 0) / row.length;
  return Math.sqrt(row.reduce((s, v) => s + (v - mean) ** 2, 0) / row.length);
}

// A step's change against float64: measured up to 6e-6 of its largest entry. The step comes back added to the image
// and rounded to float32, so an image of size 3 blurs a step of 0.1 by about 1e-5 of itself; mistakes are off by 0.7.
const STEP_TOLERANCE = 5e-5;
// Thirty or more steps let float32 rounding grow; measured up to 1.1e-6 of the total change.
const PATH_TOLERANCE = 1e-4;

beforeAll(async () => {
  await selectBackend('wasm');
});

describe('one class-visualisation step against float64 loops', () => {
  const small = (label: string, size: number): Arrays => ({
    ...modelInputs(tinyNetWeights(3141)),
    img: createRng('visualisation-oracle', 'step', label).randn([1, 3, size, size]),
  });

  it.each([
    ['an 8×8 image, strong L2', 8, 0.05, 0.5, 6],
    ['a 16×16 image, weak L2', 16, 1e-3, 2, 1],
    ['a 32×32 image, no L2', 32, 0, 1, 9],
  ])('%s', async (label, size, l2Reg, lr, target) => {
    const inputs = { ...small(label, size), target_y: scalar(target, 'int64'), l2_reg: scalar(l2Reg), learning_rate: scalar(lr) };
    const img = tensor64(inputs.img);
    const out = await reference.questions.class_visualisation.solve(inputs);
    const expected = changeFrom(img.data, classVisStep64(modelOf(inputs), img, target, l2Reg, lr).data);
    expect(scaledError(changeFrom(img.data, toNumbers(out.img)), expected)).toBeLessThan(STEP_TOLERANCE);
  });

  it.each(['public', 'hidden-strong-l2'])('the graded case %s, and each named mistake is off', async (caseId) => {
    const q = question('class_visualisation');
    const { inputs, expected: stored, mistakes } = await store.load(q, q.cases!.find((c) => c.id === caseId)!);
    const img = tensor64(inputs.img);
    const target = scalarValue(inputs.target_y);
    const step64 = changeFrom(img.data, classVisStep64(modelOf(inputs), img, target, scalarValue(inputs.l2_reg), scalarValue(inputs.learning_rate)).data);
    expect(scaledError(changeFrom(img.data, toNumbers((await reference.questions.class_visualisation.solve(inputs)).img)), step64)).toBeLessThan(STEP_TOLERANCE);
    expect(scaledError(changeFrom(img.data, toNumbers(stored.img)), step64)).toBeLessThan(STEP_TOLERANCE);
    expect(Object.keys(mistakes).sort()).toEqual(['descends', 'not-normalised']);
    for (const [id, outputs] of Object.entries(mistakes)) expect(scaledError(changeFrom(img.data, toNumbers(outputs.img)), step64), id).toBeGreaterThan(0.5);
  });
});

describe('the whole class visualisation on the graded cases', () => {
  it('follows the float64 run and reaches what the generator promised (argmax, twice the margin)', async () => {
    for (const { label, inputs } of await fixtureCases('class_visualisation_run')) {
      const net = modelOf(inputs);
      const init = tensor64(inputs.init_img);
      const target = scalarValue(inputs.target_y);
      const run64 = classVisRun64(net, init, target, scalarValue(inputs.num_iterations), scalarValue(inputs.l2_reg), scalarValue(inputs.learning_rate));
      const out = (await reference.questions.class_visualisation_run.solve(inputs)).reference_visualisation;
      expect(scaledError(changeFrom(init.data, toNumbers(out)), changeFrom(init.data, run64.data)), label).toBeLessThan(PATH_TOLERANCE);
      const before = scores64(net, init)[0];
      const after = scores64(net, tensor64(out))[0];
      expect(argmax(after), label).toBe(target);
      expect(after[target] - before[target], label).toBeGreaterThanOrEqual(2 * scalarValue(inputs.margin) * standardDeviation(before));
    }
  });
});

describe('fooling images on the graded cases', () => {
  it('the reference takes the float64 path and fools the model within half the bound; the harness agrees', async () => {
    const q = question('fooling_image');
    const properties = (q.outputs!.fool as { properties: Parameters<typeof checkProperties>[1] }).properties;
    for (const { label, inputs } of await fixtureCases('fooling_image')) {
      const net = modelOf(inputs);
      const x = tensor64(inputs.X);
      const target = scalarValue(inputs.target_y);
      const fool64 = foolingImage64(net, x, target);
      const out = (await reference.questions.fooling_image.solve(inputs)).reference_fool;
      expect(scaledError(changeFrom(x.data, toNumbers(out)), changeFrom(x.data, fool64.image.data)), label).toBeLessThan(PATH_TOLERANCE);
      expect(argmax(scores64(net, tensor64(out))[0]), label).toBe(target);
      expect(fool64.steps, label).toBeGreaterThan(0);
      const linf = Math.max(...changeFrom(x.data, toNumbers(out)).map(Math.abs));
      expect(linf, label).toBeLessThanOrEqual(scalarValue(inputs.bound) / 2);
      // What the harness measures in TensorFlow.js: the reference passes, the unchanged image does not.
      expect((await checkProperties(out, properties, inputs, assignment.manifest.model, 'model')).pass, label).toBe(true);
      const unchanged = await checkProperties(inputs.X, properties, inputs, assignment.manifest.model, 'model');
      expect(unchanged.failures.join(' '), label).toMatch(/classifies your image as/);
    }
  });

  it('a step of the float64 fooling loop is one unit of L2 along the gradient', () => {
    const rng = createRng('visualisation-oracle', 'fooling-step');
    const inputs = reference.questions.fooling_image.generate({ bound: 10 }, rng, { assignment: 'visualisation', seed: 3141 });
    const net = modelOf(inputs);
    const x = tensor64(inputs.X);
    const target = scalarValue(inputs.target_y);
    const one = foolingImage64(net, x, target, 1);
    const moved = changeFrom(x.data, one.image.data);
    expect(Math.hypot(...moved)).toBeCloseTo(1, 10);
    expect(scaledError(moved, changeFrom(x.data, classVisStep64(net, x, target, 0, 1).data))).toBeLessThan(1e-12);
  });
});
