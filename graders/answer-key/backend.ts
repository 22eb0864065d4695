// Chooses the TensorFlow.js back end the references run on, and converts between NdArray and tf.Tensor.
import * as tf from '@tensorflow/tfjs-core';
import type { NdArray } from '../npz/ndarray.js';
import { DlgradeError } from '../errors.js';

export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';

/** Preference order when nothing is forced: native GPU, native CPU, WebAssembly, pure JS. */
const PREFERENCE: BackendName[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

// The optional native packages register a back end named "tensorflow"; the GPU one does too.
const PACKAGE_OF: Record<BackendName, string> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: '@tensorflow/tfjs-backend-cpu',
};

let chosen: BackendName | undefined;

/**
 * Loads and activates a back end: `forced` (from --backend or DLGRADE_BACKEND) or the first that loads.
 * Returns the name actually in use, which callers print and record.
 */
export async function selectBackend(forced: string | undefined = process.env.DLGRADE_BACKEND): Promise<BackendName> {
  if (forced && !PREFERENCE.includes(forced as BackendName)) {
    throw new DlgradeError('USAGE', `unknown back end "${forced}": expected one of ${PREFERENCE.join(', ')}`);
  }
  if (chosen && (!forced || forced === chosen)) return chosen;
  const candidates = forced ? [forced as BackendName] : PREFERENCE;
  const failures: string[] = [];
  for (const name of candidates) {
    try {
      await import(PACKAGE_OF[name]);
      const registered = name === 'tensorflow-gpu' ? 'tensorflow' : name;
      if (!(await tf.setBackend(registered))) throw new Error('setBackend returned false');
      await tf.ready();
      chosen = name;
      return name;
    } catch (error) {
      failures.push(`${name}: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  throw new DlgradeError('USAGE', `no TensorFlow.js back end could be loaded (${failures.join('; ')})`);
}

/** The active back end's name, or undefined before selectBackend. */
export function activeBackend(): BackendName | undefined {
  return chosen;
}

/** A tensor holding the array's values (int64 becomes int32, bool stays bool, float64 becomes float32). */
export function toTensor(a: NdArray): tf.Tensor {
  switch (a.dtype) {
    case 'float32':
    case 'float64':
      return tf.tensor(Float32Array.from(a.data as ArrayLike<number>), a.shape, 'float32');
    case 'int32':
    case 'uint8':
      return tf.tensor(Int32Array.from(a.data as ArrayLike<number>), a.shape, 'int32');
    case 'int64':
      return tf.tensor(Int32Array.from(a.data as BigInt64Array, Number), a.shape, 'int32');
    case 'bool':
      return tf.tensor(Uint8Array.from(a.data as Uint8Array), a.shape, 'bool');
  }
}

/** Reads a tensor back into an NdArray (float32, int64 or bool). */
export async function fromTensor(t: tf.Tensor): Promise<NdArray> {
  const values = await t.data();
  const shape = [...t.shape];
  if (t.dtype === 'int32') return { dtype: 'int64', shape, data: BigInt64Array.from(values as Int32Array, (v) => BigInt(v)) };
  if (t.dtype === 'bool') return { dtype: 'bool', shape, data: Uint8Array.from(values as Uint8Array) };
  return { dtype: 'float32', shape, data: Float32Array.from(values as Float32Array) };
}
