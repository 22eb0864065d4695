// The check server's parsed fixtures, kept from one check to the next for as long as the files on disk are the
// same ones. Besides saving the parsing, keeping the same arrays lets the warm worker reuse the input files it
// already wrote for them, instead of writing a new set for every check.
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Assignment } from '../manifest/load-manifest.js';
import type { FixtureFiles } from '../fixtures/load-case.js';
import { fixturesDir } from '../fixtures/paths.js';

/** Fixture folders kept at once (a student works on one or two assignments at a time). */
const KEPT = 4;

export class FixtureCache {
  private readonly kept = new Map<string, FixtureFiles>();

  /** The parsed files for this assignment's fixtures as they are on disk now (a new, empty set once any file changed). */
  async filesFor(assignment: Assignment): Promise<FixtureFiles> {
    const state = await folderState([fixturesDir(assignment), assignment.dir]);
    let files = this.kept.get(state);
    if (files) {
      // Most recently used last, so the oldest is the one dropped.
      this.kept.delete(state);
    } else {
      files = new Map();
      if (this.kept.size >= KEPT) this.kept.delete(this.kept.keys().next().value!);
    }
    this.kept.set(state, files);
    return files;
  }
}

/** Every file under the folders with its size, times and inode: equal for the same files, unequal after any change. */
export async function folderState(folders: string[]): Promise<string> {
  const lines: string[] = [];
  for (const folder of folders) {
    const names = ((await readdir(folder, { recursive: true }).catch(() => [])) as string[]).sort();
    for (const name of names) {
      const info = await stat(path.join(folder, name)).catch(() => undefined);
      if (info?.isFile()) lines.push(`${path.join(folder, name)}\0${info.size}\0${info.mtimeMs}\0${info.ctimeMs}\0${info.ino}`);
    }
    lines.push(`${folder}\0end`);
  }
  return lines.join('\n');
}
