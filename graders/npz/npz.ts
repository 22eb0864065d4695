// .npz archives (np.savez / np.savez_compressed). The zip structure is parsed here rather than with
// fflate's unzipSync so that every declared count, size, offset and CRC is checked before any
// member is inflated or allocated. Inflating uses node:zlib (native, several times faster than
// fflate's JS inflate on fixtures); fflate only writes archives.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import zlib from 'node:zlib';
import { zipSync, type Zippable } from 'fflate';
import { DlgradeError } from '../errors.js';
import { crc32 } from '../util/crc32.js';
import type { NdArray } from './ndarray.js';
import { MAX_HEADER_BYTES, decodeNpy, encodeNpy, fail, resolveLimits, type Place, type ReadLimits } from './npy.js';

export { readNpy, writeNpy, DEFAULT_LIMITS, type ReadLimits } from './npy.js';

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_EOCD = 0x06054b50;
const SIG_EOCD64 = 0x06064b50;
const SIG_LOCATOR64 = 0x07064b50;
const U32_MAX = 0xffffffff;
// Deflate cannot expand more than ~1032:1; a larger claim is a lie, and checking it bounds allocation.
const MAX_DEFLATE_RATIO = 1032;
// The fixed DOS timestamp written into every member, for byte-identical output (local time, as zip has no zone).
const ZIP_MTIME = new Date(1980, 0, 1, 0, 0, 0);

const u16 = (b: Uint8Array, o: number): number => b[o] | (b[o + 1] << 8);
const u32 = (b: Uint8Array, o: number): number => (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16)) + b[o + 3] * 0x1000000;
/** A 64-bit field as a number, or Infinity when it does not fit exactly (such sizes fail the bounds checks). */
const u64 = (b: Uint8Array, o: number): number => {
  const hi = u32(b, o + 4);
  return hi > 0x1fffff ? Infinity : u32(b, o) + hi * 0x100000000;
};

const hex32 = (n: number): string => '0x' + n.toString(16).padStart(8, '0');

interface Member {
  name: string;
  key: string;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
  dataStart: number;
}

function findEndRecord(b: Uint8Array, place: Place): number {
  // The comment (≤ 65535 bytes) may follow the 22-byte record; take the last record that fits.
  const lowest = Math.max(0, b.length - 22 - 0xffff);
  for (let e = b.length - 22; e >= lowest; e--) {
    if (u32(b, e) === SIG_EOCD && e + 22 + u16(b, e + 20) <= b.length) return e;
  }
  fail(place, `not a valid zip archive: no end-of-central-directory record in the last ${b.length - lowest} bytes (truncated?)`);
}

