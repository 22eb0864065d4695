// Single .npy arrays (NumPy format 1.0–3.0). The reader is fed student files, so the header is
// parsed and checked here before npyjs (or our own decoder) touches the data.
import { parse as npyjsParse } from 'npyjs';
import { DlgradeError } from '../errors.js';
import type { DType, NdArray, TypedData } from './ndarray.js';

/** Caps on what a reader will accept; every size is checked before anything is allocated. */
export interface ReadLimits {
  /** Most members an .npz may declare (default 4096). */
  maxEntries?: number;
  /** Most uncompressed bytes all members of an .npz may declare together (default 1 GiB). */
  maxTotalBytes?: number;
  /** Most data bytes one array may declare (default 512 MiB). */
  maxArrayBytes?: number;
}

export const DEFAULT_LIMITS: Readonly<Required<ReadLimits>> = Object.freeze({
  maxEntries: 4096,
  maxTotalBytes: 1024 * 1024 * 1024,
  maxArrayBytes: 512 * 1024 * 1024,
});

/** Longest header accepted (the 1.0 format's own maximum); real headers are ~120 bytes. */
export const MAX_HEADER_BYTES = 65535;
const MAX_NDIM = 64;
// Bounds recursion in the literal parser so a header of "((((…" cannot blow the stack.
const MAX_NESTING = 8;

export function resolveLimits(limits: ReadLimits = {}): Required<ReadLimits> {
  const out = { ...DEFAULT_LIMITS };
  for (const key of ['maxEntries', 'maxTotalBytes', 'maxArrayBytes'] as const) {
    const v = limits[key];
    if (v === undefined) continue;
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`ReadLimits.${key} must be a non-negative integer, got ${v}`);
    out[key] = v;
  }
  return out;
}

/** Where a problem is: the file, and the archive member when reading an .npz. */
export interface Place {
  source: string;
  member?: string;
}

export function fail(place: Place, message: string, cause?: unknown): never {
  const where = place.member === undefined ? '' : `member ${JSON.stringify(place.member)}: `;
  throw new DlgradeError('NPZ_INVALID', where + message, { file: place.source, cause });
}

interface DtypeInfo {
  dtype: DType;
  itemsize: number;
  /** npyjs's name for it. */
  code: string;
}

const KINDS: Record<string, DtypeInfo> = {
  f4: { dtype: 'float32', itemsize: 4, code: 'f4' },
  f8: { dtype: 'float64', itemsize: 8, code: 'f8' },
  i4: { dtype: 'int32', itemsize: 4, code: 'i4' },
  i8: { dtype: 'int64', itemsize: 8, code: 'i8' },
  u1: { dtype: 'uint8', itemsize: 1, code: 'u1' },
  b1: { dtype: 'bool', itemsize: 1, code: 'b1' },
};

const DESCR_OF: Record<DType, string> = {
  float32: '<f4',
  float64: '<f8',
  int32: '<i4',
  int64: '<i8',
  uint8: '|u1',
  bool: '|b1',
};

const CTOR_OF = {
  float32: Float32Array,
  float64: Float64Array,
  int32: Int32Array,
  int64: BigInt64Array,
  uint8: Uint8Array,
  bool: Uint8Array,
} as const;

const ACCEPTED = '<f4, <f8, <i4, <i8, |u1, |b1 (or big-endian >f4, >f8, >i4, >i8)';

const HOST_LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

// ---------------------------------------------------------------------------------------------
// Header: a Python dict literal, parsed with a small strict grammar (no eval, bounded depth).

type PyValue =
  | { kind: 'str'; value: string }
  | { kind: 'int'; value: bigint; text: string }
  | { kind: 'float'; text: string }
  | { kind: 'bool'; value: boolean }
  | { kind: 'none' }
  | { kind: 'tuple' | 'list'; items: PyValue[] }
  | { kind: 'dict'; entries: [PyValue, PyValue][] };

class LiteralError extends Error {}

