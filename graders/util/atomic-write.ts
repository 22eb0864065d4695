// Writes a file so that readers see either the old content or the new, never half of it.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Writes `content` to a temporary file beside `file`, then renames it over `file`. Synchronous inside: the files
 * are a few kilobytes (a result, a report), and four calls through the thread pool cost more than the writes.
 */
export async function writeFileAtomic(file: string, content: string | Uint8Array): Promise<void> {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
  writeFileSync(tmp, content);
  renameSync(tmp, file);
}