function readName(raw: Uint8Array, utf8: boolean, place: Place, index: number): string {
  if (utf8) {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(raw);
    } catch (e) {
      fail(place, `member #${index + 1}: name is flagged UTF-8 but is not valid UTF-8`, e);
    }
  }
  // Decoded natively, then checked as a whole: an archive may hold hundreds of members.
  const name = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('latin1');
  if (!PRINTABLE_ASCII.test(name)) {
    const c = raw.find((b) => b > 0x7e || b < 0x20)!;
    fail(place, `member #${index + 1}: name has byte 0x${c.toString(16)} but is not flagged UTF-8`);
  }
  return name;
}

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/** Parses the central directory and checks every member against the limits; allocates nothing large. */
function listMembers(b: Uint8Array, place: Place, limits: Required<ReadLimits>): Member[] {
  const e = findEndRecord(b, place);
  let count = u16(b, e + 10);
  let cdSize = u32(b, e + 12);
  let cdOffset = u32(b, e + 16);
  let cdLimit = e; // the directory must end before the record that points at it
  if (u16(b, e + 4) !== 0 || u16(b, e + 6) !== 0 || u16(b, e + 8) !== count) fail(place, 'multi-disk zip archives are not supported');
  if (e >= 20 && u32(b, e - 20) === SIG_LOCATOR64) {
    const at = u64(b, e - 12);
    if (!(at + 56 <= e - 20) || u32(b, at) !== SIG_EOCD64) fail(place, 'zip64 end-of-central-directory locator points outside the archive');
    if (u32(b, at + 16) !== 0 || u32(b, at + 20) !== 0 || u64(b, at + 24) !== u64(b, at + 32)) fail(place, 'multi-disk zip archives are not supported');
    count = u64(b, at + 32);
    cdSize = u64(b, at + 40);
    cdOffset = u64(b, at + 48);
    cdLimit = at;
  }
  if (count > limits.maxEntries) fail(place, `archive declares ${count} members, more than the ${limits.maxEntries}-member limit`);
  if (!(cdOffset + cdSize <= cdLimit)) {
    fail(place, `central directory (offset ${cdOffset}, ${cdSize} bytes) lies outside the ${b.length}-byte archive (truncated?)`);
  }
  const cdEnd = cdOffset + cdSize;
  const members: Member[] = [];
  const seen = new Set<string>();
  // A member is its array plus an .npy preamble and header; the header's own checks bound the rest.
  const memberLimit = limits.maxArrayBytes + MAX_HEADER_BYTES + 12;
  let total = 0;
  let p = cdOffset;
  for (let i = 0; i < count; i++) {
    if (p + 46 > cdEnd || u32(b, p) !== SIG_CENTRAL) fail(place, `central directory entry #${i + 1} of ${count} is missing or corrupt`);
    const flags = u16(b, p + 8);
    const method = u16(b, p + 10);
    const crc = u32(b, p + 16);
    let compressedSize = u32(b, p + 20);
    let size = u32(b, p + 24);
    const nameLen = u16(b, p + 28);
    const extraLen = u16(b, p + 30);
    const commentLen = u16(b, p + 32);
    let localOffset = u32(b, p + 42);
    const next = p + 46 + nameLen + extraLen + commentLen;
    if (next > cdEnd) fail(place, `central directory entry #${i + 1} runs past the end of the directory`);
    const nameRaw = b.subarray(p + 46, p + 46 + nameLen);
    const name = readName(nameRaw, (flags & 0x800) !== 0, place, i);
    const at: Place = { source: place.source, member: name };

    if (compressedSize === U32_MAX || size === U32_MAX || localOffset === U32_MAX) {
      // Zip64: the real values sit in extra field 0x0001, in this order, only for the saturated ones.
      let q = p + 46 + nameLen;
      const extraEnd = q + extraLen;
      let found = false;
      while (q + 4 <= extraEnd) {
        const id = u16(b, q);
        const len = u16(b, q + 2);
        const body = q + 4;
        if (body + len > extraEnd) break;
        if (id === 1) {
          let r = body;
          const take = (): number => {
            if (r + 8 > body + len) fail(at, 'zip64 extra field is too short');
            const v = u64(b, r);
            r += 8;
            return v;
          };
          if (size === U32_MAX) size = take();
          if (compressedSize === U32_MAX) compressedSize = take();
          if (localOffset === U32_MAX) localOffset = take();
          found = true;
          break;
        }
        q = body + len;
      }
      if (!found) fail(at, 'sizes are marked zip64 but the zip64 extra field is missing');
    }

    if (!name.endsWith('.npy')) fail(at, 'is not an .npy array (an .npz may only hold NAME.npy members)');
    if (seen.has(name)) fail(at, `appears more than once, so key ${JSON.stringify(name.slice(0, -4))} is ambiguous`);
    seen.add(name);
    if (flags & 1) fail(at, 'is encrypted');
    if (method !== 0 && method !== 8) fail(at, `uses compression method ${method}; only 0 (stored) and 8 (deflate) are supported`);
    if (size > memberLimit) {
      fail(at, `declares ${size} uncompressed bytes, more than the ${limits.maxArrayBytes}-byte per-array limit allows`);
    }
    total += size;
    if (total > limits.maxTotalBytes) {
      fail(at, `brings the archive's declared uncompressed size to ${total} bytes, more than the ${limits.maxTotalBytes}-byte limit`);
    }
    if (method === 0 && compressedSize !== size) fail(at, `is stored uncompressed but declares ${compressedSize} stored bytes and ${size} uncompressed bytes`);
    if (method === 8 && size > compressedSize * MAX_DEFLATE_RATIO + 1024) {
      fail(at, `declares ${size} uncompressed bytes from only ${compressedSize} compressed bytes, more than deflate can produce`);
    }

    if (!(localOffset + 30 <= cdOffset) || u32(b, localOffset) !== SIG_LOCAL) {
      fail(at, `local header expected at offset ${localOffset} is missing or corrupt`);
    }
    const localNameLen = u16(b, localOffset + 26);
    const dataStart = localOffset + 30 + localNameLen + u16(b, localOffset + 28);
    if (!(dataStart + compressedSize <= cdOffset)) {
      fail(at, `data (${compressedSize} bytes at offset ${dataStart}) runs past the start of the central directory (truncated?)`);
    }
    let sameName = localNameLen === nameLen;
    for (let k = 0; sameName && k < nameLen; k++) sameName = b[localOffset + 30 + k] === nameRaw[k];
    if (!sameName) {
      fail(at, 'local header names a different file than the central directory');
    }
    members.push({ name, key: name.slice(0, -4), method, crc, compressedSize, size, localOffset, dataStart });
    p = next;
  }
  refuseOverlaps(members, place);
  return members;
}