// The exact header NumPy writes, e.g. "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }" padded with
// spaces and a newline. Matching it spares the general literal parser on every member of an .npz (fixtures
// hold hundreds of small arrays); anything else still goes through that parser, and every value goes through
// the same checks either way.
const CANONICAL_HEADER = /^\{'descr': '([<>|=]?[a-zA-Z]\d*)', 'fortran_order': (True|False), 'shape': \(((?:\d+, )*\d+,?|)\), \} *\n$/;

function canonicalHeader(text: string): PyValue | undefined {
  const m = CANONICAL_HEADER.exec(text);
  if (!m) return undefined;
  const dims = m[3] === '' ? [] : m[3].split(',').map((d) => d.trim()).filter((d) => d !== '');
  // A one-element tuple needs its comma in Python: "(3)" is an int, not a shape.
  if (dims.length === 1 && !m[3].endsWith(',')) return undefined;
  return {
    kind: 'dict',
    entries: [
      [{ kind: 'str', value: 'descr' }, { kind: 'str', value: m[1] }],
      [{ kind: 'str', value: 'fortran_order' }, { kind: 'bool', value: m[2] === 'True' }],
      [{ kind: 'str', value: 'shape' }, { kind: 'tuple', items: dims.map((d) => ({ kind: 'int' as const, value: BigInt(d), text: d })) }],
    ],
  };
}

class LiteralParser {
  pos = 0;
  constructor(private readonly text: string) {}

  parseAll(): PyValue {
    const v = this.value(0);
    this.ws();
    if (this.pos < this.text.length) this.err(`unexpected ${this.peekDesc()} after the dict`);
    return v;
  }

  private err(msg: string): never {
    throw new LiteralError(`${msg} at offset ${this.pos}`);
  }

  private peekDesc(): string {
    return this.pos < this.text.length ? JSON.stringify(this.text[this.pos]) : 'end of header';
  }

  private ws(): void {
    while (this.pos < this.text.length && ' \t\n\r\f\v'.includes(this.text[this.pos])) this.pos++;
  }

  private value(depth: number): PyValue {
    if (depth > MAX_NESTING) this.err('nesting too deep');
    this.ws();
    const c = this.text[this.pos];
    if (c === undefined) this.err('unexpected end of header');
    if (c === "'" || c === '"') return this.str();
    if (c === '{') return this.dict(depth);
    if (c === '(') return this.seq(depth, '(', ')');
    if (c === '[') return this.seq(depth, '[', ']');
    if (/[0-9+\-.]/.test(c)) return this.num();
    if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]{0,39}/.exec(this.text.slice(this.pos, this.pos + 40))!;
      this.pos += m[0].length;
      if (m[0] === 'True') return { kind: 'bool', value: true };
      if (m[0] === 'False') return { kind: 'bool', value: false };
      if (m[0] === 'None') return { kind: 'none' };
      this.pos -= m[0].length;
      this.err(`unexpected name ${JSON.stringify(m[0])}`);
    }
    this.err(`unexpected ${this.peekDesc()}`);
  }

  private str(): PyValue {
    const quote = this.text[this.pos++];
    const start = this.pos;
    while (this.pos < this.text.length && this.text[this.pos] !== quote) {
      const ch = this.text[this.pos];
      if (ch === '\\') this.err('escape sequences in strings are not supported');
      if (ch === '\n') this.err('newline inside a string');
      this.pos++;
    }
    if (this.pos >= this.text.length) this.err('unterminated string');
    const value = this.text.slice(start, this.pos);
    this.pos++;
    return { kind: 'str', value };
  }

  private num(): PyValue {
    const m = /^[+-]?(\d*\.?\d*(?:[eE][+-]?\d+)?)([lL]?)/.exec(this.text.slice(this.pos, this.pos + 48));
    const text = m?.[0] ?? '';
    if (!m || !/\d/.test(m[1]) || text.length >= 48) this.err('malformed number');
    this.pos += text.length;
    if (/^[+-]?\d+[lL]?$/.test(text)) {
      // Python 2 wrote longs as "3L"; NumPy still reads those headers.
      return { kind: 'int', value: BigInt(text.replace(/[lL]$/, '')), text };
    }
    return { kind: 'float', text };
  }

  private seq(depth: number, open: string, close: string): PyValue {
    this.pos++; // open
    const items: PyValue[] = [];
    let sawComma = false;
    for (;;) {
      this.ws();
      if (this.text[this.pos] === close) {
        this.pos++;
        break;
      }
      items.push(this.value(depth + 1));
      this.ws();
      if (this.text[this.pos] === ',') {
        this.pos++;
        sawComma = true;
        continue;
      }
      if (this.text[this.pos] === close) {
        this.pos++;
        break;
      }
      this.err(`expected "," or "${close}", found ${this.peekDesc()}`);
    }
    // "(3)" is just 3 in Python, not a tuple.
    if (open === '(' && items.length === 1 && !sawComma) return items[0];
    return { kind: open === '(' ? 'tuple' : 'list', items };
  }

  private dict(depth: number): PyValue {
    this.pos++; // {
    const entries: [PyValue, PyValue][] = [];
    for (;;) {
      this.ws();
      if (this.text[this.pos] === '}') {
        this.pos++;
        break;
      }
      const key = this.value(depth + 1);
      this.ws();
      if (this.text[this.pos] !== ':') this.err(`expected ":", found ${this.peekDesc()}`);
      this.pos++;
      const value = this.value(depth + 1);
      entries.push([key, value]);
      this.ws();
      if (this.text[this.pos] === ',') {
        this.pos++;
        continue;
      }
      if (this.text[this.pos] === '}') {
        this.pos++;
        break;
      }
      this.err(`expected "," or "}", found ${this.peekDesc()}`);
    }
    return { kind: 'dict', entries };
  }
}

