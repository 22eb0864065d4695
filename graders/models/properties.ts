// Grades an output by properties (a fooling image is classified as its target, within its bound, …) rather than by
// equality. Everything is measured here, in the harness: the model runs in TensorFlow.js on the student's returned
// array, and nothing the student's process says about its own output is trusted.
import type { Arrays } from '../answer-key/types.js';
import type { ModelT, PropertyT } from '../manifest/schema.js';
import { type NdArray, scalarValue, sizeOf, toNumbers } from '../npz/ndarray.js';
import type { Diagnostics } from '../compare/compare.js';
import { formatNumber } from '../compare/describe.js';

/** The outcome of one output's properties: data first, one sentence per failed property. */
export interface PropertyOutcome {
  pass: boolean;
  failures: string[];
  diagnostics: Diagnostics;
}

/** Class names for the sentences ("7 (frog)"), when the manifest's model names them. */
export type ClassNames = string[] | undefined;

function resolveNumber(value: number | string | undefined, inputs: Arrays, what: string): number {
  if (value === undefined) throw new Error(`property needs "${what}"`);
  if (typeof value === 'number') return value;
  const a = inputs[value.slice(1)];
  if (!a) throw new Error(`property ${what}: no input ${value}`);
  return scalarValue(a);
}

function input(inputs: Arrays, name: string | undefined, what: string): NdArray {
  const a = name ? inputs[name] : undefined;
  if (!a) throw new Error(`property ${what}: no input "${name ?? ''}"`);
  return a;
}

/** The weights of the case's model input (stored as <name>.<parameter>), by parameter name. */
export function modelWeights(inputs: Arrays, inputName: string): Arrays {
  const prefix = inputName + '.';
  return Object.fromEntries(Object.entries(inputs).filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v]));
}

/**
 * Checks `actual` against the properties. `modelInput` names the case input holding the model's weights; the model is
 * loaded into TensorFlow.js only when a property needs its scores.
 */
export async function checkProperties(
  actual: NdArray | undefined,
  properties: PropertyT[],
  inputs: Arrays,
  model: ModelT | undefined,
  modelInput: string | undefined,
): Promise<PropertyOutcome> {
  const reference = properties.find((p) => p.of)?.of;
  const expectedShape = reference && inputs[reference] ? inputs[reference].shape : [];
  const base: Diagnostics = {
    pass: false,
    expectedShape,
    expectedDtype: 'float32',
    size: sizeOf(expectedShape),
    patterns: [],
    tolerance: { mode: 'property' as never, rtol: 0, atol: 0 },
  };
  if (!actual) return { pass: false, failures: ['no value was produced'], diagnostics: { ...base, failure: 'missing' } };
  const got: NdArray = actual;
  const values = toNumbers(actual);
  const nanCount = values.filter(Number.isNaN).length;
  const infCount = values.filter((v) => !Number.isNaN(v) && !Number.isFinite(v)).length;
  const withActual: Diagnostics = { ...base, actualShape: got.shape, actualDtype: got.dtype, nanCount, infCount };
  const failures: string[] = [];
  let failure: Diagnostics['failure'];
  let scorer: Scorer | undefined;
  const scores = async (a: NdArray) => {
    if (!model || !modelInput) throw new Error('a property needs the model, but the question has no model input');
    scorer ??= await modelScorer(model, modelWeights(inputs, modelInput));
    return scorer.scores(a);
  };
  try {
    return await evaluate();
  } finally {
    scorer?.dispose();
  }

  async function evaluate(): Promise<PropertyOutcome> {
  const className = (c: number) => (model?.classes?.[c] !== undefined ? `${c} (${model.classes[c]})` : String(c));

  // Shape and finiteness first: the model cannot run on an array of the wrong shape or with NaN in it.
  for (const p of properties.filter((q) => q.kind === 'same_shape')) {
    const want = input(inputs, p.of, 'same_shape').shape;
    if (got.shape.length !== want.length || got.shape.some((d, i) => d !== want[i])) {
      failures.push(`your array has shape [${got.shape.join(', ')}], not [${want.join(', ')}] like ${p.of}`);
      failure = 'shape';
    }
  }
  if (properties.some((p) => p.kind === 'finite') && nanCount + infCount > 0) {
    failures.push(`your array has ${nanCount} NaN and ${infCount} Inf value(s)`);
    failure ??= 'nonfinite';
  }
  if (failure) return { pass: false, failures, diagnostics: { ...withActual, failure, message: failures.join(' ') } };

  for (const p of properties) {
    switch (p.kind) {
      case 'finite':
      case 'same_shape':
        break;
      case 'linf_within': {
        const bound = resolveNumber(p.bound, inputs, 'bound');
        const of = toNumbers(input(inputs, p.of, 'linf_within'));
        let max = 0;
        for (let i = 0; i < values.length; i++) max = Math.max(max, Math.abs(values[i] - of[i]));
        if (!(max <= bound)) failures.push(`max |yours − ${p.of}| is ${formatNumber(max)}, over the bound ${formatNumber(bound)}`);
        break;
      }
      case 'classified_as': {
        const target = Math.round(resolveNumber(p.class ? `$${p.class}` : undefined, inputs, 'class'));
        const rows = await scores(got);
        rows.forEach((row, n) => {
          const got = argmax(row);
          if (got !== target) failures.push(`the model classifies your image${rows.length > 1 ? ` ${n}` : ''} as ${className(got)}, not ${className(target)}`);
        });
        break;
      }
      case 'score_rise': {
        const target = Math.round(resolveNumber(p.class ? `$${p.class}` : undefined, inputs, 'class'));
        const margin = resolveNumber(p.margin, inputs, 'margin');
        const [before] = await scores(input(inputs, p.of, 'score_rise'));
        const [after] = await scores(got);
        const needed = margin * standardDeviation(before);
        const rise = after[target] - before[target];
        if (!(rise >= needed)) {
          failures.push(`the score of class ${className(target)} rose by ${formatNumber(rise)} (from ${formatNumber(before[target])} to ${formatNumber(after[target])}), less than the ${formatNumber(needed)} required`);
        }
        break;
      }
    }
  }
  const pass = failures.length === 0;
  return { pass, failures, diagnostics: { ...withActual, pass, ...(pass ? {} : { failure: 'values' as const, message: failures.join(' ') }) } };
  }
}

interface Scorer {
  scores(a: NdArray): Promise<number[][]>;
  dispose(): void;
}

function argmax(row: number[]): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i] > row[best]) best = i;
  return best;
}

function standardDeviation(row: number[]): number {
  const mean = row.reduce((s, v) => s + v, 0) / row.length;
  return Math.sqrt(row.reduce((s, v) => s + (v - mean) ** 2, 0) / row.length);
}

/** Loads TensorFlow.js (only now: grading without properties never pays for it) and returns the model's scores. */
async function modelScorer(model: ModelT, weights: Arrays): Promise<Scorer> {
  const [tf, backend, network] = await Promise.all([import('@tensorflow/tfjs-core'), import('../answer-key/backend.js'), import('./network.js')]);
  await backend.selectBackend();
  const params = Object.fromEntries(Object.entries(weights).map(([k, v]) => [k, backend.toTensor(v)]));
  return {
    async scores(a: NdArray) {
      const x = backend.toTensor(a);
      const out = tf.tidy(() => network.scores(model, params, x));
      const rows = (await out.array()) as number[][];
      tf.dispose([x, out]);
      return rows;
    },
    dispose: () => tf.dispose(Object.values(params)),
  };
}