/**
 * Members must not share bytes: NumPy never writes such an archive, overlapping members are a known way to build a zip
 * bomb, and an array aligned in place (see decodeNpy) must not move another member's bytes.
 */
function refuseOverlaps(members: Member[], place: Place): void {
  const byOffset = [...members].sort((x, y) => x.localOffset - y.localOffset);
  for (let k = 1; k < byOffset.length; k++) {
    const before = byOffset[k - 1];
    const end = before.dataStart + before.compressedSize;
    if (byOffset[k].localOffset < end) {
      fail({ source: place.source, member: byOffset[k].name }, `overlaps member "${before.name}", whose data runs to offset ${end}: archives whose members share bytes are refused`);
    }
  }
}

/** A member's bytes, and whether they are a fresh buffer of their own (an inflated member) rather than part of `b`. */
function memberBytes(b: Uint8Array, m: Member, at: Place): { bytes: Uint8Array; fresh: boolean } {
  const raw = b.subarray(m.dataStart, m.dataStart + m.compressedSize);
  let out: Uint8Array;
  if (m.method === 0) {
    out = raw;
  } else {
    // Output is capped one byte past the declared size: a stream that reaches it inflates to more than it declared.
    // One output chunk of the declared size (already bounded by the limits) avoids zlib's chunk concatenation.
    let inflated: Uint8Array;
    try {
      inflated = zlib.inflateRawSync(raw, { maxOutputLength: m.size + 1, chunkSize: Math.min(Math.max(m.size + 1, 64), 64 * 1024 * 1024) });
    } catch (e) {
      fail(at, `deflate data is corrupt or larger than the declared ${m.size} bytes (${(e as Error)?.message ?? e})`, e);
    }
    if (inflated.length !== m.size) {
      const found = inflated.length > m.size ? `more than ${m.size}` : String(inflated.length);
      fail(at, `declares ${m.size} uncompressed bytes but inflates to ${found}`);
    }
    out = inflated;
  }
  const crc = crc32(out);
  if (crc !== m.crc) fail(at, `CRC-32 mismatch: directory says ${hex32(m.crc)}, data has ${hex32(crc)} (corrupt archive)`);
  return { bytes: out, fresh: m.method !== 0 };
}