function pyRepr(v: PyValue): string {
  switch (v.kind) {
    case 'str':
      return `'${v.value}'`;
    case 'int':
    case 'float':
      return v.text;
    case 'bool':
      return v.value ? 'True' : 'False';
    case 'none':
      return 'None';
    case 'tuple':
      return `(${v.items.map(pyRepr).join(', ')}${v.items.length === 1 ? ',' : ''})`;
    case 'list':
      return `[${v.items.map(pyRepr).join(', ')}]`;
    case 'dict':
      return `{${v.entries.map(([k, x]) => `${pyRepr(k)}: ${pyRepr(x)}`).join(', ')}}`;
  }
}

function clip(s: string, n = 80): string {
  return s.length > n ? s.slice(0, n) + '…' : s;
}

export interface NpyHeader {
  info: DtypeInfo;
  littleEndian: boolean;
  fortranOrder: boolean;
  shape: number[];
  /** Byte offset of the data. */
  dataStart: number;
  /** Data bytes the shape needs (already checked against the limit). */
  dataBytes: number;
}

function parseDescr(descr: PyValue, place: Place): { info: DtypeInfo; littleEndian: boolean } {
  if (descr.kind === 'list') fail(place, `structured dtype ${clip(pyRepr(descr))} is not accepted (expected one of ${ACCEPTED})`);
  if (descr.kind !== 'str') fail(place, `header 'descr' must be a string, found ${clip(pyRepr(descr))}`);
  const s = descr.value;
  if (/^[<>|=]?O\d*$/.test(s)) fail(place, `dtype "${s}": object arrays (pickles) are not accepted`);
  const m = /^([<>|])([a-z]\d+)$/.exec(s);
  const info = m ? KINDS[m[2]] : undefined;
  if (!m || !info) fail(place, `unsupported dtype "${clip(s, 40)}" (expected one of ${ACCEPTED})`);
  const order = m[1];
  // A one-byte type has no byte order; a wider one must state it.
  if (info.itemsize > 1 && order === '|') fail(place, `dtype "${s}" does not state a byte order (expected one of ${ACCEPTED})`);
  return { info, littleEndian: order !== '>' };
}

