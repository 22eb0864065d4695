// Unpacks a zip as students and LMSs make them, without trusting its headers: streamed (yauzl, inflated on
// libuv's thread pool), with limits on entries, total size and compression ratio, and every CRC checked.
import { createWriteStream } from 'node:fs';
import { mkdir, utimes } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { crc32 } from '../util/crc32.js';
import yauzl from 'yauzl';
import { DlgradeError } from '../errors.js';

export interface ZipLimits {
  entries: number;
  /** Inflated bytes of all members together. */
  totalBytes: number;
  /** Inflated bytes of one member over its compressed bytes, checked once a member passes 1 MiB. */
  ratio: number;
}

/** One student's zip. */
export const SUBMISSION_ZIP_LIMITS: ZipLimits = { entries: 2000, totalBytes: 200 * 1024 * 1024, ratio: 200 };
/** A whole class's download (Canvas "Download Submissions"): every student's files. */
export const CLASS_ZIP_LIMITS: ZipLimits = { entries: 100_000, totalBytes: 4 * 1024 * 1024 * 1024, ratio: 200 };

export interface UnpackedMember {
  /** The member's path inside the zip, "/"-separated. */
  name: string;
  size: number;
  /** The time the zip records for the member. */
  modified: Date;
}

export interface UnpackedZip {
  members: UnpackedMember[];
  /** Members left out, with why (resource forks, symlinks). */
  ignored: string[];
}

/** A name segment longer than this cannot be a file name on Linux. */
const MAX_SEGMENT_BYTES = 255;
const MAX_NAME_BYTES = 1024;

/** Entries a Mac or Windows adds to a zip that are not the student's work. */
export function isPlatformClutter(segments: string[]): boolean {
  return segments[0] === '__MACOSX' || segments.some((s) => s === '.DS_Store' || s === 'Thumbs.db' || s === 'desktop.ini' || s.startsWith('._'));
}

/**
 * The member's path as "/"-separated segments: Windows backslashes are separators, "." segments vanish; a ".."
 * segment, an absolute or drive path, a NUL or an over-long name is refused, naming the member and the rule.
 * Segments are tested, not prefixes: "..notes.txt" is an ordinary name.
 */
export function memberSegments(rawName: string, zipLabel: string): string[] {
  const fail = (rule: string) => new DlgradeError('SUBMISSION_INVALID', `${zipLabel}: the member "${printable(rawName)}" ${rule}`);
  if (rawName.includes('\0')) throw fail('has a NUL character in its name');
  const name = rawName.replace(/\\/g, '/');
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) throw fail('has an absolute path; members must be relative to the zip');
  const segments = name.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) throw fail('has a ".." segment, which points outside the submission');
  if (Buffer.byteLength(name) > MAX_NAME_BYTES) throw fail(`has a name longer than ${MAX_NAME_BYTES} bytes`);
  const long = segments.find((s) => Buffer.byteLength(s) > MAX_SEGMENT_BYTES);
  if (long) throw fail(`has a file or folder name longer than ${MAX_SEGMENT_BYTES} bytes`);
  return segments;
}

function printable(name: string): string {
  const shown = name.replace(/[\x00-\x1f\x7f]/g, '?');
  return shown.length > 120 ? shown.slice(0, 117) + '…' : shown;
}

/**
 * Unpacks `zipFile` into the existing folder `dest`. Errors name the zip by `zipLabel` and the member, never a
 * host path; the caller owns `dest` and removes it whatever happens.
 */
export async function unpackZipTo(zipFile: string, dest: string, limits: ZipLimits, zipLabel: string): Promise<UnpackedZip> {
  const fail = (message: string, cause?: unknown) => new DlgradeError('SUBMISSION_INVALID', `${zipLabel}: ${message}`, { cause });
  let zip: yauzl.ZipFile;
  try {
    zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
      // Names are decoded and checked here: yauzl's own check would refuse the whole zip with a message of its own.
      yauzl.open(zipFile, { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: true }, (error, z) => (error ? reject(error) : resolve(z!))),
    );
  } catch (cause) {
    throw fail(`not a readable zip (${(cause as Error).message})`, cause);
  }
  const members: UnpackedMember[] = [];
  const ignored: string[] = [];
  const written = new Map<string, 'file' | 'dir'>();
  let total = 0;
  let count = 0;
  try {
    for (;;) {
      const entry = await nextEntry(zip).catch((cause: Error) => {
        throw fail(`not a readable zip (${cause.message})`, cause);
      });
      if (!entry) break;
      if (++count > limits.entries) throw fail(`holds more than ${limits.entries} entries`);
      const fileName = decodeName(entry);
      const segments = memberSegments(fileName, zipLabel);
      if (segments.length === 0 || isPlatformClutter(segments)) continue;
      const rel = segments.join('/');
      const isDir = fileName.endsWith('/') || fileName.endsWith('\\');
      // Unix mode in the high bits of the external attributes: a symlink's target is data, not a path to follow.
      const mode = (entry.externalFileAttributes >>> 16) & 0o170000;
      if (mode === 0o120000) {
        ignored.push(`${rel} (a symbolic link)`);
        continue;
      }
      claim(written, segments, isDir ? 'dir' : 'file', (why) => fail(`the member "${printable(fileName)}" ${why}`));
      const target = path.join(dest, ...segments);
      if (isDir) {
        await mkdir(target, { recursive: true });
        continue;
      }
      if (total + entry.uncompressedSize > limits.totalBytes) throw fail(`inflates to more than ${formatBytes(limits.totalBytes)} (the limit for this zip)`);
      await mkdir(path.dirname(target), { recursive: true });
      const size = await inflateMember(zip, entry, target, {
        remaining: limits.totalBytes - total,
        ratio: limits.ratio,
        fail: (why) => fail(`the member "${printable(fileName)}" ${why}`),
      });
      total += size;
      const modified = entry.getLastModDate();
      await utimes(target, modified, modified).catch(() => undefined);
      members.push({ name: rel, size, modified });
    }
  } finally {
    zip.close();
  }
  return { members, ignored };
}

