import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DlgradeError } from '../errors.js';
import { sizeOf, toNumbers, type DType, type NdArray } from './ndarray.js';
import { loadNpz, readNpy, readNpz, saveNpz, writeNpy, writeNpz } from './npz.js';

const PYTHON = '/usr/bin/python3';
const hasNumpy = (() => {
  try {
    execFileSync(PYTHON, ['-c', 'import numpy'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

function py(script: string, ...args: string[]): string {
  return execFileSync(PYTHON, ['-c', script, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'dlgrade-npz-'));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

const DTYPES: DType[] = ['float32', 'float64', 'int32', 'int64', 'uint8', 'bool'];
const SHAPES: number[][] = [[], [0], [2, 0, 3], [7], [2, 3, 4]];
const NP_DESCR: Record<DType, string> = { float32: '<f4', float64: '<f8', int32: '<i4', int64: '<i8', uint8: '|u1', bool: '|b1' };
const DTYPE_OF: Record<string, DType> = Object.fromEntries(Object.entries(NP_DESCR).map(([k, v]) => [v, k as DType]));

/** Arrays full of edge values: NaN, ±0, ±inf, subnormals, integer extremes. */
function sample(dtype: DType, shape: number[]): NdArray {
  const n = sizeOf(shape);
  const pick = <T>(vals: T[]) => Array.from({ length: n }, (_, i) => vals[i % vals.length]);
  switch (dtype) {
    case 'float32':
      return { dtype, shape, data: Float32Array.from(pick([0, -0, 1.5, NaN, Infinity, -Infinity, 3.4e38, 1e-45, Math.PI])) };
    case 'float64':
      return { dtype, shape, data: Float64Array.from(pick([Math.PI, -0, NaN, -Infinity, 5e-324, 1.7976931348623157e308, -2.5])) };
    case 'int32':
      return { dtype, shape, data: Int32Array.from(pick([-(2 ** 31), 2 ** 31 - 1, 0, -1, 7])) };
    case 'int64':
      return { dtype, shape, data: BigInt64Array.from(pick([-(2n ** 63n), 2n ** 63n - 1n, 0n, -1n, 2n ** 53n + 1n])) };
    case 'uint8':
      return { dtype, shape, data: Uint8Array.from(pick([0, 255, 1, 128])) };
    case 'bool':
      return { dtype, shape, data: Uint8Array.from(pick([0, 1, 1, 0, 1])) };
  }
}

function allSamples(): Map<string, NdArray> {
  const m = new Map<string, NdArray>();
  for (const dt of DTYPES) SHAPES.forEach((s, i) => m.set(`${dt}_${i}`, sample(dt, s)));
  return m;
}

const bytesOf = (a: NdArray) => new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength);
const hexOf = (a: NdArray) => Buffer.from(bytesOf(a)).toString('hex');

function expectSame(actual: NdArray | undefined, expected: NdArray): void {
  expect(actual).toBeDefined();
  expect(actual!.dtype).toBe(expected.dtype);
  expect(actual!.shape).toEqual(expected.shape);
  expect(actual!.data.constructor).toBe(expected.data.constructor);
  expect(hexOf(actual!)).toBe(hexOf(expected)); // exact, NaN and -0 included
}

function npzError(fn: () => unknown): DlgradeError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, 'expected a DlgradeError').toBeInstanceOf(DlgradeError);
  expect((caught as DlgradeError).code).toBe('NPZ_INVALID');
  return caught as DlgradeError;
}

/** An .npy with a hand-written header dict, padded like NumPy's. */
function craftNpy(dict: string, data: Uint8Array = new Uint8Array(0), version = 1): Uint8Array {
  const pre = version === 1 ? 10 : 12;
  const hlen = dict.length + 1;
  const pad = 64 - ((pre + hlen) % 64);
  const header = dict + ' '.repeat(pad) + '\n';
  const out = new Uint8Array(pre + header.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  new DataView(out.buffer).setUint32(8, header.length, true); // a u16 for 1.0; the high half is header bytes
  out.set(Buffer.from(header, 'latin1'), pre);
  out.set(data, pre + header.length);
  return out;
}

const FIXED = { level: 0, mtime: new Date(1980, 0, 1) } as const;
/** An .npz whose members hold arbitrary bytes (valid CRCs), to reach the .npy checks. */
const zipOf = (members: Record<string, Uint8Array>) =>
  zipSync(Object.fromEntries(Object.entries(members).map(([k, v]) => [k, [v, FIXED]])));

/** Offset of the central directory entry of the first member. */
const firstCentralEntry = (z: Uint8Array) => new DataView(z.buffer, z.byteOffset).getUint32(z.length - 22 + 16, true);

describe('round trips', () => {
  it.each(DTYPES)('writeNpy/readNpy keeps %s values exactly for 0-d, empty and n-d shapes', (dt) => {
    for (const shape of SHAPES) {
      const a = sample(dt, shape);
      expectSame(readNpy(writeNpy(a), 'a.npy'), a);
    }
  });

  it.each([false, true])('writeNpz/readNpz keeps every array, in order (compress=%s)', (compress) => {
    const arrays = allSamples();
    const back = readNpz(writeNpz(arrays, { compress }), 'all.npz');
    expect([...back.keys()]).toEqual([...arrays.keys()]);
    for (const [k, a] of arrays) expectSame(back.get(k), a);
  });

  it('normalises bool bytes to 0/1 and accepts subarray views when writing', () => {
    const big = new Float64Array([9, 1, 2, 3, 9]);
    const view: NdArray = { dtype: 'float64', shape: [3], data: big.subarray(1, 4) };
    expect(toNumbers(readNpy(writeNpy(view), 'v.npy'))).toEqual([1, 2, 3]);
    const b: NdArray = { dtype: 'bool', shape: [3], data: Uint8Array.from([0, 7, 255]) };
    expect(toNumbers(readNpy(writeNpy(b), 'b.npy'))).toEqual([0, 1, 1]);
  });

  it('returns fresh, exact, unshared buffers', () => {
    const z = writeNpz({ a: sample('float64', [2, 3]), b: sample('float32', [5]), c: sample('int64', [3]) });
    const m = readNpz(z, 'x.npz');
    const buffers = new Set<ArrayBufferLike>();
    for (const a of m.values()) {
      expect(a.data.byteOffset).toBe(0);
      expect(a.data.byteLength).toBe(a.data.buffer.byteLength);
      expect(a.data.buffer).not.toBe(z.buffer);
      buffers.add(a.data.buffer);
    }
    expect(buffers.size).toBe(3);
    const before = hexOf(m.get('a')!);
    z.fill(0); // the input may be reused by the caller
    (m.get('b')!.data as Float32Array).fill(42);
    expect(hexOf(m.get('a')!)).toBe(before);
    const npy = writeNpy(sample('float64', [4]));
    const one = readNpy(npy, 'one.npy');
    npy.fill(0);
    expectSame(one, sample('float64', [4]));
  });

  it('writes byte-identical files for identical data, Map or Record alike', () => {
    const arrays = allSamples();
    for (const compress of [false, true]) {
      const a = writeNpz(arrays, { compress });
      const b = writeNpz(new Map(arrays), { compress });
      const c = writeNpz(Object.fromEntries(arrays), { compress });
      expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
      expect(Buffer.from(a).equals(Buffer.from(c))).toBe(true);
    }
    expect(writeNpz(arrays).length).toBeGreaterThan(writeNpz(arrays, { compress: true }).length);
  });

  it('pads headers so data starts on a 64-byte boundary', () => {
    for (const shape of [[], [1], [123456789, 0], Array(40).fill(1)]) {
      const npy = writeNpy(sample('float32', shape));
      const headerEnd = 10 + (npy[8] | (npy[9] << 8));
      expect(headerEnd % 64).toBe(0);
      expect(npy[headerEnd - 1]).toBe(0x0a);
    }
  });

  it('reads Fortran-ordered data into C order', () => {
    // 2x3 holding 0..5 in Fortran order: element (i, j) is at i + 2j.
    const f = writeNpy({ dtype: 'int32', shape: [2, 3], data: Int32Array.from([0, 1, 2, 3, 4, 5]) });
    const text = Buffer.from(f).toString('latin1').replace("'fortran_order': False, ", "'fortran_order': True,  ");
    const a = readNpy(Buffer.from(text, 'latin1'), 'f.npy');
    expect(a.shape).toEqual([2, 3]);
    expect(toNumbers(a)).toEqual([0, 2, 4, 1, 3, 5]);
  });

  it('saveNpz writes atomically and loadNpz reads it back', async () => {
    const dir = mkdtempSync(path.join(tmp, 'save-'));
    const file = path.join(dir, 'out.npz');
    writeFileSync(file, 'old contents');
    const arrays = { w: sample('float32', [3, 2]), n: sample('int64', []) };
    await saveNpz(file, arrays, { compress: true });
    expect(readdirSync(dir)).toEqual(['out.npz']); // no temp file left behind
    expect(Buffer.from(readFileSync(file)).equals(Buffer.from(writeNpz(arrays, { compress: true })))).toBe(true);
    const back = await loadNpz(file);
    expectSame(back.get('w'), arrays.w);
    expectSame(back.get('n'), arrays.n);
    await expect(loadNpz(path.join(dir, 'missing.npz'))).rejects.toMatchObject({ code: 'NPZ_INVALID', cause: { code: 'ENOENT' } });
  });
});

describe('loadNpz', () => {
  it('gives arrays at any offset in the file as views of the bytes read, moved into alignment, with their values intact', async () => {
    // Keys of 1 to 8 characters put each member's data at a different offset modulo 8.
    const arrays = new Map<string, NdArray>();
    for (let k = 1; k <= 8; k++) {
      for (const dt of ['float32', 'float64', 'int32', 'int64', 'uint8', 'bool'] as const) arrays.set(`${dt[0]}${'k'.repeat(k - 1)}`, sample(dt, [3, 5]));
    }
    const file = path.join(tmp, 'offsets.npz');
    writeFileSync(file, writeNpz(arrays));
    const back = await loadNpz(file);
    const sharedBuffers = new Set<ArrayBufferLike>();
    for (const [key, expected] of arrays) {
      const got = back.get(key)!;
      expectSame(got, expected);
      expect(got.data.byteOffset % got.data.BYTES_PER_ELEMENT).toBe(0);
      if (expected.dtype !== 'bool') sharedBuffers.add(got.data.buffer);
    }
    expect(sharedBuffers.size).toBe(1); // no copies
    // Moving one array did not touch its neighbours: writing to each leaves every other intact.
    (back.get('f')!.data as Float32Array).fill(7);
    expectSame(back.get('fk'), arrays.get('fk')!);
    // A file read again gives the same values (the header cache holds its own copy of the header bytes).
    for (const [key, expected] of await loadNpz(file)) expectSame(expected, arrays.get(key)!);
  });

  it('reads a file larger than its first read, and several files at once, each whole', async () => {
    const big = { dtype: 'float64', shape: [200_000], data: Float64Array.from({ length: 200_000 }, (_, i) => i * 0.5 - 7) } as NdArray;
    const files = await Promise.all(
      [1, 2, 3].map(async (k) => {
        const file = path.join(tmp, `large-${k}.npz`);
        writeFileSync(file, writeNpz({ big, small: sample('int32', [k]) }));
        return file;
      }),
    );
    const back = await Promise.all(files.map((f) => loadNpz(f)));
    back.forEach((m, i) => {
      expectSame(m.get('big'), big);
      expectSame(m.get('small'), sample('int32', [i + 1]));
    });
  });

  it('refuses what is not a regular file, naming it', async () => {
    await expect(loadNpz(tmp)).rejects.toMatchObject({ code: 'NPZ_INVALID', message: expect.stringContaining('is not a regular file') });
  });
});

describe.skipIf(!hasNumpy)('interoperability with NumPy', () => {
  it('reads np.savez and np.savez_compressed files exactly (all dtypes, 0-d, empty, big-endian, Fortran)', () => {
    const script = `
import json, sys, numpy as np
d = sys.argv[1]
rng = np.random.default_rng(0)
arrs = {
  'f4': np.array([[0, -0.0, 1.5, np.nan], [np.inf, -np.inf, 3.4e38, 1e-45]], dtype='<f4'),
  'f8': rng.standard_normal((3, 4, 5)),
  'i4': np.array([-2**31, 2**31 - 1, 0, -1], dtype='<i4'),
  'i8': np.array([[-2**63, 2**63 - 1], [0, 2**53 + 1]], dtype='<i8'),
  'u1': np.arange(256, dtype='u1').reshape(16, 16),
  'b1': np.array([True, False, True]),
  'scalar_f8': np.array(2.5),
  'scalar_i8': np.array(-7),
  'scalar_b1': np.array(True),
  'empty_f4': np.zeros((0,), 'f4'),
  'empty_3d_i4': np.zeros((2, 0, 3), 'i4'),
  'be_f4': np.arange(6, dtype='>f4').reshape(2, 3) / 3,
  'be_f8': (np.arange(6.0) / 7).astype('>f8'),
  'be_i4': np.array([-5, 2**31 - 1], dtype='>i4'),
  'be_i8': np.array([-2**63, 12345678901234], dtype='>i8'),
  'fortran_f4': np.asfortranarray(np.arange(24, dtype='f4').reshape(2, 3, 4)),
  'fortran_i8': np.asfortranarray(np.arange(6).reshape(2, 3)),
  'fortran_b1': np.asfortranarray(np.arange(12).reshape(3, 4) % 3 == 0),
  'fortran_be_f8': np.asfortranarray(rng.standard_normal((4, 3)).astype('>f8')),
}
assert arrs['fortran_f4'].flags.f_contiguous and not arrs['fortran_f4'].flags.c_contiguous
np.savez(d + '/plain.npz', **arrs)
np.savez_compressed(d + '/compressed.npz', **arrs)
out = {}
for k, a in arrs.items():
  le = a.astype(a.dtype.newbyteorder('<'))
  out[k] = {'descr': le.dtype.str, 'shape': list(a.shape), 'hex': le.tobytes(order='C').hex()}
print(json.dumps(out))
`;
    const expected = JSON.parse(py(script, tmp)) as Record<string, { descr: string; shape: number[]; hex: string }>;
    for (const file of ['plain.npz', 'compressed.npz']) {
      const m = readNpz(readFileSync(path.join(tmp, file)), file);
      expect([...m.keys()]).toEqual(Object.keys(expected));
      for (const [k, e] of Object.entries(expected)) {
        const a = m.get(k)!;
        expect(a.dtype, k).toBe(DTYPE_OF[e.descr]);
        expect(a.shape, k).toEqual(e.shape);
        expect(hexOf(a), k).toBe(e.hex);
      }
      expect(Number(m.get('i8')!.data[1])).toBe(2 ** 63 - 1);
      expect(m.get('scalar_f8')!.data[0]).toBe(2.5);
      expect(Array.from(m.get('fortran_i8')!.data, Number)).toEqual([0, 1, 2, 3, 4, 5]);
      expect(toNumbers(m.get('be_i4')!)).toEqual([-5, 2 ** 31 - 1]);
    }
  });

  it('reads zip64 records and extra fields (as Python writes past 4 GiB), forced on a small file', () => {
    py(
      `import sys, zipfile, numpy as np
zipfile.ZIP64_LIMIT = 16
np.savez(sys.argv[1] + '/zip64.npz', a=np.arange(5.0), b=np.array([1, 2, 3], dtype='<i4'))`,
      tmp,
    );
    const bytes = readFileSync(path.join(tmp, 'zip64.npz'));
    expect(bytes.includes(Buffer.from([0x50, 0x4b, 0x06, 0x06]))).toBe(true); // zip64 end record present
    const m = readNpz(bytes, 'zip64.npz');
    expect(toNumbers(m.get('a')!)).toEqual([0, 1, 2, 3, 4]);
    expect(toNumbers(m.get('b')!)).toEqual([1, 2, 3]);
  });

  it('writes .npy bytes identical to np.save', () => {
    const cases: [DType, number[]][] = [
      ['float32', [2, 3]],
      ['float64', []],
      ['int64', [0]],
      ['uint8', [5]],
      ['bool', [2, 2]],
      ['int32', [1, 2, 3]],
      ['float64', [1000000, 0]],
    ];
    const script = `
import json, sys, numpy as np
for i, (descr, shape) in enumerate(json.loads(sys.argv[2])):
  n = int(np.prod(shape))
  a = (np.arange(n) % 2 == 1) if descr == '|b1' else np.arange(n).astype(descr)
  np.save(sys.argv[1] + '/case%d.npy' % i, a.reshape(shape))
`;
    py(script, tmp, JSON.stringify(cases.map(([dt, s]) => [NP_DESCR[dt], s])));
    cases.forEach(([dtype, shape], i) => {
      const n = sizeOf(shape);
      const vals = Array.from({ length: n }, (_, k) => (dtype === 'bool' ? k % 2 : k));
      const data =
        dtype === 'int64' ? BigInt64Array.from(vals.map(BigInt)) : dtype === 'float32' ? Float32Array.from(vals)
          : dtype === 'float64' ? Float64Array.from(vals) : dtype === 'int32' ? Int32Array.from(vals) : Uint8Array.from(vals);
      const ours = writeNpy({ dtype, shape, data });
      const theirs = readFileSync(path.join(tmp, `case${i}.npy`));
      expect(Buffer.from(ours).toString('latin1'), `${dtype} ${shape}`).toBe(theirs.toString('latin1'));
      expectSame(readNpy(theirs, `case${i}.npy`), { dtype, shape, data });
    });
  });

  it.each([false, true])('np.load(allow_pickle=False) reads what writeNpz wrote (compress=%s)', (compress) => {
    const arrays = allSamples();
    arrays.set('nice_f4', { dtype: 'float32', shape: [3, 4], data: Float32Array.from({ length: 12 }, (_, i) => i / 2) });
    arrays.set('nice_i8', { dtype: 'int64', shape: [4], data: BigInt64Array.from([-3n, 10n, 2n ** 40n, 5n]) });
    arrays.set('nice_b1', { dtype: 'bool', shape: [5], data: Uint8Array.from([1, 0, 1, 1, 0]) });
    arrays.set('nice_u1', { dtype: 'uint8', shape: [2, 2], data: Uint8Array.from([250, 251, 252, 253]) });
    const file = path.join(tmp, `ours-${compress}.npz`);
    writeFileSync(file, writeNpz(arrays, { compress }));
    const script = `
import json, sys, zipfile, numpy as np
out = {'methods': sorted({i.compress_type for i in zipfile.ZipFile(sys.argv[1]).infolist()}), 'arrays': {}}
with np.load(sys.argv[1], allow_pickle=False) as z:
  for k in z.files:
    a = z[k]
    out['arrays'][k] = {'descr': a.dtype.str, 'shape': list(a.shape), 'fortran': bool(a.flags.f_contiguous and a.ndim > 1),
                        'sum': int(a.sum()) if a.dtype.kind in 'iub' else (float(a.sum()) if np.isfinite(a).all() else None),
                        'hex': a.tobytes().hex()}
print(json.dumps(out))
`;
    const got = JSON.parse(py(script, file)) as {
      methods: number[];
      arrays: Record<string, { descr: string; shape: number[]; sum: number | null; hex: string }>;
    };
    expect(got.methods).toEqual([compress ? 8 : 0]);
    expect(Object.keys(got.arrays)).toEqual([...arrays.keys()]);
    for (const [k, a] of arrays) {
      expect(got.arrays[k], k).toMatchObject({ descr: NP_DESCR[a.dtype], shape: a.shape, hex: hexOf(a) });
    }
    expect(got.arrays.nice_f4.sum).toBe(33);
    expect(got.arrays.nice_i8.sum).toBe(2 ** 40 + 12);
    expect(got.arrays.nice_b1.sum).toBe(3);
    expect(got.arrays.nice_u1.sum).toBe(1006);
  });

  it('rejects pickled object arrays written by NumPy, in .npy and .npz', () => {
    py(
      `import sys, numpy as np
a = np.array([{}], dtype=object)
np.save(sys.argv[1] + '/obj.npy', a, allow_pickle=True)
np.savez(sys.argv[1] + '/obj.npz', ok=np.zeros(2), bad=a)`,
      tmp,
    );
    const e1 = npzError(() => readNpy(readFileSync(path.join(tmp, 'obj.npy')), 'obj.npy'));
    expect(e1.message).toContain('object arrays (pickles) are not accepted');
    expect(e1.file).toBe('obj.npy');
    const e2 = npzError(() => readNpz(readFileSync(path.join(tmp, 'obj.npz')), 'obj.npz'));
    expect(e2.message).toMatch(/^obj\.npz: member "bad\.npy": dtype "\|O": object arrays \(pickles\) are not accepted/);
  });

  it('rejects a NumPy zip bomb before inflating it', () => {
    py(`import sys, numpy as np; np.savez_compressed(sys.argv[1] + '/bomb.npz', z=np.zeros(30_000_000, 'u1'))`, tmp);
    const bytes = readFileSync(path.join(tmp, 'bomb.npz'));
    expect(bytes.length).toBeLessThan(100_000);
    // This message comes from the directory scan, which runs before anything is inflated.
    const e = npzError(() => readNpz(bytes, 'bomb.npz', { maxArrayBytes: 1 << 20 }));
    expect(e.message).toContain('member "z.npy": declares 30000128 uncompressed bytes, more than the 1048576-byte per-array limit');
    expect(npzError(() => readNpz(bytes, 'bomb.npz', { maxTotalBytes: 1 << 20 })).message).toContain('more than the 1048576-byte limit');
  });
});

describe('rejects hostile or broken input', () => {
  const good = () => writeNpy(sample('float32', [2, 3]));

  it('wrong magic', () => {
    const npy = good();
    npy[1] = 0x58;
    expect(npzError(() => readNpy(npy, 'm.npy')).message).toMatch(/^m\.npy: not an \.npy array: bad magic, expected 93 4e 55 4d 50 59 .*found 93 58 55/);
    const e = npzError(() => readNpz(zipOf({ 'x.npy': npy }), 'm.npz'));
    expect(e.message).toContain('member "x.npy": not an .npy array: bad magic');
    expect(e.file).toBe('m.npz');
  });

  it('a header read before is still checked against the data after it and the limit of this read', () => {
    const npy = good();
    const first = readNpy(npy, 'a.npy');
    const second = readNpy(npy, 'b.npy');
    expect(second.shape).toEqual([2, 3]);
    expect(second.shape).not.toBe(first.shape);
    expect(npzError(() => readNpy(npy.subarray(0, npy.length - 4), 't.npy')).message).toContain('needs 24 bytes of data, found 20 (truncated)');
    expect(npzError(() => readNpy(npy, 'small.npy', { maxArrayBytes: 16 })).message).toContain('needs 24 bytes, more than the 16-byte limit');
  });

  it('truncated files', () => {
    const npy = good();
    expect(npzError(() => readNpy(npy.subarray(0, 5), 't.npy')).message).toContain('bad magic');
    expect(npzError(() => readNpy(npy.subarray(0, 9), 't.npy')).message).toContain('truncated .npy preamble');
    expect(npzError(() => readNpy(npy.subarray(0, 40), 't.npy')).message).toContain('truncated header: declares 118 bytes, only 30 present');
    expect(npzError(() => readNpy(npy.subarray(0, npy.length - 4), 't.npy')).message).toContain(
      'declared shape [2, 3] of float32 needs 24 bytes of data, found 20 (truncated)',
    );
    const extra = new Uint8Array(npy.length + 3);
    extra.set(npy);
    expect(npzError(() => readNpy(extra, 't.npy')).message).toContain('needs 24 bytes of data, found 27 (3 extra bytes)');
    expect(npzError(() => readNpz(zipOf({ 'x.npy': npy.subarray(0, npy.length - 4) }), 't.npz')).message).toContain(
      'member "x.npy": declared shape [2, 3] of float32 needs 24 bytes of data, found 20',
    );
    const z = writeNpz({ a: sample('float64', [10]), b: sample('int32', [3]) });
    for (const cut of [z.length - 1, z.length - 30, Math.floor(z.length / 2), 30, 4]) {
      expect(npzError(() => readNpz(z.subarray(0, cut), 't.npz')).message).toMatch(/truncated|not a valid zip/);
    }
  });

  it('hand-crafted huge declared shape, before allocating anything', () => {
    const npy = craftNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (1000000000, 1000), }", new Uint8Array(16));
    expect(npzError(() => readNpy(npy, 'huge.npy')).message).toBe(
      'huge.npy: declared shape [1000000000, 1000] needs 4000000000000 bytes, more than the 536870912-byte limit',
    );
    expect(npzError(() => readNpz(zipOf({ 'x.npy': npy }), 'huge.npz')).message).toContain(
      'member "x.npy": declared shape [1000000000, 1000] needs 4000000000000 bytes, more than the 536870912-byte limit',
    );
    const giant = craftNpy("{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999999, 0, 5), }");
    expect(npzError(() => readNpy(giant, 'g.npy')).message).toContain('larger than 2^53');
    expect(npzError(() => readNpy(good(), 's.npy', { maxArrayBytes: 23 })).message).toContain('needs 24 bytes, more than the 23-byte limit');
  });

  it('zip members too large, lying sizes, and too many members', () => {
    const z = writeNpz({ a: sample('float64', [1000]) });
    // Within the header allowance the zip check passes and the .npy header check catches it.
    expect(npzError(() => readNpz(z, 'big.npz', { maxArrayBytes: 4000 })).message).toContain(
      'member "a.npy": declared shape [1000] needs 8000 bytes, more than the 4000-byte limit',
    );
    const z2 = writeNpz({ a: sample('float64', [20000]) }, { compress: true });
    expect(npzError(() => readNpz(z2, 'big.npz', { maxArrayBytes: 4000 })).message).toContain(
      'member "a.npy": declares 160128 uncompressed bytes, more than the 4000-byte per-array limit allows',
    );
    // Central directory claims 2 GiB for a stored member.
    const patched = z.slice();
    new DataView(patched.buffer).setUint32(firstCentralEntry(patched) + 24, 0x7fffffff, true);
    expect(npzError(() => readNpz(patched, 'p.npz')).message).toContain('declares 2147483647 uncompressed bytes, more than');
    // A deflated member that claims less than it inflates to.
    const c = writeNpz({ a: sample('float64', [1000]) }, { compress: true });
    const small = c.slice();
    new DataView(small.buffer).setUint32(firstCentralEntry(small) + 24, 200, true);
    expect(npzError(() => readNpz(small, 'c.npz')).message).toMatch(/member "a\.npy": (declares 200 uncompressed bytes but inflates to more than 200|deflate data is corrupt or larger than the declared 200 bytes)/);
    // Claims more than deflate could ever produce from its compressed size.
    const ratio = c.slice();
    new DataView(ratio.buffer).setUint32(firstCentralEntry(ratio) + 24, 400_000_000, true);
    expect(npzError(() => readNpz(ratio, 'r.npz')).message).toContain('more than deflate can produce');
    const three = writeNpz({ a: sample('uint8', [3]), b: sample('uint8', [3]), c: sample('uint8', [3]) });
    expect(npzError(() => readNpz(three, 'n.npz', { maxEntries: 2 })).message).toContain('archive declares 3 members, more than the 2-member limit');
    expect(npzError(() => readNpz(three, 'n.npz', { maxTotalBytes: 200 })).message).toContain('declared uncompressed size to 262 bytes, more than the 200-byte limit');
  });

  it('not a zip at all', () => {
    expect(npzError(() => readNpz(Buffer.from('hello, this is certainly not a zip archive'), 'h.npz')).message).toBe(
      'h.npz: not a zip archive: expected it to start with 50 4b 03 04 ("PK\\x03\\x04"), found 68 65 6c 6c',
    );
    expect(npzError(() => readNpz(new Uint8Array(0), 'e.npz')).message).toContain('found an empty file');
    expect(npzError(() => readNpz(good(), 'a.npy')).message).toContain('is a single .npy array, not an .npz archive');
    expect(npzError(() => readNpz(Buffer.from('PK\x03\x04 and then nothing zip-like at all, just text'), 'f.npz')).message).toContain(
      'no end-of-central-directory record',
    );
  });

  it('duplicate keys and non-.npy members', () => {
    const z = Buffer.from(writeNpz({ a: sample('uint8', [2]), b: sample('uint8', [2]) }));
    const dup = Buffer.from(z.toString('latin1').replaceAll('b.npy', 'a.npy'), 'latin1');
    expect(npzError(() => readNpz(dup, 'd.npz')).message).toContain('member "a.npy": appears more than once, so key "a" is ambiguous');
    const other = zipOf({ 'x.npy': good(), 'notes.txt': Buffer.from('hi') });
    expect(npzError(() => readNpz(other, 'o.npz')).message).toContain('member "notes.txt": is not an .npy array');
  });

  it('members that share bytes', () => {
    const z = Buffer.from(writeNpz({ a: sample('uint8', [4]), b: sample('uint8', [4]) }));
    // Stretch a's stored size in the central directory over b's local header.
    const cd = firstCentralEntry(z);
    const stretched = z.readUInt32LE(cd + 20) + 40;
    z.writeUInt32LE(stretched, cd + 20);
    z.writeUInt32LE(stretched, cd + 24);
    expect(npzError(() => readNpz(z, 'o.npz')).message).toMatch(/member "b\.npy": overlaps member "a\.npy", whose data runs to offset \d+/);
  });

  it('corrupt data: CRC mismatch and broken deflate stream', () => {
    const z = writeNpz({ a: sample('float64', [4]) });
    const flipped = z.slice();
    flipped[30 + 'a.npy'.length + 128 + 3] ^= 0x10; // a data byte of the stored member
    expect(npzError(() => readNpz(flipped, 'c.npz')).message).toMatch(/member "a\.npy": CRC-32 mismatch: directory says 0x[0-9a-f]{8}, data has 0x[0-9a-f]{8}/);
    const c = writeNpz({ a: sample('float64', [400]) }, { compress: true });
    const broken = c.slice();
    broken.fill(0xff, 30 + 'a.npy'.length + 2, 30 + 'a.npy'.length + 40);
    expect(npzError(() => readNpz(broken, 'b.npz')).message).toMatch(/member "a\.npy": (deflate data is corrupt|declares \d+ uncompressed bytes but inflates to)/);
  });

  it.each([
    ["{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'extra': 1}", "unexpected key 'extra'"],
    ["{'descr': '<f4', 'shape': (2,)}", "missing key 'fortran_order'"],
    ["{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,)}", "repeats key 'descr'"],
    ["{'descr': '<f2', 'fortran_order': False, 'shape': (2,)}", 'unsupported dtype "<f2" (expected one of <f4, <f8'],
    ["{'descr': '|O', 'fortran_order': False, 'shape': (2,)}", 'object arrays (pickles) are not accepted'],
    ["{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,)}", 'structured dtype'],
    ["{'descr': '|f4', 'fortran_order': False, 'shape': (2,)}", 'does not state a byte order'],
    ["{'descr': '<f4', 'fortran_order': 0, 'shape': (2,)}", "'fortran_order' must be True or False, found 0"],
    ["{'descr': '<f4', 'fortran_order': False, 'shape': (-2,)}", 'negative dimension -2'],
    ["{'descr': '<f4', 'fortran_order': False, 'shape': (2.0,)}", 'non-integer dimension 2.0'],
    ["{'descr': '<f4', 'fortran_order': False, 'shape': [2]}", "'shape' must be a tuple of non-negative integers, found [2]"],
    ["{'descr': '<f4', 'fortran_order': False, 'shape': (2)}", "'shape' must be a tuple of non-negative integers, found 2"],
    ["__import__('os').system('echo hi')", 'not a Python dict literal: unexpected name "__import__"'],
    ["{'descr': '<f4', 'fortran_order': False, 'shape': (2,) ", 'not a Python dict literal: expected "," or "}", found end of header'],
    ['((((((((((((((((((((((((((((((((((', 'nesting too deep'],
    ["[1, 2]", 'not a Python dict literal (found [1, 2])'],
  ])('bad header %s', (dict, fragment) => {
    expect(npzError(() => readNpy(craftNpy(dict, new Uint8Array(8)), 'h.npy')).message).toContain(fragment);
  });

  it('accepts header variations NumPy accepts: double quotes, 2.0/3.0 formats, Python 2 longs', () => {
    const data = new Uint8Array(new Float32Array([1, 2]).buffer);
    for (const [dict, version] of [
      ['{"descr": "<f4", "fortran_order": False, "shape": (2,)}', 1],
      ["{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", 2],
      ["{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", 3],
      ["{'descr': '<f4', 'fortran_order': False, 'shape': (2L,), }", 1],
      ["{'shape': (2,), 'fortran_order': False, 'descr': '<f4'}", 1],
    ] as const) {
      const a = readNpy(craftNpy(dict, data, version), 'ok.npy');
      expect(toNumbers(a), dict).toEqual([1, 2]);
    }
    // Unpadded header: data at offset 69, not a multiple of 8.
    const dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }\n";
    const odd = new Uint8Array(10 + dict.length + 16);
    odd.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, dict.length, 0]);
    odd.set(Buffer.from(dict, 'latin1'), 10);
    new DataView(odd.buffer).setFloat64(10 + dict.length, -1.25, true);
    new DataView(odd.buffer).setFloat64(18 + dict.length, 1e300, true);
    const a = readNpy(odd, 'odd.npy');
    expect(a.data.byteOffset).toBe(0);
    expect(toNumbers(a)).toEqual([-1.25, 1e300]);
    expect(npzError(() => readNpy(craftNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", data, 4), 'v.npy')).message).toContain(
      'unsupported .npy format version 4.0',
    );
  });

  it('reads an empty archive as an empty map', () => {
    expect(readNpz(writeNpz({}), 'empty.npz').size).toBe(0);
  });

  it('refuses to write malformed arrays', () => {
    expect(() => writeNpy({ dtype: 'float32', shape: [3], data: new Float64Array(3) })).toThrow(/needs a Float32Array/);
    expect(() => writeNpy({ dtype: 'float32', shape: [2, 2], data: new Float32Array(3) })).toThrow(/holds 4 elements, data has 3/);
    expect(() => writeNpz({ '': sample('uint8', [1]) })).toThrow(/keys must be/);
  });
});

describe('fuzz: mutated files either read or fail with NPZ_INVALID', () => {
  const stored = writeNpz({
    w: sample('float32', [3, 4]),
    b: sample('bool', []),
    e: sample('int64', [0, 2]),
    i: sample('int32', [5]),
  });
  const deflated = writeNpz({ w: sample('float64', [6, 2]), u: sample('uint8', [9]) }, { compress: true });
  const npy = writeNpy(sample('float64', [2, 3]));

  /** Runs `read` and allows only success or NPZ_INVALID (a read that hangs runs into the test's time limit). */
  const survives = (read: () => unknown) => {
    try {
      read();
    } catch (e) {
      if (!(e instanceof DlgradeError) || e.code !== 'NPZ_INVALID') throw e;
    }
  };

  // fast-check favours small integers; noBias spreads positions over the file, `hot` targets a region.
  const mutation = (len: number, hot: [number, number]) =>
    fc.record({
      cut: fc.oneof({ arbitrary: fc.constant(undefined), weight: 2 }, { arbitrary: fc.integer({ min: 0, max: len }), weight: 1 }),
      flips: fc.array(
        fc.record({
          pos: fc.oneof(fc.noBias(fc.integer({ min: 0, max: len - 1 })), fc.noBias(fc.integer({ min: hot[0], max: hot[1] }))),
          value: fc.integer({ min: 0, max: 255 }),
        }),
        { maxLength: 8 },
      ),
    });
  const mutate = (base: Uint8Array, m: { cut?: number; flips: { pos: number; value: number }[] }) => {
    const b = base.slice();
    for (const f of m.flips) b[f.pos] = f.value;
    return m.cut === undefined ? b : b.subarray(0, m.cut);
  };

  it.each([
    ['stored', stored],
    ['deflated', deflated],
  ])('%s .npz', (_, base) => {
    // The hot region is the central directory and end record.
    fc.assert(
      fc.property(mutation(base.length, [base.length - 120, base.length - 1]), (m) => survives(() => readNpz(mutate(base, m), 'fuzz.npz'))),
      { seed: 42, numRuns: 300 },
    );
  });

  it('.npy (header bytes are not covered by a CRC)', () => {
    fc.assert(
      fc.property(mutation(npy.length, [8, 127]), (m) => {
        const bytes = mutate(npy, m);
        survives(() => readNpy(bytes, 'fuzz.npy'));
        survives(() => readNpz(zipOf({ 'x.npy': bytes }), 'fuzz.npz')); // valid CRC, so the .npy checks run
      }),
      { seed: 42, numRuns: 300 },
    );
  });

  it('random Python-ish header text', () => {
    const unit = fc.constantFrom('{', '}', '(', ')', '[', ']', ',', ':', ' ', "'", '"', 'descr', 'shape', 'fortran_order',
      "'<f4'", "'|b1'", 'True', 'False', '1', '0', '-', '99999999999999999999', '.', 'L', '\\', '\n');
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 40 }), (dict) => survives(() => readNpy(craftNpy(dict, new Uint8Array(8)), 'fuzz.npy'))),
      { seed: 42, numRuns: 300 },
    );
  });
});