/** Parses and checks the preamble and header; throws NPZ_INVALID for anything but a plain array. */
export function parseNpyHeader(bytes: Uint8Array, place: Place, maxArrayBytes: number): NpyHeader {
  const n = bytes.length;
  if (n < 6 || !(bytes[0] === 0x93 && bytes[1] === 0x4e && bytes[2] === 0x55 && bytes[3] === 0x4d && bytes[4] === 0x50 && bytes[5] === 0x59)) {
    const found = Array.from(bytes.subarray(0, 6), (b) => b.toString(16).padStart(2, '0')).join(' ');
    fail(place, `not an .npy array: bad magic, expected 93 4e 55 4d 50 59 ("\\x93NUMPY"), found ${found ? found : 'nothing'}${n < 6 ? ` (only ${n} bytes)` : ''}`);
  }
  if (n < 8) fail(place, `truncated .npy preamble: ${n} bytes, need at least 10`);
  const major = bytes[6];
  const minor = bytes[7];
  if (!(major >= 1 && major <= 3) || minor !== 0) fail(place, `unsupported .npy format version ${major}.${minor} (expected 1.0, 2.0 or 3.0)`);
  const lenBytes = major === 1 ? 2 : 4;
  const headerStart = 8 + lenBytes;
  if (n < headerStart) fail(place, `truncated .npy preamble: ${n} bytes, need at least ${headerStart}`);
  const headerLen =
    major === 1 ? bytes[8] | (bytes[9] << 8) : (bytes[8] | (bytes[9] << 8) | (bytes[10] << 16)) + bytes[11] * 0x1000000;
  if (headerLen > MAX_HEADER_BYTES) fail(place, `header declares ${headerLen} bytes, more than the ${MAX_HEADER_BYTES}-byte limit`);
  const dataStart = headerStart + headerLen;
  if (dataStart > n) fail(place, `truncated header: declares ${headerLen} bytes, only ${n - headerStart} present`);

  const raw = bytes.subarray(headerStart, dataStart);
  // Every output of a batch has one of a few short headers: each is parsed and checked once, and found again by its
  // bytes (a hash, then a comparison), without decoding them.
  const keepable = raw.length <= KEPT_HEADER_BYTES;
  const hash = keepable ? headerHash(raw) : 0;
  const kept = keepable ? parsedHeaders.get(hash) : undefined;
  let fields: HeaderFields;
  if (kept && kept.major === major && kept.maxArrayBytes === maxArrayBytes && sameBytes(kept.bytes, raw)) {
    fields = kept.fields;
  } else {
    fields = headerFields(headerText(raw, major, place), place, maxArrayBytes);
    if (keepable) {
      if (parsedHeaders.size >= PARSED_HEADERS_KEPT) parsedHeaders.clear();
      // A copy: the bytes read may be reused (an array moved over the end of its header to align it).
      parsedHeaders.set(hash, { bytes: raw.slice(), major, maxArrayBytes, fields });
    }
  }
  const { info, littleEndian, fortranOrder, shape, dataBytes } = fields;
  const present = n - dataStart;
  if (present !== dataBytes) {
    const what = present < dataBytes ? 'truncated' : `${present - dataBytes} extra bytes`;
    fail(place, `declared shape [${shape.join(', ')}] of ${info.dtype} needs ${dataBytes} bytes of data, found ${present} (${what})`);
  }
  return { info, littleEndian, fortranOrder, shape: [...shape], dataStart, dataBytes };
}

/** What a header's text says, checked: everything of NpyHeader but where the data starts. */
type HeaderFields = Omit<NpyHeader, 'dataStart'>;

/** Headers kept once parsed, and the longest kept (NumPy writes ~120 bytes): a few hundred KiB at most. */
const PARSED_HEADERS_KEPT = 1024;
const KEPT_HEADER_BYTES = 256;
const parsedHeaders = new Map<number, { bytes: Uint8Array; major: number; maxArrayBytes: number; fields: HeaderFields }>();

/** FNV-1a: a header's key among those kept; a match is then compared byte for byte. */
function headerHash(raw: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < raw.length; i++) h = Math.imul(h ^ raw[i], 0x01000193);
  return h >>> 0;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function headerText(raw: Uint8Array, major: number, place: Place): string {
  if (major === 3) {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(raw);
    } catch (e) {
      fail(place, 'header is not valid UTF-8', e);
    }
  }
  // latin1 (ISO-8859-1, as Buffer decodes it; TextDecoder('latin1') is really windows-1252).
  return Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('latin1');
}

