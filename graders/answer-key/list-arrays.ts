// Lists of arrays (style features, per-layer targets) travel in .npz files as `name.0`, `name.1`, ….
import type { NdArray } from '../npz/ndarray.js';
import type { Arrays } from './types.js';

/** Stores a list under `name.i` keys. */
export function packList(name: string, items: NdArray[]): Arrays {
  const out: Arrays = {};
  items.forEach((item, i) => (out[`${name}.${i}`] = item));
  return out;
}

/** Reads back the list stored under `name.i` keys, in index order; empty when there is none. */
export function unpackList(arrays: Arrays, name: string): NdArray[] {
  const items: NdArray[] = [];
  for (let i = 0; `${name}.${i}` in arrays; i++) items.push(arrays[`${name}.${i}`]);
  return items;
}