/** The member's name as the zip's flags say to decode it (UTF-8, or CP437 for old zips). */
function decodeName(entry: yauzl.Entry): string {
  const raw = entry.fileName as unknown as Buffer;
  return (yauzl as unknown as { getFileNameLowLevel(flag: number, name: Buffer, extra: unknown, strict: boolean): string }).getFileNameLowLevel(entry.generalPurposeBitFlag, raw, entry.extraFields, true);
}

/** Records a path as a file or a folder; refuses a member that repeats a name or is both. */
function claim(written: Map<string, 'file' | 'dir'>, segments: string[], kind: 'file' | 'dir', fail: (why: string) => Error): void {
  for (let i = 1; i < segments.length; i++) {
    const parent = segments.slice(0, i).join('/');
    if (written.get(parent) === 'file') throw fail(`is inside "${parent}", which the zip also holds as a file`);
    written.set(parent, 'dir');
  }
  const rel = segments.join('/');
  const before = written.get(rel);
  if (before === 'file' && kind === 'file') throw fail('appears twice in the zip');
  if (before && before !== kind) throw fail(`is both a file and a folder in the zip`);
  written.set(rel, kind);
}

function nextEntry(zip: yauzl.ZipFile): Promise<yauzl.Entry | undefined> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      zip.off('entry', onEntry);
      zip.off('end', onEnd);
      zip.off('error', onError);
    };
    const onEntry = (entry: yauzl.Entry) => (cleanup(), resolve(entry));
    const onEnd = () => (cleanup(), resolve(undefined));
    const onError = (error: Error) => (cleanup(), reject(error));
    zip.on('entry', onEntry);
    zip.on('end', onEnd);
    zip.on('error', onError);
    zip.readEntry();
  });
}

/** Streams one member to `target`, counting bytes and computing its CRC-32 as they pass; returns its size. */
async function inflateMember(zip: yauzl.ZipFile, entry: yauzl.Entry, target: string, rules: { remaining: number; ratio: number; fail: (why: string) => Error }): Promise<number> {
  const source = await new Promise<NodeJS.ReadableStream>((resolve, reject) => zip.openReadStream(entry, (error, stream) => (error ? reject(rules.fail(`cannot be read (${error.message})`)) : resolve(stream!))));
  let size = 0;
  let crc = 0;
  const compressed = Math.max(1, entry.compressedSize);
  const check = new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) {
      size += chunk.length;
      crc = crc32(chunk, crc);
      if (size > rules.remaining) return done(rules.fail(`inflates past the zip's size limit`));
      if (size > 1024 * 1024 && size / compressed > rules.ratio) return done(rules.fail(`inflates more than ${rules.ratio} times its compressed size (a zip bomb?)`));
      done(null, chunk);
    },
  });
  try {
    await pipeline(source, check, createWriteStream(target, { flags: 'wx', mode: 0o644 }));
  } catch (error) {
    if (error instanceof DlgradeError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw rules.fail('appears twice in the zip');
    if (code === 'ENAMETOOLONG') throw rules.fail('has a name too long for a file');
    // yauzl's own size check: the header declared one size and the data inflated to another.
    throw rules.fail(`is damaged: ${(error as Error).message.replace(/\/[^\s]*dlgrade-[^\s]*/g, '<member>')}`);
  }
  if ((crc >>> 0) !== (entry.crc32 >>> 0)) throw rules.fail(`fails its CRC check (the zip says ${hex(entry.crc32)}, the data gives ${hex(crc)})`);
  return size;
}

function hex(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}

/** "200 MiB", "2.5 GiB". */
export function formatBytes(n: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : Number.isInteger(v) ? v : v.toFixed(1)} ${units[i]}`;
}