function headerFields(text: string, place: Place, maxArrayBytes: number): HeaderFields {
  let dict: PyValue;
  try {
    dict = canonicalHeader(text) ?? new LiteralParser(text).parseAll();
  } catch (e) {
    if (!(e instanceof LiteralError)) throw e;
    fail(place, `header is not a Python dict literal: ${e.message} (header: ${JSON.stringify(clip(text.trimEnd()))})`, e);
  }
  if (dict.kind !== 'dict') fail(place, `header is not a Python dict literal (found ${clip(pyRepr(dict))})`);

  const fields = new Map<string, PyValue>();
  for (const [k, v] of dict.entries) {
    if (k.kind !== 'str') fail(place, `header key ${clip(pyRepr(k))} is not a string`);
    if (fields.has(k.value)) fail(place, `header repeats key '${clip(k.value, 40)}'`);
    if (!['descr', 'fortran_order', 'shape'].includes(k.value)) {
      fail(place, `header has unexpected key '${clip(k.value, 40)}' (expected exactly descr, fortran_order, shape)`);
    }
    fields.set(k.value, v);
  }
  for (const k of ['descr', 'fortran_order', 'shape']) {
    if (!fields.has(k)) fail(place, `header is missing key '${k}' (expected exactly descr, fortran_order, shape)`);
  }

  const { info, littleEndian } = parseDescr(fields.get('descr')!, place);
  const fo = fields.get('fortran_order')!;
  if (fo.kind !== 'bool') fail(place, `header 'fortran_order' must be True or False, found ${clip(pyRepr(fo))}`);
  const sh = fields.get('shape')!;
  if (sh.kind !== 'tuple') fail(place, `header 'shape' must be a tuple of non-negative integers, found ${clip(pyRepr(sh))}`);
  if (sh.items.length > MAX_NDIM) fail(place, `shape has ${sh.items.length} dimensions, more than ${MAX_NDIM}`);
  const dims: bigint[] = [];
  for (const d of sh.items) {
    if (d.kind !== 'int') fail(place, `shape ${clip(pyRepr(sh))} has a non-integer dimension ${clip(pyRepr(d), 40)}`);
    if (d.value < 0n) fail(place, `shape ${clip(pyRepr(sh))} has a negative dimension ${d.text}`);
    dims.push(d.value);
  }
  const shapeText = `[${dims.join(', ')}]`;
  const need = dims.reduce((a, b) => a * b, 1n) * BigInt(info.itemsize);
  if (need > BigInt(maxArrayBytes)) {
    fail(place, `declared shape ${shapeText} needs ${need} bytes, more than the ${maxArrayBytes}-byte limit`);
  }
  // Only reachable with a zero elsewhere in the shape; NdArray shapes are JS numbers.
  for (const d of dims) {
    if (d > BigInt(Number.MAX_SAFE_INTEGER)) fail(place, `shape ${clip(shapeText)} has a dimension larger than 2^53`);
  }
  return { info, littleEndian, fortranOrder: fo.value, shape: dims.map(Number), dataBytes: Number(need) };
}

// ---------------------------------------------------------------------------------------------
// Data

function byteSwap(u8: Uint8Array, size: number): void {
  for (let i = 0; i + size <= u8.length; i += size) {
    for (let a = i, b = i + size - 1; a < b; a++, b--) {
      const t = u8[a];
      u8[a] = u8[b];
      u8[b] = t;
    }
  }
}

/** Own decoder: copies into a fresh buffer, so the result never aliases the input. */
function decodeOwn(data: Uint8Array, h: NpyHeader): TypedData {
  const copy = new Uint8Array(data.length);
  copy.set(data);
  if (h.info.itemsize > 1 && h.littleEndian !== HOST_LE) byteSwap(copy, h.info.itemsize);
  if (h.info.dtype === 'bool') {
    for (let i = 0; i < copy.length; i++) copy[i] = copy[i] ? 1 : 0;
    return copy;
  }
  return new CTOR_OF[h.info.dtype](copy.buffer);
}

