// Copies one submission into a fresh folder of its own, the way grading needs it: zips unpacked, files capped in
// size and number, platform clutter and links left out, the module files found under a sub-folder or an LMS
// rename, and a content hash taken as the bytes stream past.
import { createHash } from 'node:crypto';
import { copyFileSync, createReadStream, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { copyFile, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DlgradeError } from '../errors.js';
import { sharedMemoryDir } from '../util/shared-memory-dir.js';
import type { IntakeSubmission } from './layouts.js';
import { formatBytes, isPlatformClutter, SUBMISSION_ZIP_LIMITS, unpackZipTo } from './zip-reader.js';

/** What one submission may hold; more costs that submission only. */
export interface StageLimits {
  bytes: number;
  files: number;
}

interface Counter {
  bytes: number;
  files: number;
  /** The newest modification time among the originals. */
  newest?: Date;
}

export const DEFAULT_STAGE_LIMITS: StageLimits = { bytes: 200 * 1024 * 1024, files: 2000 };

/**
 * Files up to this size are copied and hashed with synchronous calls: a submission is mostly a few small source
 * files, for which a trip through the thread pool per call costs more than the call. Larger ones stream, so a big
 * file never blocks the other submissions' watchdogs for long.
 */
const SMALL_FILE_BYTES = 1024 * 1024;

export interface StagedSubmission {
  /** The temporary folder holding everything; removed by `cleanup`. */
  root: string;
  /** The folder to grade: `root` or the sub-folder that holds the module files. */
  dir: string;
  /** Files in `dir`, "/"-separated, sorted. */
  files: string[];
  /** Module files taken from another name ("style_modules (1).py" → "style_modules.py"). */
  renames: { from: string; to: string }[];
  /** Manifest files to be made from a notebook (module → notebook, relative to `dir`). */
  notebooks: { module: string; notebook: string }[];
  notes: string[];
  /** The newest modification time of the files, for when nothing better says when it was submitted. */
  newestMtime?: Date;
  sha256: string;
  cleanup(): Promise<void>;
}

/** Names a person or an LMS gives a second copy of a file: "name (1).py", "name-2.py", "name_1.py", "Copy of name.py". */
function renamedCandidate(file: string, wanted: string): boolean {
  const ext = path.extname(wanted);
  const stem = wanted.slice(0, wanted.length - ext.length);
  if (!file.toLowerCase().endsWith(ext.toLowerCase())) return false;
  const base = file.slice(0, file.length - ext.length);
  const escaped = stem.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^(copy of )?${escaped}(\\s*\\(\\d+\\)|[-_ ]\\d+)?$`, 'i').test(base);
}

/** Below this many files a staged copy is removed with synchronous calls (cheaper than a promise per file). */
const SMALL_TREE_FILES = 64;

let stagingParentDir: string | undefined;

/**
 * Where staged copies go: the folder TMPDIR names when it is set, else /dev/shm when it is a tmpfs with room that
 * every uid can use (where the warm workers keep their job folders, see warm-worker.ts), else the system's
 * temporary folder. On a disk file system each copy is a few inodes made and freed per submission, which costs
 * more CPU than the copy.
 */
export function stagingParent(): string {
  if (stagingParentDir) return stagingParentDir;
  stagingParentDir = (process.env.TMPDIR ? undefined : sharedMemoryDir()) ?? os.tmpdir();
  return stagingParentDir;
}

/** Stages `submission` for an assignment whose submissions must contain `manifestFiles`. */
export async function stageSubmission(submission: IntakeSubmission, manifestFiles: string[], limits: StageLimits = DEFAULT_STAGE_LIMITS): Promise<StagedSubmission> {
  const root = mkdtempSync(path.join(stagingParent(), 'dlgrade-sub-'));
  const counter: Counter = { bytes: 0, files: 0 };
  const cleanup = async () => {
    if (counter.files <= SMALL_TREE_FILES) rmSync(root, { recursive: true, force: true });
    else await rm(root, { recursive: true, force: true });
  };
  try {
    const notes: string[] = [];
    for (const source of submission.sources) {
      const label = path.basename(source.path);
      if (source.kind === 'dir') await copyTree(source.path, root, '', counter, limits, notes);
      else if (source.kind === 'zip') {
        const unpacked = await unpackZipTo(source.path, root, { ...SUBMISSION_ZIP_LIMITS, totalBytes: limits.bytes - counter.bytes }, source.name ?? label);
        counter.bytes += unpacked.members.reduce((s, m) => s + m.size, 0);
        counter.files += unpacked.members.length;
        for (const i of unpacked.ignored) notes.push(`${source.name ?? label}: left out ${i}`);
        for (const m of unpacked.members) if (!counter.newest || m.modified > counter.newest) counter.newest = m.modified;
      } else await copyOne(source.path, path.join(root, source.name ?? label), source.name ?? label, counter, limits);
    }
    await unpackInnerZips(root, manifestFiles, counter, limits, notes);
    const located = await locateFiles(root, manifestFiles);
    notes.push(...located.notes);
    const files = await listFiles(located.dir);
    const sha256 = await hashFiles(located.dir, files);
    return { root, dir: located.dir, files, renames: located.renames, notebooks: located.notebooks, notes, newestMtime: counter.newest, sha256, cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/** A folder that holds a zip and none of the files (a Moodle folder with the student's upload): the zip is the submission. */
async function unpackInnerZips(root: string, wanted: string[], counter: Counter, limits: StageLimits, notes: string[]): Promise<void> {
  const all = await listFiles(root);
  const names = new Set(all.map((f) => f.slice(f.lastIndexOf('/') + 1)));
  if (wanted.some((w) => names.has(w))) return;
  for (const zip of all.filter((f) => !f.includes('/') && f.toLowerCase().endsWith('.zip'))) {
    const full = path.join(root, zip);
    const unpacked = await unpackZipTo(full, root, { ...SUBMISSION_ZIP_LIMITS, totalBytes: limits.bytes - counter.bytes }, zip);
    counter.bytes += unpacked.members.reduce((s, m) => s + m.size, 0);
    counter.files += unpacked.members.length;
    for (const m of unpacked.members) if (!counter.newest || m.modified > counter.newest) counter.newest = m.modified;
    await rm(full);
    notes.push(`unpacked ${zip}`);
  }
}

/** Copies a folder's files (not links, devices or hidden entries), streaming, within the limits. */
async function copyTree(from: string, to: string, rel: string, counter: Counter, limits: StageLimits, notes: string[], depth = 0): Promise<void> {
  if (depth > 12) throw new DlgradeError('SUBMISSION_INVALID', `${rel}: folders nested more than 12 deep`);
  const entries = readdirSync(path.join(from, rel), { withFileTypes: true });
  mkdirSync(path.join(to, rel), { recursive: true });
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const child = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.name.startsWith('.') || entry.name === '__pycache__' || isPlatformClutter(child.split('/'))) continue;
    if (entry.isSymbolicLink()) {
      notes.push(`left out ${child}: a symbolic link inside a submission is not followed`);
      continue;
    }
    if (entry.isDirectory()) await copyTree(from, to, child, counter, limits, notes, depth + 1);
    else if (entry.isFile()) await copyOne(path.join(from, child), path.join(to, child), child, counter, limits);
    else notes.push(`left out ${child}: not a regular file`);
  }
}

async function copyOne(from: string, to: string, label: string, counter: Counter, limits: StageLimits): Promise<void> {
  const info = statSync(from);
  if (!info.isFile()) throw new DlgradeError('SUBMISSION_INVALID', `${label} is not a regular file`);
  if (++counter.files > limits.files) throw new DlgradeError('SUBMISSION_INVALID', `the submission holds more than ${limits.files} files (the limit per submission)`);
  if (counter.bytes + info.size > limits.bytes) {
    throw new DlgradeError('SUBMISSION_INVALID', `${label} is ${formatBytes(info.size)}; a submission may hold at most ${formatBytes(limits.bytes)} in all`);
  }
  counter.bytes += info.size;
  if (!counter.newest || info.mtime > counter.newest) counter.newest = info.mtime;
  mkdirSync(path.dirname(to), { recursive: true });
  // copyFile never holds the file in memory (and uses copy_file_range where the file system can).
  if (info.size <= SMALL_FILE_BYTES) copyFileSync(from, to);
  else await copyFile(from, to);
}

/** Every file under `dir`, "/"-separated, sorted by code point. */
async function listFiles(dir: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const child = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await listFiles(dir, child)));
    else if (entry.isFile()) out.push(child);
  }
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** A hash of names and bytes, read as streams (a file of any size costs no memory). */
async function hashFiles(dir: string, files: string[]): Promise<string> {
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(file + '\0');
    const full = path.join(dir, file);
    if (statSync(full).size <= SMALL_FILE_BYTES) hash.update(readFileSync(full));
    else for await (const chunk of createReadStream(full)) hash.update(chunk as Buffer);
  }
  return hash.digest('hex');
}

/**
 * Finds where the module files are: the top, or the one folder that holds them ("hw3/style_modules.py"); a file
 * missing there is taken from its one renamed copy or its notebook ("style_modules (1).py", "style_modules.ipynb").
 */
async function locateFiles(root: string, wanted: string[]): Promise<{ dir: string; renames: StagedSubmission['renames']; notebooks: StagedSubmission['notebooks']; notes: string[] }> {
  const all = await listFiles(root);
  const notes: string[] = [];
  const dirOf = (f: string) => (f.includes('/') ? f.slice(0, f.lastIndexOf('/')) : '');
  const baseOf = (f: string) => f.slice(f.lastIndexOf('/') + 1);
  // The folder holding most of the wanted files (shallowest first), else the one folder with every .py/.ipynb.
  const folders = [...new Set(all.map(dirOf))].sort((a, b) => a.split('/').length - b.split('/').length || (a < b ? -1 : 1));
  const score = (d: string) => wanted.filter((w) => all.includes(d ? `${d}/${w}` : w)).length;
  let best = folders.reduce((b, d) => (score(d) > score(b) ? d : b), '');
  if (score(best) === 0) {
    const codeDirs = [...new Set(all.filter((f) => /\.(py|ipynb)$/i.test(f)).map(dirOf))];
    if (codeDirs.length === 1) best = codeDirs[0];
  }
  if (best) notes.push(`graded the files under ${best}/`);
  const dir = best ? path.join(root, best) : root;
  const inDir = all.filter((f) => dirOf(f) === best).map(baseOf);
  const renames: StagedSubmission['renames'] = [];
  const notebooks: StagedSubmission['notebooks'] = [];
  for (const w of wanted) {
    if (inDir.includes(w)) continue;
    const renamed = all.filter((f) => renamedCandidate(baseOf(f), w) && f !== (best ? `${best}/${w}` : w));
    if (renamed.length === 1) {
      const target = path.join(dir, w);
      await rename(path.join(root, renamed[0]), target);
      renames.push({ from: renamed[0], to: best ? `${best}/${w}` : w });
      notes.push(`took ${renamed[0]} as ${w}`);
      continue;
    }
    if (renamed.length > 1) {
      notes.push(`${w} is missing and ${renamed.length} files could be it (${renamed.slice(0, 4).join(', ')}); none was taken`);
      continue;
    }
    if (w.endsWith('.py')) {
      const notebookName = w.slice(0, -3) + '.ipynb';
      const exact = all.filter((f) => renamedCandidate(baseOf(f), notebookName));
      const anyNotebook = all.filter((f) => f.toLowerCase().endsWith('.ipynb'));
      const noneThere = wanted.every((x) => !inDir.includes(x));
      const pick = exact.length === 1 ? exact[0] : wanted.length === 1 && anyNotebook.length === 1 && noneThere ? anyNotebook[0] : undefined;
      if (pick) {
        const rel = path.relative(dir, path.join(root, pick)).split(path.sep).join('/');
        notebooks.push({ module: w, notebook: rel });
      } else if (exact.length > 1 || anyNotebook.length > 1) {
        notes.push(`${w} is missing and ${Math.max(exact.length, anyNotebook.length)} notebooks could be it; none was taken`);
      }
    }
  }
  return { dir, renames, notebooks, notes };
}
