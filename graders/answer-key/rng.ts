// Seeded random numbers for fixture generation: the same seed gives the same inputs on every machine.
import { createHash } from 'node:crypto';
import { NdArray, sizeOf } from '../npz/ndarray.js';

/** A deterministic generator of the numbers fixtures are made from. */
export interface Rng {
  /** Uniform in [0, 1). */
  uniform(): number;
  /** Standard normal (Box–Muller). */
  normal(): number;
  /** Integer in [lo, hi). */
  int(lo: number, hi: number): number;
  /** A float32 array of the given shape, N(0, scale²) by default. */
  randn(shape: number[], scale?: number): NdArray;
  /** A float32 array of the given shape, uniform in [lo, hi). */
  rand(shape: number[], lo?: number, hi?: number): NdArray;
  /** An int64 array of the given shape with values in [lo, hi). */
  randint(shape: number[], lo: number, hi: number): NdArray;
}

/** Derives a 128-bit seed from any labels (assignment, question, case, global seed), so cases are independent. */
export function createRng(...labels: (string | number)[]): Rng {
  const digest = createHash('sha256').update(labels.join('\u0000')).digest();
  const s = new Uint32Array([digest.readUInt32LE(0), digest.readUInt32LE(4), digest.readUInt32LE(8), digest.readUInt32LE(12)]);
  if (s[0] === 0 && s[1] === 0 && s[2] === 0 && s[3] === 0) s[0] = 1;

  // xoshiro128** — small, fast, and well studied; 32-bit arithmetic keeps it exact in JS.
  const next = (): number => {
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  };
  const uniform = (): number => (next() >>> 8) / 16777216 + (next() >>> 11) / 16777216 / 2097152;
  let spare: number | undefined;
  const normal = (): number => {
    if (spare !== undefined) {
      const v = spare;
      spare = undefined;
      return v;
    }
    let u = 0;
    while (u === 0) u = uniform();
    const v = uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
  const int = (lo: number, hi: number): number => lo + Math.floor(uniform() * (hi - lo));

  return {
    uniform,
    normal,
    int,
    randn(shape, scale = 1) {
      const data = new Float32Array(sizeOf(shape));
      for (let i = 0; i < data.length; i++) data[i] = normal() * scale;
      return { dtype: 'float32', shape: [...shape], data };
    },
    rand(shape, lo = 0, hi = 1) {
      const data = new Float32Array(sizeOf(shape));
      for (let i = 0; i < data.length; i++) data[i] = lo + uniform() * (hi - lo);
      return { dtype: 'float32', shape: [...shape], data };
    },
    randint(shape, lo, hi) {
      const data = new BigInt64Array(sizeOf(shape));
      for (let i = 0; i < data.length; i++) data[i] = BigInt(int(lo, hi));
      return { dtype: 'int64', shape: [...shape], data };
    },
  };
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