/**
 * The data as a view into `bytes`, without a copy, when the caller hands the bytes over (`owned`) and they can be
 * used as they are: host byte order, not bool (normalised to 0/1 by a copy). Data at an offset the element type
 * cannot start at (an .npz member's position depends on its name's length) is first moved back a few bytes, over
 * the end of its own header, which has been parsed by then: a move within memory already read, where a copy would
 * fill fresh pages and cost as much as reading the file again.
 */
function viewInto(bytes: Uint8Array, h: NpyHeader, count: number): TypedData | undefined {
  if (h.info.dtype === 'bool' || h.littleEndian !== HOST_LE || !(bytes.buffer instanceof ArrayBuffer)) return undefined;
  const start = bytes.byteOffset + h.dataStart;
  const misalignment = start % h.info.itemsize;
  if (misalignment !== 0) bytes.copyWithin(h.dataStart - misalignment, h.dataStart, h.dataStart + h.dataBytes);
  return new CTOR_OF[h.info.dtype](bytes.buffer, start - misalignment, count);
}

/** npyjs only makes views in host order at an aligned offset, and returns bools as a JS array. */
function decodeWithNpyjs(bytes: Uint8Array, h: NpyHeader, count: number): TypedData | undefined {
  if (h.info.dtype === 'bool' || h.littleEndian !== HOST_LE || h.dataStart % h.info.itemsize !== 0) return undefined;
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer;
  // A member inside a larger buffer (every .npz member) would need a copy for npyjs and another for the
  // result; the own decoder copies once, which keeps .npz reading within 2x of a raw read (npm run bench).
  if (!whole) return undefined;
  const ab = bytes.buffer as ArrayBuffer;
  let parsed: ReturnType<typeof npyjsParse>;
  try {
    parsed = npyjsParse(ab);
  } catch {
    return undefined; // e.g. a double-quoted header, which its regexes do not read
  }
  const ctor = CTOR_OF[h.info.dtype];
  const view = parsed.data;
  const agrees =
    parsed.dtype === h.info.code &&
    parsed.shape.length === h.shape.length &&
    parsed.shape.every((d, i) => d === h.shape[i]) &&
    view instanceof ctor &&
    (view as TypedData).length === count;
  if (!agrees) return undefined;
  // The view points into `ab` (possibly the caller's buffer): copy into a fresh exact-size array.
  return (view as TypedData).slice();
}

function fortranToC(data: TypedData, shape: number[]): TypedData {
  const n = shape.length;
  const out = new (data.constructor as new (len: number) => TypedData)(data.length);
  if (data.length === 0) return out;
  const stride: number[] = new Array(n);
  let s = 1;
  for (let k = 0; k < n; k++) {
    stride[k] = s;
    s *= shape[k];
  }
  const idx = new Array<number>(n).fill(0);
  let f = 0;
  const src = data as unknown as ArrayLike<number>;
  const dst = out as unknown as { [i: number]: number };
  for (let c = 0; c < data.length; c++) {
    dst[c] = src[f];
    // Odometer over C order (last axis fastest), tracking the Fortran offset.
    for (let k = n - 1; k >= 0; k--) {
      if (++idx[k] < shape[k]) {
        f += stride[k];
        break;
      }
      f -= (shape[k] - 1) * stride[k];
      idx[k] = 0;
    }
  }
  return out;
}

/** Reads one .npy held in `bytes`; `place` names the file (and member) for messages. */
export function decodeNpy(bytes: Uint8Array, place: Place, maxArrayBytes: number, owned = false): NdArray {
  const h = parseNpyHeader(bytes, place, maxArrayBytes);
  const count = h.dataBytes / h.info.itemsize;
  let data = (owned ? viewInto(bytes, h, count) : undefined) ?? decodeWithNpyjs(bytes, h, count) ?? decodeOwn(bytes.subarray(h.dataStart), h);
  if (h.fortranOrder && h.shape.length > 1) data = fortranToC(data, h.shape);
  return { dtype: h.info.dtype, shape: h.shape, data };
}

