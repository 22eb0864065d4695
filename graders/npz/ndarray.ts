// The in-memory array every part of dlgrade exchanges: a flat typed buffer with a dtype and a C-order shape.

/** Element types dlgrade reads and writes (NumPy names). */
export type DType = 'float32' | 'float64' | 'int32' | 'int64' | 'uint8' | 'bool';

export type TypedData = Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array;

/** A dense, C-ordered n-dimensional array. `bool` is stored as 0/1 bytes in a Uint8Array. */
export interface NdArray {
  dtype: DType;
  shape: number[];
  data: TypedData;
}

/** Number of elements a shape holds (1 for a 0-d array). */
export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Builds a float32 array from numbers; the shape defaults to 1-d. */
export function float32(values: ArrayLike<number>, shape: number[] = [values.length]): NdArray {
  return checked({ dtype: 'float32', shape, data: Float32Array.from(values) });
}

/** Builds a float64 array from numbers; the shape defaults to 1-d. */
export function float64(values: ArrayLike<number>, shape: number[] = [values.length]): NdArray {
  return checked({ dtype: 'float64', shape, data: Float64Array.from(values) });
}

/** Builds an int64 array from integers; the shape defaults to 1-d. */
export function int64(values: ArrayLike<number>, shape: number[] = [values.length]): NdArray {
  return checked({ dtype: 'int64', shape, data: BigInt64Array.from(Array.from(values, (v) => BigInt(v))) });
}

/** Builds a 0-d float64 array holding one number (how scalars are stored in fixtures). */
export function scalar(value: number, dtype: 'float64' | 'float32' | 'int64' = 'float64'): NdArray {
  if (dtype === 'int64') return int64([value], []);
  return dtype === 'float32' ? float32([value], []) : float64([value], []);
}

/** The elements as plain JS numbers (int64 converted; exact below 2^53). */
export function toNumbers(a: NdArray): number[] {
  const out = new Array<number>(a.data.length);
  for (let i = 0; i < a.data.length; i++) out[i] = Number(a.data[i]);
  return out;
}

/** The elements as numbers, without a copy unless they are int64 (then converted as toNumbers does). */
export function numberView(a: NdArray): Float32Array | Float64Array | Int32Array | Uint8Array | number[] {
  return a.data instanceof BigInt64Array ? toNumbers(a) : a.data;
}

/** The single value of a 0-d or one-element array. */
export function scalarValue(a: NdArray): number {
  if (a.data.length !== 1) throw new Error(`expected a single value, got an array of shape [${a.shape.join(', ')}]`);
  return Number(a.data[0]);
}

function checked(a: NdArray): NdArray {
  if (sizeOf(a.shape) !== a.data.length) {
    throw new Error(`shape [${a.shape.join(', ')}] holds ${sizeOf(a.shape)} elements, data has ${a.data.length}`);
  }
  return a;
}