/**
 * Reads an .npz archive: a Map from key (member name without ".npy") to array, in archive order.
 * Every problem throws DlgradeError('NPZ_INVALID') naming `source` and the member.
 * With `owned`, the caller hands `bytes` over: arrays may then be views into it instead of copies.
 */
export function readNpz(bytes: Uint8Array, source: string, limits?: ReadLimits, options: { owned?: boolean } = {}): Map<string, NdArray> {
  const lim = resolveLimits(limits);
  const place: Place = { source };
  const b = bytes;
  if (b.length >= 6 && b[0] === 0x93 && b[1] === 0x4e && b[2] === 0x55 && b[3] === 0x4d && b[4] === 0x50 && b[5] === 0x59) {
    fail(place, 'is a single .npy array, not an .npz archive');
  }
  const startsLikeZip = b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && ((b[2] === 3 && b[3] === 4) || (b[2] === 5 && b[3] === 6));
  if (!startsLikeZip) {
    const found = Array.from(b.subarray(0, 4), (c) => c.toString(16).padStart(2, '0')).join(' ');
    fail(place, `not a zip archive: expected it to start with 50 4b 03 04 ("PK\\x03\\x04"), found ${found || 'an empty file'}`);
  }
  if (b.length < 22) fail(place, `not a valid zip archive: only ${b.length} bytes (truncated?)`);
  const members = listMembers(b, place, lim);
  const out = new Map<string, NdArray>();
  for (const m of members) {
    const at: Place = { source, member: m.name };
    const member = memberBytes(b, m, at);
    // An inflated member is a buffer of its own; a stored one is part of `bytes`, ours only if handed over.
    out.set(m.key, decodeNpy(member.bytes, at, lim.maxArrayBytes, member.fresh || options.owned === true));
  }
  return out;
}

/**
 * Writes an .npz that np.load(..., allow_pickle=False) reads. Members are stored (or deflated with
 * `compress`) in the order given, with a fixed timestamp, so equal input gives identical bytes.
 * (A Record lists integer-like keys first, as JS objects do; pass a Map to control order fully.)
 */
export function writeNpz(arrays: Map<string, NdArray> | Record<string, NdArray>, options: { compress?: boolean } = {}): Uint8Array {
  const entries = arrays instanceof Map ? [...arrays] : Object.entries(arrays);
  const files: Zippable = {};
  const zipOpts = { level: options.compress ? 6 : 0, mtime: ZIP_MTIME } as const;
  let total = 22;
  for (const [key, array] of entries) {
    if (typeof key !== 'string' || key.length === 0 || key.length > 1024) {
      throw new DlgradeError('NPZ_INVALID', `cannot write key ${JSON.stringify(key)}: keys must be 1 to 1024 characters`);
    }
    const name = `${key}.npy`;
    const npy = encodeNpy(array, `key ${JSON.stringify(key)}`);
    total += npy.length + 2 * (46 + 3 * name.length);
    files[name] = [npy, zipOpts];
  }
  // fflate writes no zip64 records, so refuse what would overflow 32-bit offsets.
  if (entries.length > 0xffff || total >= U32_MAX) {
    throw new DlgradeError('NPZ_INVALID', `cannot write ${entries.length} arrays totalling about ${total} bytes: more than a zip without zip64 holds`);
  }
  return zipSync(files);
}

function fileSizeLimit(lim: Required<ReadLimits>): number {
  // Compressed members are never meaningfully larger than their content; allow for zip headers.
  return lim.maxTotalBytes + Math.ceil(lim.maxTotalBytes / 64) + 16 * 1024 * 1024;
}

/** The first read of a file goes into one of these, at the same time as its fstat; kept for the next file. */
const FIRST_READ_BYTES = 512 * 1024;
const spareFirstReads: Buffer[] = [];
const SPARE_FIRST_READS_KEPT = 2;