/**
 * Reads an .npy file's bytes. Accepts <f4 <f8 <i4 <i8 |u1 |b1 and the big-endian forms (byte-swapped);
 * Fortran-ordered data is converted to C order. `source` names the file in error messages.
 */
export function readNpy(bytes: Uint8Array, source: string, limits?: ReadLimits): NdArray {
  return decodeNpy(bytes, { source }, resolveLimits(limits).maxArrayBytes);
}

// ---------------------------------------------------------------------------------------------
// Writing

function checkArray(array: NdArray, label: string): void {
  const bad = (msg: string): never => {
    throw new DlgradeError('NPZ_INVALID', `cannot write ${label}: ${msg}`);
  };
  if (array === null || typeof array !== 'object') bad('not an NdArray');
  if (!Object.prototype.hasOwnProperty.call(DESCR_OF, array.dtype)) bad(`unsupported dtype ${JSON.stringify(array.dtype)}`);
  const { shape, data } = array;
  if (!Array.isArray(shape) || shape.length > MAX_NDIM || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    bad(`shape must be an array of at most ${MAX_NDIM} non-negative integers, got ${JSON.stringify(shape)}`);
  }
  const ctor = CTOR_OF[array.dtype];
  if (!(data instanceof ctor)) bad(`dtype ${array.dtype} needs a ${ctor.name}, got ${data?.constructor?.name ?? typeof data}`);
  const count = shape.reduce((a, b) => a * b, 1);
  if (data.length !== count) bad(`shape [${shape.join(', ')}] holds ${count} elements, data has ${data.length}`);
}

/** The header NumPy 1.24 writes for this array, so files match np.save byte for byte. */
function headerFor(array: NdArray): Uint8Array {
  const shape = array.shape;
  const shapeRepr = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let dict = `{'descr': '${DESCR_OF[array.dtype]}', 'fortran_order': False, 'shape': ${shapeRepr}, }`;
  // NumPy leaves room to grow axis 0 in place (GROWTH_AXIS_MAX_DIGITS = 21).
  if (shape.length > 0) dict += ' '.repeat(Math.max(0, 21 - String(shape[0]).length));
  const hlen = dict.length + 1; // + '\n'
  const v1 = hlen + 64 - ((10 + hlen) % 64) <= 0xffff;
  const pre = v1 ? 10 : 12;
  const pad = 64 - ((pre + hlen) % 64);
  const total = pre + hlen + pad;
  const out = new Uint8Array(total);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, v1 ? 1 : 2, 0]);
  const len = total - pre;
  out[8] = len & 0xff;
  out[9] = (len >>> 8) & 0xff;
  if (!v1) {
    out[10] = (len >>> 16) & 0xff;
    out[11] = (len >>> 24) & 0xff;
  }
  for (let i = 0; i < dict.length; i++) out[pre + i] = dict.charCodeAt(i);
  out.fill(0x20, pre + dict.length, total - 1);
  out[total - 1] = 0x0a;
  return out;
}

export function encodeNpy(array: NdArray, label: string): Uint8Array {
  checkArray(array, label);
  const header = headerFor(array);
  const src = new Uint8Array(array.data.buffer, array.data.byteOffset, array.data.byteLength);
  const out = new Uint8Array(header.length + src.length);
  out.set(header);
  const body = out.subarray(header.length);
  body.set(src);
  if (array.dtype === 'bool') for (let i = 0; i < body.length; i++) body[i] = body[i] ? 1 : 0;
  else if (!HOST_LE && array.data.BYTES_PER_ELEMENT > 1) byteSwap(body, array.data.BYTES_PER_ELEMENT);
  return out;
}

/** Serialises one array as .npy (little-endian, C order, data aligned to 64 bytes like NumPy). */
export function writeNpy(array: NdArray): Uint8Array {
  return encodeNpy(array, 'array');
}
