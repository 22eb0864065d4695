// Finds the submissions in a folder — one sub-folder or .zip per student — and unpacks zips safely.
import { readdir, readFile, mkdir, writeFile, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { DlgradeError } from '../errors.js';
import { findGradescopeSubmissions, isGradescopeExport } from './gradescope-export.js';

export interface FoundSubmission {
  student: string;
  /** A folder, or a .zip to unpack before grading. */
  path: string;
  kind: 'dir' | 'zip';
  /** The LMS named the student (e.g. Gradescope's sid): `student` is known to be a student id, not just a folder name. */
  idFromLms?: boolean;
}

const STUDENT_ID = /^[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}$/;

/** Lists submissions, sorted by student id; ids must be plain names (no paths). A Gradescope export is read through its metadata. */
export async function findSubmissions(root: string): Promise<FoundSubmission[]> {
  if (await isGradescopeExport(root)) return findGradescopeSubmissions(root);
  const entries = await readdir(root, { withFileTypes: true }).catch((cause) => {
    throw new DlgradeError('USAGE', `cannot read the submissions folder ${root}: expected a folder with one sub-folder or .zip per student`, { cause });
  });
  const found: FoundSubmission[] = [];
  const seen = new Map<string, string>();
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const isZip = entry.isFile() && entry.name.toLowerCase().endsWith('.zip');
    if (!entry.isDirectory() && !isZip) continue;
    const student = isZip ? entry.name.slice(0, -4) : entry.name;
    if (!STUDENT_ID.test(student)) {
      throw new DlgradeError('SUBMISSION_INVALID', `"${entry.name}" is not a usable student id (letters, digits, . _ @ + - only)`, { file: path.join(root, entry.name) });
    }
    if (seen.has(student)) {
      throw new DlgradeError('SUBMISSION_INVALID', `the student "${student}" has two submissions: ${seen.get(student)} and ${entry.name}`, { file: root });
    }
    seen.set(student, entry.name);
    found.push({ student, path: path.join(root, entry.name), kind: isZip ? 'zip' : 'dir' });
  }
  return found.sort((a, b) => (a.student < b.student ? -1 : 1));
}

const ZIP_LIMITS = { entries: 2000, totalBytes: 200 * 1024 * 1024 };

/** Unpacks a submission zip into a fresh temporary folder, refusing absolute paths, "..", and oversized content. */
export async function unpackZip(zipPath: string): Promise<string> {
  const bytes = await readFile(zipPath);
  let total = 0;
  let count = 0;
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes, {
      filter(file) {
        count++;
        total += file.originalSize;
        if (count > ZIP_LIMITS.entries || total > ZIP_LIMITS.totalBytes) throw new Error(`more than ${ZIP_LIMITS.entries} files or ${ZIP_LIMITS.totalBytes} bytes`);
        return !file.name.endsWith('/');
      },
    });
  } catch (cause) {
    throw new DlgradeError('SUBMISSION_INVALID', `not a usable zip: ${(cause as Error).message}`, { file: zipPath, cause });
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'dlgrade-sub-'));
  const names = Object.keys(files);
  // A zip of a folder holds "name/file.py": use that folder when every file is inside it.
  const prefix = commonFolder(names);
  for (const name of names) {
    const rel = path.normalize(name.slice(prefix.length));
    if (path.isAbsolute(rel) || rel.startsWith('..') || rel.includes('\0')) {
      throw new DlgradeError('SUBMISSION_INVALID', `the zip member "${name}" points outside the submission`, { file: zipPath });
    }
    const target = path.join(dir, rel);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, files[name], { mode: 0o644 });
  }
  return dir;
}

function commonFolder(names: string[]): string {
  if (names.length === 0) return '';
  const top = names[0].split('/')[0];
  if (top === '..' || top === '.' || top === '') return '';
  const first = top + '/';
  return names.every((n) => n.startsWith(first)) && names.some((n) => n !== first) ? first : '';
}
