// Writes a file so that readers see either the old content or the new, never half of it.
import { closeSync, mkdirSync, openSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';

/**
 * Writes `content` to a temporary file beside `file`, then renames it over `file`. Synchronous inside: the files
 * are a few kilobytes (a result, a report), and four calls through the thread pool cost more than the writes.
 */
export async function writeFileAtomic(file: string, content: string | Uint8Array): Promise<void> {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = temporaryBeside(file);
  try {
    writeFileSync(tmp, content);
    renameSync(tmp, file);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw error;
  }
}

/** writeFileAtomic for content made piece by piece (a file too large to build as one string first). */
export async function writeFileAtomicFrom(file: string, pieces: Iterable<string>): Promise<void> {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = temporaryBeside(file);
  const fd = openSync(tmp, 'w');
  try {
    try {
      for (const piece of pieces) writeSync(fd, piece);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw error;
  }
}

const temporaryBeside = (file: string) => path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