/**
 * A regular file's bytes in a buffer of their own; `checkSize` may refuse the file before the rest is read. The fstat
 * (is it a file, how large) and the first read run side by side, so a small file costs two waits on the thread pool
 * (open, then both) instead of three; the first read's bytes are then copied into a buffer of the file's exact size.
 * Callback fs calls under one promise: a FileHandle's promise per step costs ~20% of reading a small cached file.
 */
function readOwnedFile(file: string, checkSize: (bytes: number) => void): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    fs.open(file, 'r', (openError, fd) => {
      if (openError) return reject(openError);
      // The bytes are handed on while the descriptor closes: checking them overlaps the close, whose result
      // changes nothing for a file only read.
      const finish = (error: unknown, bytes?: Uint8Array) => {
        fs.close(fd, () => undefined);
        if (error) reject(error);
        else resolve(bytes!);
      };
      const first = spareFirstReads.pop() ?? Buffer.allocUnsafeSlow(FIRST_READ_BYTES);
      // Given back only once both calls are done with it: the read may still be filling it when the fstat fails.
      const giveBack = () => {
        if (spareFirstReads.length < SPARE_FIRST_READS_KEPT) spareFirstReads.push(first);
      };
      let st: fs.Stats | undefined;
      let statError: unknown;
      let firstRead = 0;
      let readError: unknown;
      let waiting = 2;
      const bothDone = () => {
        if (--waiting > 0) return;
        try {
          if (statError) throw statError;
          if (!st!.isFile()) fail({ source: file }, 'is not a regular file');
          checkSize(st!.size);
          if (readError) throw readError;
        } catch (e) {
          giveBack();
          return finish(e);
        }
        // Not zero-filled first: every byte is read over, and what is not (a file that shrank) is cut off.
        const whole = Buffer.allocUnsafeSlow(st!.size);
        const bytes = new Uint8Array(whole.buffer, whole.byteOffset, whole.byteLength);
        let filled = Math.min(firstRead, bytes.length);
        bytes.set(first.subarray(0, filled));
        giveBack();
        const readMore = (): void => {
          if (filled === bytes.length) return finish(null, bytes);
          fs.read(fd, bytes, filled, bytes.length - filled, filled, (error, bytesRead) => {
            if (error) return finish(error);
            if (bytesRead === 0) return finish(null, bytes.subarray(0, filled));
            filled += bytesRead;
            readMore();
          });
        };
        // What the first read did not reach (a larger file, or a file system that returned less) is read here.
        readMore();
      };
      fs.fstat(fd, (error, stats) => {
        statError = error;
        st = stats;
        bothDone();
      });
      fs.read(fd, first, 0, FIRST_READ_BYTES, 0, (error, bytesRead) => {
        readError = error;
        firstRead = bytesRead ?? 0;
        bothDone();
      });
    });
  });
}

/** Reads an .npz file; I/O failures are also reported as NPZ_INVALID (the cause keeps the errno). */
export async function loadNpz(file: string, limits?: ReadLimits): Promise<Map<string, NdArray>> {
  const lim = resolveLimits(limits);
  let bytes: Uint8Array;
  try {
    bytes = await readOwnedFile(file, (size) => {
      if (size > fileSizeLimit(lim)) fail({ source: file }, `is ${size} bytes, larger than the ${lim.maxTotalBytes}-byte total limit allows`);
    });
  } catch (e) {
    if (e instanceof DlgradeError) throw e;
    fail({ source: file }, `cannot read: ${(e as Error)?.message ?? e}`, e);
  }
  // The buffer is ours: arrays may be views of it.
  return readNpz(bytes, file, lim, { owned: true });
}

/** Writes an .npz atomically: a temp file in the same directory, fsynced, then renamed over `file`. */
export async function saveNpz(
  file: string,
  arrays: Map<string, NdArray> | Record<string, NdArray>,
  options: { compress?: boolean } = {},
): Promise<void> {
  const bytes = writeNpz(arrays, options);
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const fh = await open(tmp, 'wx');
  try {
    try {
      await fh.writeFile(bytes);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, file);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
}
