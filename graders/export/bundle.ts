// A set of files to ship (student kit, Gradescope bundle): built in memory, written to a folder or a zip.
import { copyFile, chmod, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { zipSync, type Zippable } from 'fflate';
import { writeFileAtomic } from '../util/atomic-write.js';

/** One file: copied from `source` or written from `content`; `executable` sets mode 755. */
export interface BundleFile {
  source?: string;
  content?: string | Uint8Array;
  executable?: boolean;
}

/** Files by their path inside the bundle (always with "/" separators). */
export type Bundle = Map<string, BundleFile>;

/** Adds every regular file under `dir` (recursively) to the bundle under `prefix`, skipping what `keep` rejects. */
export async function addTree(bundle: Bundle, dir: string, prefix: string, keep: (rel: string) => boolean = () => true): Promise<void> {
  const walk = async (rel: string): Promise<void> => {
    const entries = await readdir(path.join(dir, rel), { withFileTypes: true });
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.name === '__pycache__' || entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      if (entry.isDirectory()) await walk(child);
      else if (entry.isFile() && keep(child)) bundle.set(joinPath(prefix, child), { source: path.join(dir, child) });
    }
  };
  await walk('');
}

export function joinPath(...parts: string[]): string {
  return parts.filter(Boolean).join('/').replace(/\/+/g, '/');
}

async function bytesOf(file: BundleFile): Promise<Uint8Array> {
  if (file.content !== undefined) return typeof file.content === 'string' ? Buffer.from(file.content) : file.content;
  return readFile(file.source!);
}

/** Writes the bundle into `dir` (which should be new or empty). */
export async function writeBundleToDir(bundle: Bundle, dir: string): Promise<void> {
  for (const [rel, file] of [...bundle.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const target = path.join(dir, ...rel.split('/'));
    await mkdir(path.dirname(target), { recursive: true });
    if (file.content !== undefined) await writeFile(target, file.content);
    else await copyFile(file.source!, target);
    await chmod(target, file.executable ? 0o755 : 0o644);
  }
}

/** Zips the bundle with files at the archive's root, Unix modes kept (run_autograder must stay executable). */
export async function writeBundleToZip(bundle: Bundle, zipFile: string): Promise<number> {
  const entries: Zippable = {};
  // A fixed date keeps the archive byte-identical between exports of the same content.
  const mtime = new Date('2000-01-01T00:00:00Z');
  for (const [rel, file] of [...bundle.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const mode = file.executable ? 0o100755 : 0o100644;
    entries[rel] = [await bytesOf(file), { os: 3, attrs: (mode << 16) >>> 0, mtime, level: 6 }];
  }
  const bytes = zipSync(entries);
  await writeFileAtomic(zipFile, bytes);
  return bytes.length;
}
